import type { CallExpr } from '../model/calls';
import { insertAt, trailingComma } from '../model/edits';
import type { TextEdit } from '../model/finding';
import type { ModuleIR } from '../model/ir';
import type { Syntax } from '../model/syntax';
import { offsetAt } from '../model/text';

/**
 * An edit that passes `valueText` as the positional argument at index `position` (0-based), filling the
 * positions in between with `undefined` (the printer's `defaultArgument`: `undefined` in TypeScript, `None` in Python), which stand for "the default":
 * `trainTestSplit(X, y, 0.2)` -> `trainTestSplit(X, y, 0.2, undefined, SEED)`. Null when the call already
 * has an argument there, has a spread or keyword argument, or does not look like a call.
 */
export function insertPositionalArgument(
  module: ModuleIR,
  call: CallExpr,
  position: number,
  valueText: string,
  syntax: Syntax,
): TextEdit | null {
  const { text, lineStarts } = module;
  const args = call.args;
  if (args.length > position || args.some((a) => a.spread || a.name !== undefined)) return null;
  const open = offsetAt(lineStarts, text.length, call.argsRange.start);
  const end = offsetAt(lineStarts, text.length, call.argsRange.end);
  if (text[open] !== '(' || text[end - 1] !== ')') return null;
  const filler = syntax.defaultArgument;
  const added = [...Array.from({ length: position - args.length }, () => filler), valueText];
  if (args.length === 0) return insertAt(lineStarts, end - 1, added.join(', '));
  const lastEnd = offsetAt(lineStarts, text.length, args[args.length - 1].range.end);
  const comma = trailingComma(text, lastEnd, end - 1, syntax.lineComment);
  if (comma === undefined) return null;
  if (comma >= 0) return insertAt(lineStarts, comma + 1, ` ${added.join(', ')}`);
  return insertAt(lineStarts, lastEnd, `, ${added.join(', ')}`);
}
