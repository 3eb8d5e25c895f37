import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fixNotebook, notebookDiff } from '../../server/src/cli/check';
import { Engine } from '../../server/src/analysis/engine';
import { maskCell, NotebookProgram, readCells, replaceSources, sourceSpans } from '../../server/src/notebook';
import { ParseBudgetError } from '../../server/src/python';

const NOTEBOOKS = path.join(__dirname, '..', 'fixtures', 'notebooks');
const read = (name: string) => readFileSync(path.join(NOTEBOOKS, name), 'utf8');

/** A notebook as Jupyter writes it (nbformat 4.5: sorted keys, indent 1, cell ids, final newline). */
function notebook(cells: (string | { markdown: string })[], minor = 5): string {
  const nb = {
    cells: cells.map((c, i) =>
      typeof c === 'string'
        ? {
            cell_type: 'code',
            execution_count: i + 1,
            id: `c${i}`,
            metadata: {},
            outputs: [],
            source: c.split(/(?<=\n)/),
          }
        : { cell_type: 'markdown', id: `m${i}`, metadata: {}, source: c.markdown.split(/(?<=\n)/) },
    ),
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: minor,
  };
  return `${JSON.stringify(nb, null, 1)}\n`;
}

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

describe('IPython syntax is masked the way IPython reads it', () => {
  test('line magics, shell lines and help become comments of the same length', () => {
    const cell = [
      '%matplotlib inline',
      '!pip install -q scikit-learn',
      '%load_ext autoreload',
      'model?',
      '?model',
      'np.log1p??',
      'x = 1',
    ].join('\n');
    const masked = maskCell(cell)!.split('\n');
    assert.deepEqual(
      masked.slice(0, 6).map((l) => l[0]),
      ['#', '#', '#', '#', '#', '#'],
    );
    assert.deepEqual(
      masked.map((l) => l.length),
      cell.split('\n').map((l) => l.length),
      'columns stay true',
    );
    assert.equal(masked[6], 'x = 1');
  });

  test('%time and %timeit keep their statement, at its column', () => {
    const masked = maskCell('%time model.fit(X, y)\n%timeit -n 10 -r 3 scores = cross_val_score(model, X, y)')!.split(
      '\n',
    );
    assert.equal(masked[0], '0;    model.fit(X, y)');
    assert.equal(masked[1], '0;' + ' '.repeat(17) + 'scores = cross_val_score(model, X, y)');
  });

  test('assignments from the shell or a magic bind the name', () => {
    assert.equal(maskCell('files = !ls data/'), 'files = 0#s data/');
    assert.equal(maskCell('a, b = %who_ls'), 'a, b = 0#ho_ls');
    assert.equal(maskCell('ok = x != y'), 'ok = x != y', '!= is Python');
  });

  test('magics inside a block keep the block, continuation lines are masked too', () => {
    assert.equal(maskCell('for f in files:\n    !gzip $f'), 'for f in files:\n    0#zip $f');
    assert.equal(maskCell('!pip install \\\n    pandas\nimport pandas'), '#pip install \\\n#   pandas\nimport pandas');
  });

  test('only the start of a logical line counts: not inside strings or brackets', () => {
    const cell = 'doc = """\n!important\n%s placeholder\n"""\nargs = f(a,\n  !b)';
    assert.equal(maskCell(cell), cell);
  });

  test('cell magics: non-Python cells are left out, %%time cells are Python', () => {
    assert.equal(maskCell('%%bash\nls -la | grep "x = lambda"'), undefined);
    assert.equal(maskCell('\n%%writefile train.py\nimport os'), undefined);
    assert.equal(maskCell('%%time\nmodel.fit(X, y)'), '#%time\nmodel.fit(X, y)');
    const program = new NotebookProgram([
      { index: 0, text: 'import os' },
      { index: 1, text: '%%html\n<b>not python</b>' },
      { index: 2, text: 'x = 1' },
    ]);
    assert.deepEqual(
      program.cells.map((c) => [c.index, c.startLine]),
      [
        [0, 0],
        [2, 1],
      ],
    );
  });
});

describe('notebook analysis', () => {
  test('cells are parsed one by one: a broken cell does not hide the next cells', () => {
    const json = notebook([
      'import joblib\nfrom sklearn.preprocessing import FunctionTransformer\nfrom sklearn.pipeline import make_pipeline',
      'doc = """never closed\nf(',
      'log = FunctionTransformer(lambda X: X + 1)\njoblib.dump(make_pipeline(log), "m.joblib")',
    ]);
    const { findings, notebook: program } = engine.analyze('nb.ipynb', json, 'notebook');
    assert.deepEqual(
      findings.map((f) => [
        f.code,
        program!.locate(f.range.start.line).cell.index + 1,
        program!.locate(f.range.start.line).line + 1,
      ]),
      [
        ['SKL101', 3, 1],
        ['SKL104', 3, 2],
      ],
    );
  });

  test('messages name lines as cell and line, never joined-program lines', () => {
    const { findings } = engine.analyze('churn.ipynb', read('churn.ipynb'), 'notebook');
    const leak = findings.find((f) => f.code === 'SKL301');
    assert.ok(leak, 'SKL301 in the churn notebook');
    assert.match(leak.message, /\(cell 4, line 4\)/);
    for (const f of findings) assert.doesNotMatch(f.message, /(\(|on )line \d+/, f.code);
  });

  test('%time model.fit(...) is a fit: the saved model is known to be trained on scaled features', () => {
    const { findings } = engine.analyze('churn.ipynb', read('churn.ipynb'), 'notebook');
    assert.ok(
      findings.some((f) => f.code === 'SKL303'),
      findings.map((f) => f.code).join(' '),
    );
  });

  test('the parse budget skips a file that takes too long, and the parser stays usable', async () => {
    const slow = await Engine.create({ parseBudgetMs: -1e9 }); // over budget from the start
    const big = 'x = [' + '(1, 2), '.repeat(200_000) + ']\n';
    assert.throws(() => slow.analyze('big.py', big, 'python'), ParseBudgetError);
    const cells = notebook(Array.from({ length: 50 }, () => big.slice(0, 40_000) + ']'));
    assert.throws(() => slow.analyze('big.ipynb', cells, 'notebook'), ParseBudgetError);
    // A later parse starts afresh (tree-sitter would otherwise resume the cancelled one).
    const { findings } = engine.analyze(
      'ok.py',
      'from sklearn.model_selection import KFold\nKFold(5, shuffle=True)\n',
      'python',
    );
    assert.deepEqual(
      findings.map((f) => f.code),
      ['SKL201'],
    );
  });
});

describe('writing fixes back into .ipynb files', () => {
  test('sources are found for every cell, whether a list of lines or one string', () => {
    const json = read('churn.ipynb');
    const spans = sourceSpans(json);
    const cells = JSON.parse(json).cells as { source: string[] }[];
    assert.equal(spans.size, cells.length);
    for (const [i, span] of spans) assert.deepEqual(JSON.parse(json.slice(span.start, span.end)), cells[i].source);
  });

  test('replacing a source with itself changes no byte (both notebook styles)', () => {
    for (const name of ['churn.ipynb', 'churn-nbformat-4.0.ipynb']) {
      const json = read(name);
      const same = new Map(readCells(json).map((c) => [c.index, c.text]));
      assert.equal(replaceSources(json, same), json, name);
    }
  });

  test('--fix keeps outputs, metadata, key order, indentation, escapes and the final newline', () => {
    for (const name of ['churn.ipynb', 'churn-nbformat-4.0.ipynb']) {
      const json = read(name);
      const fixed = fixNotebook(engine, name, json, {});
      assert.equal(fixed.fixed, 3, `${name}: SKL101 (two cells), two SKL201`);
      assert.deepEqual(
        fixed.findings.filter((f) => f.fix?.safety === 'safe'),
        [],
        'no safe fix left',
      );
      const before = JSON.parse(json);
      const after = JSON.parse(fixed.text);
      // Everything but the sources is equal, in the same key order.
      const strip = (nb: { cells: { source?: unknown }[] }) =>
        JSON.stringify({ ...nb, cells: nb.cells.map((c) => ({ ...c, source: null })) });
      assert.equal(strip(after), strip(before));
      // Lines not touched by a fix keep their bytes: the only changed lines are the fixed ones.
      const changed = diffLines(json, fixed.text);
      assert.ok(
        changed.every((l) =>
          /_log|random_state=SEED|SEED = 42|^\s*"\\n",?$|def _log|return np\.log1p|import train_test_split\\n",$/.test(
            l,
          ),
        ),
        changed.join('\n'),
      );
      assert.equal(fixed.text.endsWith('\n'), json.endsWith('\n'), 'final newline as it was');
      if (name.includes('4.0')) assert.ok(!/[\u0080-\uffff]/.test(fixed.text), 'an ASCII-escaped notebook stays ASCII');
      // The lambda moved into the imports cell as a def; the lambda's cell now calls it: one fix, two cells.
      const cells = readCells(fixed.text);
      assert.match(cells[0].text, /\n\n\ndef _log\(X\):\n {4}return np\.log1p\(np\.abs\(X\)\)$/);
      assert.match(cells[3].text, /^log = FunctionTransformer\(_log\)\n/);
      // Fixing again changes nothing.
      assert.equal(fixNotebook(engine, name, fixed.text, {}).text, fixed.text);
    }
  });

  test('a notebook saved with CRLF line endings keeps them', () => {
    const json = read('churn.ipynb').replace(/\n/g, '\r\n');
    const fixed = fixNotebook(engine, 'crlf.ipynb', json, {});
    assert.equal(fixed.fixed, 3);
    assert.equal(
      fixed.text.replace(/\r\n/g, ''),
      fixed.text.replace(/\r\n/g, '').replace(/\n/g, ''),
      'no bare LF in the JSON text',
    );
    assert.ok(fixed.text.endsWith('}\r\n'));
  });

  test('nbformat 4.0 to 4.5 are all read and fixed', () => {
    for (let minor = 0; minor <= 5; minor++) {
      const json = notebook(
        [
          { markdown: '# Split' },
          'from sklearn.model_selection import train_test_split',
          'X_tr, X_te, y_tr, y_te = train_test_split(X, y)',
        ],
        minor,
      );
      const fixed = fixNotebook(engine, 'nb.ipynb', json, {});
      assert.equal(
        readCells(fixed.text)[1].text,
        'X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=SEED)',
        `4.${minor}`,
      );
      assert.equal(JSON.parse(fixed.text).nbformat_minor, minor);
    }
  });

  test('--diff shows each changed cell as Ruff does (file.ipynb:cell N)', () => {
    const json = read('churn.ipynb');
    const diff = notebookDiff('churn.ipynb', json, fixNotebook(engine, 'churn.ipynb', json, {}).text);
    assert.deepEqual(diff.match(/^--- .*$/gm), [
      '--- a/churn.ipynb:cell 2',
      '--- a/churn.ipynb:cell 4',
      '--- a/churn.ipynb:cell 5',
    ]);
    assert.match(diff, /^\+log = FunctionTransformer\(_log\)$/m);
  });
});

/** Lines of `b` that are not in `a` (a rough line diff, enough to say what changed). */
function diffLines(a: string, b: string): string[] {
  const old = new Set(a.split(/\r?\n/));
  return b.split(/\r?\n/).filter((l) => !old.has(l));
}
