import { statSync } from 'node:fs';
import path from 'node:path';

/** What marks a repository root: searches for project files never climb above it. */
const VCS_MARKERS = ['.git', '.hg', '.svn', '.jj'];

/**
 * Where a search for project files (pipelint's config, requirement files) that starts in a directory stops,
 * as Ruff does: at the repository root (the nearest directory holding `.git`, `.hg`, `.svn` or `.jj`);
 * outside a repository, at the nearest of `roots` (the CLI's working directory and path arguments, the
 * editor's workspace folders) that holds the directory; else at the directory itself. So a stray
 * `/tmp/pipelint.toml` or `/tmp/requirements.txt` cannot speak for every project under `/tmp`.
 * Repository roots are cached per directory until `clear()`.
 */
export class ProjectRoots {
  private readonly vcsRoots = new Map<string, string | null>();
  private roots: string[];

  constructor(roots: string[] = []) {
    this.roots = roots.map((r) => path.resolve(r));
  }

  clear(): void {
    this.vcsRoots.clear();
  }

  setRoots(roots: string[]): void {
    this.roots = roots.map((r) => path.resolve(r));
    this.clear();
  }

  private vcsRoot(dir: string): string | null {
    const chain: string[] = [];
    let found: string | null = null;
    for (let cur = dir; ;) {
      const known = this.vcsRoots.get(cur);
      if (known !== undefined) {
        found = known;
        break;
      }
      chain.push(cur);
      if (VCS_MARKERS.some((m) => exists(path.join(cur, m)))) {
        found = cur;
        break;
      }
      const up = path.dirname(cur);
      if (up === cur) break;
      cur = up;
    }
    for (const d of chain) this.vcsRoots.set(d, found);
    return found;
  }

  /** The highest directory a search that starts in `dir` (absolute) may look in. */
  boundary(dir: string): string {
    const vcs = this.vcsRoot(dir);
    if (vcs) return vcs;
    const holding = this.roots.filter((r) => dir === r || dir.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
    // The nearest root that holds the directory: the longest path.
    return holding.sort((a, b) => b.length - a.length)[0] ?? dir;
  }
}

export function exists(file: string): boolean {
  try {
    // Most of the names asked about are absent: no error object for them (its stack trace costs more than the stat).
    return statSync(file, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}
