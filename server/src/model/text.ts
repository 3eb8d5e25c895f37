import type { ModuleIR, Position, Range } from './ir';

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function offsetAt(lineStarts: number[], textLength: number, p: Position): number {
  if (p.line >= lineStarts.length) return textLength;
  const lineEnd = p.line + 1 < lineStarts.length ? lineStarts[p.line + 1] : textLength;
  return Math.min(lineStarts[p.line] + p.character, lineEnd);
}

export function positionAt(lineStarts: number[], offset: number): Position {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - lineStarts[lo] };
}

/** The source text of a range. */
export function textOf(text: string, lineStarts: number[], r: Range): string {
  return text.slice(offsetAt(lineStarts, text.length, r.start), offsetAt(lineStarts, text.length, r.end));
}

export function lineText(text: string, lineStarts: number[], line: number): string {
  const start = lineStarts[line] ?? text.length;
  const end = line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length;
  return text.slice(start, end).replace(/\r?\n$|\r$/, '');
}

/** The end-of-line sequence the file uses (first one found), for edits that insert lines. */
export function eolOf(text: string): string {
  const i = text.search(/\r\n|\n|\r/);
  if (i < 0) return '\n';
  return text[i] === '\r' ? (text[i + 1] === '\n' ? '\r\n' : '\r') : '\n';
}

/** How a message names a line of the module: "line 12", or in a notebook "cell 7, line 55" (1-based). */
export function lineLabel(module: Pick<ModuleIR, 'cells'>, line: number): string {
  const cells = module.cells;
  if (!cells || cells.length === 0) return `line ${line + 1}`;
  let lo = 0;
  let hi = cells.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cells[mid].startLine <= line) lo = mid;
    else hi = mid - 1;
  }
  return `cell ${cells[lo].index + 1}, line ${line - cells[lo].startLine + 1}`;
}

/** Length of the common prefix of two texts (native comparisons of 1,024-character slices, then characters). */
export function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i + 1024 <= max && a.slice(i, i + 1024) === b.slice(i, i + 1024)) i += 1024;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of two texts, at most `max` (the length left after their common prefix). */
export function commonSuffix(a: string, b: string, max: number): number {
  let n = 0;
  while (n + 1024 <= max && a.slice(a.length - n - 1024, a.length - n) === b.slice(b.length - n - 1024, b.length - n))
    n += 1024;
  while (n < max && a.charCodeAt(a.length - n - 1) === b.charCodeAt(b.length - n - 1)) n++;
  return n;
}
