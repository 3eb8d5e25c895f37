// The same production model done right: split with a seed, scaler and model in one pipeline, the
// pipeline saved as a whole (serve it with `pipe.predict(houses)` after `fromJSON`). pipelint stays silent.
import { writeFile } from 'node:fs/promises'
import { LinearRegression, Pipeline, StandardScaler, trainTestSplit } from 'scikitjs'

const SEED = 42

export async function trainPricePipeline(features: number[][], prices: number[]) {
  const [XTrain, XTest, yTrain, yTest] = trainTestSplit(features, prices, 0.2, undefined, SEED)
  const pipe = new Pipeline({
    steps: [
      ['scale', new StandardScaler()],
      ['lr', new LinearRegression()],
    ],
  })
  await pipe.fit(XTrain, yTrain)
  console.log('held-out predictions:', pipe.predict(XTest), 'targets:', yTest)
  await writeFile('artifacts/price-pipeline.json', await pipe.toJSON())
}
