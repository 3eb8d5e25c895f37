// Prediction service: prices the houses of each request with the model that train.ts saved.
import { readFile } from 'node:fs/promises'
import { StandardScaler, fromJSON } from 'scikitjs'

const MODEL_PATH = 'artifacts/price-model.json'

export async function predictPrices(houses: number[][]) {
  const model = await fromJSON(await readFile(MODEL_PATH, 'utf8'))
  // The model was trained on standardized features, so standardize the request the same way... or so it seems.
  const features = new StandardScaler().fitTransform(houses)
  return model.predict(features)
}
