import type { CallExpr } from '../model/calls';
import type { TextEdit } from '../model/finding';
import type { ModuleIR, Position } from '../model/ir';
import { eolOf, lineText, offsetAt, positionAt } from '../model/text';

/**
 * An edit that adds a keyword argument to a call, in the call's own language:
 * - Python: `name=value` before the closing parenthesis (`f()` -> `f(name=value)`,
 *   `f(a, b)` -> `f(a, b, name=value)`; a call laid out one argument per line with a trailing comma gets
 *   a new line `name=value,` with the same indentation; comments between the last argument and `)` stay put).
 * - TypeScript (scikit.js options objects): a property `name: value` in the options object, the last
 *   object-literal argument (`new KMeans({nClusters: 3})` -> `new KMeans({nClusters: 3, randomState: 42})`),
 *   or a new options object when the call has no arguments (`new KFold()` -> `new KFold({shuffle: true})`).
 *
 * Returns null when the argument cannot be added without guessing (a generator-expression argument,
 * a TypeScript call whose options are not an object literal, text that does not look like a call).
 * The caller checks that the argument is not already there.
 */
export function insertKeywordArgument(
  module: ModuleIR,
  call: CallExpr,
  name: string,
  valueText: string,
): TextEdit | null {
  return module.language === 'python'
    ? insertPython(module, call, name, valueText)
    : insertTypeScript(module, call, name, valueText);
}

function insertPython(module: ModuleIR, call: CallExpr, name: string, valueText: string): TextEdit | null {
  const { text, lineStarts } = module;
  const open = offsetAt(lineStarts, text.length, call.argsRange.start);
  const end = offsetAt(lineStarts, text.length, call.argsRange.end);
  if (text[open] !== '(' || text[end - 1] !== ')') return null;
  const close = end - 1;
  const kw = `${name}=${valueText}`;
  const args = call.args;
  if (args.length === 0) {
    const closePos = positionAt(lineStarts, close);
    const before = lineText(text, lineStarts, closePos.line).slice(0, closePos.character);
    if (closePos.line > positionAt(lineStarts, open).line && before.trim() === '') {
      // `f(\n    # comment\n)`: a line of its own, one level deeper than the `)`.
      return { range: point({ line: closePos.line, character: 0 }), newText: `${before}    ${kw},${eolOf(text)}` };
    }
    return at(lineStarts, close, kw);
  }
  const last = args[args.length - 1];
  // `f(x for x in xs)`: the generator expression is the whole argument list.
  if (args.length === 1 && offsetAt(lineStarts, text.length, last.range.start) === open) return null;
  const lastEnd = offsetAt(lineStarts, text.length, last.range.end);
  const comma = trailingComma(text, lastEnd, close, '#');
  if (comma === undefined) return null;
  if (comma >= 0) {
    const commaPos = positionAt(lineStarts, comma);
    const closePos = positionAt(lineStarts, close);
    if (closePos.line > commaPos.line) {
      // One argument per line: add a line after the comma's line, indented like the last argument.
      const lineOfLast = lineText(text, lineStarts, last.range.start.line);
      const indent = /^[ \t]*/.exec(lineOfLast)![0];
      const commaLine = lineText(text, lineStarts, commaPos.line);
      return {
        range: point({ line: commaPos.line, character: commaLine.length }),
        newText: `${eolOf(text)}${indent}${kw},`,
      };
    }
    return at(lineStarts, comma + 1, ` ${kw},`);
  }
  return at(lineStarts, lastEnd, `, ${kw}`);
}

function insertTypeScript(module: ModuleIR, call: CallExpr, name: string, valueText: string): TextEdit | null {
  const { text, lineStarts } = module;
  const prop = `${name}: ${valueText}`;
  const args = call.args;
  if (args.length === 0) {
    const open = offsetAt(lineStarts, text.length, call.argsRange.start);
    const end = offsetAt(lineStarts, text.length, call.argsRange.end);
    if (text[open] !== '(' || text[end - 1] !== ')') return null;
    return at(lineStarts, end - 1, `{ ${prop} }`);
  }
  const last = args[args.length - 1];
  if (last.spread || last.value.k !== 'dict') return null;
  const obj = last.value;
  const objStart = offsetAt(lineStarts, text.length, obj.range.start);
  const objEnd = offsetAt(lineStarts, text.length, obj.range.end);
  if (text[objStart] !== '{' || text[objEnd - 1] !== '}') return null;
  const close = objEnd - 1;
  if (obj.entries.length === 0) return at(lineStarts, close, prop);
  const lastEntryEnd = offsetAt(lineStarts, text.length, obj.entries[obj.entries.length - 1].range.end);
  const comma = trailingComma(text, lastEntryEnd, close, '//');
  if (comma === undefined) return null;
  if (comma >= 0) return at(lineStarts, comma + 1, ` ${prop},`);
  return at(lineStarts, lastEntryEnd, `, ${prop}`);
}

/**
 * An edit that passes `valueText` as the positional argument at index `position` (0-based), filling the
 * positions in between with `undefined` (TypeScript) or `None` (Python), which stand for "the default":
 * `trainTestSplit(X, y, 0.2)` -> `trainTestSplit(X, y, 0.2, undefined, SEED)`. Null when the call already
 * has an argument there, has a spread or keyword argument, or does not look like a call.
 */
export function insertPositionalArgument(
  module: ModuleIR,
  call: CallExpr,
  position: number,
  valueText: string,
): TextEdit | null {
  const { text, lineStarts } = module;
  const args = call.args;
  if (args.length > position || args.some((a) => a.spread || a.name !== undefined)) return null;
  const open = offsetAt(lineStarts, text.length, call.argsRange.start);
  const end = offsetAt(lineStarts, text.length, call.argsRange.end);
  if (text[open] !== '(' || text[end - 1] !== ')') return null;
  const filler = module.language === 'python' ? 'None' : 'undefined';
  const added = [...Array.from({ length: position - args.length }, () => filler), valueText];
  if (args.length === 0) return at(lineStarts, end - 1, added.join(', '));
  const lastEnd = offsetAt(lineStarts, text.length, args[args.length - 1].range.end);
  const comma = trailingComma(text, lastEnd, end - 1, module.language === 'python' ? '#' : '//');
  if (comma === undefined) return null;
  if (comma >= 0) return at(lineStarts, comma + 1, ` ${added.join(', ')}`);
  return at(lineStarts, lastEnd, `, ${added.join(', ')}`);
}

/**
 * Between the end of the last argument and the closing bracket there may be whitespace, comments and one
 * comma. Returns the comma's offset, -1 when there is none, undefined when something else is there.
 */
function trailingComma(text: string, from: number, to: number, lineComment: '#' | '//'): number | undefined {
  let comma = -1;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\\' || ch === '\f') continue;
    if (text.startsWith(lineComment, i)) {
      while (i < to && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (lineComment === '//' && text.startsWith('/*', i)) {
      const endComment = text.indexOf('*/', i + 2);
      if (endComment < 0 || endComment >= to) return undefined;
      i = endComment + 1;
      continue;
    }
    if (ch === ',' && comma < 0) {
      comma = i;
      continue;
    }
    // A closing parenthesis of a parenthesized last argument, or anything unexpected.
    return undefined;
  }
  return comma;
}

function at(lineStarts: number[], offset: number, newText: string): TextEdit {
  return { range: point(positionAt(lineStarts, offset)), newText };
}

function point(p: Position): { start: Position; end: Position } {
  return { start: p, end: p };
}
