import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

/** `pipelint check` on notebooks, through the built CLI: cell-aware output, --fix and --diff. */
const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pipelint.js');
const NOTEBOOKS = path.join(ROOT, 'test', 'fixtures', 'notebooks');

function pipelint(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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
    assert.ok(lines.includes('churn.ipynb:cell 5:1:27: SKL101 Lambda passed to FunctionTransformer(func=...) cannot be pickled: joblib.dump or pickle.dump of this model will fail. Use a module-level function. [*] (warning)'), r.stdout);
    assert.ok(lines.some((l) => l.startsWith('churn.ipynb:cell 4:3:12: SKL301 ') && l.includes('(cell 4, line 4)')), r.stdout);
  });

  test('JSON: findings and related entries carry the cell (1-based, markdown cells counted, as Ruff)', () => {
    const dir = scratch('churn.ipynb');
    const out = JSON.parse(pipelint(['check', '--format', 'json', 'churn.ipynb'], dir).stdout);
    const dump = out.findings.find((f: any) => f.code === 'SKL104');
    assert.equal(dump.cell, 5);
    assert.deepEqual(dump.range.start, { line: 5, column: 1 });
    // The culprit lambda, in the same cell, line 1.
    assert.deepEqual(dump.related.map((r: any) => [r.path, r.cell, r.range.start.line, r.range.start.column]), [['churn.ipynb', 5, 1, 27]]);
    const split = out.findings.find((f: any) => f.code === 'SKL301');
    assert.equal(split.cell, 4);
    assert.equal(split.range.start.line, 3);
  });

  test('worker threads: notebooks analysed in workers keep their cell map (JSON and text)', () => {
    const dir = scratch('churn.ipynb', 'churn-nbformat-4.0.ipynb');
    const r = pipelint(['check', '--format', 'json', '.'], dir, { PIPELINT_WORKERS: '2' });
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([...new Set(out.findings.map((f: any) => `${f.path}:${f.cell}`))].sort(), ['churn-nbformat-4.0.ipynb:4', 'churn-nbformat-4.0.ipynb:5', 'churn.ipynb:4', 'churn.ipynb:5']);
    assert.match(pipelint(['check', '.'], dir, { PIPELINT_WORKERS: '2' }).stdout, /^churn\.ipynb:cell 5:1:27: SKL101 /m);
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
    assert.equal(fixed.match(/SEED = 42/g)?.length, 1, "one seed constant for every SKL201 fix");
    assert.equal(/[^\r]\n/.test(fixed), false, 'no bare LF');
    assert.ok(fixed.endsWith('}'));
  });

  test('--diff prints one diff per changed cell and leaves the file alone', () => {
    const dir = scratch('churn.ipynb');
    const before = readFileSync(path.join(dir, 'churn.ipynb'), 'utf8');
    const r = pipelint(['check', '--diff', 'churn.ipynb'], dir);
    assert.equal(r.status, 1);
    assert.deepEqual(r.stdout.match(/^\+\+\+ .*$/gm), ['+++ b/churn.ipynb:cell 2', '+++ b/churn.ipynb:cell 4', '+++ b/churn.ipynb:cell 5']);
    assert.match(r.stdout, /^\+def _log\(X\):$/m);
    assert.equal(readFileSync(path.join(dir, 'churn.ipynb'), 'utf8'), before);
  });
});
