import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readRegularFileUpTo } from '../../server/src/source/files';
import { exists } from '../../server/src/project/roots';

/**
 * Issue 18: what `pipelint check` asks the file system per file, against the one-thread parse floor (which
 * opens, reads and closes each file), and the Node modules it loads. A preloaded script counts the built
 * CLI's calls through `node:fs` and lists the modules loaded.
 */
const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pipelint.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'python');

const COUNTER = `
const fs = require('node:fs');
const counts = { sourceStats: 0, thrownStats: 0, fdReadFileSync: 0, fstats: 0 };
const stat = fs.statSync;
fs.statSync = function (p) {
  if (/\\.(py|ipynb)$/.test(String(p))) counts.sourceStats++;
  try {
    return stat.apply(this, arguments);
  } catch (err) {
    counts.thrownStats++;
    throw err;
  }
};
const readFileSync = fs.readFileSync;
fs.readFileSync = function (p) {
  if (typeof p === 'number') counts.fdReadFileSync++;
  return readFileSync.apply(this, arguments);
};
const fstat = fs.fstatSync;
fs.fstatSync = function () {
  counts.fstats++;
  return fstat.apply(this, arguments);
};
process.on('exit', () => {
  counts.builtins = process.moduleLoadList.filter((m) => /^NativeModule (crypto|worker_threads)$/.test(m));
  fs.writeFileSync(process.env.PIPELINT_TEST_COUNTS, JSON.stringify(counts));
});
`;

function countedCheck(dir: string, env: Record<string, string>) {
  const counter = path.join(dir, 'counter.cjs');
  writeFileSync(counter, COUNTER);
  const counts = path.join(dir, 'counts.json');
  const r = spawnSync(process.execPath, ['-r', counter, BIN, 'check', 'src', '--format', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...env, PIPELINT_TEST_COUNTS: counts },
  });
  return {
    status: r.status,
    out: JSON.parse(r.stdout) as { summary: { files: number }; findings: unknown[] },
    counts: JSON.parse(readFileSync(counts, 'utf8')) as Record<string, number> & { builtins: string[] },
  };
}

describe('pipelint check: file-system calls per file, modules loaded', () => {
  test('one thread: each file opened, fstat-ed and read once; no stat of sources, no stat that throws', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-calls-'));
    // Folders, so that the config and repository-root searches ask about names that are absent in each.
    for (const [sub, fixture] of [
      ['a', 'SKL101.py'],
      ['b/c', 'SKL201.py'],
      ['b/d', 'SKL104.py'],
    ]) {
      mkdirSync(path.join(dir, 'src', sub), { recursive: true });
      cpSync(path.join(FIXTURES, fixture), path.join(dir, 'src', sub, fixture));
    }
    const r = countedCheck(dir, { PIPELINT_WORKERS: '0' });
    assert.equal(r.status, 1);
    assert.equal(r.out.summary.files, 3);
    assert.ok(r.out.findings.length >= 3);
    // The worker count is decided by PIPELINT_WORKERS: no stat of each file for its size.
    assert.equal(r.counts.sourceStats, 0);
    // The read: open, one fstat (the size it gives is read at once), close.
    assert.equal(r.counts.fstats, 3);
    assert.equal(r.counts.fdReadFileSync, 0);
    // Absent config files and repository markers are no errors (no stack trace each).
    assert.equal(r.counts.thrownStats, 0);
    // Nor does one thread load what only workers and --fix use.
    assert.deepEqual(r.counts.builtins, []);
  });

  test('without PIPELINT_WORKERS the sizes decide the worker count: each file is stat-ed once', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-calls-'));
    mkdirSync(path.join(dir, 'src'));
    for (const f of ['SKL101.py', 'SKL201.py']) cpSync(path.join(FIXTURES, f), path.join(dir, 'src', f));
    const r = countedCheck(dir, { PIPELINT_WORKERS: '' });
    assert.equal(r.out.summary.files, 2);
    // Two files on one CPU: one thread whatever their size, nothing to stat.
    assert.equal(r.counts.sourceStats, availableParallelism() > 1 ? 2 : 0);
  });
});

describe('readRegularFileUpTo', () => {
  test('reads what readFileSync reads: empty, small, large files, and /proc files that say they are empty', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-read-'));
    for (const size of [0, 1, 4095, 4096, 65_537, 1_000_003]) {
      const file = path.join(dir, `f${size}.py`);
      writeFileSync(file, Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 256)));
      const read = readRegularFileUpTo(file, 5_000_000);
      assert.ok(Buffer.isBuffer(read));
      assert.ok(read.equals(readFileSync(file)), `${size} bytes`);
      if (size > 0) assert.deepEqual(readRegularFileUpTo(file, size - 1), { tooLarge: size });
    }
    if (process.platform === 'linux') {
      const proc = readRegularFileUpTo('/proc/self/cmdline', 5_000_000);
      assert.ok(Buffer.isBuffer(proc) && proc.length > 0, 'a /proc file (size 0) is read to its end');
    }
  });

  test('exists: true for a file or a folder, false for an absent name or a path through a file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-exists-'));
    writeFileSync(path.join(dir, 'file'), 'x');
    assert.equal(exists(path.join(dir, 'file')), true);
    assert.equal(exists(dir), true);
    assert.equal(exists(path.join(dir, 'absent')), false);
    assert.equal(exists(path.join(dir, 'file', 'below')), false);
  });
});
