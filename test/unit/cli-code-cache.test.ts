import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

/**
 * The `pipelint` command runs its bundle from V8's code cache (server/src/cli/launch.ts): made by the first
 * check, read by the next ones. Each test runs a copy of the built command in its own folder, so that its
 * cache is its own (dist/.cache/ beside the copy).
 */
const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'python');

function installedCopy(): { cli: string; cacheDir: string; project: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-cache-'));
  const dist = path.join(dir, 'pkg', 'dist');
  mkdirSync(dist, { recursive: true });
  for (const f of ['cli.js', 'cli-main.js', 'tree-sitter.wasm', 'tree-sitter-python.wasm'])
    cpSync(path.join(ROOT, 'dist', f), path.join(dist, f));
  const project = path.join(dir, 'project');
  mkdirSync(project);
  for (const f of ['SKL101.py', 'SKL201.py', 'SKL104.py']) cpSync(path.join(FIXTURES, f), path.join(project, f));
  return { cli: path.join(dist, 'cli.js'), cacheDir: path.join(dist, '.cache'), project };
}

function run(cli: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PIPELINT_WORKERS: '0', ...env },
  });
  return { status: r.status, stdout: r.stdout.replace(/"durationMs": \d+/, ''), stderr: r.stderr };
}

/** The code cache's files (the folder also holds the memory reader's mark: python/parser.ts, checkedOnce). */
function cacheFiles(cacheDir: string): string[] {
  return existsSync(cacheDir)
    ? readdirSync(cacheDir)
        .filter((f) => !f.startsWith('tree-memory-'))
        .map((f) => path.join(cacheDir, f))
    : [];
}

function marks(cacheDir: string): string[] {
  return existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.startsWith('tree-memory-')) : [];
}

describe("the command runs its bundle from V8's code cache", () => {
  test('the first check makes the cache; the next one is served by it (V8 accepts it: not made again), same output', () => {
    const { cli, cacheDir, project } = installedCopy();
    const first = run(cli, ['check', project, '--format', 'json']);
    assert.equal(first.status, 1, first.stderr);
    assert.equal(first.stderr, '');
    const made = cacheFiles(cacheDir);
    assert.equal(made.length, 1, made.join(' '));
    const before = statSync(made[0]);
    // It holds the functions the check ran, not only the bundle's top level.
    assert.ok(before.size > 300_000, `${before.size} bytes`);

    const second = run(cli, ['check', project, '--format', 'json']);
    assert.equal(second.status, 1, second.stderr);
    assert.equal(second.stdout, first.stdout);
    // A rejected cache (other V8 flags at exit than at start, say) would be made again: a new file by rename.
    assert.deepEqual(cacheFiles(cacheDir), made);
    assert.equal(statSync(made[0]).ino, before.ino);
    assert.equal(statSync(made[0]).mtimeMs, before.mtimeMs);

    const uncached = run(cli, ['check', project, '--format', 'json'], { PIPELINT_COMPILE_CACHE: '0' });
    assert.equal(uncached.stdout, first.stdout);
    // The memory reader was checked once: by the first check, which left its mark.
    assert.deepEqual(marks(cacheDir), [marks(cacheDir)[0]]);
    assert.match(marks(cacheDir)[0], /^tree-memory-cli-main\.js-/);
  });

  test('a damaged cache is only slower: same findings, and a good cache replaces it', () => {
    const { cli, cacheDir, project } = installedCopy();
    const clean = run(cli, ['check', project, '--format', 'json']);
    const [file] = cacheFiles(cacheDir);
    writeFileSync(file, Buffer.alloc(4096, 7));
    const damaged = run(cli, ['check', project, '--format', 'json']);
    assert.equal(damaged.status, 1, damaged.stderr);
    assert.equal(damaged.stderr, '');
    assert.equal(damaged.stdout, clean.stdout);
    assert.ok(statSync(file).size > 300_000, 'made again');
    assert.deepEqual(cacheFiles(cacheDir), [file], 'no temporary file left');
  });

  test('no cache from a command that is not a check, nor with PIPELINT_COMPILE_CACHE=0', () => {
    const { cli, cacheDir, project } = installedCopy();
    assert.equal(run(cli, ['--version']).status, 0);
    assert.equal(run(cli, ['check', project, '--format', 'json'], { PIPELINT_COMPILE_CACHE: '0' }).status, 1);
    assert.deepEqual(cacheFiles(cacheDir), []);
  });
});
