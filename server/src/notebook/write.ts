/**
 * Writing fixed cell sources back into an .ipynb file without touching anything else: the file is not
 * re-serialised. Only the JSON value of each changed cell's `source` is replaced, and within it the
 * entries of unchanged lines keep their bytes, so outputs, execution counts, metadata, key order, the
 * JSON's indentation and line endings, escapes and the final newline all stay as they were.
 */
import type { Fix } from '../model/finding';
import { computeLineStarts, eolOf, offsetAt } from '../model/text';
import type { NotebookProgram, ProgramCell } from './program';

/** Where a cell's `source` value sits in the notebook text. */
interface SourceSpan {
  start: number;
  end: number;
  /** For a list of lines: the raw text of each entry and of the whitespace around them. */
  entries?: { start: number; end: number }[];
}

/** Index of each cell's `source` value (by the cell's index among all cells); throws on malformed JSON. */
export function sourceSpans(json: string): Map<number, SourceSpan> {
  const spans = new Map<number, SourceSpan>();
  const s = new Scanner(json);
  s.ws();
  s.object((key) => {
    if (key !== 'cells') return false;
    let index = 0;
    s.array(() => {
      const cell = index++;
      s.object((cellKey) => {
        if (cellKey !== 'source') return false;
        const start = s.i;
        if (s.peek() === '[') {
          const entries: { start: number; end: number }[] = [];
          s.array(() => {
            const at = s.i;
            s.value();
            entries.push({ start: at, end: s.i });
            return true;
          });
          spans.set(cell, { start, end: s.i, entries });
        } else {
          s.value();
          spans.set(cell, { start, end: s.i });
        }
        return true;
      });
      return true;
    });
    return true;
  });
  return spans;
}

/** The notebook text with the given cells' sources replaced (cell index -> new source text). */
export function replaceSources(json: string, sources: Map<number, string>): string {
  if (sources.size === 0) return json;
  const spans = sourceSpans(json);
  const asciiOnly = !/[\u0080-\uffff]/.test(json) && /\\u[0-9a-fA-F]{4}/.test(json);
  const edits = [...sources]
    .map(([cell, text]) => {
      const span = spans.get(cell);
      if (!span) throw new Error(`cell ${cell + 1} has no "source" in the notebook`);
      return { span, text: span.entries ? replaceList(json, span, text, asciiOnly) : quote(text, asciiOnly) };
    })
    .sort((a, b) => b.span.start - a.span.start);
  let out = json;
  for (const e of edits) out = out.slice(0, e.span.start) + e.text + out.slice(e.span.end);
  return out;
}

/** A list-of-lines source with the new text: unchanged leading and trailing lines keep their raw entries. */
function replaceList(json: string, span: SourceSpan, text: string, asciiOnly: boolean): string {
  const entries = span.entries!;
  const raw = entries.map((e) => json.slice(e.start, e.end));
  const oldLines = raw.map((r) => JSON.parse(r) as string);
  const newLines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let head = 0;
  while (head < oldLines.length && head < newLines.length && oldLines[head] === newLines[head]) head++;
  let tail = 0;
  while (
    tail < oldLines.length - head &&
    tail < newLines.length - head &&
    oldLines[oldLines.length - 1 - tail] === newLines[newLines.length - 1 - tail]
  )
    tail++;
  const out = [
    ...raw.slice(0, head),
    ...newLines.slice(head, newLines.length - tail).map((l) => quote(l, asciiOnly)),
    ...raw.slice(raw.length - tail),
  ];
  // The whitespace the file uses: after '[', between entries, before ']'.
  const open = entries.length > 0 ? json.slice(span.start + 1, entries[0].start) : '';
  const close = entries.length > 0 ? json.slice(entries[entries.length - 1].end, span.end - 1) : '';
  const sep = entries.length > 1 ? json.slice(entries[0].end, entries[1].start) : `,${open}`;
  if (out.length === 0) return '[]';
  return `[${open}${out.join(sep)}${close}]`;
}

/** A JSON string as Jupyter writes it (non-ASCII kept, unless the file escapes it). */
function quote(s: string, asciiOnly: boolean): string {
  const q = JSON.stringify(s);
  return asciiOnly ? q.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : q;
}

/** A minimal JSON reader that records positions (values it does not need are skipped). */
class Scanner {
  i = 0;
  constructor(private readonly t: string) {}

  peek(): string {
    return this.t[this.i];
  }

  ws(): void {
    while (this.i < this.t.length && ' \t\r\n'.includes(this.t[this.i])) this.i++;
  }

  private expect(c: string): void {
    this.ws();
    if (this.t[this.i] !== c) throw new Error(`invalid notebook JSON at offset ${this.i}: expected '${c}'`);
    this.i++;
  }

  /** Reads an object; `onKey` reads the value itself and returns true, or returns false to skip it. */
  object(onKey: (key: string) => boolean): void {
    this.expect('{');
    this.ws();
    if (this.peek() === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.expect(':');
      this.ws();
      if (!onKey(key)) this.value();
      this.ws();
      if (this.peek() === ',') {
        this.i++;
        continue;
      }
      this.expect('}');
      return;
    }
  }

  /** Reads an array; `onItem` reads each item (positioned at it) and returns true. */
  array(onItem: () => boolean): void {
    this.expect('[');
    this.ws();
    if (this.peek() === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (!onItem()) this.value();
      this.ws();
      if (this.peek() === ',') {
        this.i++;
        continue;
      }
      this.expect(']');
      return;
    }
  }

  string(): string {
    const start = this.i;
    if (this.t[this.i] !== '"') throw new Error(`invalid notebook JSON at offset ${this.i}: expected a string`);
    this.i++;
    while (this.i < this.t.length && this.t[this.i] !== '"') this.i += this.t[this.i] === '\\' ? 2 : 1;
    this.i++;
    return JSON.parse(this.t.slice(start, this.i)) as string;
  }

  /** Skips any value. */
  value(): void {
    this.ws();
    const c = this.peek();
    if (c === '{') this.object(() => false);
    else if (c === '[') this.array(() => false);
    else if (c === '"') this.string();
    else {
      const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.t.slice(this.i, this.i + 64));
      if (!m) throw new Error(`invalid notebook JSON at offset ${this.i}`);
      this.i += m[0].length;
    }
  }
}

/**
 * Applies fixes, given in program coordinates, to the cells of an .ipynb text: each fix's edits are moved
 * into their cells and the changed cells' sources are written back (`replaceSources`). A fix is applied
 * whole or not at all: one whose edit crosses a cell boundary, or overlaps an edit already taken, waits
 * (the caller re-analyses and tries again), so a fix that spans cells lands in one write.
 */
export function applyProgramFixes(
  json: string,
  program: NotebookProgram,
  fixes: Fix[],
): { json: string; applied: number } {
  const perCell = new Map<number, { cell: ProgramCell; edits: { start: number; end: number; newText: string }[] }>();
  let applied = 0;
  for (const fix of fixes) {
    const moved: { cell: ProgramCell; start: number; end: number; newText: string }[] = [];
    let ok = true;
    for (const e of fix.edits) {
      const at = program.toCell(e.range);
      if (!at) {
        ok = false;
        break;
      }
      const starts = computeLineStarts(at.cell.text);
      const eol = eolOf(at.cell.text);
      moved.push({
        cell: at.cell,
        start: offsetAt(starts, at.cell.text.length, at.range.start),
        end: offsetAt(starts, at.cell.text.length, at.range.end),
        newText: eol === '\n' ? e.newText : e.newText.replace(/\n/g, eol),
      });
    }
    const taken = (m: (typeof moved)[number]) => perCell.get(m.cell.index)?.edits ?? [];
    // An edit identical to one already taken (a seed constant, PEP 8 padding that several fixes carry) is applied once, as in applyEdits.
    const same = (m: (typeof moved)[number]) =>
      taken(m).some((o) => o.start === m.start && o.end === m.end && o.newText === m.newText);
    const overlaps = (m: (typeof moved)[number]) =>
      !same(m) && taken(m).some((o) => m.start < o.end && o.start < m.end);
    if (!ok || moved.some(overlaps)) continue;
    for (const m of moved) {
      if (same(m)) continue;
      const entry = perCell.get(m.cell.index) ?? { cell: m.cell, edits: [] };
      entry.edits.push(m);
      perCell.set(m.cell.index, entry);
    }
    applied++;
  }
  const sources = new Map<number, string>();
  for (const [index, { cell, edits }] of perCell) {
    let text = cell.text;
    // From the end, so that earlier offsets stay valid; insertions at one offset keep their order.
    const sorted = edits
      .map((e, order) => ({ ...e, order }))
      .sort((a, b) => b.start - a.start || b.end - a.end || b.order - a.order);
    for (const e of sorted) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
    if (text !== cell.text) sources.set(index, text);
  }
  return { json: replaceSources(json, sources), applied: sources.size > 0 ? applied : 0 };
}
