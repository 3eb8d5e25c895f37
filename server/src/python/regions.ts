import type { Node, Parser } from 'web-tree-sitter';
import type { ModuleIR } from '../model/ir';
import { commonPrefix, commonSuffix } from '../model/text';
import { Lowerer, type CachedChunk, type LoweringCache } from './lower';
import { MAX_NESTING, scanNesting } from './nesting';
import { parsePython, type Deadline } from './parser';

/**
 * Re-parsing only the edited top-level statements (issue 18).
 *
 * tree-sitter re-parses the whole file on every keystroke, incrementally or not: with no edit at all it took
 * 4.4 ms at 3,400 lines and 14 ms at 10,000 (a fresh parse: 23 and 61 ms), linear in the number of
 * top-level statements. Python lets us do better: a statement that starts at column 0, after statements that
 * parsed without error, starts in the parser's initial state (no open bracket, string or block; the
 * indentation stack empty). So the text between two such statements parses on its own exactly as it does
 * in the file, and after an edit only the statements around it need parsing: the region from the last
 * column-0 statement before the edit to the first one after it. The statements before the region are
 * kept, those after it are moved by the edit's lines and characters (their lowering is shifted, as the
 * lowering cache does for statements an edit moved).
 *
 * Conditions, else the caller parses the whole file: every statement outside the region is settled (see
 * CachedChunk), the text has no CR (tree-sitter counts rows at LF only), the region is a small part of the
 * file (otherwise the whole file's incremental parse is cheaper), and the region parses without error on its
 * own, or with errors that stay in it: each on one line with no quote, bracket or backslash, and the
 * statements after it (the guard) parsed with it come out as they were (a half-typed statement may swallow
 * what follows in the file).
 * `test/unit/incremental.test.ts` checks the result against a fresh parse of the whole text after random
 * edits, and `incremental-analysis.test.ts` the findings.
 */
export function lowerEditedRegion(
  parser: Parser,
  text: string,
  uri: string,
  cache: LoweringCache,
  deadline: Deadline,
): { module: ModuleIR } | { unsettled: { start: number; end: number } } | undefined {
  const old = cache.text;
  const entries = cache.entries;
  if (old === undefined || old === text || entries.length === 0 || text.includes('\r') || old.includes('\r'))
    return undefined;
  const start = commonPrefix(old, text);
  const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - start);
  const oldEnd = old.length - suffix;
  const delta = text.length - old.length;

  // The region: from the last column-0 statement that starts before the edit (or the file's start) to the
  // first one that starts after it (or the file's end). An edit at a statement's first character takes the
  // statement before it too, so that joining two lines is seen.
  let before = 0;
  while (before < entries.length && entries[before].start < start) before++;
  let first = before - 1;
  while (first >= 0 && entries[first].chunk.startCharacter !== 0) first--;
  const from = Math.max(first, 0);
  const regionStart = first >= 0 ? entries[first].start : 0;
  let to = from;
  while (to < entries.length && (entries[to].start <= oldEnd || entries[to].chunk.startCharacter !== 0)) to++;
  const regionEnd = to < entries.length ? entries[to].start : old.length;
  // Parsed with the whole file instead, the region's statements (and the guard's, below) are unsettled.
  let refused = { unsettled: { start: regionStart, end: regionEnd + delta } };
  for (let i = 0; i < from; i++) if (entries[i].unsettled) return refused;
  for (let i = to; i < entries.length; i++) if (entries[i].unsettled) return refused;
  const regionText = text.slice(regionStart, regionEnd + delta);
  if (regionText.length > Math.max(text.length / 4, MIN_REGION)) return refused;
  const scan = scanNesting(regionText);
  if (scan.depth > MAX_NESTING) return refused;

  // A region with a syntax error is parsed with the statements up to the next column-0 one after it (the
  // guard): when they come out as they were, the error did not run on (an open bracket or string would take
  // them in), and the file goes on from there as before.
  let guardEnd = to;
  let parsedText = regionText;
  let tree = parsePython(parser, regionText, undefined, deadline, scan);
  if (tree.rootNode.hasError && to < entries.length) {
    guardEnd = to + 1;
    while (guardEnd < entries.length && entries[guardEnd].chunk.startCharacter !== 0) guardEnd++;
    const guardText = old.slice(regionEnd, guardEnd < entries.length ? entries[guardEnd].start : old.length);
    parsedText = regionText + guardText;
    refused = { unsettled: { start: regionStart, end: regionEnd + delta + guardText.length } };
    tree.delete();
    tree = parsePython(parser, parsedText, undefined, deadline);
  }
  try {
    const root = tree.rootNode;
    if (root.type !== 'module') return refused;
    if (
      root.hasError &&
      !(
        errorsContained(root, parsedText) && guardHolds(root, regionText.length, entries.slice(to, guardEnd), regionEnd)
      )
    )
      return refused;
    const line = first >= 0 ? entries[first].chunk.startLine : 0;
    // The new text's line starts: the old ones before the region, the region's, the old ones after it moved.
    const oldStarts = cache.lineStarts;
    const lineStarts = oldStarts.slice(0, line + 1);
    for (let i = regionText.indexOf('\n'); i !== -1; i = regionText.indexOf('\n', i + 1))
      lineStarts.push(regionStart + i + 1);
    let j = line + 1;
    while (j < oldStarts.length && oldStarts[j] <= regionEnd) j++;
    for (; j < oldStarts.length; j++) lineStarts.push(oldStarts[j] + delta);
    const module = new Lowerer(text, uri).spliceRegion(
      cache,
      from,
      to,
      { root, text: parsedText, end: regionText.length, start: regionStart, line },
      { lineDelta: lineStarts.length - oldStarts.length, offsetDelta: delta },
      lineStarts,
    );
    return { module };
  } finally {
    tree.delete();
  }
}

/**
 * Every syntax error of the tree lies on one line and holds no quote, bracket or backslash: an unclosed
 * string or bracket may be closed far below in the file (a docstring's quotes), which a parse of the region
 * and its guard cannot see.
 */
function errorsContained(root: Node, text: string): boolean {
  const cursor = root.walk();
  try {
    for (let visited = 0; visited < 100_000; visited++) {
      const node = cursor.currentNode;
      if (node.isError || node.isMissing) {
        if (node.startPosition.row !== node.endPosition.row) return false;
        if (/["'()[\]{}\\]/.test(text.slice(node.startIndex, node.endIndex))) return false;
      } else if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return true;
    }
    return false;
  } finally {
    cursor.delete();
  }
}

/**
 * The statements parsed after the region (from `end` on) are the guard's, unchanged: same kind, same text,
 * same place, no error, and none of the region's statements reaches into them.
 */
function guardHolds(root: Node, end: number, guard: CachedChunk[], guardStart: number): boolean {
  let k = 0;
  for (const child of root.namedChildren) {
    if (!child || child.startIndex < end) {
      if (child && child.endIndex > end) return false;
      continue;
    }
    const old = guard[k++];
    if (!old || child.hasError || child.type !== old.type) return false;
    if (child.startIndex - end !== old.start - guardStart || child.endIndex - child.startIndex !== old.source.length)
      return false;
  }
  return k === guard.length;
}

/** A region up to this long is parsed on its own even in a small file (where either way is fast). */
const MIN_REGION = 4096;

/**
 * After the whole file was parsed instead of a region: the statements in the region's span (offsets of the
 * new text) are unsettled (see CachedChunk), so that no later region is parsed without them.
 */
export function markUnsettled(cache: LoweringCache, span: { start: number; end: number }): void {
  for (const e of cache.entries) if (e.start < span.end && e.start + e.source.length > span.start) e.unsettled = true;
}
