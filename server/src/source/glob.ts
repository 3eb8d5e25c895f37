/**
 * Gitignore-style globs for `.gitignore` files and `per-file-ignores`, matched without regular
 * expressions. Globs come from the repository, so a hostile one must not stall the linter: the `ignore`
 * package compiles them to backtracking regexes (`a/**\/**\/.../b` took 10.7 s per file, x6.5 per two more
 * `**\/`). Here every match is a dynamic programme: O(pattern segments x path segments) over segments, and
 * O(pattern length x name length) within one.
 *
 * Semantics (gitignore(5)): blank lines and `#` comments are skipped; trailing blanks are dropped unless
 * escaped; `!` re-includes; a trailing `/` matches directories only; a pattern with a `/` at its start or
 * in its middle is anchored to its base directory, otherwise it matches at any depth; `**` as a whole
 * segment matches any number of directories (a trailing `/**` at least one: everything inside); `*`, `?`
 * and `[...]` (`[!...]`, ranges) match within one segment; `\` escapes. A path under an ignored directory
 * is ignored (a file cannot be re-included when its directory is excluded); the last matching rule wins.
 */

type Token =
  | { kind: 'char'; c: string }
  | { kind: 'any' }
  | { kind: 'star' }
  | { kind: 'class'; negate: boolean; items: (string | [string, string])[] };

/** One path segment's pattern; `globstar` for a `**` segment. */
type Segment = Token[] | 'globstar';

interface Rule {
  segments: Segment[];
  negate: boolean;
  dirOnly: boolean;
  /** A trailing `/**`: matches what is inside, not the directory itself. */
  insideOnly: boolean;
}

function tokenize(seg: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\' && i + 1 < seg.length) out.push({ kind: 'char', c: seg[++i] });
    else if (c === '?') out.push({ kind: 'any' });
    else if (c === '*') {
      if (out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' }); // `**` inside a segment is `*`
    } else if (c === '[') {
      const cls = readClass(seg, i);
      if (cls) {
        out.push(cls.token);
        i = cls.end;
      } else out.push({ kind: 'char', c });
    } else out.push({ kind: 'char', c });
  }
  return out;
}

function readClass(seg: string, open: number): { token: Token; end: number } | undefined {
  let i = open + 1;
  let negate = false;
  if (seg[i] === '!' || seg[i] === '^') {
    negate = true;
    i++;
  }
  const items: (string | [string, string])[] = [];
  let first = true;
  for (; i < seg.length; i++) {
    let c = seg[i];
    if (c === ']' && !first) return { token: { kind: 'class', negate, items }, end: i };
    first = false;
    if (c === '\\' && i + 1 < seg.length) c = seg[++i];
    if (seg[i + 1] === '-' && i + 2 < seg.length && seg[i + 2] !== ']') {
      let hi = seg[i + 2];
      i += 2;
      if (hi === '\\' && i + 1 < seg.length) hi = seg[++i];
      items.push([c, hi]);
    } else items.push(c);
  }
  return undefined; // no closing bracket: a literal '['
}

function tokenMatches(t: Token, c: string): boolean {
  switch (t.kind) {
    case 'char':
      return t.c === c;
    case 'any':
      return true;
    case 'class': {
      const hit = t.items.some((it) => (typeof it === 'string' ? it === c : it[0] <= c && c <= it[1]));
      return hit !== t.negate;
    }
    case 'star':
      return false;
  }
}

/** Wildcard match of one segment: the classic two-pointer algorithm with one saved star, O(n x m) worst case. */
function matchSegment(tokens: Token[], name: string): boolean {
  let t = 0;
  let s = 0;
  let starT = -1;
  let starS = 0;
  while (s < name.length) {
    if (t < tokens.length && tokens[t].kind === 'star') {
      starT = t++;
      starS = s;
    } else if (t < tokens.length && tokenMatches(tokens[t], name[s])) {
      t++;
      s++;
    } else if (starT >= 0) {
      t = starT + 1;
      s = ++starS;
    } else return false;
  }
  while (t < tokens.length && tokens[t].kind === 'star') t++;
  return t === tokens.length;
}

/** Matches pattern segments against path segments; `**` spans any number of them. Memoised: O(P x S). */
function matchSegments(pattern: Segment[], path: string[], insideOnly: boolean): boolean {
  const memo = new Uint8Array((pattern.length + 1) * (path.length + 1)); // 0 unknown, 1 no, 2 yes
  const go = (p: number, s: number): boolean => {
    const key = p * (path.length + 1) + s;
    if (memo[key]) return memo[key] === 2;
    let ok: boolean;
    if (p === pattern.length) ok = s === path.length;
    else {
      const seg = pattern[p];
      if (seg === 'globstar') {
        // A trailing `**` of `dir/**` needs at least one segment; any other takes zero or more.
        const min = insideOnly && p === pattern.length - 1 ? 1 : 0;
        ok = false;
        for (let k = s + min; k <= path.length && !ok; k++) ok = go(p + 1, k);
      } else ok = s < path.length && matchSegment(seg, path[s]) && go(p + 1, s + 1);
    }
    memo[key] = ok ? 2 : 1;
    return ok;
  };
  return go(0, 0);
}

function parseRule(line: string): Rule | undefined {
  let text = line.replace(/\r$/, '');
  // Trailing blanks go unless escaped with a backslash. A loop, not /[ \t]+$/: that regex is quadratic on a
  // long run of blanks followed by anything else (175 K blanks took minutes in the fuzzer).
  let end = text.length;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  if (end < text.length && end > 0 && text[end - 1] === '\\') end++; // `\ ` keeps one blank
  text = text.slice(0, end);
  if (text === '' || text.startsWith('#')) return undefined;
  let negate = false;
  if (text.startsWith('!')) {
    negate = true;
    text = text.slice(1);
  } else if (text.startsWith('\\!') || text.startsWith('\\#')) text = text.slice(1);
  let dirOnly = false;
  if (text.endsWith('/') && !text.endsWith('\\/')) {
    dirOnly = true;
    while (text.endsWith('/')) text = text.slice(0, -1); // not /\/+$/: quadratic on many slashes then text
  }
  if (text === '') return undefined;
  const anchored = text.includes('/');
  const parts = text
    .replace(/^\/+/, '')
    .split('/')
    .filter((p, i, all) => p !== '' || i === all.length - 1);
  const segments: Segment[] = [];
  for (const p of parts) {
    const seg: Segment = p === '**' ? 'globstar' : tokenize(p);
    // Consecutive `**` segments mean the same as one.
    if (seg === 'globstar' && segments[segments.length - 1] === 'globstar') continue;
    segments.push(seg);
  }
  if (!anchored && segments[0] !== 'globstar') segments.unshift('globstar');
  const insideOnly = segments.length > 1 && segments[segments.length - 1] === 'globstar';
  return { segments, negate, dirOnly, insideOnly };
}

/** A set of gitignore rules (from one `.gitignore` or one `per-file-ignores` key), relative to one base directory. */
export class GlobSet {
  private readonly rules: Rule[] = [];

  /** Adds patterns: a `.gitignore` text (one a line) or a list. */
  add(patterns: string | readonly string[]): this {
    const lines = typeof patterns === 'string' ? patterns.split('\n') : patterns;
    for (const line of lines) {
      const rule = parseRule(line);
      if (rule) this.rules.push(rule);
    }
    return this;
  }

  /** Whether a path (relative, `/`-separated; a trailing `/` marks a directory) is matched. */
  ignores(relative: string): boolean {
    const isDir = relative.endsWith('/');
    const segs = relative.split('/').filter((s) => s !== '' && s !== '.');
    if (segs.length === 0) return false;
    // A path under an excluded directory stays excluded, whatever later rules say about the path itself.
    for (let i = 1; i < segs.length; i++) if (this.decide(segs.slice(0, i), true)) return true;
    return this.decide(segs, isDir);
  }

  private decide(segs: string[], isDir: boolean): boolean {
    let result = false;
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const r = this.rules[i];
      if (r.dirOnly && !isDir) continue;
      if (matchSegments(r.segments, segs, r.insideOnly)) {
        result = !r.negate;
        break;
      }
    }
    return result;
  }
}
