import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generateScikitjsSource } from '../../bench/typescript-edit';
import { analyzeModule } from '../../server/src/analysis/analyze';
import type { LineageResult } from '../../server/src/dataflow/values';
import { lookupEntity } from '../../server/src/knowledge';
import { lineageOf } from '../../server/src/knowledge/lineage';
import { DocumentState } from '../../server/src/lsp/documents';
import type { ModuleIR } from '../../server/src/model/ir';
import { semanticsOf } from '../../server/src/model/semantics';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NotebookProgram, readCells } from '../../server/src/notebook';
import { loadPythonParser, lowerNotebook, lowerPythonText, NotebookLoweringCache } from '../../server/src/python';
import { frontEnd, lowerTypeScript } from '../../server/src/typescript';
import { listFixtures } from '../helpers/fixtures';
import { rng, spots } from '../helpers/edits';
import { lineageShape } from '../helpers/lineageShape';

/**
 * Issue 18: in an open document, the data flow keeps what each top-level function nobody calls found on its own,
 * and the state of the module's code before the edited statement, and the next version reuses them while nothing
 * they depend on can have changed (dataflow/interpreter.ts: OwnAnalysis, ModuleCheckpoint). After every keystroke
 * the findings, and the data flow itself, must equal those of a fresh analysis of the same text.
 */

const lineage = (m: ModuleIR): LineageResult => lineageOf(semanticsOf(m), (q) => (q ? lookupEntity(q) : undefined));

const TYPED = [', { randomState: 1 }', ', XTest', '.fit(XTest)', ', (Z) => Z', ', SEED'];
const PASTED = ['\n', 'const SEED = 7\n', 'global.x = 1\n', 'function train0() {}\n', '}', '{', '//', '`'];

test('the editor path gives the findings of a fresh analysis after every keystroke (scikit.js)', () => {
  const random = rng(20261129);
  let steps = 0;
  const sources = [
    ...listFixtures('typescript').map((f) => ({ name: f.name, text: f.text })),
    { name: 'generated.ts', text: generateScikitjsSource(300) },
  ];
  for (const fx of sources) {
    const uri = `file:///work/${fx.name}`;
    const cache = {};
    let text = fx.text;
    analyzeModule(frontEnd.lower({ uri, text }, cache));
    const edit = (offset: number, del: number, insert: string) => {
      text = text.slice(0, offset) + insert + text.slice(offset + del);
      const model = frontEnd.lower({ uri, text }, cache);
      const found = analyzeModule(model);
      const shape = lineageShape(lineage(model));
      const fresh = lowerTypeScript(text, uri);
      const what = `${fx.name}: edit ${steps} at ${offset} (-${del} +${JSON.stringify(insert)})`;
      assert.deepEqual(found, analyzeModule(fresh), what);
      assert.equal(shape, lineageShape(lineage(fresh)), `${what}: data flow`);
      steps++;
    };
    for (const at of spots(text, 3)) {
      const word = TYPED[Math.floor(random() * TYPED.length)];
      for (let i = 0; i < word.length; i++) edit(at + i, 0, word[i]);
      for (let i = word.length - 1; i >= 0; i--) edit(at + i, 1, '');
    }
    for (let k = 0; k < 6; k++) {
      const at = Math.floor(random() * text.length);
      if (random() < 0.5) edit(at, 0, PASTED[Math.floor(random() * PASTED.length)]);
      else edit(at, Math.min(text.length - at, Math.floor(random() * 30)), '');
    }
  }
  assert.ok(steps > 200, `${steps} edits checked`);
});

test("an untouched function's findings are reused; one that mentions a name bound differently is analysed again", () => {
  const uri = 'file:///work/train.ts';
  const cache = {};
  let text = generateScikitjsSource(300);
  const fitsIn = (L: LineageResult, fn: string) => {
    const start = text.indexOf(`function ${fn}(`);
    const end = text.indexOf('\nexport', start + 1);
    const line = (offset: number) => text.slice(0, offset).split('\n').length - 1;
    return L.fits.filter((f) => f.call.range.start.line >= line(start) && f.call.range.start.line <= line(end));
  };
  // Each version's lineage is read right after its analysis (a Semantics built again for the same version starts
  // a new version, which the next one would compare itself with).
  const v1 = frontEnd.lower({ uri, text }, cache);
  analyzeModule(v1);
  const L1 = lineage(v1);
  assert.ok(fitsIn(L1, 'train0').length > 0 && fitsIn(L1, 'train2').length > 0);

  // A keystroke inside train2: train0's records are the previous version's, train2's are new.
  const at = text.indexOf('km.fit(XTrain)', text.indexOf('function train2(')) + 'km.fit(XTrain'.length;
  text = text.slice(0, at) + ', 1' + text.slice(at);
  const v2 = frontEnd.lower({ uri, text }, cache);
  const found2 = analyzeModule(v2);
  const L2 = lineage(v2);
  assert.deepEqual(found2, analyzeModule(lowerTypeScript(text, uri)));
  assert.ok(
    fitsIn(L2, 'train0').every((f, i) => f === fitsIn(L1, 'train0')[i]),
    'train0 reused',
  );
  assert.ok(
    fitsIn(L2, 'train2').every((f) => !fitsIn(L1, 'train2').includes(f)),
    'train2 analysed again',
  );

  // `SEED` bound differently: the functions that say SEED are analysed again, the others reused.
  const said = (fn: string) => {
    const from = text.indexOf(`function ${fn}(`);
    return text.slice(from, text.indexOf('\nexport', from + 1)).includes('SEED');
  };
  const names = ['train0', 'train1', 'train2', 'train3', 'train4', 'train5'];
  const seedFns = names.filter(said);
  const others = names.filter((fn) => !said(fn));
  assert.ok(seedFns.length > 0 && others.length > 0, `SEED in ${seedFns.join(', ')}`);
  text = text.replace('const SEED = 42', 'const SEED = 43');
  const v3 = frontEnd.lower({ uri, text }, cache);
  const found3 = analyzeModule(v3);
  const L3 = lineage(v3);
  assert.deepEqual(found3, analyzeModule(lowerTypeScript(text, uri)));
  for (const fn of seedFns)
    assert.ok(
      fitsIn(L3, fn).every((f) => !fitsIn(L2, fn).includes(f)),
      `${fn} analysed again`,
    );
  for (const fn of others)
    assert.ok(
      fitsIn(L3, fn).every((f, i) => f === fitsIn(L2, fn)[i]),
      `${fn} reused`,
    );
});

test('a function that calls a helper of the file is analysed again when the helper changes', () => {
  const uri = 'file:///work/helper.ts';
  const cache = {};
  let text = [
    "import { LinearRegression, StandardScaler, trainTestSplit } from 'scikitjs'",
    '',
    'function scale(X: number[][]) {',
    '  const s = new StandardScaler()',
    '  return s.fitTransform(X)',
    '}',
    '',
    'export async function train(X: number[][], y: number[]) {',
    '  const Xs = scale(X)',
    '  const [XTrain, XTest, yTrain, yTest] = trainTestSplit(Xs, y, 0.2, undefined, 1)',
    '  const m = new LinearRegression()',
    '  await m.fit(XTrain, yTrain)',
    '  return m.predict(XTest)',
    '}',
    '',
    'export function other(X: number[][]) {',
    '  return new StandardScaler().fitTransform(X)',
    '}',
    '',
  ].join('\n');
  const codes = (m: ModuleIR) => analyzeModule(m).map((f) => f.code);
  assert.ok(codes(frontEnd.lower({ uri, text }, cache)).includes('SKL301'), 'scaled before the split');
  // The helper no longer scales: the leak is gone, in the editor as in a fresh analysis.
  for (const [from, to] of [
    ['return s.fitTransform(X)', 'return X'],
    ['return X', 'return s.fitTransform(X)'],
    ['const Xs = scale(X)', 'const Xs = X'],
  ]) {
    text = text.replace(from, to);
    const found = analyzeModule(frontEnd.lower({ uri, text }, cache));
    assert.deepEqual(found, analyzeModule(lowerTypeScript(text, uri)), `${from} -> ${to}`);
  }
  assert.ok(!codes(lowerTypeScript(text, uri)).includes('SKL301'));
});

test('a function declaration without a name (code being typed) binds the empty name: the next keystroke still ends', () => {
  const uri = 'file:///work/nameless.ts';
  const cache = {};
  let text = [
    "import { StandardScaler } from 'scikitjs'",
    '',
    'export function train(X: number[][]) {',
    '  return new StandardScaler().fitTransform(X)',
    '}',
    '',
    'function (X) { return X }',
    '',
    'train',
    '',
  ].join('\n');
  analyzeModule(frontEnd.lower({ uri, text }, cache));
  // Typing inside the nameless function rebinds '' at module level; looking for '' in a text that ends with an
  // identifier (the statement `train`) never ended.
  for (const insert of ['.', 'm', 'a']) {
    const at = text.indexOf('return X') + 'return X'.length;
    text = text.slice(0, at) + insert + text.slice(at);
    assert.deepEqual(analyzeModule(frontEnd.lower({ uri, text }, cache)), analyzeModule(lowerTypeScript(text, uri)));
  }
});

/** An open Python document: `version()` analyses it as the editor does and checks it against a fresh analysis. */
async function pythonDocument(lines: string[]) {
  const parser = await loadPythonParser();
  const uri = 'file:///work/prefix.py';
  const state = new DocumentState(TextDocument.create(uri, 'python', 1, lines.join('\n')), 'python');
  return {
    version(): LineageResult {
      const model = state.lowerPython(parser);
      const found = analyzeModule(model);
      const L = lineage(model);
      const text = state.doc.getText();
      const { module: fresh, tree } = lowerPythonText(parser, text, uri);
      tree.delete();
      assert.deepEqual(found, analyzeModule(fresh), text);
      assert.equal(lineageShape(L), lineageShape(lineage(fresh)), text);
      return L;
    },
    /** Replaces the first `from` (after `after`) with `to`. */
    edit(from: string, to: string, after = ''): void {
      const text = state.doc.getText();
      const offset = text.indexOf(from, text.indexOf(after) + after.length);
      assert.ok(offset >= 0, from);
      const range = { start: state.doc.positionAt(offset), end: state.doc.positionAt(offset + from.length) };
      state.applyChanges([{ range, text: to }], state.version + 1);
    },
    dispose: () => state.dispose(),
  };
}

test("the module's code before the edited statement is not run again unless a name it reads is bound differently", async () => {
  const doc = await pythonDocument([
    'import pandas as pd',
    'from sklearn.linear_model import LogisticRegression',
    'from sklearn.model_selection import train_test_split',
    'from sklearn.preprocessing import StandardScaler',
    '',
    '',
    'def prepare(frame):',
    '    return scale(frame.drop(columns="label"))',
    '',
    '',
    'df = pd.read_csv("train.csv")',
    'scaler = StandardScaler()',
    'X_all = scaler.fit_transform(df.drop(columns="label"))',
    'X = prepare(df)',
    'df = df.fillna(0)',
    'X_train, X_test, y_train, y_test = train_test_split(X, df["label"])',
    'model = LogisticRegression()',
    'model.fit(X_train, y_train)',
    'print(model.score(X_test, y_test))',
    '',
  ]);
  const scalerFit = (L: LineageResult) => L.fits.find((f) => f.inst.qname.endsWith('StandardScaler'));
  try {
    doc.version();
    // Typing into the split: the scaler fitted above it is the previous version's record, not a new one.
    doc.edit('df["label"])', 'df["label"],)');
    const L1 = doc.version();
    doc.edit('df["label"],)', 'df["label"], )');
    const L2 = doc.version();
    assert.ok(scalerFit(L1) && scalerFit(L2) === scalerFit(L1), 'the statements before the split were not run again');
    // `scale` imported below: `prepare`, called above the split, now fits (a function-style fit of `scale`).
    assert.ok(!L2.fits.some((f) => f.inst.qname.endsWith('.scale')));
    doc.edit('\n', '\nfrom sklearn.preprocessing import scale\n', 'print(model.score(X_test, y_test))');
    const L3 = doc.version();
    assert.ok(
      L3.fits.some((f) => f.inst.qname.endsWith('.scale')),
      'prepare() analysed again',
    );
    assert.notEqual(scalerFit(L3), scalerFit(L2));
    // Typing into a statement that binds `df`, read above it: `df` binds as before, so the code above is not run again.
    doc.edit('fillna(0)', 'fillna(0, )');
    const L4 = doc.version();
    doc.edit('fillna(0, )', 'fillna(0, a)');
    const L5 = doc.version();
    assert.ok(scalerFit(L5) === scalerFit(L4), 'the statements above `df = df.fillna(...)` were not run again');
  } finally {
    doc.dispose();
  }
});

test('the code above the edited statement is run again when a name it reads now names another class', async () => {
  const doc = await pythonDocument([
    'import pandas as pd',
    'from sklearn.linear_model import LogisticRegression',
    'from sklearn.preprocessing import StandardScaler',
    '',
    '',
    'def build():',
    '    return Model()',
    '',
    '',
    'df = pd.read_csv("train.csv")',
    'est = build()',
    'est.fit(df)',
    'print(df.shape)',
    'Model = LogisticRegression',
    '',
  ]);
  try {
    doc.version();
    doc.edit('df.shape)', 'df.shape, 1)');
    doc.version();
    doc.edit('df.shape, 1)', 'df.shape, 2)');
    assert.equal(doc.version().fits[0]?.inst.kind, 'predictor');
    // `Model` still binds once, by an assignment, but to another class: `build()` above now makes a transformer.
    doc.edit('= LogisticRegression', '= StandardScaler');
    assert.equal(doc.version().fits[0]?.inst.kind, 'transformer');
  } finally {
    doc.dispose();
  }
});

test('the code below a statement typed into is not run again while the statement leaves the state as it did', async () => {
  const doc = await pythonDocument([
    'import matplotlib.pyplot as plt',
    'import pandas as pd',
    'from sklearn.linear_model import LogisticRegression',
    'from sklearn.model_selection import train_test_split',
    'from sklearn.preprocessing import StandardScaler',
    '',
    'df = pd.read_csv("train.csv")',
    'X_train, X_test, y_train, y_test = train_test_split(df.drop(columns="y"), df["y"])',
    'scaler = StandardScaler()',
    'Model = LogisticRegression',
    'plt.plot(X_train)',
    'scaler.fit(X_train)',
    'model = Model()',
    'model.fit(scaler.transform(X_train), y_train)',
    'print(model.score(scaler.transform(X_test), y_test))',
    '',
    '',
    'def report():',
    '    return model.predict(scaler.transform(X_test))',
    '',
  ]);
  const fitOf = (L: LineageResult, what: string) => L.fits.find((f) => f.inst.qname.endsWith(what));
  // `report`, which nobody calls, is analysed on its own: its prediction.
  const reported = (L: LineageResult) => L.predicts.find((p) => p.call.range.start.line === 18);
  try {
    doc.version();
    doc.edit('plt.plot(X_train)', 'plt.plot(X_train, )');
    const L1 = doc.version();
    doc.edit('plt.plot(X_train, )', 'plt.plot(X_train, c)');
    const L2 = doc.version();
    doc.edit('plt.plot(X_train, c)', 'plt.plot(X_train, co)');
    const L3 = doc.version();
    // The plot leaves the state as it did: the fits below it are the previous version's (the scaler made above the
    // plot holds its fit made below it: 'fits' put back whole, not by length).
    assert.ok(fitOf(L2, 'StandardScaler') === fitOf(L1, 'StandardScaler'), 'the code below the plot was not run again');
    assert.ok(fitOf(L3, 'LogisticRegression') === fitOf(L2, 'LogisticRegression'));
    assert.ok(reported(L2) && reported(L3) === reported(L2), 'report() was not analysed again');
    assert.deepEqual(fitOf(L3, 'StandardScaler')!.inst.fits, [fitOf(L3, 'StandardScaler')]);
    // A statement that makes a new value each time: the code below it runs again.
    doc.edit('scaler = StandardScaler()', 'scaler = StandardScaler(copy=True)');
    const L4 = doc.version();
    doc.edit('copy=True', 'copy=False');
    const L5 = doc.version();
    assert.ok(fitOf(L5, 'StandardScaler') !== fitOf(L4, 'StandardScaler'));
    // `Model` binds to another class: nothing changes in the state at its statement, but the code below reads it.
    doc.edit('Model = LogisticRegression', 'Model = LogisticRegression  ');
    doc.version();
    doc.edit('Model = LogisticRegression  ', 'Model = StandardScaler');
    const L7 = doc.version();
    assert.equal(L7.fits.find((f) => f.call.range.start.line === 13)?.inst.kind, 'transformer');
  } finally {
    doc.dispose();
  }
});

test('a name that binds otherwise is found at the start of the code below, after the statement typed into got shorter', async () => {
  const doc = await pythonDocument([
    'import pandas as pd',
    'from sklearn.linear_model import LogisticRegression, Ridge',
    '',
    'df = pd.read_csv("train.csv")',
    'Model = LogisticRegression',
    'Model().fit(df, df["y"])',
    '',
  ]);
  try {
    doc.version();
    doc.edit('LogisticRegression\n', 'LogisticRegression \n');
    doc.version();
    doc.edit('LogisticRegression \n', 'LogisticRegression  \n');
    assert.equal(doc.version().fits[0]?.inst.qname, 'sklearn.linear_model.LogisticRegression');
    // 15 characters fewer: the code below starts 15 characters earlier than in the previous version.
    doc.edit('Model = LogisticRegression  \n', 'Model = Ridge\n');
    assert.equal(doc.version().fits[0]?.inst.qname, 'sklearn.linear_model.Ridge');
  } finally {
    doc.dispose();
  }
});

test('the data read above the edited statement becomes inference data when a change below makes the file an inference script', async () => {
  const doc = await pythonDocument([
    'import joblib',
    'import pandas as pd',
    '',
    'df = pd.read_csv("new.csv")',
    'X = df.drop(columns="id")',
    'print(X.shape)',
    'model = joblib.load("model.pkl")',
    'model.fit(X, df["label"])',
    'pred = model.predict(X)',
    '',
  ]);
  try {
    doc.version();
    doc.edit('X.shape)', 'X.shape, 1)');
    doc.version();
    doc.edit('X.shape, 1)', 'X.shape, 12)');
    assert.equal(doc.version().predicts[0]?.X?.base, 'raw');
    // Without the fit the file only loads a model and predicts: what it reads is new (inference) data.
    doc.edit('model.fit(X, df["label"])\n', '');
    assert.equal(doc.version().predicts[0]?.X?.base, 'inference');
  } finally {
    doc.dispose();
  }
});

test('a save before the edited statement is analysed again when the file it is written to changes below', () => {
  const uri = 'file:///work/save.ts';
  const cache = {};
  let text = [
    "import { writeFileSync } from 'fs'",
    "import { LinearRegression } from 'scikitjs'",
    '',
    'const model = new LinearRegression()',
    'const saved = model.toJSON()',
    'const X = [[1], [2]]',
    'const y = [1, 2]',
    "writeFileSync('model.json', JSON.stringify(saved))",
    '',
  ].join('\n');
  const step = (from: string, to: string) => {
    text = text.replace(from, to);
    const model = frontEnd.lower({ uri, text }, cache);
    analyzeModule(model);
    const L = lineage(model);
    const fresh = lowerTypeScript(text, uri);
    assert.equal(lineageShape(L), lineageShape(lineage(fresh)), `${from} -> ${to}`);
    return L;
  };
  step('', '');
  step('const y = [1, 2]', 'const y = [1, 2, 3]');
  step('const y = [1, 2, 3]', 'const y = [1, 2, 3, 4]');
  // The toJSON call above the edited statement is saved to the file named below it.
  const L = step("'model.json'", "'model-v2.json'");
  const destination = L.saves[0]?.site.destination;
  assert.ok(destination?.k === 'str' && destination.value === 'model-v2.json', JSON.stringify(destination));
});

test("a notebook's data flow after each keystroke in a cell equals a fresh one (cells are one program)", async () => {
  const parser = await loadPythonParser();
  const uri = 'file:///work/churn.ipynb';
  const json = readFileSync(path.join(__dirname, '..', 'fixtures', 'notebooks', 'churn.ipynb'), 'utf8');
  const cells = readCells(json).map((c) => ({ ...c }));
  const cache = new NotebookLoweringCache();
  const version = () => {
    const program = new NotebookProgram(cells);
    const model = lowerNotebook(parser, program, uri, cache);
    model.incremental = true; // as the server does (lsp/service.ts)
    const found = analyzeModule(model);
    const shape = lineageShape(lineage(model));
    const fresh = lowerNotebook(parser, program, uri);
    const what = cells.map((c) => c.text).join('\n# ---\n');
    assert.deepEqual(found, analyzeModule(fresh), what);
    assert.equal(shape, lineageShape(lineage(fresh)), what);
  };
  version();
  // Typing into the split of the third cell, into the plot-free `describe()` of the second, and a new last cell.
  const typeInto = (cell: number, after: string, word: string) => {
    const at = cells[cell].text.indexOf(after) + after.length;
    assert.ok(at >= after.length, after);
    for (let i = 1; i <= word.length; i++) {
      cells[cell].text = cells[cell].text.slice(0, at) + word.slice(0, i) + cells[cell].text.slice(at + i - 1);
      version();
    }
  };
  typeInto(2, 'test_size=0.2', ', random_state=0');
  typeInto(1, 'df.describe(', 'include="all"');
  cells.push({ index: cells.length, text: '' });
  typeInto(cells.length - 1, '', 'print(model.score(X_test, y_test))');
});
