import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import Ajv from 'ajv';
import { checkFile, writeIfUnchanged } from '../../server/src/cli/check';
import { unifiedDiff } from '../../server/src/cli/formats/diff';
import { toGithub } from '../../server/src/cli/formats/github';
import { resolvePolicy } from '../../server/src/config';
import { Engine } from '../../server/src/analysis/engine';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pipelint.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'python');

function pipelint(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scratch(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-formats-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Only warnings: a lambda in FunctionTransformer, nothing saved. */
const WARNINGS_ONLY =
  'import joblib\nfrom sklearn.preprocessing import FunctionTransformer\n\nft = FunctionTransformer(lambda x: x + 1)\njoblib.dump([3, 1, 2], "ids.joblib")  # saves data, not the transformer: SKL101 stays a warning\n';

/** The SARIF 2.1.0 schema (draft-04, vendored from the npm package @microsoft/jest-sarif) for ajv 8. */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'test', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
  // Draft-04 `id` is draft-07 `$id`; the schema uses no other draft-04-only keyword (no boolean exclusiveMinimum).
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  // unicodeRegExp off: the schema's `language` pattern has a stray ']' that only the u flag rejects.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s));
  ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile<any>(schema);
}

describe('output formats', () => {
  before(() => {
    if (!existsSync(path.join(ROOT, 'dist', 'cli.js')))
      spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  });

  test('--format sarif is valid SARIF 2.1.0 with rule metadata, help URIs and fixes', () => {
    const dir = scratch();
    cpSync(path.join(FIXTURES, 'SKL101.py'), path.join(dir, 'train.py'));
    const r = pipelint(['check', '.', '--format', 'sarif'], dir);
    assert.equal(r.status, 1, r.stderr);
    const log = JSON.parse(r.stdout);
    const validate = sarifValidator();
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    const rules = run.tool.driver.rules;
    const skl101 = rules.find((x: any) => x.id === 'SKL101');
    assert.equal(skl101.name, 'lambda-in-estimator');
    assert.match(skl101.helpUri, /^https?:\/\/.*\/docs\/rules\/lambda-in-estimator\.md$/);
    assert.match(skl101.help.markdown, /lambda/i);
    assert.equal(skl101.defaultConfiguration.level, 'warning');
    const result = run.results.find((x: any) => x.ruleId === 'SKL101');
    assert.equal(rules[result.ruleIndex].id, 'SKL101');
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'train.py');
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.deepEqual(Object.keys(result.locations[0].physicalLocation.region).sort(), [
      'endColumn',
      'endLine',
      'startColumn',
      'startLine',
    ]);
    assert.ok(result.fixes?.[0]?.artifactChanges?.[0]?.replacements?.length > 0, 'SKL101 carries its fix');
    const error = run.results.find((x: any) => x.ruleId === 'SKL104');
    assert.equal(error.level, 'error');
    assert.equal(run.invocations[0].executionSuccessful, true);
  });

  test('--format sarif: read errors become tool notifications; still valid', () => {
    const dir = scratch({ 'a.py': WARNINGS_ONLY });
    writeFileSync(path.join(dir, 'bad.py'), Buffer.from([0xff, 0xfe, 0x00]));
    const r = pipelint(['check', '.', '--format', 'sarif'], dir);
    assert.equal(r.status, 2);
    const log = JSON.parse(r.stdout);
    assert.ok(sarifValidator()(log));
    assert.equal(log.runs[0].invocations[0].executionSuccessful, false);
    assert.equal(
      log.runs[0].invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation.uri,
      'bad.py',
    );
  });

  test('--format github: one workflow command per finding', () => {
    const dir = scratch();
    cpSync(path.join(FIXTURES, 'SKL101.py'), path.join(dir, 'train.py'));
    const r = pipelint(['check', '.', '--format', 'github'], dir);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(
      lines.every((l) =>
        /^::(error|warning|notice) file=train\.py,line=\d+,col=\d+,endLine=\d+(,endColumn=\d+)?,title=pipelint SKL\d{3} \([a-z-]+\)::SKL\d{3} /.test(
          l,
        ),
      ),
      r.stdout,
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith(
          '::warning file=train.py,line=17,col=20,endLine=17,endColumn=41,title=pipelint SKL101 (lambda-in-estimator)::SKL101 Lambda',
        ),
      ),
    );
    assert.ok(lines.some((l) => l.startsWith('::error ') && l.includes('SKL104')));
  });

  test('github escaping of data and properties', () => {
    const out = toGithub({
      results: [
        {
          file: { absolute: '/x/a,b:c.py', display: 'a,b:c.py' },
          fixed: 0,
          findings: [
            {
              uri: 'a',
              code: 'SKL101',
              name: 'lambda-in-estimator',
              severity: 'information',
              message: '100% sure\nsecond line',
              range: { start: { line: 0, character: 0 }, end: { line: 1, character: 2 } },
              fix: null,
              related: [],
            },
          ],
        },
      ],
      errors: [],
      durationMs: 0,
    });
    assert.equal(
      out,
      '::notice file=a%2Cb%3Ac.py,line=1,col=1,endLine=2,title=pipelint SKL101 (lambda-in-estimator)::SKL101 100%25 sure%0Asecond line',
    );
  });

  test('--fail-on error|warning|information, and fail-on in the config file', () => {
    const dir = scratch({ 'a.py': WARNINGS_ONLY });
    assert.equal(pipelint(['check', '.'], dir).status, 1, 'warnings fail by default');
    assert.equal(pipelint(['check', '.', '--fail-on', 'error'], dir).status, 0);
    assert.equal(pipelint(['check', '.', '--fail-on', 'information'], dir).status, 1);
    writeFileSync(path.join(dir, 'pipelint.toml'), 'fail-on = "error"\n');
    assert.equal(pipelint(['check', '.'], dir).status, 0);
    assert.equal(pipelint(['check', '.', '--fail-on', 'warning'], dir).status, 1, 'the command line wins');
    writeFileSync(path.join(dir, 'pipelint.toml'), '[severity]\nSKL101 = "information"\n');
    assert.equal(pipelint(['check', '.'], dir).status, 0);
    assert.equal(pipelint(['check', '.', '--fail-on', 'information'], dir).status, 1);
    assert.equal(pipelint(['check', '.', '--fail-on', 'never'], dir).status, 2);
  });

  test('an invalid config file: exit 2 with file, line and key', () => {
    const dir = scratch({
      'a.py': WARNINGS_ONLY,
      'pyproject.toml': '[project]\nname = "x"\n\n[tool.pipelint]\nselect = ["SKL101", "SKL99"]\n',
    });
    const r = pipelint(['check', '.'], dir);
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr.trim(),
      'pipelint: pyproject.toml:5: tool.pipelint.select: unknown rule code "SKL99" (see `pipelint rules`)',
    );
    assert.equal(r.stdout, '');
    assert.equal(pipelint(['check', '.', '--isolated'], dir).status, 1, '--isolated ignores config files');
  });

  test('--config FILE and suppression comments through the CLI, with --report-unused-noqa', () => {
    const dir = scratch({
      'a.py':
        'from sklearn.preprocessing import FunctionTransformer\n\nft = FunctionTransformer(lambda x: x + 1)  # noqa: SKL101\ngt = FunctionTransformer(lambda x: x)  # noqa: SKL102\n',
      'other.toml': 'ignore = ["SKL101"]\n',
    });
    const json = (args: string[]) => {
      const r = pipelint(['check', '.', '--format', 'json', ...args], dir);
      assert.ok(r.stdout, `status ${r.status}: ${r.stderr}`);
      return JSON.parse(r.stdout).findings.map((f: any) => `${f.range.start.line}:${f.code}`);
    };
    assert.deepEqual(json([]), ['4:SKL101']);
    assert.deepEqual(json(['--report-unused-noqa']), ['4:SKL101', '4:SKL001']);
    assert.deepEqual(json(['--config', 'other.toml']), []);
  });

  test('--diff shows what the safe fixes would change, writes nothing, and applies with git apply', () => {
    const dir = scratch({ 'a.py': WARNINGS_ONLY });
    const r = pipelint(['check', '.', '--diff'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(readFileSync(path.join(dir, 'a.py'), 'utf8'), WARNINGS_ONLY, 'nothing written');
    assert.match(r.stdout, /^--- a\/a\.py\n\+\+\+ b\/a\.py\n@@ -\d+(,\d+)? \+\d+(,\d+)? @@\n/);
    assert.match(r.stdout, /^-ft = FunctionTransformer\(lambda x: x \+ 1\)$/m);
    assert.match(r.stderr, /Would fix 1 problem\./);
    writeFileSync(path.join(dir, 'fix.patch'), r.stdout);
    const applied = spawnSync('git', ['apply', 'fix.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(applied.status, 0, applied.stderr);
    const patched = readFileSync(path.join(dir, 'a.py'), 'utf8');
    const fixDir = scratch({ 'a.py': WARNINGS_ONLY });
    assert.equal(pipelint(['check', '.', '--fix'], fixDir).status, 0);
    assert.equal(readFileSync(path.join(fixDir, 'a.py'), 'utf8'), patched, '--diff shows exactly what --fix writes');
    const none = pipelint(['check', '.', '--diff'], fixDir);
    assert.equal(none.status, 0);
    assert.equal(none.stdout, '');
  });

  test('--fix writes atomically: temporary file + rename, mode kept, nothing left behind', () => {
    const dir = scratch({ 'a.py': WARNINGS_ONLY });
    const file = path.join(dir, 'a.py');
    chmodSync(file, 0o640);
    const inode = statSync(file).ino;
    const r = pipelint(['check', '.', '--fix'], dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Fixed 1 problem/);
    assert.notEqual(statSync(file).ino, inode, 'replaced by rename, not rewritten in place');
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ['a.py']);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /lambda/);
  });
});

describe('--fix never overwrites a file that changed since it was read', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
  });

  test('writeIfUnchanged refuses a stale read', async () => {
    const dir = scratch({ 'a.py': 'new content\n' });
    const file = path.join(dir, 'a.py');
    await assert.rejects(writeIfUnchanged(file, Buffer.from('old content\n'), 'fixed\n'), /changed on disk/);
    assert.equal(readFileSync(file, 'utf8'), 'new content\n');
    assert.deepEqual(readdirSync(dir), ['a.py']);
  });

  test('a file edited while it is being fixed is left alone and reported', async () => {
    const dir = scratch({ 'a.py': WARNINGS_ONLY });
    const file = path.join(dir, 'a.py');
    const edited = WARNINGS_ONLY + '# edited by someone else\n';
    // An engine that lets another writer in between the read and the write.
    const racing = {
      analyze: (...args: Parameters<Engine['analyze']>) => {
        if (readFileSync(file, 'utf8') !== edited) writeFileSync(file, edited);
        return engine.analyze(...args);
      },
    } as unknown as Engine;
    const policy = resolvePolicy({});
    const result = await checkFile(
      racing,
      { absolute: file, display: 'a.py' },
      { analyze: policy.analyzeOptions(), maxFileBytes: 1e7, fix: true },
    );
    assert.ok('findings' in result);
    assert.match(result.notFixed ?? '', /^not fixed: file changed on disk while it was being fixed; left alone$/);
    assert.equal(result.fixed, 0);
    assert.deepEqual(
      result.findings.map((f) => f.code),
      ['SKL101'],
      'the findings are still reported',
    );
    assert.equal(readFileSync(file, 'utf8'), edited);
    assert.deepEqual(readdirSync(dir), ['a.py']);
  });
});

describe('unified diff writer', () => {
  test('hunks with context, counts and line numbers', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const b = a.replace('line 3\n', 'line three\n').replace('line 18\n', 'line 18\nadded\n');
    assert.equal(
      unifiedDiff('f.py', a, b),
      [
        '--- a/f.py',
        '+++ b/f.py',
        '@@ -1,6 +1,6 @@',
        ' line 1',
        ' line 2',
        '-line 3',
        '+line three',
        ' line 4',
        ' line 5',
        ' line 6',
        '@@ -16,5 +16,6 @@',
        ' line 16',
        ' line 17',
        ' line 18',
        '+added',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
  });
  test('no newline at end of file; equal texts give nothing', () => {
    assert.equal(
      unifiedDiff('f', 'a\nb', 'a\nc'),
      '--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n',
    );
    assert.equal(unifiedDiff('f', 'same\n', 'same\n'), '');
    assert.equal(unifiedDiff('f', '', 'x\n'), '--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n');
  });
});
