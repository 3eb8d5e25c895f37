/**
 * TypeScript (scikit.js) edit latency: lower + analyse a generated 2,000-line file, then re-analyse after
 * a one-character edit, as the language server does on every keystroke burst (no incremental parse for
 * TypeScript: the whole file is lowered again). Target: median under 20 ms.
 *
 *   node --import tsx bench/typescript-edit.ts [--lines 2000] [--runs 30]
 */
import { analyzeModule } from '../server/src/analysis/analyze';
import { lowerTypeScript } from '../server/src/typescript';

export interface TypeScriptEditResult {
  lines: number;
  runs: number;
  /** First lowering + analysis (cold: includes loading the compiler's first use). */
  firstMs: number;
  /** Lowering alone, median over runs. */
  lowerMedianMs: number;
  /** Lower + analyse after a one-character edit. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  findings: number;
}

/** A realistic scikit.js module of about `lines` lines: training functions with pipelines, splits, saves. */
export function generateScikitjsSource(lines: number): string {
  const head = [
    "import { readFile, writeFile } from 'node:fs/promises'",
    "import * as sk from 'scikitjs'",
    "import { Pipeline, StandardScaler, MinMaxScaler, LinearRegression, KMeans, KFold, trainTestSplit, fromJSON } from 'scikitjs'",
    '',
    'const SEED = 42',
    '',
  ];
  const out = [...head];
  let i = 0;
  while (out.length < lines) {
    out.push(
      `export async function train${i}(X: number[][], y: number[], scale: number) {`,
      `  const [XTrain, XTest, yTrain, yTest] = trainTestSplit(X, y, 0.2${i % 3 === 0 ? '' : ', undefined, SEED'})`,
      `  const step${i} = {`,
      `    fit(_X: number[][]) {`,
      `      return this`,
      `    },`,
      `    transform: (Z: number[][]) => Z.map((row) => row.map((v) => v * scale + ${i})),`,
      `  }`,
      `  const pipe = new Pipeline({`,
      `    steps: [`,
      `      ['custom', ${i % 4 === 0 ? `step${i}` : 'new MinMaxScaler()'}],`,
      `      ['scale', new StandardScaler({ withMean: true })],`,
      `      ['lr', new LinearRegression({ fitIntercept: ${i % 2 === 0} })],`,
      `    ],`,
      `  })`,
      `  await pipe.fit(XTrain, yTrain)`,
      `  const km = new sk.KMeans({ nClusters: ${2 + (i % 5)}${i % 2 === 0 ? ', randomState: SEED' : ''} })`,
      `  km.fit(XTrain)`,
      `  const folds = new KFold({ nSplits: 5, shuffle: ${i % 2 === 0} })`,
      `  const predictions = pipe.predict(XTest)`,
      `  await writeFile('model${i}.json', await pipe.toJSON())`,
      `  const restored = await fromJSON(await readFile('model${i}.json', 'utf8'))`,
      `  return { predictions, restored, folds, yTest, km }`,
      `}`,
      '',
    );
    i++;
  }
  return out.slice(0, lines).join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function benchTypeScriptEdit(options: { lines?: number; runs?: number } = {}): TypeScriptEditResult {
  const lines = options.lines ?? 2000;
  const runs = options.runs ?? 30;
  const uri = 'file:///bench/train.ts';
  let text = generateScikitjsSource(lines);

  let t = performance.now();
  const first = analyzeModule(lowerTypeScript(text, uri));
  const firstMs = performance.now() - t;

  // Warm up the JIT as a running server would be.
  for (let k = 0; k < 5; k++) analyzeModule(lowerTypeScript(text, uri));

  const times: number[] = [];
  const lowerTimes: number[] = [];
  // One-character edits in the middle of the file: change a digit of a literal back and forth.
  const at = text.indexOf('nClusters: ', text.length >> 1) + 'nClusters: '.length;
  let findings = first.length;
  for (let r = 0; r < runs; r++) {
    const digit = String((r % 7) + 2);
    text = text.slice(0, at) + digit + text.slice(at + 1);
    t = performance.now();
    const module = lowerTypeScript(text, uri);
    const lowered = performance.now();
    findings = analyzeModule(module).length;
    const done = performance.now();
    lowerTimes.push(lowered - t);
    times.push(done - t);
  }
  return {
    lines,
    runs,
    firstMs,
    lowerMedianMs: median(lowerTimes),
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    findings,
  };
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const r = benchTypeScriptEdit({ lines: arg('--lines'), runs: arg('--runs') });
  const f = (x: number) => x.toFixed(2);
  console.log(`typescript-edit: ${r.lines} lines, ${r.runs} runs, ${r.findings} findings`);
  console.log(`  first lower+analyse: ${f(r.firstMs)} ms`);
  console.log(
    `  re-analyse after 1-char edit: median ${f(r.medianMs)} ms, min ${f(r.minMs)} ms, max ${f(r.maxMs)} ms (lowering alone: median ${f(r.lowerMedianMs)} ms)`,
  );
  console.log(`  target < 20 ms median: ${r.medianMs < 20 ? 'met' : 'NOT met'}`);
}
