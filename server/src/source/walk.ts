import { promises as fs } from 'node:fs';
import path from 'node:path';
import { GlobSet } from './glob';
import { kindOfPath, WALKED_EXTENSIONS } from './languages';
import { GITIGNORE_MAX_BYTES } from './limits';
import { describeIoError, readRegularFile } from './files';

/** Directories no one wants linted; skipped like Ruff's defaults even without a .gitignore. */
const ALWAYS_SKIPPED = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.ipynb_checkpoints',
  'site-packages',
]);

export interface WalkedFile {
  /** Path to read. */
  absolute: string;
  /** Path to show: as given, or joined to the directory as given. */
  display: string;
}

interface IgnoreLayer {
  dir: string;
  matcher: GlobSet;
}

/**
 * Expands the CLI's path arguments into the files to analyse. Directories are walked honouring every
 * .gitignore on the way down (and those above the directory up to the repository root); files named
 * explicitly are always analysed.
 */
export async function collectFiles(
  args: string[],
  cwd: string,
): Promise<{ files: WalkedFile[]; missing: { path: string; message: string }[] }> {
  const files: WalkedFile[] = [];
  const missing: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    const absolute = path.resolve(cwd, arg);
    let stat;
    try {
      stat = await fs.stat(absolute);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Node.js decodes command-line arguments as UTF-8, so a name that is not valid UTF-8 arrives mangled.
      const mangled = code === 'ENOENT' && arg.includes('\ufffd');
      missing.push({
        path: arg,
        message: mangled
          ? 'no such file or directory (the name is not valid UTF-8, which pipelint cannot open by name; rename it, or name its directory)'
          : code === 'ENOENT'
            ? 'no such file or directory'
            : `cannot read: ${describeIoError(err)}`,
      });
      continue;
    }
    if (!stat.isDirectory() && !stat.isFile()) {
      // A FIFO, socket or device: reading it could block forever.
      missing.push({ path: arg, message: 'cannot read: not a regular file' });
      continue;
    }
    if (stat.isDirectory()) {
      let layers = await ancestorIgnores(absolute);
      // A directory named explicitly is linted even if an outer .gitignore covers it (as Ruff does).
      if (isUnderIgnored(layers, absolute)) layers = [];
      await walk(absolute, arg, layers, files, seen, missing);
    } else if (!seen.has(absolute)) {
      seen.add(absolute);
      files.push({ absolute, display: arg });
    }
  }
  return { files, missing };
}

async function readIgnore(dir: string): Promise<IgnoreLayer | undefined> {
  try {
    const bytes = await readRegularFile(path.join(dir, '.gitignore'), GITIGNORE_MAX_BYTES);
    if (!Buffer.isBuffer(bytes)) return undefined;
    const text = bytes.toString('utf8');
    return { dir, matcher: new GlobSet().add(text) };
  } catch {
    return undefined;
  }
}

/** .gitignore files from the repository root (the nearest folder with .git) down to `dir`'s parent. */
async function ancestorIgnores(dir: string): Promise<IgnoreLayer[]> {
  const chain: string[] = [];
  let cur = path.dirname(dir);
  for (let i = 0; i < 64; i++) {
    chain.unshift(cur);
    try {
      await fs.stat(path.join(cur, '.git'));
      break;
    } catch {
      /* keep climbing */
    }
    const up = path.dirname(cur);
    if (up === cur) return []; // not in a repository: outer .gitignore files do not apply
    cur = up;
  }
  const layers: IgnoreLayer[] = [];
  for (const d of chain) {
    const layer = await readIgnore(d);
    if (layer) layers.push(layer);
  }
  return layers;
}

function isUnderIgnored(layers: IgnoreLayer[], dir: string): boolean {
  for (let cur = dir; ;) {
    if (ignored(layers, cur, true)) return true;
    const up = path.dirname(cur);
    if (up === cur || !layers.some((l) => up.startsWith(l.dir))) return false;
    cur = up;
  }
}

function ignored(layers: IgnoreLayer[], absolute: string, isDir: boolean): boolean {
  for (const { dir, matcher } of layers) {
    const rel = path.relative(dir, absolute).split(path.sep).join('/');
    if (rel === '' || rel.startsWith('..')) continue;
    if (matcher.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

async function walk(
  dir: string,
  display: string,
  parentLayers: IgnoreLayer[],
  out: WalkedFile[],
  seen: Set<string>,
  problems: { path: string; message: string }[],
): Promise<void> {
  const own = await readIgnore(dir);
  const layers = own ? [...parentLayers, own] : parentLayers;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    // Never silently: an unreadable directory means files that were not checked.
    problems.push({ path: display, message: `cannot read directory: ${describeIoError(err)}` });
    return;
  }
  const rawNames = entries.some((e) => e.name.includes('\ufffd')) ? await rawEntryNames(dir) : undefined;
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const absolute = path.join(dir, entry.name);
    const shown = path.join(display, entry.name);
    if (
      rawNames?.has(entry.name) &&
      (entry.isDirectory() || WALKED_EXTENSIONS.has(path.extname(entry.name).toLowerCase()))
    ) {
      // Node.js returns such names with U+FFFD in place of the bad bytes, and cannot open them by that name.
      problems.push({ path: shown, message: 'skipped: the file name is not valid UTF-8 (rename it to check it)' });
      continue;
    }
    if (entry.isDirectory()) {
      if (ALWAYS_SKIPPED.has(entry.name) || ignored(layers, absolute, true)) continue;
      await walk(absolute, shown, layers, out, seen, problems);
    } else if (entry.isFile()) {
      if (!WALKED_EXTENSIONS.has(path.extname(entry.name).toLowerCase()) || !kindOfPath(entry.name)) continue;
      if (ignored(layers, absolute, false) || seen.has(absolute)) continue;
      seen.add(absolute);
      out.push({ absolute, display: shown });
    }
  }
}

/** The names in `dir` whose bytes are not valid UTF-8, as Node.js shows them (with U+FFFD). */
async function rawEntryNames(dir: string): Promise<Set<string>> {
  const bad = new Set<string>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const raw of await fs.readdir(dir, { encoding: 'buffer' }).catch(() => [] as Buffer[])) {
    try {
      decoder.decode(raw);
    } catch {
      bad.add(raw.toString('utf8'));
    }
  }
  return bad;
}
