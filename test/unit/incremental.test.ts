import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Parser } from 'web-tree-sitter';
import { analyzeModule } from '../../server/src/analysis/analyze';
import { DocumentState } from '../../server/src/lsp/documents';
import { loadPythonParser, lowerPythonText } from '../../server/src/python';
import { canonicalModel, editorReference } from '../helpers/editorReference';
import { listFixtures } from '../helpers/fixtures';
import { rng } from '../helpers/edits';

/**
 * The server re-parses incrementally (only the edited top-level statements when it can, python/regions.ts)
 * and reuses the lowering of unchanged top-level statements. After any sequence of edits, the model and the
 * findings must equal those of a fresh parse of the same text (see editorReference for where tree-sitter
 * itself reads a text otherwise).
 */
let parser: Parser;
before(async () => {
  parser = await loadPythonParser();
});

/** A deterministic pseudo-random generator, so a failure can be replayed. */

const SNIPPETS = [
  'x',
  '\n',
  '\n\n',
  '    ',
  '(',
  ')',
  'lambda X: X',
  'def f():\n    return 1\n',
  '#',
  ', random_state=0',
  '"""',
  'import joblib\n',
];

test('incremental lowering equals a fresh lowering after random edits', () => {
  const random = rng(20261126);
  let checked = 0;
  let recoveredOtherwise = 0;
  let regional = 0;
  for (const fx of listFixtures('python').filter((f) => f.name.endsWith('.py'))) {
    const state = new DocumentState(TextDocument.create('file:///fx.py', 'python', 1, fx.text), 'python');
    state.lowerPython(parser);
    for (let step = 0; step < 12; step++) {
      const text = state.doc.getText();
      const a = Math.floor(random() * text.length);
      const b = Math.min(text.length, a + (random() < 0.3 ? Math.floor(random() * 40) : 0));
      const insert = random() < 0.8 ? SNIPPETS[Math.floor(random() * SNIPPETS.length)] : '';
      state.applyChanges(
        [{ range: { start: state.doc.positionAt(a), end: state.doc.positionAt(b) }, text: insert }],
        state.version + 1,
      );
      const incremental = state.lowerPython(parser);
      const reference = editorReference(parser, state, incremental);
      if (reference.other) recoveredOtherwise++;
      if (reference.regional) regional++;
      assert.equal(
        canonicalModel(incremental),
        canonicalModel(reference.module),
        `${fx.name}: edit ${step} at ${a}-${b} inserting ${JSON.stringify(insert)}`,
      );
      assert.deepEqual(analyzeModule(incremental), analyzeModule(reference.module));
      checked++;
    }
    state.dispose();
  }
  assert.ok(checked > 100, `${checked} edits checked`);
  // Random edits leave syntax errors behind, and a statement with an error makes the whole file re-parse:
  // the region path is exercised here, and measured on typing in incremental-analysis.test.ts.
  assert.ok(regional > 0, `${regional} of ${checked} edits re-parsed only their statements`);
  assert.ok(
    recoveredOtherwise <= checked / 20,
    `tree-sitter recovered ${recoveredOtherwise} of ${checked} edited texts otherwise than a fresh parse`,
  );
});

test('unchanged statements are reused, not lowered again', () => {
  const lines = Array.from({ length: 200 }, (_, i) => `step_${i} = FunctionTransformer(lambda X: X + ${i})`);
  const text = `from sklearn.preprocessing import FunctionTransformer\n${lines.join('\n')}\n`;
  const state = new DocumentState(TextDocument.create('file:///big.py', 'python', 1, text), 'python');
  const first = state.lowerPython(parser);
  const at = state.doc.offsetAt({ line: 100, character: 0 });
  state.applyChanges([{ range: { start: state.doc.positionAt(at), end: state.doc.positionAt(at) }, text: 'x' }], 2);
  const second = state.lowerPython(parser);
  // Statements before the edit are the very same objects; the edited one is new.
  assert.equal(second.body[10], first.body[10]);
  assert.notEqual(second.body[99], first.body[99]);
  assert.equal(
    second.body[150],
    first.body[150],
    'same line and same function ids after a one-character edit: reused as is',
  );
  state.dispose();
});

test('a statement written twice reuses one cached lowering each, with its own lines and function ids', () => {
  // Repeated statements (`plt.show()`, `# %%`, a lambda step pasted twice) were lowered again on every
  // keystroke; each occurrence now takes the next cached chunk with the same text, moved to its place.
  const step = 'clip = FunctionTransformer(lambda X: X.clip(0, 1))';
  const text = [
    'from sklearn.preprocessing import FunctionTransformer',
    step,
    'plt.show()',
    'def f(X):\n    return X',
    step,
    'plt.show()',
    'def f(X):\n    return X',
    'y = 1',
    '',
  ].join('\n');
  const state = new DocumentState(TextDocument.create('file:///dup.py', 'python', 1, text), 'python');
  const first = state.lowerPython(parser);
  // An edit in the last line: everything before it is reused as is.
  const at = text.indexOf('y = 1') + 4;
  state.applyChanges([{ range: { start: state.doc.positionAt(at), end: state.doc.positionAt(at + 1) }, text: '2' }], 2);
  const second = state.lowerPython(parser);
  for (let i = 0; i < first.body.length - 1; i++) assert.equal(second.body[i], first.body[i], `statement ${i}`);
  // An edit at the top that adds a line and a function: every copy moves, and equals a fresh lowering.
  state.applyChanges(
    [{ range: { start: state.doc.positionAt(0), end: state.doc.positionAt(0) }, text: 'g = lambda: 0\n' }],
    3,
  );
  const third = state.lowerPython(parser);
  const fresh = lowerPythonText(parser, state.doc.getText(), 'file:///dup.py');
  assert.equal(canonicalModel(third), canonicalModel(fresh.module));
  assert.deepEqual(analyzeModule(third), analyzeModule(fresh.module));
  assert.deepEqual(
    third.functions.map((f) => [f.id, f.range.start.line]),
    [
      [0, 0],
      [1, 2],
      [2, 4],
      [3, 6],
      [4, 8],
    ],
  );
  fresh.tree.delete();
  state.dispose();
});

test('an edit re-parses only its statements when that gives what a fresh parse gives, else the whole file', () => {
  const text = [
    'import numpy as np',
    'from sklearn.pipeline import make_pipeline',
    'from sklearn.preprocessing import FunctionTransformer, StandardScaler',
    'from sklearn.linear_model import LogisticRegression',
    '',
    '',
    'def load(path):',
    '    """Reads the training table."""',
    '    data = np.loadtxt(path, delimiter=",")',
    '    return data[:, :-1], data[:, -1]',
    '',
    '',
    'X, y = load("train.csv")',
    'scaler = StandardScaler()',
    'model = make_pipeline(scaler, LogisticRegression(max_iter=200))',
    'if X.shape[0] > 1000:',
    '    model.set_params(logisticregression__C=0.5)',
    'else:',
    '    model.set_params(logisticregression__C=1.0)',
    'model.fit(X, y)',
    'print(model.score(X, y))',
  ].join('\n');
  const state = new DocumentState(TextDocument.create('file:///train.py', 'python', 1, text), 'python');
  state.lowerPython(parser);
  const python = (state as unknown as { python: { regional: boolean } }).python;
  const edit = (find: string, at: number, deleteLen: number, insert: string, regional: boolean | undefined) => {
    const now = state.doc.getText();
    const offset = now.indexOf(find) + at;
    assert.ok(offset >= at, `${find} is in the text`);
    const range = { start: state.doc.positionAt(offset), end: state.doc.positionAt(offset + deleteLen) };
    state.applyChanges([{ range, text: insert }], state.version + 1);
    const incremental = state.lowerPython(parser);
    const fresh = lowerPythonText(parser, state.doc.getText(), 'file:///train.py');
    const what = `${JSON.stringify(insert)} at ${JSON.stringify(find)}+${at}`;
    assert.equal(canonicalModel(incremental), canonicalModel(fresh.module), `${what}: the model of a fresh parse`);
    if (regional !== undefined)
      assert.equal(
        python.regional,
        regional,
        `${what}: ${regional ? 'only its statements' : 'the whole file'} re-parsed`,
      );
    fresh.tree.delete();
  };
  // Typing inside a call, a new statement, a lambda (the function ids after it move), a new line.
  edit('max_iter=200', 12, 0, ', random_state=0', true);
  edit('model.fit(X, y)', 0, 0, 'model = model.set_params(standardscaler=FunctionTransformer(lambda Z: Z))\n', true);
  edit('print(model', 0, 0, '\n\n', true);
  // An edit at the file's first and last characters.
  edit('import numpy', 0, 0, '# training script\n', true);
  edit('score(X, y))', 12, 0, '\n', true);
  // Indenting a statement moves it into the function above: the region starts at the statement before.
  edit('X, y = load(', 0, 0, '    ', true);
  edit('    X, y = load(', 0, 4, '', true);
  edit('scaler = StandardScaler()', 0, 0, '# keep\n', true);
  // A half-typed argument: the error stays in its statement (the statement after it parses as before).
  edit('random_state=0', 13, 1, '', true);
  edit('random_state=', 13, 0, '0', true);
  // An open bracket takes the following statements in: the whole file is parsed; once it is closed again the
  // region parses on its own.
  edit('model.fit(X, y)', 10, 0, '(', false);
  edit('model.fit((X, y)', 10, 1, '', true);
  // Joining two lines: an error that stays in the region; splitting them again.
  edit('scaler = StandardScaler()\n', 25, 1, '', true);
  edit('scaler = StandardScaler()model', 25, 0, '\n', true);
  // A string opened before a statement runs into the following ones, or up to quotes far below: the whole
  // file. So does an error anywhere outside the region.
  edit('X, y = load', 0, 0, '"""', false);
  edit('# training script', 2, 0, 'new ', false);
  state.dispose();
});
