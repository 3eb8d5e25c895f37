import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { writeIfUnchanged } from '../../server/src/cli/check';
import { writeFileAtomic } from '../../server/src/fix/write';
import { saveExport } from '../../client/src/exportFile';

/**
 * Issue 16, items 1-4: every write goes through `writeFileAtomic`; `check --fix` and `diagram -o` are
 * driven through the real CLI so that each write path meets the symlink, mode, owner, BOM and CRLF tests.
 */

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pipelint.js');

function pipelint(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scratch(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-write-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const LAMBDA = 'from sklearn.preprocessing import FunctionTransformer\n\nft = FunctionTransformer(lambda x: x + 1)\n';
const FIXED =
  'from sklearn.preprocessing import FunctionTransformer\n\n\ndef _ft(x):\n    return x + 1\n\n\nft = FunctionTransformer(_ft)\n';
const PIPELINE =
  'from sklearn.pipeline import Pipeline\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.linear_model import LogisticRegression\n\npipe = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])\n';

/** The write paths, each as "write `file` from `dir`" through the real CLI, and what a write puts there. */
const WRITERS: {
  name: string;
  setup: (dir: string) => string;
  run: (dir: string, file: string) => void | Promise<void>;
  check: (text: string) => void;
}[] = [
  {
    name: 'check --fix',
    setup: (dir) => (writeFileSync(path.join(dir, 'a.py'), LAMBDA), 'a.py'),
    run: (dir, file) => assert.equal(pipelint(['check', '--isolated', '--fix', file], dir).status, 0),
    check: (text) => assert.equal(text, FIXED),
  },
  {
    name: 'diagram -o',
    setup: (dir) => (
      writeFileSync(path.join(dir, 'p.py'), PIPELINE),
      writeFileSync(path.join(dir, 'out.svg'), 'old diagram\n'),
      'out.svg'
    ),
    run: (dir, file) => assert.equal(pipelint(['diagram', 'p.py', '-o', file], dir).status, 0),
    check: (text) => assert.match(text, /^<\?xml[^]*<svg[^]*StandardScaler/),
  },
  {
    // The VS Code diagram panel's SVG and PNG export (client/src/diagramPanel.ts), as it calls it for a file: URI; the
    // editor's own file system is used only for other schemes, and a call to it here fails the test.
    name: 'VS Code diagram export',
    setup: (dir) => (writeFileSync(path.join(dir, 'p.pipeline.svg'), 'old diagram\n'), 'p.pipeline.svg'),
    run: (dir, file) =>
      saveExport(
        { scheme: 'file', fsPath: path.join(dir, file) },
        Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<svg><text>StandardScaler</text></svg>\n'),
        () => {
          throw new Error('a file: URI must not go through the editor file system');
        },
      ),
    check: (text) => assert.match(text, /^<\?xml[^]*<svg[^]*StandardScaler/),
  },
];

describe('writeFileAtomic: every write path', () => {
  for (const w of WRITERS) {
    test(`${w.name}: a symlinked file is written through to its target; the link stays a link`, async () => {
      const dir = scratch();
      const name = w.setup(dir);
      const real = path.join(dir, 'real-' + name);
      writeFileSync(real, readFileSync(path.join(dir, name)));
      const link = path.join(dir, name);
      rmSync(link);
      symlinkSync('real-' + name, link);
      await w.run(dir, name);
      assert.ok(lstatSync(link).isSymbolicLink(), 'still a symlink');
      assert.equal(readlinkSync(link), 'real-' + name);
      w.check(readFileSync(real, 'utf8'));
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.includes('.tmp')),
        [],
      );
    });

    test(`${w.name}: mode bits (664, 777, 1777, 4755) are kept`, async () => {
      for (const mode of [0o664, 0o777, 0o1777, 0o4755]) {
        const dir = scratch();
        const name = w.setup(dir);
        const file = path.join(dir, name);
        chmodSync(file, mode);
        await w.run(dir, name);
        assert.equal((statSync(file).mode & 0o7777).toString(8), mode.toString(8));
        w.check(readFileSync(file, 'utf8'));
      }
    });

    test(`${w.name}: owner and group are kept (when running as root)`, { skip: process.getuid?.() !== 0 }, async () => {
      const dir = scratch();
      const name = w.setup(dir);
      const file = path.join(dir, name);
      chownSync(file, 4321, 8765);
      await w.run(dir, name);
      assert.deepEqual([statSync(file).uid, statSync(file).gid], [4321, 8765]);
      w.check(readFileSync(file, 'utf8'));
    });

    test(`${w.name}: hard links stay linked, every name sees the new content`, async () => {
      const dir = scratch();
      const name = w.setup(dir);
      const file = path.join(dir, name);
      linkSync(file, path.join(dir, 'twin'));
      await w.run(dir, name);
      assert.equal(statSync(file).ino, statSync(path.join(dir, 'twin')).ino);
      w.check(readFileSync(path.join(dir, 'twin'), 'utf8'));
    });
  }

  test('check --fix keeps a UTF-8 BOM, CRLF and CR line ends', () => {
    const files = {
      'bom.py': '\ufeff' + LAMBDA,
      'crlf.py': LAMBDA.replace(/\n/g, '\r\n'),
      'cr.py': LAMBDA.replace(/\n/g, '\r'),
    };
    const dir = scratch(files);
    assert.equal(pipelint(['check', '--isolated', '--fix', '.'], dir).status, 0);
    assert.equal(readFileSync(path.join(dir, 'bom.py'), 'utf8'), '\ufeff' + FIXED);
    assert.equal(readFileSync(path.join(dir, 'crlf.py'), 'utf8'), FIXED.replace(/\n/g, '\r\n'));
    assert.equal(readFileSync(path.join(dir, 'cr.py'), 'utf8'), FIXED.replace(/\n/g, '\r'));
  });

  test('check --diff on BOM, CRLF and CR files: git apply takes the patch and gives what --fix writes', () => {
    const files = {
      'bom.py': '\ufeff' + LAMBDA,
      'crlf.py': LAMBDA.replace(/\n/g, '\r\n'),
      'cr.py': LAMBDA.replace(/\n/g, '\r'),
    };
    const dir = scratch(files);
    const r = pipelint(['check', '--isolated', '--diff', '.'], dir);
    assert.equal(r.status, 1, r.stderr);
    writeFileSync(path.join(dir, 'fix.patch'), r.stdout);
    const applied = spawnSync('git', ['apply', '--whitespace=nowarn', 'fix.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(applied.status, 0, applied.stderr);
    const fixDir = scratch(files);
    pipelint(['check', '--isolated', '--fix', '.'], fixDir);
    for (const name of Object.keys(files))
      assert.equal(readFileSync(path.join(dir, name), 'utf8'), readFileSync(path.join(fixDir, name), 'utf8'), name);
  });

  test('a symlink planted at the old temporary name (<file>.pipelint-<pid>.tmp) is not written through', async () => {
    const dir = scratch({ 'a.py': 'before\n', 'victim.txt': 'precious\n' });
    const file = path.join(dir, 'a.py');
    symlinkSync(path.join(dir, 'victim.txt'), `${file}.pipelint-${process.pid}.tmp`);
    await writeIfUnchanged(file, Buffer.from('before\n'), 'after\n');
    assert.equal(readFileSync(path.join(dir, 'victim.txt'), 'utf8'), 'precious\n');
    assert.equal(readFileSync(file, 'utf8'), 'after\n');
    assert.ok(lstatSync(file).isFile() && !lstatSync(file).isSymbolicLink());
  });

  test('new files get 0666 minus the umask; a dangling symlink, a directory or a FIFO is refused', async () => {
    const dir = scratch();
    await writeFileAtomic(path.join(dir, 'new.txt'), 'x');
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the umask the writer must honour
    assert.equal(statSync(path.join(dir, 'new.txt')).mode & 0o777, 0o666 & ~process.umask());
    symlinkSync(path.join(dir, 'missing'), path.join(dir, 'dangling'));
    await assert.rejects(writeFileAtomic(path.join(dir, 'dangling'), 'x'), /symbolic link to a missing file/);
    await assert.rejects(writeFileAtomic(dir, 'x'), /not a regular file/);
    spawnSync('mkfifo', [path.join(dir, 'fifo')]);
    await assert.rejects(writeFileAtomic(path.join(dir, 'fifo'), 'x'), /not a regular file/);
    assert.deepEqual(readdirSync(dir).sort(), ['dangling', 'fifo', 'new.txt']);
  });
});

describe('--report-unused-noqa --fix removes only pipelint codes (issue 16, item 1)', () => {
  test("other linters' codes, a bare noqa and a reason after the codes survive; the result still parses", () => {
    const text = [
      'import os  # noqa: F401',
      'z = 3  # noqa: SKL102 because reasons',
      'y = 4  # noqa',
      'w = 5  # noqa: E501, SKL101',
      'v = 1  # type: ignore  # noqa: SKL201',
      'u = 2  # noqa: SKL999',
      '',
    ].join('\n');
    const dir = scratch({ 'a.py': text });
    const r = pipelint(['check', '--isolated', '--report-unused-noqa', '--fix', 'a.py'], dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(
      readFileSync(path.join(dir, 'a.py'), 'utf8'),
      [
        'import os  # noqa: F401',
        'z = 3  # because reasons',
        'y = 4  # noqa',
        'w = 5  # noqa: E501',
        'v = 1  # type: ignore',
        'u = 2',
        '',
      ].join('\n'),
    );
    const parsed = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', path.join(dir, 'a.py')],
      { encoding: 'utf8' },
    );
    assert.equal(parsed.status, 0, parsed.stderr);
  });
});

/**
 * Every place the code writes a file, found by a scan for the Node and VS Code write calls. Each is either
 * the shared helper or listed here with why it needs no atomic write; a new write call fails this test
 * until it goes through `writeFileAtomic` (and into WRITERS above) or is listed.
 */
const WRITE_CALL =
  /\b(writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|copyFileSync|copyFile|renameSync|rename|truncate|symlink)\s*\(|\bworkspace\.fs\.(writeFile|copy|rename)\b/g;
const KNOWN_WRITES: Record<string, { count: number; why: string }> = {
  'server/src/fix/write.ts': {
    count: 3,
    why: 'the helper itself: the temporary file, the rename, the truncation after an in-place rewrite of a hard-linked file',
  },
  'client/src/diagramPanel.ts': {
    count: 1,
    why: "saveExport's fallback (SVG and PNG export, one writeExport) for non-file: URIs (remote and virtual workspaces), where no local path exists",
  },
  'client/src/extension.ts': {
    count: 1,
    why: 'the e2e harness writes its results file (only under PIPELINT_E2E_RESULTS)',
  },
  'server/src/cli/launch.ts': {
    count: 2,
    why: "the CLI's V8 code cache in the package's own dist/.cache/ (never a user's file): a temporary file opened 'wx' (nothing already there is written through), renamed whole",
  },
  'server/src/python/parser.ts': {
    count: 1,
    why: "the empty file that remembers a memory-reader check that agreed, in the package's own dist/.cache/ (never a user's file), opened 'wx'",
  },
  'server/src/knowledge/generate_scikitjs.mjs': {
    count: 1,
    why: 'developer script that regenerates the committed knowledge JSON',
  },
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name)) out.push(rel);
  }
  return out;
}

test('every write call in the code is the shared atomic write or listed with its reason', () => {
  const found: Record<string, number> = {};
  for (const file of [
    ...sourceFiles('server/src'),
    ...sourceFiles('client/src'),
    ...sourceFiles('webview/src'),
    ...sourceFiles('bin'),
  ]) {
    // Comments do not write; strings that name write functions (the SKL502 rule's tables) have no call parentheses.
    const code = readFileSync(path.join(ROOT, file), 'utf8')
      .replace(/\/\*[^]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');
    const n = [...code.matchAll(WRITE_CALL)].length;
    if (n > 0) found[file.split(path.sep).join('/')] = n;
  }
  const expected = Object.fromEntries(Object.entries(KNOWN_WRITES).map(([f, w]) => [f, w.count]));
  assert.deepEqual(
    found,
    expected,
    'a write call was added or removed: route new writes through writeFileAtomic (server/src/fix/write.ts) and add them to WRITERS, or list them in KNOWN_WRITES with the reason',
  );
});
