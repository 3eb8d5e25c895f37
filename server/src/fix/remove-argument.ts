import type { CallExpr } from '../model/calls';
import type { TextEdit } from '../model/finding';
import type { ArgIR, ModuleIR } from '../model/ir';
import { offsetAt, positionAt } from '../model/text';

/**
 * An edit that removes one argument from a call with its separating comma: `f(a, n_jobs=-1, b)` ->
 * `f(a, b)`, `f(a, n_jobs=-1)` -> `f(a)`, `f(n_jobs=-1)` -> `f()`. Returns null when a comment sits in
 * the text that would be deleted (it would be lost), or the text does not look like the call.
 */
export function removeArgument(module: ModuleIR, call: CallExpr, arg: ArgIR): TextEdit | null {
  const { text, lineStarts } = module;
  const off = (p: ArgIR['range']['start']) => offsetAt(lineStarts, text.length, p);
  const i = call.args.indexOf(arg);
  if (i < 0) return null;
  const open = off(call.argsRange.start);
  const end = off(call.argsRange.end);
  if (text[open] !== '(' || text[end - 1] !== ')') return null;
  let from: number;
  let to: number;
  if (i + 1 < call.args.length) {
    from = off(arg.range.start);
    to = off(call.args[i + 1].range.start);
  } else if (i > 0) {
    from = off(call.args[i - 1].range.end);
    to = off(arg.range.end);
  } else {
    from = open + 1;
    to = end - 1;
  }
  if (text.slice(from, to).includes('#')) return null;
  return { range: { start: positionAt(lineStarts, from), end: positionAt(lineStarts, to) }, newText: '' };
}
