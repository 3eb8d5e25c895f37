import { statSync } from 'node:fs';
import { readRegularFileSync } from '../source/files';
import { ProjectRoots } from '../project/roots';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { allRules } from '../rules';
import {
  ConfigError,
  type LoadedConfig,
  type PerFileIgnore,
  type PipelintConfig,
  type SeverityOverride,
} from './types';

/** Config file names looked for in each directory, in this order; the first that configures pipelint wins. */
export const CONFIG_FILES = ['pipelint.toml', '.pipelint.toml', 'pyproject.toml'] as const;

export const CONFIG_KEYS = [
  'select',
  'extend-select',
  'ignore',
  'per-file-ignores',
  'severity',
  'seed',
  'fail-on',
] as const;
const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'];
const FAIL_LEVELS = ['error', 'warning', 'information', 'hint'];

/** True when `code` (a rule code, a prefix such as "SKL2", or "ALL") selects at least one rule. */
export function isKnownSelector(code: string): boolean {
  const c = code.toUpperCase();
  return c === 'ALL' || allRules.some((r) => r.meta.code.startsWith(c));
}

/** Parses and validates one config file's text. `pyproject` reads `[tool.pipelint]` (absent: undefined). */
export function parseConfigText(text: string, file: string): PipelintConfig | undefined {
  const pyproject = path.basename(file) === 'pyproject.toml';
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      throw new ConfigError(file, err.line, undefined, `invalid TOML: ${reason}`);
    }
    throw new ConfigError(file, undefined, undefined, `invalid TOML: ${String(err)}`);
  }
  const prefix = pyproject ? ['tool', 'pipelint'] : [];
  let table: unknown = doc;
  for (const k of prefix)
    table = table && typeof table === 'object' ? (table as Record<string, unknown>)[k] : undefined;
  if (table === undefined) return undefined;
  const keyName = (keys: string[]) => [...prefix, ...keys].join('.');
  const fail = (keys: string[], reason: string): never => {
    throw new ConfigError(file, lineOfKey(text, [...prefix, ...keys]), keyName(keys), reason);
  };
  if (!isTable(table)) return fail([], 'must be a table');
  const out: PipelintConfig = {};
  const codeList = (key: string, value: unknown, at: string[] = [key]): string[] => {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      return fail(at, 'must be a list of rule codes, e.g. ["SKL101", "SKL2"]');
    const codes = (value as string[]).map((v) => v.trim().toUpperCase());
    for (const c of codes) if (!isKnownSelector(c)) fail(at, `unknown rule code "${c}" (see \`pipelint rules\`)`);
    return codes;
  };
  for (const [key, value] of Object.entries(table)) {
    switch (key) {
      case 'select':
        out.select = codeList(key, value);
        break;
      case 'extend-select':
        out.extendSelect = codeList(key, value);
        break;
      case 'ignore':
        out.ignore = codeList(key, value);
        break;
      case 'per-file-ignores': {
        if (!isTable(value)) return fail([key], 'must be a table of glob = ["CODE", ...]');
        const entries: PerFileIgnore[] = [];
        for (const [pattern, codes] of Object.entries(value))
          entries.push({ pattern, codes: codeList(key, codes, [key, pattern]) });
        out.perFileIgnores = entries;
        break;
      }
      case 'severity': {
        if (!isTable(value))
          return fail([key], 'must be a table of CODE = "error" | "warning" | "information" | "hint" | "off"');
        const sev: Record<string, SeverityOverride> = {};
        for (const [code, level] of Object.entries(value)) {
          if (!isKnownSelector(code) || code.toUpperCase() === 'ALL')
            fail([key, code], `unknown rule code "${code}" (see \`pipelint rules\`)`);
          if (typeof level !== 'string' || !SEVERITIES.includes(level))
            fail([key, code], `must be one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')}`);
          sev[code.toUpperCase()] = level as SeverityOverride;
        }
        out.severity = sev;
        break;
      }
      case 'seed':
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 2 ** 32 - 1)
          fail([key], 'must be an integer between 0 and 4294967295');
        out.seed = value as number;
        break;
      case 'fail-on':
        if (typeof value !== 'string' || !FAIL_LEVELS.includes(value))
          fail([key], `must be one of ${FAIL_LEVELS.map((s) => `"${s}"`).join(', ')}`);
        out.failOn = value as PipelintConfig['failOn'];
        break;
      default: {
        if (key === 'tool' && !pyproject)
          fail([key], 'in pipelint.toml the keys go at the top level, without a [tool.pipelint] table');
        const near = suggest(key, CONFIG_KEYS);
        fail([key], `unknown key${near ? ` (did you mean "${near}"?)` : ''}; known keys: ${CONFIG_KEYS.join(', ')}`);
      }
    }
  }
  return out;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function suggest(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  return known.find((k) => norm(k) === norm(key)) ?? known.find((k) => distance(k, key) <= 2);
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** Splits a TOML dotted key (`tool."pipelint".severity`) into its parts. */
function splitKey(s: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < s.length && (m = re.exec(s))) {
    parts.push(m[1] ?? m[2] ?? m[3]);
    if (m[4] === '') break;
  }
  return parts;
}

/**
 * A dotted key and its `=`: parts (bare, "basic", 'literal') joined by dots, blanks only around the dots.
 * Each blank can be matched one way only; a key pattern whose parts could also match blanks took cubic time on
 * a line of blanks (a 9 KB config with two such lines: 17 s).
 */
const KEY_PART = `(?:"(?:[^"\\\\]|\\\\.)*"|'[^']*'|[A-Za-z0-9_-]+)`;
const KEY_VALUE = new RegExp(`^[ \\t]*(${KEY_PART}(?:[ \\t]*\\.[ \\t]*${KEY_PART})*)[ \\t]*=`);

/**
 * The 1-based line where a key is written: the line whose table header plus dotted key is the key's path,
 * else the line of its nearest written ancestor (an inline table, a table header).
 */
export function lineOfKey(text: string, keyPath: string[]): number | undefined {
  const lines = text.split(/\r\n|\n|\r/);
  let table: string[] = [];
  let best: { line: number; depth: number } | undefined;
  const consider = (full: string[], line: number) => {
    let depth = 0;
    while (depth < full.length && depth < keyPath.length && full[depth] === keyPath[depth]) depth++;
    // An ancestor of the key (or the key itself), or a table header that defines the key implicitly.
    if ((depth === full.length || depth === keyPath.length) && depth > 0 && (!best || depth > best.depth))
      best = { line, depth };
  };
  lines.forEach((raw, i) => {
    // Keys are short; a huge line (hostile or minified) would make the lazy key pattern below quadratic.
    if (raw.length > 4096) return;
    const header = /^\s*\[\[?([^\]]+)\]\]?\s*(#.*)?$/.exec(raw);
    if (header) {
      table = splitKey(header[1]);
      consider(table, i + 1);
      return;
    }
    const kv = KEY_VALUE.exec(raw);
    if (kv) consider([...table, ...splitKey(kv[1])], i + 1);
  });
  if (best) return best.line;
  // Inside an inline table or a multi-line array: the first line that names the last key.
  const last = keyPath[keyPath.length - 1];
  if (last) {
    // One RegExp for all lines (it was compiled per line: seconds on a 600 KB file).
    const assigned = new RegExp(`(^|[\\s{,])${last.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*=`);
    const idx = lines.findIndex(
      (l) => l.length <= 4096 && (l.includes(`"${last}"`) || l.includes(`'${last}'`) || assigned.test(l)),
    );
    if (idx >= 0) return idx + 1;
  }
  return undefined;
}

/** Reads one file; undefined when it does not configure pipelint (a pyproject.toml without the table). */
export function loadConfigFile(file: string): LoadedConfig | undefined {
  let text: string;
  try {
    text = readRegularFileSync(file).toString('utf8');
  } catch (err) {
    throw new ConfigError(
      file,
      undefined,
      undefined,
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  // Blanks, not \s: `^\s*` under /m runs across every following blank line from each line start, which made
  // an 80 KB pyproject.toml of blank lines take 33-47 s. TOML keys and headers never span lines.
  if (
    path.basename(file) === 'pyproject.toml' &&
    !/^[ \t]*\[[ \t]*["']?tool["']?[ \t]*\.[ \t]*["']?pipelint\b|^[ \t]*["']?tool["']?[ \t]*\.[ \t]*["']?pipelint\b|^[ \t]*["']?pipelint["']?[ \t]*[.=]|\btool[ \t]*=[ \t]*\{/m.test(
      text,
    )
  )
    return undefined;
  const config = parseConfigText(text, file);
  if (!config) return undefined;
  return { path: file, dir: path.dirname(file), config };
}

interface CachedFile {
  mtimeMs: number;
  size: number;
  result: LoadedConfig | ConfigError | undefined;
}

/**
 * Finds the configuration for each analysed file: the nearest config file in its directory or above,
 * up to the project's root and no further (see `ProjectRoots`). Lookups are cached per directory; with
 * `revalidate` (the language server) a cached file is re-read when its size or modification time
 * changed. `clear()` forgets everything (a config file was created or deleted).
 */
export class ConfigResolver {
  private readonly dirs = new Map<string, string | null>();
  private readonly files = new Map<string, CachedFile>();
  /** Where searches stop; shared with the requirement-file search (project facts). */
  readonly roots: ProjectRoots;

  constructor(private readonly options: { revalidate?: boolean; roots?: string[] } = {}) {
    this.roots = new ProjectRoots(options.roots ?? []);
  }

  clear(): void {
    this.dirs.clear();
    this.files.clear();
    this.roots.clear();
  }

  /** The editor's workspace folders changed. */
  setRoots(roots: string[]): void {
    this.roots.setRoots(roots);
    this.clear();
  }

  private boundary(dir: string): string {
    return this.roots.boundary(dir);
  }

  /** The configuration for a file (absolute path); undefined when none applies. Throws ConfigError. */
  forFile(file: string): LoadedConfig | undefined {
    return this.forDirectory(path.dirname(path.resolve(file)));
  }

  forDirectory(dir: string): LoadedConfig | undefined {
    const found = this.find(dir);
    return found ? this.load(found) : undefined;
  }

  /** Loads an explicitly named file (`--config`). */
  explicit(file: string): LoadedConfig {
    const abs = path.resolve(file);
    const loaded = this.load(abs);
    if (!loaded) throw new ConfigError(abs, undefined, undefined, 'has no [tool.pipelint] table');
    return loaded;
  }

  private find(dir: string): string | undefined {
    const chain: string[] = [];
    const stop = this.boundary(dir);
    let cur = dir;
    let found: string | null | undefined;
    for (;;) {
      const known = this.dirs.get(cur);
      if (known !== undefined) {
        found = known;
        break;
      }
      chain.push(cur);
      const here = CONFIG_FILES.map((n) => path.join(cur, n)).find((f) => this.configures(f));
      if (here) {
        found = here;
        break;
      }
      const up = path.dirname(cur);
      if (up === cur || cur === stop) {
        found = null;
        break;
      }
      cur = up;
    }
    for (const d of chain) this.dirs.set(d, found ?? null);
    return found ?? undefined;
  }

  private configures(file: string): boolean {
    try {
      // Asked for each config file name in each directory, most of them absent: no error object for those.
      if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
    } catch {
      return false;
    }
    if (path.basename(file) !== 'pyproject.toml') return true;
    try {
      return this.load(file) !== undefined;
    } catch {
      return true; // a broken pyproject.toml that mentions pipelint: report it rather than skip it
    }
  }

  private load(file: string): LoadedConfig | undefined {
    let stat: { mtimeMs: number; size: number } | undefined;
    const cached = this.files.get(file);
    if (cached && !this.options.revalidate) return unwrap(cached.result);
    try {
      stat = statSync(file);
    } catch {
      stat = undefined;
    }
    if (cached && stat && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return unwrap(cached.result);
    let result: CachedFile['result'];
    try {
      result = loadConfigFile(file);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      result = err;
    }
    this.files.set(file, { mtimeMs: stat?.mtimeMs ?? 0, size: stat?.size ?? 0, result });
    return unwrap(result);
  }
}

function unwrap(r: CachedFile['result']): LoadedConfig | undefined {
  if (r instanceof ConfigError) throw r;
  return r;
}
