import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { closest, editDistance } from '../../server/src/cli/args';
import { describeIoError } from '../../server/src/source/files';

/**
 * What the command line says when something is wrong: every message a user can meet while learning the
 * tool (mistyped flags and commands, --help, missing files, conflicting flags) and the summary lines of
 * the text output. Each is asserted word for word where the wording is the point.
 */
const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pipelint.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'python');

function pipelint(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'pipelint-msg-'));
}

/** Exit 2, nothing on stdout, and exactly this line on stderr. */
function usage(args: string[], message: string, cwd = ROOT) {
  const r = pipelint(args, cwd);
  assert.equal(r.stderr, `pipelint: ${message}\n`, `pipelint ${args.join(' ')}`);
  assert.equal(r.stdout, '', `pipelint ${args.join(' ')}: nothing on stdout`);
  assert.equal(r.status, 2, `pipelint ${args.join(' ')}: exit 2`);
}

describe('command line: unknown flags and commands', () => {
  test('a mistyped option names the command and the nearest option, not node parser internals', () => {
    usage(
      ['check', '--selct', 'SKL1'],
      'unknown option --selct for `pipelint check` (did you mean --select?); run `pipelint check --help` for its options',
    );
    usage(
      ['check', '--ext', 'SKL1'],
      'unknown option --ext for `pipelint check` (did you mean --extend-select?); run `pipelint check --help` for its options',
    );
    usage(
      ['check', '-selct', 'SKL1'],
      'unknown option -selct for `pipelint check` (did you mean --select?); run `pipelint check --help` for its options',
    );
    usage(
      ['check', '--frobnicate'],
      'unknown option --frobnicate for `pipelint check`; run `pipelint check --help` for its options',
    );
    usage(
      ['diagram', 'x.py', '--ouput', 'a.svg'],
      'unknown option --ouput for `pipelint diagram` (did you mean --output?); run `pipelint diagram --help` for its options',
    );
    usage(['rules', '--all'], 'unknown option --all for `pipelint rules`; run `pipelint rules --help` for its options');
  });

  test('option values: missing, given to a switch, or not among the choices', () => {
    usage(['check', '--format'], '--format needs a value (FORMAT: text, json, sarif, github)');
    usage(['check', '--seed', '--fix'], '--seed needs a value (N)');
    usage(['check', '--fix=yes'], '--fix takes no value (got "yes")');
    usage(
      ['check', '--format', 'jsn'],
      'unknown --format "jsn" (did you mean json?); expected one of text, json, sarif, github',
    );
    usage(['check', '--format', 'xml'], 'unknown --format "xml"; expected one of text, json, sarif, github');
    usage(
      ['check', '--fail-on', 'warn'],
      'unknown --fail-on "warn" (did you mean warning?); expected one of error, warning, information, hint',
    );
  });

  test('a mistyped command suggests the nearest and lists them all', () => {
    usage(
      ['chek'],
      'unknown command "chek" (did you mean check?); commands: check, diagram, rules, server (`pipelint --help`)',
    );
    usage(
      ['diagarm'],
      'unknown command "diagarm" (did you mean diagram?); commands: check, diagram, rules, server (`pipelint --help`)',
    );
    usage(['frobnicate'], 'unknown command "frobnicate"; commands: check, diagram, rules, server (`pipelint --help`)');
    usage(['--fix'], '--fix is an option of `pipelint check`: run `pipelint check --fix`');
    usage(['--bogus'], 'unknown option --bogus; commands: check, diagram, rules, server (`pipelint --help`)');
    usage(['rules', 'SKL10'], 'unknown rule "SKL10" (did you mean SKL101?); `pipelint rules` lists them');
    usage(
      ['rules', 'lamda-in-estimator'],
      'unknown rule "lamda-in-estimator" (did you mean lambda-in-estimator?); `pipelint rules` lists them',
    );
    usage(
      ['rules', 'SKL101', 'SKL102'],
      '`pipelint rules` takes one CODE (got "SKL102" too); usage: pipelint rules [CODE]',
    );
  });

  test('suggestions: close in edits, or an unambiguous prefix; nothing for far-off words', () => {
    assert.equal(editDistance('chek', 'check'), 1);
    assert.equal(editDistance('slecet', 'select'), 2, 'a swap of neighbours counts once');
    assert.equal(closest('selct', ['select', 'extend-select', 'ignore']), 'select');
    assert.equal(closest('extend', ['select', 'extend-select', 'ignore']), 'extend-select');
    assert.equal(closest('zzz', ['select', 'extend-select', 'ignore']), undefined);
    assert.equal(closest('s', ['select', 'seed']), undefined, 'one letter is no evidence');
  });
});

describe('command line: help', () => {
  for (const command of ['check', 'diagram', 'rules', 'server']) {
    test(`\`pipelint ${command} --help\`, \`-h\` and \`pipelint help ${command}\` print its usage and options`, () => {
      const r = pipelint([command, '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, new RegExp(`^Usage: pipelint ${command} `));
      assert.match(r.stdout, /\nOptions:\n/);
      assert.match(r.stdout, /-h, --help +show this help/);
      assert.equal(pipelint([command, '-h']).stdout, r.stdout);
      assert.equal(pipelint(['help', command]).stdout, r.stdout);
    });
  }

  test('the help lists every option the command accepts, with choices and defaults', () => {
    const check = pipelint(['check', '--help']).stdout;
    for (const flag of [
      '--format FORMAT',
      '--select CODES',
      '--extend-select CODES',
      '--ignore CODES',
      '--fix',
      '--diff',
      '--fail-on LEVEL',
      '--seed N',
      '--config FILE',
      '--isolated',
      '--report-unused-noqa',
      '--max-file-size BYTES',
      '--no-color',
    ]) {
      assert.ok(check.includes(flag), `check --help lists ${flag}`);
    }
    assert.match(check, /output format \(one of text, json, sarif, github; default text\)/);
    assert.match(check, /Exit codes: 0 .* 1 findings, 2 usage/);
    // The diagram message mentions --json: its help and the top-level usage list it.
    assert.match(pipelint(['diagram', '--help']).stdout, /--json +print the pipeline graph as JSON/);
    const top = pipelint(['--help']);
    assert.equal(top.status, 0);
    assert.match(top.stdout, /^Usage: pipelint COMMAND \[options\]\n\nCommands:\n {2}check /);
    assert.match(top.stdout, /diagram FILE -o OUT +draw the pipelines of FILE as \.html or \.svg \(or --json\)/);
    const bare = pipelint([]);
    assert.equal(bare.status, 2, 'no command is a usage error');
    assert.equal(bare.stderr, top.stdout, 'and prints the usage on stderr');
  });

  test('--help wins over missing arguments (`pipelint diagram --help` needs no FILE)', () => {
    assert.equal(pipelint(['diagram', '--help']).status, 0);
    assert.equal(pipelint(['check', '--fix', '--diff', '--help']).status, 0);
  });
});

describe('command line: conflicting flags and I/O in plain words', () => {
  test('--fix --diff is refused and writes nothing', () => {
    const dir = scratch();
    cpSync(path.join(FIXTURES, 'SKL101.py'), path.join(dir, 'train.py'));
    const before = readFileSync(path.join(dir, 'train.py'), 'utf8');
    usage(
      ['check', '.', '--fix', '--diff'],
      '--fix and --diff cannot be used together: --diff shows the safe fixes without writing them, --fix writes them',
      dir,
    );
    assert.equal(readFileSync(path.join(dir, 'train.py'), 'utf8'), before);
  });

  test('a missing path: "no such file or directory", never "All checks passed", exit 2', () => {
    const dir = scratch();
    const r = pipelint(['check', 'nope.py'], dir);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, 'nope.py: error: no such file or directory\n1 file could not be checked (errors above).\n');
    assert.doesNotMatch(r.stdout, /All checks passed/);
  });

  test('a missing path next to a clean file: the clean one is checked, the summary says both', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'ok.py'), 'x = 1\n');
    const r = pipelint(['check', 'ok.py', 'nope.py'], dir);
    assert.equal(r.status, 2);
    assert.equal(
      r.stdout,
      'nope.py: error: no such file or directory\nNo problems found in 1 checked file.\n1 file could not be checked (errors above).\n',
    );
  });

  test('findings and an error: both counts in the summary', () => {
    const dir = scratch();
    cpSync(path.join(FIXTURES, 'SKL104.py'), path.join(dir, 'train.py'));
    writeFileSync(path.join(dir, 'latin1.py'), Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
    const r = pipelint(['check', 'train.py', 'latin1.py'], dir);
    assert.equal(r.status, 2);
    assert.match(
      r.stdout,
      /\nlatin1\.py: error: cannot decode: not valid UTF-8\nFound \d+ problems in 1 file\.\n\[\*\] \d+ fixable with the `--fix` option\.\n1 file could not be checked \(errors above\)\.\n$/,
    );
  });

  test('errno codes become words', () => {
    const err = (code: string) => Object.assign(new Error(`${code}: raw`), { code });
    assert.equal(describeIoError(err('ENOENT')), 'no such file or directory');
    assert.equal(describeIoError(err('EACCES')), 'permission denied');
    assert.equal(describeIoError(err('EPERM')), 'permission denied');
    assert.equal(describeIoError(err('EISDIR')), 'is a directory, not a file');
    assert.equal(describeIoError(err('ENOTDIR')), 'a part of the path is not a directory');
    assert.equal(describeIoError(err('ELOOP')), 'too many symbolic links (a link that points to itself?)');
    assert.equal(describeIoError(err('ENOSPC')), 'no space left on the device');
    assert.equal(describeIoError(err('EWHATEVER')), 'EWHATEVER: raw', 'an unknown code keeps the system message');
  });

  test('a path through a file: "not a directory"; a symlink loop: in words', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'a.py'), 'x = 1\n');
    symlinkSync('loop.py', path.join(dir, 'loop.py'));
    const r = pipelint(['check', 'a.py/b.py', 'loop.py', '--format', 'json'], dir);
    assert.equal(r.status, 2);
    assert.deepEqual(JSON.parse(r.stdout).errors, [
      { path: 'a.py/b.py', message: 'cannot read: a part of the path is not a directory' },
      { path: 'loop.py', message: 'cannot read: too many symbolic links (a link that points to itself?)' },
    ]);
  });

  test('an unreadable file says "permission denied", not EACCES', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'secret.py'), 'x = 1\n');
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, 'secret.py'), 0o000);
    // Root reads every file: run the CLI as nobody then, so the test means the same everywhere.
    const asRoot = process.getuid?.() === 0;
    const r = spawnSync(process.execPath, [BIN, 'check', 'secret.py', '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).errors, [{ path: 'secret.py', message: 'cannot read: permission denied' }]);
  });

  test('diagram: a missing file, a directory, an unknown output type, an unwritable output, all in words', () => {
    const dir = scratch();
    cpSync(path.join(FIXTURES, 'SKL101.py'), path.join(dir, 'train.py'));
    mkdirSync(path.join(dir, 'pkg.py'));
    usage(['diagram', 'nope.py', '-o', 'out.svg'], 'cannot read nope.py: no such file or directory', dir);
    usage(['diagram', 'pkg.py', '-o', 'out.svg'], 'cannot read pkg.py: is a directory, not a file', dir);
    usage(
      ['diagram', 'train.py', '-o', 'out.png'],
      'cannot tell the format of -o out.png: name it .html, .svg or .json',
      dir,
    );
    usage(
      ['diagram', 'train.py', '-o', 'no/such/dir/out.svg'],
      'cannot write no/such/dir/out.svg: no such file or directory',
      dir,
    );
    usage(
      ['diagram', 'notes.txt', '-o', 'out.svg'],
      'cannot draw notes.txt: not a Python, notebook or TypeScript file (.py, .ipynb, .ts, .tsx, .mts, .cts, .js)',
      dir,
    );
    usage(['diagram', 'train.py'], '`pipelint diagram` needs -o OUT.html, -o OUT.svg or --json', dir);
    usage(
      ['diagram', '-o', 'out.svg'],
      '`pipelint diagram` needs FILE; usage: pipelint diagram FILE [--line N] (-o OUT.html | -o OUT.svg | --json)',
      dir,
    );
    usage(['diagram', 'train.py', '--line', 'x', '-o', 'out.svg'], '--line must be a positive integer', dir);
  });
});

describe('text output summary', () => {
  test('the count of files is the count of files with findings, out of those checked', () => {
    const dir = scratch();
    cpSync(path.join(FIXTURES, 'SKL104.py'), path.join(dir, 'a.py'));
    writeFileSync(path.join(dir, 'b.py'), 'x = 1\n');
    writeFileSync(path.join(dir, 'c.py'), 'y = 2\n');
    const r = pipelint(['check', '.'], dir);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /\nFound \d+ problems in 1 of 3 files\.\n/);
    cpSync(path.join(FIXTURES, 'SKL104.py'), path.join(dir, 'b.py'));
    cpSync(path.join(FIXTURES, 'SKL104.py'), path.join(dir, 'c.py'));
    assert.match(pipelint(['check', '.'], dir).stdout, /\nFound \d+ problems in 3 files\.\n/);
  });

  test('a skipped file is a warning with exit 0, and the summary says it was skipped', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'ok.py'), 'x = 1\n');
    writeFileSync(path.join(dir, 'big.py'), '# padding\n'.repeat(200));
    const r = pipelint(['check', '.', '--max-file-size', '1000'], dir);
    assert.equal(r.status, 0, 'skipping is not a failure');
    assert.equal(
      r.stdout,
      'big.py: warning: skipped: 2.0 KB is above the 1.0 KB limit (--max-file-size)\nAll checks passed (1 file; 1 skipped).\n',
    );
  });

  test('no files under the path: said so, not "All checks passed (0 files)"', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'notes.txt'), 'hello\n');
    const r = pipelint(['check', '.'], dir);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'No files to check: no .py, .ipynb or TypeScript files under the paths given.\n');
  });

  test('[*] marks only what --fix fixes: not notebook findings, and nothing after a --fix run', () => {
    const dir = scratch();
    const source = readFileSync(path.join(FIXTURES, 'SKL101.py'), 'utf8');
    cpSync(path.join(FIXTURES, 'SKL101.py'), path.join(dir, 'train.py'));
    const cell = (src: string) => ({
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: src.split(/(?<=\n)/),
    });
    const notebook = { cells: [cell(source)], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    writeFileSync(path.join(dir, 'explore.ipynb'), JSON.stringify(notebook, null, 1) + '\n');
    const text = JSON.stringify(notebook, null, 1) + '\n';
    writeFileSync(path.join(dir, 'explore.ipynb'), text);
    const nbFixes = JSON.parse(pipelint(['check', 'explore.ipynb', '--format', 'json'], dir).stdout).findings.filter(
      (f: any) => f.fix?.safety === 'safe',
    );
    assert.ok(nbFixes.length > 0, 'the notebook has findings with safe fixes');
    const before = pipelint(['check', '.'], dir).stdout.split('\n');
    assert.ok(
      before.some((l) => l.startsWith('train.py:') && l.endsWith('[*] (warning)')),
      'Python findings are marked',
    );
    const fixed = pipelint(['check', '.', '--fix'], dir);
    assert.doesNotMatch(
      fixed.stdout,
      /\[\*\]|fixable with the `--fix` option/,
      'nothing is marked fixable after --fix',
    );
    assert.match(fixed.stdout, /\nFixed \d+ problems\.\n$/);
    if (readFileSync(path.join(dir, 'explore.ipynb'), 'utf8') === text) {
      // `--fix` leaves notebooks alone (until it edits cells), so their findings must not promise a fix.
      const nbLines = before.filter((l) => l.startsWith('explore.ipynb:'));
      assert.ok(nbLines.length > 0 && nbLines.every((l) => !l.includes('[*]')), before.join('\n'));
    }
  });
});
