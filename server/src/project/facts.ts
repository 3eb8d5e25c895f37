import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readRegularFileSync } from '../source/files';
import { REQUIREMENTS_MAX_BYTES } from '../source/limits';
import {
  parseRequirementFile,
  requirementKind,
  type ParsedRequirements,
  type RequirementKind,
  type SklearnEntry,
} from './requirements';
import type { ProjectRoots } from './roots';

/** One requirement file of the project, as rules see it. */
export interface RequirementFileFacts {
  /** The file as the driver names files: a path like the analysed file's (CLI), a file URI (server). */
  uri: string;
  /** Relative to the analysed file's directory (`requirements.txt`, `../pyproject.toml`), for messages. */
  shown: string;
  kind: RequirementKind;
  /** Entries naming scikit-learn. */
  sklearn: SklearnEntry[];
}

/**
 * What rules may know about the project a file belongs to: facts read from files that are not source
 * (today its requirement files). Both drivers compute them with `ProjectFactsResolver`, and hand them to
 * the analysis through `AnalyzeOptions.project`.
 */
export interface ProjectFacts {
  /** Requirement files that declare dependencies, from the file's directory up to the project root, nearest first. */
  requirements: RequirementFileFacts[];
}

/** Larger files are not read (a lock file of a big project is well below this). */
/** `-r` includes followed this deep (a cycle is cut by the visited set). */
const MAX_INCLUDE_DEPTH = 4;

interface CachedFile {
  mtimeMs: number;
  size: number;
  parsed: ParsedRequirements | undefined;
}

/**
 * Finds and reads the requirement files above an analysed file, up to the project root (the same stop as
 * the config search: `ProjectRoots`). Directory listings are cached per directory and parsed files per
 * path; with `revalidate` (the language server) a file whose size or modification time changed is read
 * again, and `clear()` (a requirement file was created or deleted) forgets the listings.
 */
export class ProjectFactsResolver {
  private readonly listings = new Map<string, string[]>();
  private readonly files = new Map<string, CachedFile>();

  constructor(
    private readonly roots: ProjectRoots,
    private readonly options: { revalidate?: boolean } = {},
  ) {}

  clear(): void {
    this.listings.clear();
    this.files.clear();
  }

  /**
   * Facts for `file` (absolute). `toUri` names a requirement file the way the driver names the analysed
   * file (relative display paths in the CLI, URIs in the server).
   */
  factsFor(file: string, toUri: (absolute: string) => string): ProjectFacts {
    const dir = path.dirname(path.resolve(file));
    const stop = this.roots.boundary(dir);
    const found: string[] = [];
    for (let cur = dir; ;) {
      found.push(...this.listing(cur));
      const up = path.dirname(cur);
      if (up === cur || cur === stop || !isInside(up, stop)) break;
      cur = up;
    }
    const seen = new Set<string>();
    const requirements: RequirementFileFacts[] = [];
    const visit = (abs: string, depth: number) => {
      if (seen.has(abs)) return;
      seen.add(abs);
      const parsed = this.parsed(abs);
      if (!parsed?.declares) return;
      requirements.push({
        uri: toUri(abs),
        shown: path.relative(dir, abs).split(path.sep).join('/') || path.basename(abs),
        kind: parsed.kind,
        sklearn: parsed.sklearn,
      });
      if (depth < MAX_INCLUDE_DEPTH) for (const inc of parsed.includes) visit(inc, depth + 1);
    };
    for (const f of found) visit(f, 0);
    return { requirements };
  }

  /** Requirement files in `dir` and in its `requirements/` folder, sorted by name. */
  private listing(dir: string): string[] {
    const cached = this.listings.get(dir);
    if (cached) return cached;
    const out: string[] = [];
    const scan = (d: string, sub: boolean) => {
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const n of names.sort()) {
        if (sub ? /\.(txt|in)$/i.test(n) : requirementKind(n) !== undefined) out.push(path.join(d, n));
        else if (!sub && n === 'requirements') scan(path.join(d, n), true);
      }
    };
    scan(dir, false);
    this.listings.set(dir, out);
    return out;
  }

  private parsed(abs: string): ParsedRequirements | undefined {
    const cached = this.files.get(abs);
    if (cached && !this.options.revalidate) return cached.parsed;
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      return undefined;
    }
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.parsed;
    let parsed: ParsedRequirements | undefined;
    if (stat.isFile() && stat.size <= REQUIREMENTS_MAX_BYTES) {
      try {
        // Files in a `requirements/` folder are pip's format whatever their name.
        const name =
          path.basename(path.dirname(abs)) === 'requirements' && !requirementKind(path.basename(abs))
            ? 'requirements.txt'
            : path.basename(abs);
        parsed = parseRequirementFile(path.join(path.dirname(abs), name), readRegularFileSync(abs).toString('utf8'));
      } catch {
        parsed = undefined;
      }
    }
    this.files.set(abs, { mtimeMs: stat.mtimeMs, size: stat.size, parsed });
    return parsed;
  }
}

function isInside(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}
