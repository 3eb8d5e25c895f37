/**
 * Bench for issue 15: notebooks. In process, medians of 5 runs (CPU time of this process alongside):
 * - a real notebook given on the command line (the MABe notebook of the issue: Surfing-Ninja/Kaggle_NB_EXTRACTOR,
 *   not committed): all code cells joined and parsed at once (the old way) versus the engine (cell by cell);
 * - a generated 10,000-cell notebook, and a notebook with one 300 KB cell;
 * - the server's case: re-analysis of a 500-cell notebook after an edit to one cell (per-cell cache).
 * Run: node --import tsx bench/notebooks.ts [real.ipynb ...]
 */
import { readFileSync } from 'node:fs';
import { analyzeModule } from '../server/src/analysis/analyze';
import { Engine } from '../server/src/analysis/engine';
import { NotebookProgram } from '../server/src/notebook';
import { lowerNotebook, NotebookLoweringCache } from '../server/src/python';

function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function measure(runs: number, body: () => void): { wall: number; cpu: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = cpu();
    const t = performance.now();
    body();
    walls.push(performance.now() - t);
    cpus.push(cpu() - c);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wall: median(walls), cpu: median(cpus) };
}

const fmt = (m: { wall: number; cpu: number }) => `median ${m.wall.toFixed(0)} ms wall, ${m.cpu.toFixed(0)} ms CPU`;

function notebookJson(cells: string[]): string {
  return JSON.stringify(
    {
      cells: cells.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );
}

const CELL = (i: number) =>
  i === 0
    ? 'import numpy as np\nimport pandas as pd\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.ensemble import RandomForestClassifier'
    : i % 100 === 0
      ? `X_tr${i}, X_te${i}, y_tr${i}, y_te${i} = train_test_split(X, y, random_state=0)\nscaler${i} = StandardScaler().fit(X_tr${i})\nmodel${i} = RandomForestClassifier(random_state=0).fit(scaler${i}.transform(X_tr${i}), y_tr${i})`
      : `df_${i} = pd.DataFrame(np.random.rand(10, 3), columns=["a", "b", "c"])\ndf_${i}["d"] = df_${i}["a"] * ${i}\nprint(df_${i}.describe())`;

void (async () => {
  const engine = await Engine.create();
  for (const file of process.argv.slice(2)) {
    const json = readFileSync(file, 'utf8');
    const program = NotebookProgram.fromJson(json);
    const joined = measure(1, () => engine.python.parse(program.text)?.delete());
    const cells = measure(5, () => engine.analyze(file, json, 'notebook'));
    console.log(
      `${file.split('/').pop()} (${program.cells.length} code cells, ${(json.length / 1024).toFixed(0)} KB): joined parse alone ${fmt(joined)} (1 run); engine parse + lower + analyse ${fmt(cells)}`,
    );
  }
  const many = notebookJson(Array.from({ length: 10_000 }, (_, i) => CELL(i)));
  console.log(
    `10,000-cell notebook (${(many.length / 1024).toFixed(0)} KB): ${fmt(measure(5, () => engine.analyze('many.ipynb', many, 'notebook')))}`,
  );
  const body = Array.from(
    { length: 6000 },
    (_, i) => `feature_${i} = np.log1p(df["col_${i % 40}"].values) * ${i}`,
  ).join('\n');
  const big = notebookJson([CELL(0), body]);
  console.log(
    `one ${(body.length / 1024).toFixed(0)} KB cell: ${fmt(measure(5, () => engine.analyze('big.ipynb', big, 'notebook')))}`,
  );

  // The server: 500 cells, one edited per run, the others from the per-cell cache.
  const texts = Array.from({ length: 500 }, (_, i) => CELL(i));
  const cache = new NotebookLoweringCache();
  const program = (k: number) =>
    new NotebookProgram(texts.map((text, index) => ({ index, text: index === 250 ? `${text}\nx_${k} = ${k}` : text })));
  lowerNotebook(engine.python, program(-1), 'nb.ipynb', cache);
  let k = 0;
  const edit = measure(21, () => analyzeModule(lowerNotebook(engine.python, program(k++), 'nb.ipynb', cache)));
  const fresh = measure(5, () => analyzeModule(lowerNotebook(engine.python, program(k++), 'nb.ipynb')));
  console.log(`500-cell notebook, one cell edited: with the per-cell cache ${fmt(edit)}; without ${fmt(fresh)}`);
})();
