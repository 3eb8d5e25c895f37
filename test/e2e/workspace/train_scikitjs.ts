// @ts-nocheck -- a fixture for the editor tests: `scikitjs` is not installed in this repository.
// scikit.js: a pipeline with a custom step is saved with toJSON, and KMeans runs without a seed.
import { writeFile } from 'node:fs/promises'
import * as sk from 'scikitjs'

export async function trainAndSave(X: number[][], y: number[]) {
  const clip = {
    fit() {
      return this
    },
    transform: (X: number[][]) => X.map((row) => row.map((v) => Math.max(0, v))),
  }
  const pipe = new sk.Pipeline({
    steps: [
      ['clip', clip],
      ['scale', new sk.StandardScaler()],
      ['lr', new sk.LinearRegression()],
    ],
  })
  await pipe.fit(X, y)
  await writeFile('model.json', await pipe.toJSON())
}

export function cluster(X: number[][]) {
  const km = new sk.KMeans({ nClusters: 2 })
  return km.fit(X)
}
