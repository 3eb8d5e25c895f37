import type { TextEdit } from '../model/finding';
import { computeLineStarts, offsetAt } from '../model/text';

/**
 * Applies non-overlapping edits to `text`. Edits are applied from the end so that earlier offsets stay
 * valid; insertions at the same offset keep their given order. Overlapping edits are dropped
 * (the later one), so a batch never corrupts the text. An edit identical to one already kept (same range,
 * same text) is applied once: fixes that need the same thing (a seed constant, PEP 8 padding) can each
 * carry it.
 */
export function applyEdits(text: string, edits: TextEdit[]): { text: string; applied: number; skipped: number } {
  const lineStarts = computeLineStarts(text);
  const resolved = edits
    .map((e, order) => ({
      start: offsetAt(lineStarts, text.length, e.range.start),
      end: offsetAt(lineStarts, text.length, e.range.end),
      newText: e.newText,
      order,
    }))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.order - b.order);
  const kept: typeof resolved = [];
  let lastEnd = -1;
  let skipped = 0;
  const identical = new Set<string>();
  for (const e of resolved) {
    const key = `${e.start}:${e.end}:${e.newText}`;
    if (identical.has(key)) continue;
    if (e.start < lastEnd) {
      skipped++;
      continue;
    }
    kept.push(e);
    identical.add(key);
    lastEnd = Math.max(lastEnd, e.end);
  }
  let out = '';
  let cursor = 0;
  for (const e of kept) {
    out += text.slice(cursor, e.start) + e.newText;
    cursor = e.end;
  }
  out += text.slice(cursor);
  return { text: out, applied: kept.length, skipped };
}
