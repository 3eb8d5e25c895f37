// First: V8 accepts a code cache only under the flags it was made under, so the check's flags are set before
// the compile (main.ts sets them again, to the same values).
import { undoYoungGenerationGrowth } from './v8flags';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/**
 * The `pipelint` command (dist/cli.js): runs the command line's bundle (dist/cli-main.js, 1 MB) compiled from
 * V8's code cache, as Node 22's module.enableCompileCache does (Node 20 has none). A check compiles some 600 KB
 * of the bundle's functions as it first calls them; with the cache their bytecode is read instead. 285
 * scikit-learn examples on one thread, 7 alternated runs (medians) without and with the cache: wall 920 -> 880
 * ms, CPU 1,220 -> 1,140 ms.
 *
 * The cache is a file per bundle (keyed by its size and time) and V8 version in dist/.cache/, made at the end of the
 * first check that found none (it then holds every function that check ran) and read by the next. V8 rejects a
 * cache from another V8 version, other flags or another source; a rejected or unreadable cache is only slower,
 * and is made again. Not for `pipelint server` (its V8 flags differ, and it runs for hours), nor with
 * PIPELINT_COMPILE_CACHE=0; a read-only install (dist/ not writable) runs without.
 */
const bundle = path.join(__dirname, 'cli-main.js');
const cacheDir = path.join(__dirname, '.cache');

if (process.argv[2] === 'server' || process.env.PIPELINT_COMPILE_CACHE === '0') createRequire(__filename)(bundle);
else runFromCodeCache();

function runFromCodeCache(): void {
  const source = readFileSync(bundle, 'utf8');
  // The bundle's size and time: a build writes both anew (hashing its content would load node:crypto, which a
  // check does not otherwise load). V8 itself also checks the source's length.
  const { size, mtimeMs } = statSync(bundle);
  const prefix = `cli-${process.versions.v8}-${process.arch}-`;
  const cacheFile = path.join(cacheDir, `${prefix}${size}-${Math.round(mtimeMs)}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // None yet (or unreadable): made at exit.
  }
  // CommonJS's own wrapper, on the bundle's first line: line numbers in stack traces stay the bundle's.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
  });
  if ((cachedData === undefined || script.cachedDataRejected) && process.argv[2] === 'check')
    process.once('exit', () => saveCodeCache(script, cacheFile, prefix));
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const mod = { exports: {}, filename: bundle, id: bundle, loaded: true };
  run.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, __dirname);
}

/** Writes the cache (whole or not at all: a temporary file renamed) and removes this V8's caches of older bundles. */
function saveCodeCache(script: Script, cacheFile: string, prefix: string): void {
  try {
    undoYoungGenerationGrowth();
    const data = script.createCachedData();
    mkdirSync(cacheDir, { recursive: true });
    // 'wx': a file or symbolic link already at the temporary name is not written through.
    const partial = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(partial, data, { flag: 'wx' });
    renameSync(partial, cacheFile);
    for (const name of readdirSync(cacheDir))
      if (name.startsWith(prefix) && name.endsWith('.bin') && path.join(cacheDir, name) !== cacheFile)
        unlinkSync(path.join(cacheDir, name));
  } catch {
    // A read-only install, a full disk: the next check compiles as this one did.
  }
}
