import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

/** `pipelint check` on notebooks, through the built CLI: cell-aware output, --fix and --diff. */
const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pipelint.js');
const NOTEBOOKS = path.join(ROOT, 'test', 'fixtures', 'notebooks');

function pipelint(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As `pipelint`, without blocking this process (a file watcher here sees the events as they come). */
function pipelintAsync(
  args: string[],
  cwd: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function scratch(...names: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-nb-'));
  for (const n of names) cpSync(path.join(NOTEBOOKS, n), path.join(dir, n));
  return dir;
}

describe('pipelint check on notebooks', () => {
  test('text output: file.ipynb:cell N:line:col, lines counted in the cell', () => {
    const dir = scratch('churn.ipynb');
    const r = pipelint(['check', 'churn.ipynb'], dir);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.ok(
      lines.includes(
        'churn.ipynb:cell 5:1:27: SKL101 Lambda passed to FunctionTransformer(func=...) cannot be pickled: joblib.dump or pickle.dump of this model will fail. Use a module-level function. [*] (warning)',
      ),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => l.startsWith('churn.ipynb:cell 4:3:12: SKL301 ') && l.includes('(cell 4, line 4)')),
      r.stdout,
    );
  });

  test('JSON: findings and related entries carry the cell (1-based, markdown cells counted, as Ruff)', () => {
    const dir = scratch('churn.ipynb');
    const out = JSON.parse(pipelint(['check', '--format', 'json', 'churn.ipynb'], dir).stdout);
    const dump = out.findings.find((f: any) => f.code === 'SKL104');
    assert.equal(dump.cell, 5);
    assert.deepEqual(dump.range.start, { line: 5, column: 1 });
    // The culprit lambda, in the same cell, line 1.
    assert.deepEqual(
      dump.related.map((r: any) => [r.path, r.cell, r.range.start.line, r.range.start.column]),
      [['churn.ipynb', 5, 1, 27]],
    );
    const split = out.findings.find((f: any) => f.code === 'SKL301');
    assert.equal(split.cell, 4);
    assert.equal(split.range.start.line, 3);
  });

  test('worker threads: notebooks analysed in workers keep their cell map (JSON and text)', () => {
    const dir = scratch('churn.ipynb', 'churn-nbformat-4.0.ipynb');
    const r = pipelint(['check', '--format', 'json', '.'], dir, { PIPELINT_WORKERS: '2' });
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([...new Set(out.findings.map((f: any) => `${f.path}:${f.cell}`))].sort(), [
      'churn-nbformat-4.0.ipynb:4',
      'churn-nbformat-4.0.ipynb:5',
      'churn.ipynb:4',
      'churn.ipynb:5',
    ]);
    assert.match(
      pipelint(['check', '.'], dir, { PIPELINT_WORKERS: '2' }).stdout,
      /^churn\.ipynb:cell 5:1:27: SKL101 /m,
    );
  });

  test('--fix edits cell sources only, in one write; a second run has nothing to fix', () => {
    const dir = scratch('churn.ipynb', 'churn-nbformat-4.0.ipynb');
    const before = readFileSync(path.join(dir, 'churn.ipynb'), 'utf8');
    const r = pipelint(['check', '--fix', '.'], dir);
    assert.equal(r.status, 1, 'unfixable findings are left');
    assert.match(r.stdout, /Fixed 6 problems\./);
    assert.doesNotMatch(r.stdout, /\[\*\]/, 'no fixable marker after --fix');
    const after = readFileSync(path.join(dir, 'churn.ipynb'), 'utf8');
    assert.notEqual(after, before);
    const cells = JSON.parse(after).cells;
    assert.equal(cells[1].source.at(-1), '    return np.log1p(np.abs(X))');
    assert.equal(cells[4].source[0], 'log = FunctionTransformer(_log)\n');
    assert.deepEqual(cells[4].outputs, JSON.parse(before).cells[4].outputs);
    assert.match(pipelint(['check', '--fix', '.'], dir).stdout, /^(?!.*Fixed)/s);
  });

  test('a notebook with nothing to fix is left byte for byte (CRLF, no final newline)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-nb-'));
    const text = readFileSync(path.join(NOTEBOOKS, 'churn.ipynb'), 'utf8').replace(/\n/g, '\r\n').trimEnd();
    writeFileSync(path.join(dir, 'windows.ipynb'), text);
    const r = pipelint(['check', '--fix', '--select', 'SKL104,SKL301', 'windows.ipynb'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(readFileSync(path.join(dir, 'windows.ipynb'), 'utf8'), text);
    // With fixes: CRLF stays CRLF and no final newline appears.
    pipelint(['check', '--fix', 'windows.ipynb'], dir);
    const fixed = readFileSync(path.join(dir, 'windows.ipynb'), 'utf8');
    assert.match(fixed, /random_state=SEED/);
    assert.equal(fixed.match(/SEED = 42/g)?.length, 1, 'one seed constant for every SKL201 fix');
    assert.equal(/[^\r]\n/.test(fixed), false, 'no bare LF');
    assert.ok(fixed.endsWith('}'));
  });

  test('--diff prints one diff per changed cell and leaves the file alone', () => {
    const dir = scratch('churn.ipynb');
    const before = readFileSync(path.join(dir, 'churn.ipynb'), 'utf8');
    const r = pipelint(['check', '--diff', 'churn.ipynb'], dir);
    assert.equal(r.status, 1);
    assert.deepEqual(r.stdout.match(/^\+\+\+ .*$/gm), [
      '+++ b/churn.ipynb:cell 2',
      '+++ b/churn.ipynb:cell 4',
      '+++ b/churn.ipynb:cell 5',
    ]);
    assert.match(r.stdout, /^\+def _log\(X\):$/m);
    assert.equal(readFileSync(path.join(dir, 'churn.ipynb'), 'utf8'), before);
  });
  test('--fix on a fix that spans two cells is one atomic write: one rename onto the notebook, no write in place', async () => {
    const dir = scratch('churn.ipynb');
    const events: string[] = [];
    const watcher = watch(dir, (type, name) => events.push(`${type}:${name}`));
    const r = await pipelintAsync(['check', '--fix', '--select', 'SKL101', 'churn.ipynb'], dir);
    await new Promise((resolve) => setTimeout(resolve, 200)); // inotify events are delivered after the child exits
    watcher.close();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Fixed 1 problem\./);
    const cells = JSON.parse(readFileSync(path.join(dir, 'churn.ipynb'), 'utf8')).cells;
    assert.match(cells[1].source.join(''), /def _log\(X\):/, 'the def in the imports cell');
    assert.equal(cells[4].source[0], 'log = FunctionTransformer(_log)\n', 'the lambda replaced in its cell');
    // A temporary file is written, then renamed onto the notebook once; the notebook itself is never written in place.
    assert.deepEqual(
      events.filter((e) => e.endsWith(':churn.ipynb')),
      ['rename:churn.ipynb'],
      events.join(' '),
    );
    assert.deepEqual(readdirSync(dir), ['churn.ipynb'], 'no temporary file left');
  });

  test('nbformat 4.0 to 4.5 (no cell ids before 4.5): --diff, then --fix, each keeps its version and layout', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-nb-'));
    const texts: Record<string, string> = {};
    for (let minor = 0; minor <= 5; minor++) {
      const cells = [
        { cell_type: 'markdown', metadata: {}, source: ['# Split\n', 'Hold out a test set.'] },
        {
          cell_type: 'code',
          execution_count: 1,
          metadata: {},
          outputs: [],
          source: ['from sklearn.model_selection import train_test_split'],
        },
        {
          cell_type: 'code',
          execution_count: 2,
          metadata: { scrolled: true },
          outputs: [{ name: 'stdout', output_type: 'stream', text: ['ok\n'] }],
          source: ['X_tr, X_te, y_tr, y_te = train_test_split(X, y)\n', 'print("ok")'],
        },
      ].map((c, i) => (minor >= 5 ? { ...c, id: `cell-${i}` } : c));
      const name = `split-4.${minor}.ipynb`;
      texts[name] =
        `${JSON.stringify({ cells, metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } }, nbformat: 4, nbformat_minor: minor }, null, minor >= 4 ? 1 : 2)}\n`;
      writeFileSync(path.join(dir, name), texts[name]);
    }
    const diff = pipelint(['check', '--diff', '.'], dir);
    assert.equal(diff.status, 1, diff.stderr);
    for (const name of Object.keys(texts)) {
      assert.ok(diff.stdout.includes(`+++ b/${name}:cell 3\n`), `${name} in the diff: ${diff.stdout}`);
      assert.equal(readFileSync(path.join(dir, name), 'utf8'), texts[name], '--diff writes nothing');
    }
    assert.equal(
      diff.stdout.match(/^\+X_tr, X_te, y_tr, y_te = train_test_split\(X, y, random_state=SEED\)$/gm)?.length,
      6,
    );
    const fix = pipelint(['check', '--fix', '.'], dir);
    assert.equal(fix.status, 0, fix.stdout + fix.stderr);
    for (const [name, before] of Object.entries(texts)) {
      const after = readFileSync(path.join(dir, name), 'utf8');
      const [b, a] = [JSON.parse(before), JSON.parse(after)];
      assert.equal(a.nbformat_minor, b.nbformat_minor, name);
      assert.equal('id' in a.cells[2], 'id' in b.cells[2], `${name}: cell ids neither added nor removed`);
      assert.deepEqual(
        a.cells[2].source,
        ['X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=SEED)\n', 'print("ok")'],
        name,
      );
      assert.deepEqual(a.cells[2].outputs, b.cells[2].outputs, name);
      // The lines outside the sources are the same bytes, indentation included.
      const outside = (t: string) => t.split('\n').filter((l) => !/train_test_split|SEED|^\s*"\\n",?$/.test(l));
      assert.deepEqual(outside(after), outside(before), name);
    }
  });

  test('IPython magics, shell lines and non-Python cell magics: no error, locations right after them, kept as they are by --fix', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-nb-'));
    const cell = (source: string) => ({
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: source.split(/(?<=\n)/),
    });
    const sources = [
      '%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n!pip install -q scikit-learn==1.2.1\nimport numpy as np\nfrom sklearn.model_selection import KFold\nfrom sklearn.ensemble import RandomForestClassifier',
      'files = !ls data/\n%env OMP_NUM_THREADS=4\nnp.random.rand?\ncv = KFold(5, shuffle=True)',
      '%%bash\nfor f in data/*.csv; do wc -l "$f"; done\nif [ -d out ]; then echo (; fi',
      '%%time\nmodel = RandomForestClassifier(n_estimators=50)\n%time model.fit(X, y)',
      '%%writefile train.py\nfrom sklearn.model_selection import KFold\nsplitter = KFold(5, shuffle=True',
    ];
    const text = `${JSON.stringify({ cells: sources.map(cell), metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
    writeFileSync(path.join(dir, 'magics.ipynb'), text);
    const r = pipelint(['check', '--format', 'json', '--select', 'SKL201', 'magics.ipynb'], dir);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.errors, [], 'no syntax or parse error from IPython syntax');
    // KFold(shuffle=True) in cell 2, line 4, after a shell assignment, a magic and a help line; the forest in
    // cell 4 after %%time; nothing from the %%bash and %%writefile cells, which are not Python run here.
    assert.deepEqual(
      out.findings.map((f: any) => [f.cell, f.range.start.line, f.range.start.column]),
      [
        [2, 4, 6],
        [4, 2, 9],
      ],
    );
    pipelint(['check', '--fix', '--select', 'SKL201', 'magics.ipynb'], dir);
    const fixed = JSON.parse(readFileSync(path.join(dir, 'magics.ipynb'), 'utf8')).cells.map((c: any) =>
      c.source.join(''),
    );
    assert.equal(fixed[1], sources[1].replace('KFold(5, shuffle=True)', 'KFold(5, shuffle=True, random_state=SEED)'));
    assert.equal(fixed[2], sources[2], 'the %%bash cell is left alone');
    assert.equal(fixed[4], sources[4], 'the %%writefile cell is left alone');
    assert.match(
      fixed[3],
      /^%%time\nmodel = RandomForestClassifier\(n_estimators=50, random_state=SEED\)\n%time model\.fit\(X, y\)$/,
    );
  });
});
