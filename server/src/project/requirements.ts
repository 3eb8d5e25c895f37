import path from 'node:path';
import { parse as parseToml } from 'smol-toml';

/**
 * What a project's requirement files say about scikit-learn. A requirement *pins* scikit-learn when it
 * admits one minor release series at most (`==1.2.1`, `===1.2.1`, `~=1.2.1`, `==1.2.*`,
 * `>=1.2,<1.3`, conda's `=1.2`, Poetry's `~1.2.1` or bare `1.2.1`, a direct URL, an entry in a lock
 * file): scikit-learn keeps pickles loadable across bug-fix releases of one series in practice, and
 * does not across minor releases (it warns with InconsistentVersionWarning, and estimators' internals
 * change between them). A lower bound alone, a `<` bound wider than one series (`<2`), Poetry's
 * caret and `*` do not pin.
 */
export type Pin = 'exact' | 'series' | 'range' | 'none';

export function isPinned(pin: Pin): boolean {
  return pin === 'exact' || pin === 'series';
}

export interface SklearnEntry {
  /** 0-based line of the entry in its file. */
  line: number;
  /** The entry as written (trimmed), e.g. `scikit-learn>=1.0`. */
  text: string;
  pin: Pin;
  /** The deprecated `sklearn` package name (a stub that installs whatever scikit-learn is newest). */
  alias?: boolean;
}

export type RequirementKind = 'requirements' | 'pyproject' | 'setup.cfg' | 'setup.py' | 'conda' | 'pipfile' | 'lock';

export interface ParsedRequirements {
  kind: RequirementKind;
  /** The file declares dependencies (a pyproject.toml with only tool settings does not). */
  declares: boolean;
  sklearn: SklearnEntry[];
  /** Other requirement files it includes (`-r base.txt`, `-c constraints.txt`), resolved to absolute paths. */
  includes: string[];
}

/** Requirement file names looked for in each directory (and in a `requirements/` folder below it). */
export function requirementKind(name: string): RequirementKind | undefined {
  const n = name.toLowerCase();
  if (/^(requirements|constraints)[\w.-]*\.(txt|in)$/.test(n)) return 'requirements';
  if (n === 'pyproject.toml') return 'pyproject';
  if (n === 'setup.cfg') return 'setup.cfg';
  if (n === 'setup.py') return 'setup.py';
  if (/^(environment|conda)[\w.-]*\.ya?ml$/.test(n)) return 'conda';
  if (n === 'pipfile') return 'pipfile';
  if (n === 'pipfile.lock' || n === 'poetry.lock' || n === 'uv.lock' || n === 'pdm.lock' || n === 'conda-lock.yml')
    return 'lock';
  return undefined;
}

/** PEP 503 normalised distribution name. */
function normName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function isSklearnName(name: string): 'scikit-learn' | 'sklearn' | undefined {
  const n = normName(name);
  return n === 'scikit-learn' ? 'scikit-learn' : n === 'sklearn' ? 'sklearn' : undefined;
}

type Version = number[];

function parseVersion(v: string): { version: Version; wildcard: boolean } | undefined {
  const m = /^v?(\d+(?:\.\d+)*)(\.\*)?/.exec(v.trim());
  if (!m) return undefined;
  return { version: m[1].split('.').map(Number), wildcard: !!m[2] };
}

/** The release series (major, minor) a version belongs to. */
function series(v: Version): string {
  return `${v[0] ?? 0}.${v[1] ?? 0}`;
}

/**
 * The pin of a PEP 440 specifier list (`>=1.2,<1.3`, `~=1.2.1`, `==1.2.*`). Bounds are combined: the spec
 * pins when its lowest and highest admitted versions fall in one minor series.
 */
export function pinOfPep440(spec: string): Pin {
  const clauses = spec
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (clauses.length === 0) return 'none';
  let low: Version | undefined;
  let highSeries: string | undefined;
  for (const c of clauses) {
    const m = /^(===|==|~=|>=|<=|!=|>|<)\s*(.+)$/.exec(c);
    if (!m) continue;
    const [, op, rest] = m;
    if (op === '===') return 'exact';
    const parsed = parseVersion(rest);
    if (!parsed) continue;
    const v = parsed.version;
    if (op === '==') {
      if (!parsed.wildcard) return 'exact';
      // `==1.2.*` pins a series, `==1.*` does not.
      if (v.length >= 2) return 'series';
      low = v;
      highSeries = `${v[0]}.∞`;
      continue;
    }
    if (op === '~=') {
      // `~=1.2.1` is >=1.2.1, ==1.2.*; `~=1.2` is >=1.2, ==1.*.
      if (v.length >= 3) return 'series';
      low = v;
      highSeries = `${v[0]}.∞`;
      continue;
    }
    if (op === '>=' || op === '>') low = v;
    else if (op === '<=') highSeries = series(v);
    else if (op === '<') {
      // Below 1.3 (or 1.3.0) the highest series is 1.2; below 1.3.2 it is 1.3.
      const patchZero = v.slice(2).every((x) => x === 0);
      if (v.length >= 2 && patchZero) highSeries = v[1] > 0 ? `${v[0]}.${v[1] - 1}` : `${v[0] - 1}.∞`;
      else if (v.length >= 2) highSeries = series(v);
      else highSeries = `${v[0] - 1}.∞`;
    }
  }
  if (low && highSeries && series(low) === highSeries) return 'series';
  return 'range';
}

/** Poetry's constraint syntax: `^1.2`, `~1.2.1`, `1.2.1`, `*`, or PEP 440 operators. */
export function pinOfPoetry(spec: string): Pin {
  const s = spec.trim();
  if (s === '' || s === '*') return 'none';
  if (s.startsWith('^')) {
    // ^0.24.2 means >=0.24.2,<0.25.0: a series for 0.x versions, a range otherwise.
    const v = parseVersion(s.slice(1))?.version;
    return v && v[0] === 0 && v.length >= 2 && v[1] > 0 ? 'series' : 'range';
  }
  if (s.startsWith('~') && !s.startsWith('~=')) {
    const v = parseVersion(s.slice(1))?.version;
    return v && v.length >= 2 ? 'series' : 'range';
  }
  if (/^\d/.test(s)) {
    const p = parseVersion(s);
    if (!p) return 'range';
    if (!p.wildcard) return 'exact';
    return p.version.length >= 2 ? 'series' : 'range';
  }
  return pinOfPep440(s);
}

/** Conda's match spec: `scikit-learn=1.2` (a prefix: 1.2.*), `scikit-learn==1.2.1`, `scikit-learn 1.2.1 py39_0`, `>=1.0`. */
export function pinOfConda(spec: string): Pin {
  const s = spec.trim().split(/\s+/)[0] ?? '';
  if (s === '' || s === '*') return 'none';
  if (/^=[^=]/.test(s) || /^\d/.test(s)) {
    // `=1.2.1=py39_0`: the version, then a build string.
    const p = parseVersion(s.replace(/^=/, '').split('=')[0]);
    if (!p) return 'range';
    if (p.version.length >= 3 && !p.wildcard) return 'exact';
    return p.version.length >= 2 ? 'series' : 'range';
  }
  return pinOfPep440(s);
}

/** One PEP 508 requirement (`scikit-learn[alldeps]>=1.0; python_version>"3.8"`): name and pin, if it names scikit-learn. */
function pep508(text: string): { name: 'scikit-learn' | 'sklearn'; pin: Pin } | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/.exec(text);
  if (!m) return undefined;
  const name = isSklearnName(m[1]);
  if (!name) return undefined;
  const rest = m[3].split(';')[0].trim();
  if (name === 'sklearn') return { name, pin: 'none' };
  // A direct reference (`scikit-learn @ https://.../scikit_learn-1.2.1-...whl`) names one artifact.
  if (rest.startsWith('@')) return { name, pin: 'exact' };
  const spec = rest.replace(/^\(|\)$/g, '');
  return { name, pin: spec === '' ? 'none' : pinOfPep440(spec) };
}

function entry(line: number, text: string, found: { name: 'scikit-learn' | 'sklearn'; pin: Pin }): SklearnEntry {
  return { line, text: text.trim(), pin: found.pin, ...(found.name === 'sklearn' ? { alias: true } : {}) };
}

function lineIndex(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** pip's requirements format: one requirement a line, `#` comments, `\` continuations, `-r`/`-c` includes. */
function parseRequirementsTxt(text: string, file: string): ParsedRequirements {
  const out: ParsedRequirements = { kind: 'requirements', declares: true, sklearn: [], includes: [] };
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, ' ') + lines[++i];
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const include = /^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(line);
    if (include) {
      if (!/^[a-z]+:\/\//i.test(include[1])) out.includes.push(path.resolve(path.dirname(file), include[1]));
      continue;
    }
    if (line.startsWith('-')) continue; // -e ., --index-url, ...
    const found = pep508(line.replace(/\s--hash[=\s]\S+/g, ''));
    if (found) out.sklearn.push(entry(start, line, found));
  }
  return out;
}

/** The line where a dependency string or key is written (the first line naming it). */
function lineNaming(text: string, needle: RegExp, from = 0): number {
  needle.lastIndex = 0;
  const m = needle.exec(text.slice(from));
  return m ? lineIndex(text, from + m.index) : 0;
}

function pepList(value: unknown, text: string, out: ParsedRequirements): void {
  if (!Array.isArray(value)) return;
  for (const v of value) {
    if (typeof v !== 'string') continue;
    const found = pep508(v);
    if (!found) continue;
    const escaped = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const line = lineNaming(text, new RegExp(`["']${escaped}["']`));
    out.sklearn.push(entry(line, v, found));
  }
}

function poetryTable(value: unknown, text: string, out: ParsedRequirements): void {
  if (!value || typeof value !== 'object') return;
  for (const [name, spec] of Object.entries(value as Record<string, unknown>)) {
    const which = isSklearnName(name);
    if (!which) continue;
    const version =
      typeof spec === 'string'
        ? spec
        : spec && typeof spec === 'object'
          ? (spec as Record<string, unknown>).version
          : undefined;
    const direct = spec && typeof spec === 'object' && ('git' in spec || 'url' in spec || 'path' in spec);
    const pin: Pin =
      which === 'sklearn' ? 'none' : direct ? 'exact' : typeof version === 'string' ? pinOfPoetry(version) : 'none';
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const line = lineNaming(text, new RegExp(`^\\s*["']?${escaped}["']?\\s*=`, 'm'));
    const shown = text.split(/\r\n|\n|\r/)[line] ?? name;
    out.sklearn.push({ line, text: shown.trim(), pin, ...(which === 'sklearn' ? { alias: true } : {}) });
  }
}

function get(doc: unknown, ...keys: string[]): unknown {
  let cur = doc;
  for (const k of keys) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

function parsePyproject(text: string): ParsedRequirements {
  const out: ParsedRequirements = { kind: 'pyproject', declares: false, sklearn: [], includes: [] };
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch {
    return out; // a broken pyproject.toml declares nothing we can read
  }
  const project = get(doc, 'project');
  if (Array.isArray(get(project, 'dependencies'))) {
    out.declares = true;
    pepList(get(project, 'dependencies'), text, out);
  }
  const optional = get(project, 'optional-dependencies');
  if (optional && typeof optional === 'object') {
    out.declares = true;
    for (const list of Object.values(optional as Record<string, unknown>)) pepList(list, text, out);
  }
  const groups = get(doc, 'dependency-groups');
  if (groups && typeof groups === 'object') {
    out.declares = true;
    for (const list of Object.values(groups as Record<string, unknown>)) pepList(list, text, out);
  }
  const poetry = get(doc, 'tool', 'poetry');
  for (const table of [get(poetry, 'dependencies'), get(poetry, 'dev-dependencies')]) {
    if (table && typeof table === 'object') {
      out.declares = true;
      poetryTable(table, text, out);
    }
  }
  const poetryGroups = get(poetry, 'group');
  if (poetryGroups && typeof poetryGroups === 'object') {
    for (const g of Object.values(poetryGroups as Record<string, unknown>)) {
      const deps = get(g, 'dependencies');
      if (deps && typeof deps === 'object') {
        out.declares = true;
        poetryTable(deps, text, out);
      }
    }
  }
  const pdm = get(doc, 'tool', 'pdm', 'dev-dependencies');
  if (pdm && typeof pdm === 'object') {
    out.declares = true;
    for (const list of Object.values(pdm as Record<string, unknown>)) pepList(list, text, out);
  }
  return out;
}

/** setup.cfg: `install_requires` under `[options]` and the lists under `[options.extras_require]`. */
function parseSetupCfg(text: string): ParsedRequirements {
  const out: ParsedRequirements = { kind: 'setup.cfg', declares: false, sklearn: [], includes: [] };
  const lines = text.split(/\r\n|\n|\r/);
  let section = '';
  let inList = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const header = /^\s*\[([^\]]+)\]/.exec(raw);
    if (header) {
      section = header[1].trim();
      inList = false;
      continue;
    }
    const kv = /^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv) {
      inList = (section === 'options' && kv[1] === 'install_requires') || section === 'options.extras_require';
      if (inList) out.declares = true;
      if (inList && kv[2].trim()) addPep(kv[2], i, raw);
      continue;
    }
    if (inList && /^\s+\S/.test(raw)) addPep(raw, i, raw);
    else if (raw.trim() !== '' && !/^\s*[#;]/.test(raw)) inList = false;
  }
  function addPep(value: string, line: number, raw: string) {
    const found = pep508(value.replace(/(^|\s)#.*$/, '').trim());
    if (found) out.sklearn.push(entry(line, raw, found));
  }
  return out;
}

/** setup.py: string literals naming scikit-learn, when the file calls setup with install_requires. */
function parseSetupPy(text: string): ParsedRequirements {
  const out: ParsedRequirements = {
    kind: 'setup.py',
    declares: /\binstall_requires\b/.test(text),
    sklearn: [],
    includes: [],
  };
  if (!out.declares) return out;
  const re = /(['"])((?:scikit[-_.]learn|sklearn)\b[^'"\n]*)\1/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const found = pep508(m[2]);
    if (found) out.sklearn.push(entry(lineIndex(text, m.index), m[2], found));
  }
  return out;
}

/** environment.yml: `- scikit-learn=1.2` under `dependencies`, and pip's syntax under `- pip:`. */
function parseConda(text: string): ParsedRequirements {
  const out: ParsedRequirements = {
    kind: 'conda',
    declares: /^dependencies\s*:/m.test(text),
    sklearn: [],
    includes: [],
  };
  const lines = text.split(/\r\n|\n|\r/);
  let pipIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)-\s*(['"]?)([^'"#]*)\2/.exec(lines[i]);
    if (!m) continue;
    const indent = m[1].length;
    const item = m[3].trim();
    if (/^pip\s*:/.test(item)) {
      pipIndent = indent;
      continue;
    }
    const inPip = pipIndent >= 0 && indent > pipIndent;
    if (!inPip) pipIndent = -1;
    if (inPip) {
      const found = pep508(item);
      if (found) out.sklearn.push(entry(i, lines[i].replace(/^\s*-\s*/, ''), found));
      continue;
    }
    // `conda-forge::scikit-learn=1.2`
    const cm = /^(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*?)(?=[\s=<>!~]|$)(.*)$/.exec(item);
    if (!cm) continue;
    const name = isSklearnName(cm[1]);
    if (!name) continue;
    out.sklearn.push({
      line: i,
      text: item,
      pin: name === 'sklearn' ? 'none' : pinOfConda(cm[2]),
      ...(name === 'sklearn' ? { alias: true } : {}),
    });
  }
  return out;
}

function parsePipfile(text: string): ParsedRequirements {
  const out: ParsedRequirements = { kind: 'pipfile', declares: false, sklearn: [], includes: [] };
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch {
    return out;
  }
  for (const key of ['packages', 'dev-packages']) {
    const table = get(doc, key);
    if (!table || typeof table !== 'object') continue;
    out.declares = true;
    // Entries are looked for below their table's header (a name may be in both tables).
    const header = new RegExp(`^\\s*\\[\\s*["']?${key}["']?\\s*\\]`, 'm').exec(text);
    const from = header ? header.index : 0;
    for (const [name, spec] of Object.entries(table as Record<string, unknown>)) {
      const which = isSklearnName(name);
      if (!which) continue;
      const version = typeof spec === 'string' ? spec : get(spec, 'version');
      const direct = spec && typeof spec === 'object' && ('git' in spec || 'file' in spec || 'path' in spec);
      const pin: Pin =
        which === 'sklearn'
          ? 'none'
          : direct
            ? 'exact'
            : typeof version === 'string' && version.trim() !== '*'
              ? pinOfPep440(version)
              : 'none';
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const line = lineNaming(text, new RegExp(`^\\s*["']?${escaped}["']?\\s*=`, 'm'), from);
      out.sklearn.push({
        line,
        text: (text.split(/\r\n|\n|\r/)[line] ?? name).trim(),
        pin,
        ...(which === 'sklearn' ? { alias: true } : {}),
      });
    }
  }
  return out;
}

/** A lock file records one version of everything it resolves: scikit-learn listed there is pinned. */
function parseLock(text: string, name: string): ParsedRequirements {
  const out: ParsedRequirements = { kind: 'lock', declares: true, sklearn: [], includes: [] };
  const re =
    name.toLowerCase() === 'pipfile.lock'
      ? /"scikit-learn"\s*:\s*\{/i
      : /^\s*-?\s*name\s*[=:]\s*["']?scikit-learn["']?\s*$/im;
  const m = re.exec(text);
  if (m) out.sklearn.push({ line: lineIndex(text, m.index), text: m[0].trim(), pin: 'exact' });
  return out;
}

/** Parses one requirement file by its name. Never throws: an unreadable format declares nothing. */
export function parseRequirementFile(file: string, text: string): ParsedRequirements | undefined {
  const kind = requirementKind(path.basename(file));
  switch (kind) {
    case 'requirements':
      return parseRequirementsTxt(text, file);
    case 'pyproject':
      return parsePyproject(text);
    case 'setup.cfg':
      return parseSetupCfg(text);
    case 'setup.py':
      return parseSetupPy(text);
    case 'conda':
      return parseConda(text);
    case 'pipfile':
      return parsePipfile(text);
    case 'lock':
      return parseLock(text, path.basename(file));
    default:
      return undefined;
  }
}
