import type { Finding, TextEdit } from '../model/finding';
import type { Position, Range } from '../model/ir';
import { computeLineStarts, eolOf, lineText, offsetAt, positionAt } from '../model/text';
import { ruleByCode } from '../rules';

/**
 * Suppression comments, read from the source text:
 * - Python: `# noqa` (every finding that starts on the line), `# noqa: SKL101, SKL102`,
 *   `# pipelint: disable-file` and `# pipelint: disable-file=SKL201,SKL301` (anywhere in the file).
 * - TypeScript / JavaScript: `// pipelint-disable-next-line [SKL201 ...]`, `// pipelint-disable-line [...]`,
 *   `// pipelint-disable-file [...]` (block comments work too).
 * A finding is matched on the line where it starts. Codes are separated by commas or spaces; the list
 * ends at the first word that is not a code, so a reason may follow (`# noqa: SKL101 reviewed`).
 */

export type Language = 'python' | 'typescript';

export interface CodeSpan {
  code: string;
  /** Where the code is written (0-based, one line). */
  range: Range;
}

export interface Directive {
  kind: 'noqa' | 'disable-next-line' | 'disable-line' | 'disable-file';
  /** 0-based line the directive applies to; undefined for file-wide directives. */
  target: number | undefined;
  /** 'all' for a bare directive; else the codes as written (upper-cased). */
  codes: 'all' | CodeSpan[];
  /** The directive's own text (from `#`/`noqa`/`pipelint` to the last code). */
  range: Range;
  /** The whole comment that holds it. */
  comment: Range;
  /** True when the directive is everything the comment says (so removing it removes the comment). */
  wholeComment: boolean;
  /** `noqa:` (or `=`) followed by no code: suppresses nothing. */
  malformed?: boolean;
}

interface Comment {
  /** Offsets of the comment in the text, including its `#` / `//` / `/*`. */
  start: number;
  end: number;
}

const HASH = 35,
  DQ = 34,
  BACKSLASH = 92,
  LF = 10,
  CR = 13;
const DQ1 = /[\\"\r\n]/g;
const SQ1 = /[\\'\r\n]/g;
const DQ3 = /\\|"""/g;
const SQ3 = /\\|'''/g;

/** Comments of a Python source, skipping strings (including triple-quoted and prefixed ones). */
export function pythonComments(text: string, strings: Comment[] = []): Comment[] {
  // Character codes and native searches: the server runs this on every keystroke over the whole file.
  const out: Comment[] = [];
  const n = text.length;
  const special = /[#"']/g;
  const lineEnd = /[\r\n]/g;
  let i = 0;
  while (i < n) {
    special.lastIndex = i;
    const m = special.exec(text);
    if (!m) break;
    i = m.index;
    const c = text.charCodeAt(i);
    if (c === HASH) {
      lineEnd.lastIndex = i;
      const j = lineEnd.exec(text)?.index ?? n;
      out.push({ start: i, end: j });
      i = j;
      continue;
    }
    const from = i;
    const triple = text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c;
    // The string's end: its closing quote(s), or (not triple-quoted) the end of the line; a backslash
    // escapes the next character.
    const stop = c === DQ ? (triple ? DQ3 : DQ1) : triple ? SQ3 : SQ1;
    i += triple ? 3 : 1;
    for (;;) {
      stop.lastIndex = i;
      const e = stop.exec(text);
      if (!e) {
        i = n;
        break;
      }
      i = e.index;
      const d = text.charCodeAt(i);
      if (d === BACKSLASH) {
        i += 2;
        continue;
      }
      if (d !== LF && d !== CR) i += triple ? 3 : 1;
      break;
    }
    strings.push({ start: from, end: Math.min(i, n) });
  }
  return out;
}

/** Comments of a TypeScript / JavaScript source, skipping strings and template literals. */
export function typescriptComments(text: string, strings: Comment[] = []): Comment[] {
  const out: Comment[] = [];
  const n = text.length;
  // Brace depth of each open `${` of a template literal, innermost last.
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const template = (): void => {
    // Inside a template literal's text, after its opening backtick or a closing `}`.
    const from = i;
    const done = () => strings.push({ start: from, end: Math.min(i, n) });
    while (i < n) {
      if (text[i] === '\\') {
        i += 2;
        continue;
      }
      if (text[i] === '`') {
        i++;
        done();
        return;
      }
      if (text[i] === '$' && text[i + 1] === '{') {
        i += 2;
        templates.push(depth);
        depth++;
        done();
        return;
      }
      i++;
    }
    done();
  };
  while (i < n) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      let j = i;
      while (j < n && text[j] !== '\n' && text[j] !== '\r') j++;
      out.push({ start: i, end: j });
      i = j;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const j = close < 0 ? n : close + 2;
      out.push({ start: i, end: j });
      i = j;
    } else if (c === '"' || c === "'") {
      const from = i;
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      strings.push({ start: from, end: Math.min(i, n) });
    } else if (c === '`') {
      i++;
      template();
    } else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      depth--;
      i++;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        template();
      }
    } else i++;
  }
  return out;
}

const CODE_TOKEN = /^[A-Za-z]+[0-9][A-Za-z0-9]*$/;

/** Reads a code list starting at `from` in `s`: codes separated by commas or spaces, up to the first non-code word. */
function readCodes(s: string, from: number): { codes: { code: string; start: number; end: number }[]; end: number } {
  const codes: { code: string; start: number; end: number }[] = [];
  const re = /[\s,]*([^\s,#]+)/y;
  re.lastIndex = from;
  let end = from;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const token = m[1];
    if (!CODE_TOKEN.test(token)) break;
    const start = m.index + m[0].length - token.length;
    codes.push({ code: token.toUpperCase(), start, end: start + token.length });
    end = start + token.length;
  }
  return { codes, end };
}

const PY_NOQA = /#\s*noqa\b(\s*:)?/gi;
const PY_FILE = /#\s*pipelint\s*:\s*disable-file\b(\s*[=:])?/gi;
const TS_DIRECTIVE = /(?:\/\/|\/\*+|^|\s)\s*(pipelint-disable-(next-line|line|file))\b/gi;

/** Every directive holds `noqa` or `pipelint` (any case): most files have neither, and skip the comment scan. */
const MAY_HOLD_DIRECTIVE = /noqa|pipelint/i;

/** Every suppression directive in the text. */
export function parseDirectives(text: string, language: Language): Directive[] {
  // The server runs this on every keystroke (4 ms over a 10,000-line file): the text first, then each
  // comment, is tested for the words every directive holds; line starts are computed only for a hit.
  if (!MAY_HOLD_DIRECTIVE.test(text)) return [];
  let starts: number[] | undefined;
  const pos = (offset: number): Position => positionAt((starts ??= computeLineStarts(text)), offset);
  const range = (a: number, b: number): Range => ({ start: pos(a), end: pos(b) });
  const out: Directive[] = [];
  const comments = language === 'python' ? pythonComments(text) : typescriptComments(text);
  for (const comment of comments) {
    const body = text.slice(comment.start, comment.end);
    if (!MAY_HOLD_DIRECTIVE.test(body)) continue;
    const commentRange = range(comment.start, comment.end);
    const commentLine = commentRange.start.line;
    const make = (
      kind: Directive['kind'],
      target: number | undefined,
      at: number,
      hasList: boolean,
      listFrom: number,
      requireCodes: boolean,
    ): void => {
      const { codes, end } = readCodes(body, listFrom);
      const last = codes.length > 0 ? end : hasList ? listFrom : listFrom;
      const spans: CodeSpan[] = codes.map((c) => ({
        code: c.code,
        range: range(comment.start + c.start, comment.start + c.end),
      }));
      const rest = body
        .slice(last)
        .replace(/\*\/\s*$/, '')
        .trim();
      const lead = body
        .slice(0, at)
        .replace(/^(#|\/\/|\/\*+)/, '')
        .trim();
      out.push({
        kind,
        target,
        codes: spans.length === 0 && !requireCodes ? 'all' : spans,
        range: range(comment.start + at, comment.start + last),
        comment: commentRange,
        wholeComment: rest === '' && lead === '',
        ...(requireCodes && spans.length === 0 ? { malformed: true } : {}),
      });
    };
    if (language === 'python') {
      for (const m of body.matchAll(PY_NOQA)) make('noqa', commentLine, m.index, !!m[1], m.index + m[0].length, !!m[1]);
      for (const m of body.matchAll(PY_FILE))
        make('disable-file', undefined, m.index, !!m[1], m.index + m[0].length, !!m[1]);
    } else {
      for (const m of body.matchAll(TS_DIRECTIVE)) {
        const kind = `disable-${m[2].toLowerCase()}` as Directive['kind'];
        const at = m.index + m[0].length - m[1].length;
        const endLine = commentRange.end.line;
        const target = kind === 'disable-next-line' ? endLine + 1 : kind === 'disable-line' ? commentLine : undefined;
        make(kind, target, at, false, at + m[1].length, false);
      }
    }
  }
  return out;
}

function covers(d: Directive, code: string): boolean {
  return d.codes === 'all' || d.codes.some((c) => c.code === code);
}

export interface SuppressionResult {
  kept: Finding[];
  suppressed: Finding[];
  /** For each directive, the codes it suppressed (bare directives record every code they caught). */
  used: Map<Directive, Set<string>>;
}

/** Drops the findings that a directive covers. */
export function applySuppressions(findings: Finding[], directives: Directive[]): SuppressionResult {
  const used = new Map<Directive, Set<string>>(directives.map((d) => [d, new Set<string>()]));
  const byLine = new Map<number, Directive[]>();
  const fileWide: Directive[] = [];
  for (const d of directives) {
    if (d.malformed) continue;
    if (d.target === undefined) fileWide.push(d);
    else byLine.set(d.target, [...(byLine.get(d.target) ?? []), d]);
  }
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const hits = [...(byLine.get(f.range.start.line) ?? []), ...fileWide].filter((d) => covers(d, f.code));
    if (hits.length === 0) kept.push(f);
    else {
      suppressed.push(f);
      for (const d of hits) used.get(d)!.add(f.code);
    }
  }
  return { kept, suppressed, used };
}

export const UNUSED_SUPPRESSION = { code: 'SKL001', name: 'unused-suppression' } as const;

/**
 * Whether a code in a directive is pipelint's to judge. `# noqa` is shared with flake8, Ruff and others:
 * there only `SKL` codes are ours, and a bare `# noqa` may serve another linter. Codes in pipelint's own
 * directives (`pipelint: disable-file`, `pipelint-disable-*`) are all ours.
 */
function isOurs(d: Directive, code: string): boolean {
  return d.kind !== 'noqa' || /^SKL/i.test(code);
}

/**
 * `--report-unused-noqa`: a directive, or a code in it, that suppressed nothing. Codes that name no rule
 * are reported as unknown; codes of rules that did not run (not selected) as not enabled. Each finding
 * carries a safe fix that removes what is unused, and only that: other linters' codes, a bare `# noqa`
 * and any text after the codes (a reason) stay.
 */
export function unusedSuppressions(
  text: string,
  uri: string,
  directives: Directive[],
  used: Map<Directive, Set<string>>,
  enabled: (code: string) => boolean,
): Finding[] {
  const out: Finding[] = [];
  const report = (d: Directive, message: string, fix: Finding['fix']) => {
    out.push({
      uri,
      code: UNUSED_SUPPRESSION.code,
      name: UNUSED_SUPPRESSION.name,
      severity: 'warning',
      message,
      range: d.range,
      fix,
      related: [],
    });
  };
  const what = (d: Directive) => (d.kind === 'noqa' ? '`noqa` directive' : `\`${d.kind}\` directive`);
  for (const d of directives) {
    if (d.malformed) {
      // `# noqa: some words` is a blanket noqa for flake8: report what pipelint reads, remove nothing.
      report(
        d,
        `${what(d)} without rule codes suppresses nothing (expected e.g. "SKL101")`,
        d.kind === 'noqa' ? null : removalFix(text, d, 'all'),
      );
      continue;
    }
    const hit = used.get(d) ?? new Set<string>();
    if (d.codes === 'all') {
      if (hit.size === 0 && d.kind !== 'noqa') report(d, `unused blanket ${what(d)}`, removalFix(text, d, 'all'));
      continue;
    }
    const unused = d.codes.filter((c) => isOurs(d, c.code) && !hit.has(c.code));
    if (unused.length === 0) continue;
    const describe = (c: CodeSpan) =>
      !ruleByCode(c.code) ? `${c.code} (unknown rule)` : !enabled(c.code) ? `${c.code} (not enabled)` : c.code;
    report(
      d,
      `unused ${what(d)}: ${unused.map(describe).join(', ')}`,
      removalFix(text, d, unused.length === d.codes.length ? 'all' : unused),
    );
  }
  return out;
}

/** A safe fix removing a directive (or only some of its codes), keeping any text that follows it. */
function removalFix(text: string, d: Directive, unused: CodeSpan[] | 'all'): Finding['fix'] {
  const starts = computeLineStarts(text);
  if (unused !== 'all' && d.codes !== 'all') {
    const keep = d.codes.filter((c) => !unused.includes(c)).map((c) => c.code);
    const first = d.codes[0].range.start;
    const last = d.codes[d.codes.length - 1].range.end;
    return {
      title: `Remove unused code${unused.length === 1 ? '' : 's'} ${unused.map((c) => c.code).join(', ')}`,
      safety: 'safe',
      edits: [{ range: { start: first, end: last }, newText: keep.join(d.kind === 'noqa' ? ', ' : ' ') }],
    };
  }
  const title = 'Remove unused suppression';
  const line = lineText(text, starts, d.range.start.line);
  if (!d.wholeComment) {
    const after = line
      .slice(d.range.end.character)
      .replace(/\*\/\s*$/, '')
      .trim();
    // A reason follows (`# noqa: SKL102 because ...`): keep it as a comment of its own.
    if (after !== '')
      return {
        title,
        safety: 'safe',
        edits: [{ range: d.range, newText: text[offsetAt(starts, text.length, d.range.start)] === '#' ? '#' : '' }],
      };
    // Text before it in the same comment (`# type: ignore  # noqa: SKL201`): drop the directive and the blanks before it.
    const from = line.slice(0, d.range.start.character).replace(/\s+$/, '').length;
    return {
      title,
      safety: 'safe',
      edits: [{ range: { start: { line: d.range.start.line, character: from }, end: d.range.end }, newText: '' }],
    };
  }
  const before = lineText(text, starts, d.comment.start.line).slice(0, d.comment.start.character);
  if (before.trim() === '' && d.comment.start.line === d.comment.end.line) {
    // The comment is alone on its line: remove the line.
    const next =
      d.comment.start.line + 1 < starts.length ? { line: d.comment.start.line + 1, character: 0 } : d.comment.end;
    return {
      title,
      safety: 'safe',
      edits: [{ range: { start: { line: d.comment.start.line, character: 0 }, end: next }, newText: '' }],
    };
  }
  const trimmed = before.replace(/\s+$/, '');
  return {
    title,
    safety: 'safe',
    edits: [
      { range: { start: { line: d.comment.start.line, character: trimmed.length }, end: d.comment.end }, newText: '' },
    ],
  };
}

/** The code written in a directive at `pos`, if any (for hover). */
export function directiveCodeAt(directives: Directive[], pos: Position): CodeSpan | undefined {
  for (const d of directives) {
    if (d.codes === 'all') continue;
    for (const c of d.codes) {
      if (
        c.range.start.line === pos.line &&
        c.range.start.character <= pos.character &&
        pos.character <= c.range.end.character
      )
        return c;
    }
  }
  return undefined;
}

/**
 * The edit behind "Suppress CODE on this line": Python appends `# noqa: CODE` to the finding's line (or
 * adds the code to the `noqa` already there); TypeScript inserts `// pipelint-disable-next-line CODE`
 * above it (or adds the code to the directive already there). Undefined when a comment cannot go there
 * (the line ends inside a string or with a line continuation).
 */
export function suppressLineEdit(text: string, language: Language, line: number, code: string): TextEdit | undefined {
  const starts = computeLineStarts(text);
  if (line >= starts.length) return undefined;
  const directives = parseDirectives(text, language);
  const content = lineText(text, starts, line);
  if (language === 'python') {
    const existing = directives.find((d) => d.kind === 'noqa' && d.target === line);
    if (existing) {
      if (existing.codes === 'all' || existing.codes.some((c) => c.code === code)) return undefined;
      if (existing.codes.length === 0)
        return { range: { start: existing.range.end, end: existing.range.end }, newText: ` ${code}` };
      const end = existing.codes[existing.codes.length - 1].range.end;
      return { range: { start: end, end }, newText: `, ${code}` };
    }
    const comment = pythonComments(text).find((c) => positionAt(starts, c.start).line === line);
    if (!comment && (/\\\s*$/.test(content) || endsInsideString(text, starts, line, language))) return undefined;
    if (comment) {
      // Put the noqa before an existing comment's text: `x = f()  # noqa: SKL101  # old comment`.
      const at = positionAt(starts, comment.start);
      return { range: { start: at, end: at }, newText: `# noqa: ${code}  ` };
    }
    const trimmedLength = content.replace(/\s+$/, '').length;
    return {
      range: { start: { line, character: trimmedLength }, end: { line, character: content.length } },
      newText: `  # noqa: ${code}`,
    };
  }
  const existing = directives.find((d) => d.kind === 'disable-next-line' && d.target === line);
  if (existing) {
    if (existing.codes === 'all' || existing.codes.some((c) => c.code === code)) return undefined;
    const end = existing.codes[existing.codes.length - 1].range.end;
    return { range: { start: end, end }, newText: ` ${code}` };
  }
  if (line > 0 && endsInsideString(text, starts, line - 1, language)) return undefined;
  const indent = /^\s*/.exec(content)![0];
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `${indent}// pipelint-disable-next-line ${code}${eolOf(text)}`,
  };
}

/** True when the end of `line` is inside a string or a block comment (so no line comment can be added). */
function endsInsideString(text: string, starts: number[], line: number, language: Language): boolean {
  const eol =
    line + 1 < starts.length
      ? starts[line + 1] - (text[starts[line + 1] - 2] === '\r' && text[starts[line + 1] - 1] === '\n' ? 2 : 1)
      : text.length;
  const strings: Comment[] = [];
  const comments = language === 'python' ? pythonComments(text, strings) : typescriptComments(text, strings);
  const inside = (r: Comment) => r.start < eol && eol < r.end;
  return strings.some(inside) || comments.some((c) => inside(c) && text.startsWith('/*', c.start));
}
