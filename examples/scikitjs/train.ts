// Trains the house-price model and saves it for the prediction service (serve.ts).
// The nightly job calls these functions with the rows it reads from the warehouse.
import { writeFile } from 'node:fs/promises'
import { KMeans, LinearRegression, Pipeline, StandardScaler, trainTestSplit } from 'scikitjs'

export const MODEL_PATH = 'artifacts/price-model.json'

/** Groups the houses into neighbourhoods (latitude, longitude) for the dashboard. */
export function neighbourhoods(locations: number[][]) {
  const kmeans = new KMeans({ nClusters: 8 })
  kmeans.fit(locations)
  return kmeans.predict(locations)
}

/** Baseline on clipped features, saved for the weekly report. */
export async function trainBaseline(features: number[][], prices: number[]) {
  const clipNegatives = {
    fit() {
      return this
    },
    transform: (X: number[][]) => X.map((row) => row.map((v) => Math.max(0, v))),
  }
  const pipe = new Pipeline({
    steps: [
      ['clip', clipNegatives],
      ['scale', new StandardScaler()],
      ['lr', new LinearRegression()],
    ],
  })
  await pipe.fit(features, prices)
  await writeFile('artifacts/baseline.json', await pipe.toJSON())
}

/** The production model: standardized features, linear regression. */
export async function trainPriceModel(features: number[][], prices: number[]) {
  const [XTrain, XTest, yTrain, yTest] = trainTestSplit(features, prices, 0.2)
  const scaler = new StandardScaler()
  const model = new LinearRegression()
  await model.fit(scaler.fitTransform(XTrain), yTrain)
  console.log('held-out R^2:', model.score(scaler.transform(XTest), yTest))
  await writeFile(MODEL_PATH, await model.toJSON())
}
