import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  ConfigError,
  ConfigResolver,
  DocumentPolicies,
  parseConfigText,
  resolvePolicy,
  selectCodes,
  type LoadedConfig,
} from '../../server/src/config';
import type { Finding } from '../../server/src/model/finding';
import { DEFAULT_SERVER_SETTINGS } from '../../server/src/config/settings';

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'pipelint-config-'));
}

function write(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

function loaded(text: string, dir = '/proj'): LoadedConfig {
  return {
    path: path.join(dir, 'pipelint.toml'),
    dir,
    config: parseConfigText(text, path.join(dir, 'pipelint.toml'))!,
  };
}

const finding = (code: string, line: number, severity: Finding['severity'] = 'warning'): Finding => ({
  uri: 'x.py',
  code,
  name: code,
  severity,
  message: 'm',
  range: { start: { line, character: 0 }, end: { line, character: 1 } },
  fix: null,
  related: [],
});

const codesOf = (p: { rules: { meta: { code: string } }[] }) => p.rules.map((r) => r.meta.code);

describe('config: keys', () => {
  test('select', () => {
    const p = resolvePolicy({ config: loaded('select = ["SKL1"]') });
    assert.deepEqual(codesOf(p), ['SKL101', 'SKL102', 'SKL103', 'SKL104', 'SKL105', 'SKL106']);
  });
  test('ignore', () => {
    const p = resolvePolicy({ config: loaded('ignore = ["SKL101", "SKL2"]') });
    assert.ok(!codesOf(p).includes('SKL101'));
    assert.ok(!codesOf(p).includes('SKL201'));
    assert.ok(codesOf(p).includes('SKL102'));
  });
  test('extend-select adds to select', () => {
    const p = resolvePolicy({ config: loaded('select = ["SKL101"]\nextend-select = ["SKL201"]') });
    assert.deepEqual(codesOf(p), ['SKL101', 'SKL201']);
  });
  test('the more specific of select and ignore wins; ties go to ignore', () => {
    assert.deepEqual(
      [...selectCodes([{ select: ['SKL1'], ignore: ['SKL101'] }], ['SKL101', 'SKL102', 'SKL201'])],
      ['SKL102'],
    );
    assert.deepEqual(
      [...selectCodes([{ select: ['SKL101'], ignore: ['SKL1'] }], ['SKL101', 'SKL102', 'SKL201'])],
      ['SKL101'],
    );
    assert.deepEqual([...selectCodes([{ select: ['SKL101'], ignore: ['SKL101'] }], ['SKL101'])], []);
    assert.deepEqual([...selectCodes([{ select: ['ALL'], ignore: ['SKL2'] }], ['SKL101', 'SKL201'])], ['SKL101']);
  });
  test('per-file-ignores: globs relative to the config file', () => {
    const config = loaded('[per-file-ignores]\n"tests/**" = ["SKL201"]\n"scratch_*.py" = ["ALL"]', '/proj');
    assert.ok(!codesOf(resolvePolicy({ config, file: '/proj/tests/unit/test_model.py' })).includes('SKL201'));
    assert.ok(codesOf(resolvePolicy({ config, file: '/proj/tests/unit/test_model.py' })).includes('SKL101'));
    assert.ok(codesOf(resolvePolicy({ config, file: '/proj/src/train.py' })).includes('SKL201'));
    assert.deepEqual(codesOf(resolvePolicy({ config, file: '/proj/src/scratch_1.py' })), []);
    // per-file-ignores win over the command line's select.
    assert.ok(
      !codesOf(resolvePolicy({ config, file: '/proj/tests/t.py', cli: { select: ['SKL201'] } })).includes('SKL201'),
    );
  });
  test('severity: override and off', () => {
    const p = resolvePolicy({ config: loaded('[severity]\nSKL101 = "error"\nSKL102 = "off"') });
    assert.ok(!codesOf(p).includes('SKL102'));
    const out = p.finish(
      [finding('SKL101', 0), finding('SKL102', 1), finding('SKL103', 2)],
      'a\nb\nc\n',
      'python',
    ).findings;
    assert.deepEqual(
      out.map((f) => `${f.code}:${f.severity}`),
      ['SKL101:error', 'SKL103:warning'],
    );
  });
  test('seed', () => {
    assert.equal(resolvePolicy({ config: loaded('seed = 7') }).seed, 7);
    assert.equal(resolvePolicy({ config: loaded('seed = 7') }).analyzeOptions().settings?.seed, 7);
    assert.equal(resolvePolicy({}).seed, 42);
  });
  test('fail-on', () => {
    assert.equal(resolvePolicy({ config: loaded('fail-on = "error"') }).failOn, 'error');
    assert.equal(
      resolvePolicy({ config: loaded('fail-on = "error"'), cli: { failOn: 'information' } }).failOn,
      'information',
    );
    assert.equal(resolvePolicy({}).failOn, 'warning');
  });
});

describe('config: layers', () => {
  test('editor settings on top of the file', () => {
    const config = loaded('select = ["SKL1"]\nseed = 7\n[severity]\nSKL101 = "error"');
    const editor = { select: ['SKL201'], ignore: [], severity: { SKL101: 'hint' as const }, seed: 9 };
    const p = resolvePolicy({ config, editor });
    assert.deepEqual(codesOf(p), ['SKL201']);
    assert.equal(p.seed, 9);
    assert.equal(p.severity.SKL101, 'hint');
  });
  test("the editor's default seed (42) does not hide the file's seed", async () => {
    const dir = tmp();
    write(path.join(dir, 'pipelint.toml'), 'seed = 7\n');
    const policies = new DocumentPolicies(() => assert.fail('no notice expected'));
    const p = policies.policyFor(pathToFileURL(path.join(dir, 'a.py')).href, DEFAULT_SERVER_SETTINGS);
    assert.equal(p.seed, 7);
  });
  test('command line select replaces the file selection; ignore adds', () => {
    const config = loaded('select = ["SKL1"]\nignore = ["SKL104"]');
    assert.deepEqual(codesOf(resolvePolicy({ config, cli: { select: ['SKL104', 'SKL201'] } })), ['SKL104', 'SKL201']);
    assert.deepEqual(codesOf(resolvePolicy({ config, cli: { ignore: ['SKL101'] } })), [
      'SKL102',
      'SKL103',
      'SKL105',
      'SKL106',
    ]);
  });
});

describe('config: errors name file, line and key', () => {
  test('invalid TOML', () => {
    const e = configError(() => parseConfigText('select = ["SKL101"\nseed = 1\n', '/p/pipelint.toml'));
    assert.equal(e.file, '/p/pipelint.toml');
    assert.ok(e.line !== undefined && e.line >= 1);
    assert.match(e.message, /^\/p\/pipelint\.toml:\d+: invalid TOML/);
  });
  test('unknown rule code', () => {
    const e = configError(() =>
      parseConfigText(
        '[tool.other]\nx = 1\n\n[tool.pipelint]\nseed = 1\nignore = ["SKL101", "SKL999"]\n',
        '/p/pyproject.toml',
      ),
    );
    assert.equal(e.line, 6);
    assert.equal(e.key, 'tool.pipelint.ignore');
    assert.equal(
      e.message,
      '/p/pyproject.toml:6: tool.pipelint.ignore: unknown rule code "SKL999" (see `pipelint rules`)',
    );
  });
  test('unknown key, with a suggestion', () => {
    const e = configError(() => parseConfigText('seed = 1\nextend_select = ["SKL101"]\n', '/p/pipelint.toml'));
    assert.equal(e.line, 2);
    assert.match(e.message, /extend_select: unknown key \(did you mean "extend-select"\?\)/);
  });
  test('bad severity level in a sub-table', () => {
    const e = configError(() => parseConfigText('seed = 1\n\n[severity]\nSKL101 = "loud"\n', '/p/pipelint.toml'));
    assert.equal(e.line, 4);
    assert.equal(e.key, 'severity.SKL101');
  });
  test('bad per-file-ignores entry', () => {
    const e = configError(() =>
      parseConfigText('[per-file-ignores]\n"tests/*" = ["SKL101"]\n"x.py" = ["NOPE1"]\n', '/p/pipelint.toml'),
    );
    assert.equal(e.line, 3);
  });
  test('bad seed and fail-on', () => {
    assert.equal(configError(() => parseConfigText('seed = "abc"', '/p/pipelint.toml')).key, 'seed');
    assert.equal(configError(() => parseConfigText('\nfail-on = "never"', '/p/pipelint.toml')).line, 2);
  });
  test('pyproject.toml without [tool.pipelint] is no config', () => {
    assert.equal(parseConfigText('[project]\nname = "x"\n', '/p/pyproject.toml'), undefined);
  });
});

describe('config: discovery', () => {
  test('the nearest file above each analysed file, cached per directory', () => {
    const root = tmp();
    write(path.join(root, 'pyproject.toml'), '[tool.pipelint]\nseed = 1\n');
    write(path.join(root, 'pkg', 'pyproject.toml'), '[project]\nname = "no pipelint table"\n');
    write(path.join(root, 'pkg', 'sub', 'pipelint.toml'), 'seed = 3\n');
    write(path.join(root, 'pkg', 'sub', 'pyproject.toml'), '[tool.pipelint]\nseed = 4\n');
    const r = new ConfigResolver({ roots: [root] });
    assert.equal(r.forFile(path.join(root, 'a.py'))?.config.seed, 1);
    assert.equal(
      r.forFile(path.join(root, 'pkg', 'b.py'))?.config.seed,
      1,
      'a pyproject.toml without the table is skipped',
    );
    assert.equal(
      r.forFile(path.join(root, 'pkg', 'sub', 'deep', 'c.py'))?.config.seed,
      3,
      'pipelint.toml before pyproject.toml',
    );
  });
  test('revalidate: a changed file is re-read; an invalid one throws ConfigError', () => {
    const root = tmp();
    const file = write(path.join(root, 'pipelint.toml'), 'seed = 1\n');
    const r = new ConfigResolver({ revalidate: true });
    assert.equal(r.forFile(path.join(root, 'a.py'))?.config.seed, 1);
    writeFileSync(file, 'seed = 22\n');
    assert.equal(r.forFile(path.join(root, 'a.py'))?.config.seed, 22);
    writeFileSync(file, 'seed = [\n');
    assert.throws(() => r.forFile(path.join(root, 'a.py')), ConfigError);
  });
  test('server: a broken file gives the defaults and one notice', () => {
    const root = tmp();
    write(path.join(root, 'pipelint.toml'), 'select = ["SKL101"]\nbogus = 1\n');
    const notices: string[] = [];
    const policies = new DocumentPolicies((m) => notices.push(m));
    const uri = pathToFileURL(path.join(root, 'a.py')).href;
    const p1 = policies.policyFor(uri, DEFAULT_SERVER_SETTINGS);
    policies.policyFor(pathToFileURL(path.join(root, 'b.py')).href, DEFAULT_SERVER_SETTINGS);
    assert.ok(codesOf(p1).length > 1, 'defaults: every rule');
    assert.equal(notices.length, 1);
    assert.match(notices[0], /pipelint\.toml:2: bogus: unknown key/);
    assert.match(notices[0], /default settings/);
  });
});
