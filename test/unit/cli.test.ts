import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pipelint.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'python');

function pipelint(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'pipelint-cli-'));
}

describe('pipelint check', () => {
  test('JSON output follows the contract', () => {
    const dir = scratch();
    cpSync(path.join(FIXTURES, 'SKL101.py'), path.join(dir, 'train.py'));
    const r = pipelint(['check', '.', '--format', 'json'], dir);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.version, 1);
    assert.deepEqual(Object.keys(out).sort(), ['errors', 'findings', 'summary', 'version']);
    assert.equal(out.summary.files, 1);
    assert.equal(out.summary.findings, out.findings.length);
    assert.equal(typeof out.summary.durationMs, 'number');
    const f = out.findings.find((x: any) => x.code === 'SKL101');
    assert.equal(f.path, 'train.py');
    assert.equal(f.name, 'lambda-in-estimator');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(
      f.range,
      { start: { line: 17, column: 20 }, end: { line: 17, column: 41 } },
      '1-based lines and columns',
    );
    assert.deepEqual(f.fix, { title: 'Extract the lambda into module-level function `_log`', safety: 'safe' });
    const dump = out.findings.find((x: any) => x.code === 'SKL104');
    assert.equal(dump.fix, null);
    assert.equal(dump.severity, 'error');
    assert.equal(dump.related[0].path, 'train.py');
    assert.equal(dump.related[0].range.start.line, 17);
  });

  test('scikit.js TypeScript is treated like Python: JSON findings with fixes, cross-file SKL304, --fix, diagram', () => {
    const dir = scratch();
    const TS = path.join(ROOT, 'test', 'fixtures', 'typescript');
    cpSync(path.join(ROOT, 'test', 'fixtures', 'workspaces', 'ts-train-serve'), dir, { recursive: true });
    cpSync(path.join(TS, 'SKL201.ts'), path.join(dir, 'split.ts'));
    const r = pipelint(['check', '.', '--format', 'json'], dir);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.errors, []);
    const refit = out.findings.find((x: any) => x.code === 'SKL304');
    assert.equal(refit.path, 'serve.ts');
    assert.equal(refit.range.start.line, 8);
    assert.equal(refit.related[0].path, 'train.ts');
    assert.equal(refit.related[0].range.start.line, 12);
    assert.ok(out.findings.some((x: any) => x.code === 'SKL303' && x.path === 'train.ts'));
    const split = out.findings.find(
      (x: any) => x.code === 'SKL201' && x.path === 'split.ts' && x.range.start.line === 23,
    );
    assert.deepEqual(split.fix, { title: 'Pass `SEED` as the 5th argument (`randomState`)', safety: 'safe' });
    assert.match(split.message, /Pass `SEED` as its 5th argument \(`randomState`\)/);
    pipelint(['check', 'split.ts', '--fix'], dir);
    const fixed = readFileSync(path.join(dir, 'split.ts'), 'utf8');
    assert.match(fixed, /trainTestSplit\(X, y, 0\.25, undefined, SEED\)/);
    assert.match(fixed, /new KMeans\(\{ nClusters: 2, randomState: SEED \}\)/);
    const svg = path.join(dir, 'pipeline.svg');
    const d = pipelint(
      ['diagram', path.join(ROOT, 'test', 'fixtures', 'diagram', 'scikitjs_pipeline.ts'), '-o', svg],
      dir,
    );
    assert.equal(d.status, 0, d.stderr);
    assert.match(readFileSync(svg, 'utf8'), /<svg[\s\S]*StandardScaler/);
  });

  test('text output: path:line:col: CODE message, fixable marker and summary', () => {
    const r = pipelint(['check', path.relative(ROOT, path.join(FIXTURES, 'SKL101.py'))]);
    assert.equal(r.status, 1);
    const lines = r.stdout.trim().split('\n');
    assert.match(
      lines[0],
      /^test\/fixtures\/python\/SKL101\.py:17:20: SKL101 Lambda passed to FunctionTransformer\(func=\.\.\.\) .* \[\*\] \(warning\)$/,
    );
    assert.ok(
      lines.some((l) => /^Found 5 problems in 1 file\.$/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => /3 fixable with the `--fix` option/.test(l)),
      r.stdout,
    );
  });

  test('exit 0 on clean code, 1 on findings, 2 on usage errors', () => {
    const dir = scratch();
    writeFileSync(
      path.join(dir, 'ok.py'),
      'import numpy as np\nfrom sklearn.preprocessing import FunctionTransformer\nft = FunctionTransformer(np.log1p)\n',
    );
    assert.equal(pipelint(['check', 'ok.py'], dir).status, 0);
    assert.equal(pipelint(['check', path.join(FIXTURES, 'SKL104.py')]).status, 1);
    assert.equal(pipelint(['check', path.join(FIXTURES, 'SKL104.py'), '--fail-on', 'error']).status, 1);
    assert.equal(
      pipelint(['check', path.join(FIXTURES, 'SKL102_closure.py'), '--select', 'SKL102', '--fail-on', 'error']).status,
      0,
    );
    const bad = pipelint(['check', '--format', 'xml']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown --format/);
    assert.equal(pipelint(['check', '--select', 'SKL999']).status, 2);
    assert.equal(pipelint(['check', '--no-such-flag']).status, 2);
    assert.equal(pipelint(['frobnicate']).status, 2);
  });

  test('--select and --ignore choose rules by code or prefix', () => {
    const file = path.join(FIXTURES, 'SKL101.py');
    const only = JSON.parse(pipelint(['check', file, '--format', 'json', '--select', 'SKL104']).stdout);
    assert.deepEqual([...new Set(only.findings.map((f: any) => f.code))], ['SKL104']);
    const without = JSON.parse(pipelint(['check', file, '--format', 'json', '--ignore', 'SKL10']).stdout);
    assert.equal(without.findings.length, 0);
  });

  test('unreadable and undecodable files go to errors while the others are analysed', () => {
    const dir = scratch();
    cpSync(path.join(FIXTURES, 'SKL101.py'), path.join(dir, 'good.py'));
    writeFileSync(path.join(dir, 'latin1.py'), Buffer.from([0x23, 0x20, 0xe9, 0x74, 0xe9, 0x0a]));
    const r = pipelint(['check', '.', 'missing.py', '--format', 'json'], dir);
    assert.equal(r.status, 2, 'I/O errors exit 2');
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.errors.map((e: any) => [e.path, e.message]),
      [
        ['missing.py', 'no such file or directory'],
        ['latin1.py', 'cannot decode: not valid UTF-8'],
      ],
    );
    assert.ok(
      out.findings.some((f: any) => f.path === 'good.py' && f.code === 'SKL101'),
      'good.py still analysed',
    );
  });

  test('directories are walked honouring .gitignore', () => {
    const dir = scratch();
    mkdirSync(path.join(dir, '.git'));
    mkdirSync(path.join(dir, 'src'));
    mkdirSync(path.join(dir, 'build'));
    mkdirSync(path.join(dir, 'node_modules'));
    const text = readFileSync(path.join(FIXTURES, 'SKL104.py'), 'utf8');
    for (const f of ['src/a.py', 'src/generated_b.py', 'build/c.py', 'node_modules/d.py', 'src/notes.txt'])
      writeFileSync(path.join(dir, f), text);
    writeFileSync(path.join(dir, '.gitignore'), 'build/\n');
    writeFileSync(path.join(dir, 'src', '.gitignore'), 'generated_*.py\n');
    const out = JSON.parse(pipelint(['check', '.', '--format', 'json'], dir).stdout);
    assert.deepEqual([...new Set(out.findings.map((f: any) => f.path))], [path.join('src', 'a.py')]);
    assert.equal(out.summary.files, 1);
  });

  test('a report larger than a pipe holds comes out whole (the CLI exits once stdout has taken it)', () => {
    const dir = scratch();
    const source = readFileSync(path.join(FIXTURES, 'SKL101.py'), 'utf8');
    for (let i = 0; i < 300; i++) writeFileSync(path.join(dir, `train_${i}.py`), source);
    const r = pipelint(['check', '.', '--format', 'json'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.stdout.length > 1_000_000, `${r.stdout.length} bytes`);
    const out = JSON.parse(r.stdout);
    assert.equal(out.summary.files, 300);
    assert.equal(out.findings.length, out.summary.findings);
  });

  test('bad input never crashes the CLI', () => {
    const dir = scratch();
    const half = readFileSync(path.join(FIXTURES, 'SKL101.py'), 'utf8');
    const inputs: Record<string, string | Buffer> = {
      'empty.py': '',
      'binary.py': Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0x80]),
      'nul.py': 'import joblib\0\0\nx = 1\n',
      'crlf.py': half.replace(/\n/g, '\r\n'),
      'cr.py': half.replace(/\n/g, '\r'),
      'bom.py': '\ufeff' + half,
      'half.py': half.slice(0, Math.floor(half.length / 2)),
      'deep.py': 'x = ' + '('.repeat(5000) + ')'.repeat(5000) + '\n',
      // A 5 MB generated script: the fixture's pipeline code repeated.
      'big.py': half.repeat(Math.ceil(5_000_000 / half.length)),
    };
    for (const [name, content] of Object.entries(inputs)) writeFileSync(path.join(dir, name), content);
    const r = pipelint(['check', '.', '--format', 'json', '--max-file-size', '10000000'], dir);
    assert.ok(r.status === 1 || r.status === 2, `exit ${r.status}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error|TypeError|RangeError/);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.errors.map((e: any) => `${e.path}: ${e.message.split(':')[0]}`),
      ['binary.py: cannot decode', 'deep.py: skipped'],
      'deep.py: skipped by the nesting guard, and said so (issue 16 item 5)',
    );
    const files = new Set(out.findings.map((f: any) => f.path));
    for (const f of ['crlf.py', 'cr.py', 'bom.py', 'big.py']) assert.ok(files.has(f), `${f} analysed`);
    const crlf = out.findings
      .filter((f: any) => f.path === 'crlf.py')
      .map((f: any) => `${f.range.start.line}:${f.code}`);
    const lf = JSON.parse(
      pipelint(['check', path.join(FIXTURES, 'SKL101.py'), '--format', 'json']).stdout,
    ).findings.map((f: any) => `${f.range.start.line}:${f.code}`);
    assert.deepEqual(crlf, lf, 'CRLF and LF give the same lines');
    assert.deepEqual(
      out.findings.filter((f: any) => f.path === 'cr.py').map((f: any) => `${f.range.start.line}:${f.code}`),
      lf,
      'lone CR too',
    );
  });
});

describe('pipelint rules', () => {
  test('lists every rule with severity and fix availability', () => {
    const r = pipelint(['rules']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^code\s+name\s+severity\s+fix\s+summary/);
    assert.match(r.stdout, /SKL101\s+lambda-in-estimator\s+warning\s+safe/);
    assert.match(r.stdout, /SKL104\s+unpicklable-model-saved\s+error\s+-/);
  });
  test('prints a rule doc by code or name', () => {
    assert.match(pipelint(['rules', 'SKL102']).stdout, /^# SKL102 local-function-in-estimator/);
    assert.match(pipelint(['rules', 'unpicklable-model-saved']).stdout, /## Why is this bad\?/);
    assert.equal(pipelint(['rules', 'SKL000']).status, 2);
  });
});
