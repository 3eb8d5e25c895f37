import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import ignore from 'ignore';
import { GlobSet } from '../../server/src/source/glob';

/**
 * Issue 16: a repository's own files (config, .gitignore, odd files) must not stall, fool or crash the
 * CLI. Each test drives the real CLI. Hangs are caught by a timeout far above the fixed run time (a few
 * seconds) and far below the broken one (minutes to hours), so no test depends on the machine's speed.
 */

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pipelint.js');
const HANG_MS = 90_000;

function pipelint(args: string[], cwd: string, timeout = HANG_MS) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    timedOut: r.error !== undefined || r.signal === 'SIGKILL',
  };
}

function scratch(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-hostile-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

// The file saves a model, so its lambda is a warning (SKL101 is information where nothing is saved): exit 1.
const LAMBDA =
  'import joblib\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.preprocessing import FunctionTransformer\n\nft = FunctionTransformer(lambda x: x + 1)\njoblib.dump(LogisticRegression(), "model.joblib")\n';
const codes = (stdout: string) =>
  JSON.parse(stdout).findings.map((f: { path: string; code: string }) => `${f.path}:${f.code}`);

describe('item 6: config files and globs of the repository cannot stall the CLI', () => {
  test('a 400 KB pyproject.toml of blank lines (the config search reads it) is read in linear time', () => {
    const dir = scratch({ 'a.py': LAMBDA, 'pyproject.toml': '\n'.repeat(400_000) + '[project]\nname = "x"\n' });
    const r = pipelint(['check', '--format', 'json', '.'], dir);
    assert.ok(!r.timedOut, 'no hang');
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(codes(r.stdout), ['a.py:SKL101']);
  });

  test('an error in a config file with a 400 KB blank line is reported with its line, without stalling', () => {
    const dir = scratch({
      'a.py': LAMBDA,
      'pipelint.toml': 'ignore = ["SKL101"]\n' + ' '.repeat(400_000) + '\nbogus = 1\n',
    });
    const r = pipelint(['check', '.'], dir);
    assert.ok(!r.timedOut, 'no hang');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^pipelint: pipelint\.toml:3: bogus: unknown key/);
  });

  test('an error in a config file with 20 lines of 4,000 blanks is located without stalling', () => {
    // The key pattern of lineOfKey took cubic time on a line of blanks (a fuzz input: 17 s for two lines).
    const dir = scratch({
      'a.py': LAMBDA,
      'pipelint.toml': 'ignore = ["SKL101"]\n' + (' '.repeat(4000) + '\n').repeat(20) + 'bogus = 1\n',
    });
    const r = pipelint(['check', '.'], dir);
    assert.ok(!r.timedOut, 'no hang');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^pipelint: pipelint\.toml:22: bogus: unknown key/);
  });

  const HOSTILE = 'a/' + '**/'.repeat(16) + 'b';
  test(`${HOSTILE} in per-file-ignores and in .gitignore: matched in polynomial time, with gitignore's meaning`, () => {
    const deep = 'a/' + 'x/'.repeat(30);
    const dir = scratch({
      [`${deep}train.py`]: LAMBDA,
      [`${deep}b`]: '',
      'a/x/b/skipped.py': LAMBDA,
      'a/x/kept/b.py': LAMBDA,
      '.gitignore': `${HOSTILE}\n`,
      'pipelint.toml': `[per-file-ignores]\n"${'**/'.repeat(16)}x/${'*'.repeat(20)}train.py" = ["SKL101"]\n`,
    });
    const r = pipelint(['check', '--format', 'json', '.'], dir);
    assert.ok(!r.timedOut, 'no hang');
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(
      codes(r.stdout),
      ['a/x/kept/b.py:SKL101'],
      'b/ under a/ ignored at any depth; train.py silenced by per-file-ignores',
    );
  });
});

describe('GlobSet: gitignore semantics without backtracking', () => {
  test('agrees with the `ignore` package on 30,000 random short patterns and paths (seed 42)', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T>(a: T[]) => a[rnd(a.length)];
    const SEGS = ['a', 'b', 'ab', '*', '**', '?', '[ab]', '[a-c]', '*.py', 'a*', '*b', 'x.py', '[!a]*', 'a?b', 'a\\*'];
    const PATHS = ['a', 'b', 'ab', 'aab', 'x.py', 'a.py', 'ba', 'c', 'a*'];
    const diffs: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const lines = Array.from({ length: 1 + rnd(3) }, (_, j) => {
        let p = Array.from({ length: 1 + rnd(3) }, () => pick(SEGS)).join('/');
        if (rnd(4) === 0) p = '/' + p;
        if (rnd(4) === 0) p += '/';
        if (j > 0 && rnd(3) === 0) p = '!' + p;
        return p;
      }).join('\n');
      const oracle = ignore().add(lines);
      const ours = new GlobSet().add(lines);
      for (let k = 0; k < 5; k++) {
        let p = Array.from({ length: 1 + rnd(4) }, () => pick(PATHS)).join('/');
        if (rnd(3) === 0) p += '/';
        if (oracle.ignores(p) !== ours.ignores(p))
          diffs.push(`${JSON.stringify(lines)} ${p}: ignore=${oracle.ignores(p)}`);
      }
    }
    assert.deepEqual(diffs.slice(0, 10), []);
  });

  test('comments, escapes, negation, directory-only and anchored patterns', () => {
    const g = new GlobSet().add('# comment\n\\#hash\n*.log\n!keep.log\nbuild/\n/top.py\ndocs/**\nsp\\ \n');
    assert.equal(g.ignores('#hash'), true);
    assert.equal(g.ignores('x/y.log'), true);
    assert.equal(g.ignores('x/keep.log'), false);
    assert.equal(g.ignores('build'), false, 'build/ matches directories only');
    assert.equal(g.ignores('build/'), true);
    assert.equal(g.ignores('src/build/a.py'), true, 'under an ignored directory');
    assert.equal(g.ignores('top.py'), true);
    assert.equal(g.ignores('src/top.py'), false, 'a leading / anchors');
    assert.equal(g.ignores('docs/'), false, 'docs/** is what is inside');
    assert.equal(g.ignores('docs/a/b.py'), true);
    assert.equal(g.ignores('sp '), true, 'an escaped trailing blank stays');
  });
});

describe('item 16: the config search stops at the project root', () => {
  test('outside a repository, a config file above the working directory is not used', () => {
    const dir = scratch({ 'pipelint.toml': 'ignore = ["ALL"]\n', 'proj/a.py': LAMBDA });
    const r = pipelint(['check', '--format', 'json', '.'], path.join(dir, 'proj'));
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(codes(r.stdout), ['a.py:SKL101']);
    const named = pipelint(['check', '--format', 'json', path.join(dir, 'proj', 'a.py')], ROOT);
    assert.equal(named.status, 1, 'a file named from elsewhere: its own directory is the limit');
  });

  test('in a repository: the repository root is the limit, whatever the working directory', () => {
    const dir = scratch({
      'pipelint.toml': 'ignore = ["ALL"]\n',
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
      'repo/pipelint.toml': 'select = ["SKL101"]\n',
      'repo/src/a.py': LAMBDA + 'import random\n',
    });
    const r = pipelint(['check', '--format', 'json', '.'], path.join(dir, 'repo', 'src'));
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(codes(r.stdout), ['a.py:SKL101'], "the repository's config applies, the one above it does not");
  });

  test('the language server: workspace folders are the limit outside a repository', async () => {
    const { DocumentPolicies } = await import('../../server/src/config/document');
    const { DEFAULT_SERVER_SETTINGS } = await import('../../server/src/config/settings');
    const { pathToFileURL } = await import('node:url');
    const dir = scratch({
      'pipelint.toml': 'ignore = ["ALL"]\n',
      'ws/pipelint.toml': 'select = ["SKL201"]\n',
      'ws/pkg/a.py': '',
    });
    const policies = new DocumentPolicies(() => undefined);
    policies.setWorkspaceFolders([pathToFileURL(path.join(dir, 'ws', 'pkg')).href]);
    const uri = pathToFileURL(path.join(dir, 'ws', 'pkg', 'a.py')).href;
    assert.equal(
      policies.policyFor(uri, DEFAULT_SERVER_SETTINGS).rules.length > 1,
      true,
      'folder ws/pkg: neither ws/ nor the parent config',
    );
    policies.setWorkspaceFolders([pathToFileURL(path.join(dir, 'ws')).href]);
    assert.deepEqual(
      policies.policyFor(uri, DEFAULT_SERVER_SETTINGS).rules.map((r) => r.meta.code),
      ['SKL201'],
    );
  });
});

describe('items 11-15, 17: odd files and odd values', () => {
  test('item 11: a FIFO named to check, diagram or --config, or in a walked folder, never blocks', () => {
    const dir = scratch({ 'a.py': LAMBDA });
    for (const name of ['f.py', 'cfg.toml', 'sub/.gitignore']) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      assert.equal(spawnSync('mkfifo', [path.join(dir, name)]).status, 0);
    }
    writeFileSync(path.join(dir, 'sub', 'b.py'), LAMBDA);
    const named = pipelint(['check', '--format', 'json', 'f.py', 'a.py'], dir, 60_000);
    assert.ok(!named.timedOut, 'check FIFO: no hang');
    assert.equal(named.status, 2);
    assert.deepEqual(JSON.parse(named.stdout).errors, [{ path: 'f.py', message: 'cannot read: not a regular file' }]);
    const walked = pipelint(['check', '--format', 'json', '.'], dir, 60_000);
    assert.ok(!walked.timedOut, 'walk past a FIFO .gitignore: no hang');
    assert.deepEqual(codes(walked.stdout), ['a.py:SKL101', 'sub/b.py:SKL101']);
    const config = pipelint(['check', '--config', 'cfg.toml', 'a.py'], dir, 60_000);
    assert.ok(!config.timedOut, '--config FIFO: no hang');
    assert.equal(config.status, 2);
    assert.match(config.stderr, /cfg\.toml: cannot read: not a regular file/);
    const diagram = pipelint(['diagram', 'f.py', '-o', 'out.svg'], dir, 60_000);
    assert.ok(!diagram.timedOut, 'diagram FIFO: no hang');
    assert.equal(diagram.status, 2);
    assert.match(diagram.stderr, /cannot read f\.py: not a regular file/);
  });

  test('item 12: a PEP 263 latin-1 file is analysed like Python reads it, and fixed in latin-1', () => {
    const text =
      '# -*- coding: latin-1 -*-\n# Café\nimport joblib\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.preprocessing import FunctionTransformer\n\nft = FunctionTransformer(lambda x: x + 1)  # é\njoblib.dump(LogisticRegression(), "model.joblib")\n';
    const dir = scratch({ 'a.py': Buffer.from(text, 'latin1') });
    const r = pipelint(['check', '--format', 'json', 'a.py'], dir);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.deepEqual(codes(r.stdout), ['a.py:SKL101']);
    assert.equal(pipelint(['check', '--fix', 'a.py'], dir).status, 0);
    const fixed = readFileSync(path.join(dir, 'a.py'));
    assert.match(
      fixed.toString('latin1'),
      /^# -\*- coding: latin-1 -\*-\n# Café\n[^]*def _ft\(x\):[^]*FunctionTransformer\(_ft\) {2}# é\njoblib[^]*\n$/,
    );
    const py = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import sys; compile(open(sys.argv[1], "rb").read(), "a.py", "exec")', path.join(dir, 'a.py')],
      { encoding: 'utf8' },
    );
    assert.equal(py.status, 0, py.stderr);
    const bad = scratch({ 'b.py': Buffer.from([0x78, 0x20, 0x3d, 0x20, 0x22, 0xe9, 0x22, 0x0a]) });
    assert.equal(
      JSON.parse(pipelint(['check', '--format', 'json', 'b.py'], bad).stdout).errors[0].message,
      'cannot decode: not valid UTF-8',
      'no declaration: UTF-8, as Python',
    );
  });

  test('item 13: an unreadable directory and a non-UTF-8 file name are reported, not skipped silently', () => {
    const dir = scratch({ 'a.py': LAMBDA, 'locked/b.py': LAMBDA });
    writeFileSync(Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0x62, 0xff, 0x2e, 0x70, 0x79])]), LAMBDA);
    spawnSync('chmod', ['-R', 'a+rX', dir]);
    spawnSync('chmod', ['000', path.join(dir, 'locked')]);
    // As root every directory is readable: run as nobody when we can.
    const asRoot = process.getuid?.() === 0;
    const r = spawnSync(process.execPath, [BIN, 'check', '--format', 'json', '.'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: HANG_MS,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.errors, [
      { path: 'b\ufffd.py', message: 'skipped: the file name is not valid UTF-8 (rename it to check it)' },
      { path: 'locked', message: 'cannot read directory: permission denied' },
    ]);
    assert.equal(r.status, 2);
    const named = pipelint(['check', 'b\udcff.py'], dir);
    assert.match(named.stderr + named.stdout, /not valid UTF-8/);
  });

  test("item 14: --seed beyond numpy's range is a usage error, like the config file's seed", () => {
    const dir = scratch({ 'a.py': LAMBDA });
    const r = pipelint(['check', '--seed', '99999999999999999999', 'a.py'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--seed must be an integer between 0 and 4294967295/);
    assert.equal(pipelint(['check', '--seed', '4294967295', 'a.py'], dir).status, 1);
  });

  test('item 15: severity prefixes apply; [tool."pipelint"] and an inline tool table are read', () => {
    const RANDOM = 'from sklearn.ensemble import RandomForestClassifier\n\nmodel = RandomForestClassifier()\n';
    const sev = scratch({
      'a.py': RANDOM + 'from sklearn.preprocessing import FunctionTransformer\nft = FunctionTransformer(lambda x: x)\n',
      'pipelint.toml': '[severity]\nSKL2 = "off"\nSKL1 = "error"\n',
    });
    const r = pipelint(['check', '--format', 'json', '.'], sev);
    assert.deepEqual(
      JSON.parse(r.stdout).findings.map((f: { code: string; severity: string }) => `${f.code}:${f.severity}`),
      ['SKL101:error'],
    );
    for (const pyproject of [
      '[tool."pipelint"]\nignore = ["SKL101"]\n',
      '[tool.\'pipelint\']\nignore = ["SKL101"]\n',
      'tool = { pipelint = { ignore = ["SKL101"] } }\n',
      '[ "tool" . pipelint ]\nignore = ["SKL101"]\n',
    ]) {
      const dir = scratch({ 'a.py': LAMBDA, 'pyproject.toml': pyproject });
      const out = pipelint(['check', '--format', 'json', '.'], dir);
      assert.equal(out.status, 0, `${pyproject}: ${out.stdout}`);
    }
  });

  test('item 17: --max-file-size must be a size; PIPELINT_WORKERS is capped at the CPUs', async () => {
    const dir = scratch({ 'a.py': LAMBDA });
    const r = pipelint(['check', '--max-file-size', 'abc', 'a.py'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--max-file-size must be a size in bytes/);
    const small = pipelint(['check', '--format', 'json', '--max-file-size', '10', 'a.py'], dir);
    assert.match(JSON.parse(small.stdout).errors[0].message, /^skipped: .* limit/);
    assert.equal(pipelint(['check', '--max-file-size', '5M', 'a.py'], dir).status, 1);
    const { workerCount } = await import('../../server/src/cli/parallel');
    const os = await import('node:os');
    process.env.PIPELINT_WORKERS = '64';
    try {
      assert.equal(workerCount(10_000), os.availableParallelism());
    } finally {
      delete process.env.PIPELINT_WORKERS;
    }
  });
});

describe('item 5: the nesting guard counts real nesting only, and a skipped file is reported', () => {
  test('401 brackets in a comment, a string or a docstring: analysed; f-string fields and open strings still count', async () => {
    const { nestingDepth, MAX_NESTING } = await import('../../server/src/python/nesting');
    const many = '['.repeat(401);
    const files = {
      'comment.py': `# ${many}\n${LAMBDA}`,
      'string.py': `NOTE = "${many}"\n${LAMBDA}`,
      'docstring.py': `"""Brackets:\n${many}\n"""\n${LAMBDA}`,
      'raw.py': `PATTERN = r'\\'${many}'\n${LAMBDA}`,
    };
    for (const [name, text] of Object.entries(files))
      assert.ok(nestingDepth(text) < 10, `${name}: ${nestingDepth(text)}`);
    assert.ok(
      nestingDepth(`x = f"{${'('.repeat(401)}1${')'.repeat(401)}}"\n`) > MAX_NESTING,
      'f-string fields are code',
    );
    assert.ok(nestingDepth(`x = """\n${'('.repeat(401)}\n`) > MAX_NESTING, 'an unterminated string is counted as code');
    assert.ok(
      nestingDepth(`x = """\0\n${'('.repeat(401)}\n"""\n`) > MAX_NESTING,
      'a NUL ends strings for tree-sitter: counted as code (fuzz long, seed 1, inputs 2406 and 2758)',
    );
    const dir = scratch({ ...files, 'deep.py': `x = ${'('.repeat(500)}1${')'.repeat(500)}\n` });
    const r = pipelint(['check', '--format', 'json', '.'], dir);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.findings.map((f: { path: string; code: string }) => `${f.path}:${f.code}`).sort(),
      Object.keys(files)
        .map((f) => `${f}:SKL101`)
        .sort(),
    );
    assert.deepEqual(out.errors, [
      {
        path: 'deep.py',
        message: 'skipped: nesting deeper than 400 levels (brackets, indentation, lambdas); not parsed',
      },
    ]);
  });

  test('the language server tells the user once that it skipped a file', async () => {
    const { LspClient } = await import('../helpers/lspClient');
    const client = new LspClient();
    try {
      await client.initialize();
      const uri = 'file:///proj/deep.py';
      const shown = client.waitFor('window/showMessageRequest', (p) =>
        /skipped deep\.py: nesting deeper than 400/.test(p.message),
      );
      client.notify('textDocument/didOpen', {
        textDocument: { uri, languageId: 'python', version: 1, text: `x = ${'('.repeat(500)}1${')'.repeat(500)}\n` },
      });
      await shown;
    } finally {
      await client.shutdown();
    }
  });
});
