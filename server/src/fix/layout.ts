import type { ModuleIR } from '../model/ir';
import type { TextEdit } from '../model/finding';
import { eolOf, lineText } from '../model/text';

/**
 * PEP 8 spacing for fixes that add top-level definitions: two blank lines around a top-level `def`.
 *
 * The padding is an edit of its own, placed at the start of a run of blank lines, so that several fixes
 * inserting definitions at the same place (a fix-all) produce the same padding edit, which `applyEdits`
 * applies once.
 */

/**
 * A notebook's cells are joined into one text with nothing between them: blank lines added at a cell's
 * edge would show up at the top or bottom of a cell, and cells already separate the code. No padding there.
 */
export function isNotebook(module: ModuleIR): boolean {
  return /\.ipynb(?:$|[?#])/i.test(module.uri);
}

function isBlank(module: ModuleIR, line: number): boolean {
  return lineText(module.text, module.lineStarts, line).trim() === '';
}

/**
 * Blank lines to add so that `line` has two blank lines above it; none at the top of the file or when there
 * are enough. Comments right above `line` belong to it: count above them (see `attachedStart`).
 */
export function blankLinesAbove(module: ModuleIR, line: number): TextEdit[] {
  if (isNotebook(module)) return [];
  let k = 0;
  while (line - k - 1 >= 0 && isBlank(module, line - k - 1)) k++;
  const first = line - k;
  if (first === 0 || k >= 2) return [];
  const at = { line: first, character: 0 };
  return [{ range: { start: at, end: at }, newText: eolOf(module.text).repeat(2 - k) }];
}

/** The first line of the comment block directly above `line` (or `line` itself). */
export function attachedStart(module: ModuleIR, line: number): number {
  let l = line;
  while (l - 1 >= 0 && /^\s*#/.test(lineText(module.text, module.lineStarts, l - 1))) l--;
  return l;
}

/**
 * Padding for definitions inserted at the end of line `line` (after the imports): the code that follows
 * them must start two blank lines below. None when nothing follows.
 */
export function blankLinesAfterInsertion(module: ModuleIR, line: number): TextEdit[] {
  let next = line + 1;
  while (next < module.lineStarts.length && isBlank(module, next)) next++;
  if (next >= module.lineStarts.length || (next === module.lineStarts.length - 1 && isBlank(module, next))) return [];
  return blankLinesAbove(module, next);
}
