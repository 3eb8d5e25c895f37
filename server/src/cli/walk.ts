import { promises as fs } from 'node:fs';
import path from 'node:path';
import { GlobSet } from '../config/glob';
import { kindOfPath, WALKED_EXTENSIONS } from '../languages';
import { describeIoError } from './args';

/** Directories no one wants linted; skipped like Ruff's defaults even without a .gitignore. */
const ALWAYS_SKIPPED = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.ipynb_checkpoints', 'site-packages']);

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
export async function collectFiles(args: string[], cwd: string): Promise<{ files: WalkedFile[]; missing: { path: string; message: string }[] }> {
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
      missing.push({ path: arg, message: code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${describeIoError(err)}` });
      continue;
    }
    if (stat.isDirectory()) {
      let layers = await ancestorIgnores(absolute);
      // A directory named explicitly is linted even if an outer .gitignore covers it (as Ruff does).
      if (isUnderIgnored(layers, absolute)) layers = [];
      await walk(absolute, arg, layers, files, seen);
    } else if (!seen.has(absolute)) {
      seen.add(absolute);
      files.push({ absolute, display: arg });
    }
  }
  return { files, missing };
}

async function readIgnore(dir: string): Promise<IgnoreLayer | undefined> {
  try {
    const text = await fs.readFile(path.join(dir, '.gitignore'), 'utf8');
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
  for (let cur = dir; ; ) {
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

async function walk(dir: string, display: string, parentLayers: IgnoreLayer[], out: WalkedFile[], seen: Set<string>): Promise<void> {
  const own = await readIgnore(dir);
  const layers = own ? [...parentLayers, own] : parentLayers;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const absolute = path.join(dir, entry.name);
    const shown = path.join(display, entry.name);
    if (entry.isDirectory()) {
      if (ALWAYS_SKIPPED.has(entry.name) || ignored(layers, absolute, true)) continue;
      await walk(absolute, shown, layers, out, seen);
    } else if (entry.isFile()) {
      if (!WALKED_EXTENSIONS.has(path.extname(entry.name).toLowerCase()) || !kindOfPath(entry.name)) continue;
      if (ignored(layers, absolute, false) || seen.has(absolute)) continue;
      seen.add(absolute);
      out.push({ absolute, display: shown });
    }
  }
}
