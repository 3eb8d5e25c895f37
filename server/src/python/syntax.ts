import type { CallExpr } from '../model/calls';
import { insertAt, point, trailingComma } from '../model/edits';
import type { TextEdit } from '../model/finding';
import type { Expr, ModuleIR } from '../model/ir';
import type { Literal, Syntax } from '../model/syntax';
import { eolOf, lineText, offsetAt, positionAt } from '../model/text';

/** The Python printer (see `model/syntax.ts`). */
export const pythonSyntax: Syntax = {
  language: 'python',
  options: 'keywords',
  defaultArgument: 'None',
  lineComment: '#',
  literal(v: Literal): string {
    if (typeof v === 'string') return `'${v}'`;
    if (v === null) return 'None';
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    return String(v);
  },
  keywordArgument(name: string, valueText: string): string {
    return `${name}=${valueText}`;
  },
  propertyName(key: Expr): string | undefined {
    return key.k === 'str' && key.value !== null ? key.value : undefined;
  },
  insertKeywordArgument: insertPython,
  moduleConstant(name: string, valueText: string): string {
    return `${name} = ${valueText}`;
  },
  extractFunction(name: string, source: string, returnedText: string, eol: string): string | null {
    const colon = findParamsColon(source);
    if (colon < 0) return null;
    const paramsText = source.slice('lambda'.length, colon).trim();
    const returned = returnedText.includes('\n') || returnedText.includes('\r') ? `(${returnedText})` : returnedText;
    return `def ${name}(${paramsText}):${eol}    return ${returned}`;
  },
};

/** Python names are the library's names: scikit-learn is the reference for the concepts. */
export function canonical(name: string): string {
  return name;
}

/**
 * `name=value` before the closing parenthesis (`f()` -> `f(name=value)`, `f(a, b)` -> `f(a, b, name=value)`;
 * a call laid out one argument per line with a trailing comma gets a new line `name=value,` with the same
 * indentation; comments between the last argument and `)` stay put). Null for a generator-expression
 * argument or text that does not look like a call.
 */
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
    return insertAt(lineStarts, close, kw);
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
    return insertAt(lineStarts, comma + 1, ` ${kw},`);
  }
  return insertAt(lineStarts, lastEnd, `, ${kw}`);
}

/** Offset of the ':' that ends a lambda's parameters (skipping nested brackets and strings in defaults). */
function findParamsColon(source: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 'lambda'.length; i < source.length; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ':' && depth === 0) return i;
  }
  return -1;
}
