import type { CallExpr } from '../model/calls';
import { insertAt, trailingComma } from '../model/edits';
import type { TextEdit } from '../model/finding';
import type { Expr, ModuleIR } from '../model/ir';
import type { Literal, Syntax } from '../model/syntax';
import { offsetAt } from '../model/text';

/** The TypeScript (scikit.js) printer (see `model/syntax.ts`). */
export const typescriptSyntax: Syntax = {
  language: 'typescript',
  options: 'options-object',
  defaultArgument: 'undefined',
  lineComment: '//',
  literal(v: Literal): string {
    if (typeof v === 'string') return `'${v}'`;
    if (v === null) return 'null';
    return String(v);
  },
  keywordArgument(name: string, valueText: string): string {
    return `${name}: ${valueText}`;
  },
  propertyName(key: Expr): string | undefined {
    // `{randomState: 42}`: an identifier key is the property's name.
    if (key.k === 'str' && key.value !== null) return key.value;
    return key.k === 'name' ? key.name : undefined;
  },
  insertKeywordArgument: insertTypeScript,
  // The scikit.js fixes pass the seed itself; they add no constant (no `const SEED` placement is implemented).
  moduleConstant(): null {
    return null;
  },
  // scikit.js saves models as JSON, where a function is dropped whether named or not: no extraction helps.
  extractFunction(): null {
    return null;
  },
};

/**
 * scikit.js spells scikit-learn's names in camelCase (`fitTransform`, `predictProba`, `randomState`): the
 * library concept is the snake_case name, so the analyses keep one table of scikit-learn names.
 */
export function canonical(name: string): string {
  let c = canonicalNames.get(name);
  if (c === undefined) {
    // Class names (`Pipeline`, `StandardScaler`) are spelled alike in both libraries.
    c = /^[a-z]/.test(name) ? name.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`) : name;
    // The data flow asks for every method call it meets, per keystroke: names repeat, a regex replace each time did not.
    if (canonicalNames.size > 10_000) canonicalNames.clear();
    canonicalNames.set(name, c);
  }
  return c;
}

const canonicalNames = new Map<string, string>();

/**
 * A property `name: value` in the options object, the last object-literal argument
 * (`new KMeans({nClusters: 3})` -> `new KMeans({nClusters: 3, randomState: 42})`), or a new options object
 * when the call has no arguments (`new KFold()` -> `new KFold({shuffle: true})`). Null when the options are
 * not an object literal or the text does not look like a call.
 */
function insertTypeScript(module: ModuleIR, call: CallExpr, name: string, valueText: string): TextEdit | null {
  const { text, lineStarts } = module;
  const prop = `${name}: ${valueText}`;
  const args = call.args;
  if (args.length === 0) {
    const open = offsetAt(lineStarts, text.length, call.argsRange.start);
    const end = offsetAt(lineStarts, text.length, call.argsRange.end);
    if (text[open] !== '(' || text[end - 1] !== ')') return null;
    return insertAt(lineStarts, end - 1, `{ ${prop} }`);
  }
  const last = args[args.length - 1];
  if (last.spread || last.value.k !== 'dict') return null;
  const obj = last.value;
  const objStart = offsetAt(lineStarts, text.length, obj.range.start);
  const objEnd = offsetAt(lineStarts, text.length, obj.range.end);
  if (text[objStart] !== '{' || text[objEnd - 1] !== '}') return null;
  const close = objEnd - 1;
  if (obj.entries.length === 0) return insertAt(lineStarts, close, prop);
  const lastEntryEnd = offsetAt(lineStarts, text.length, obj.entries[obj.entries.length - 1].range.end);
  const comma = trailingComma(text, lastEntryEnd, close, '//');
  if (comma === undefined) return null;
  if (comma >= 0) return insertAt(lineStarts, comma + 1, ` ${prop},`);
  return insertAt(lineStarts, lastEntryEnd, `, ${prop}`);
}
