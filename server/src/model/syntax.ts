import type { CallExpr } from './calls';
import type { TextEdit } from './finding';
import type { Expr, ModuleIR } from './ir';

/** A literal value as the knowledge records it (a default, a condition's value). */
export type Literal = string | number | boolean | null;

/**
 * The printer of one front end's language: what a rule needs to write or read source text of that
 * language (messages showing arguments, fixes adding arguments or functions). Rules ask the printer of
 * `ctx.syntax` instead of testing the language; `python/syntax.ts` and `typescript/syntax.ts` implement it.
 * A printer returns null for an edit its language has no safe form for.
 */
export interface Syntax {
  readonly language: 'python' | 'typescript';
  /** How options reach a library call: keyword arguments (`f(a=1)`) or an options object (`new F({a: 1})`). */
  readonly options: 'keywords' | 'options-object';
  /** The value that stands for "the default" in a skipped positional argument (`None` / `undefined`). */
  readonly defaultArgument: string;
  /** The start of a line comment (`#` / `//`). */
  readonly lineComment: '#' | '//';
  /** A literal as written in the language: `'saga'`, `True`/`true`, `None`/`null`, `3`. */
  literal(v: Literal): string;
  /** A keyword argument / options property as written in a call: `name=value` / `name: value`. */
  keywordArgument(name: string, valueText: string): string;
  /** The key of a dict / object-literal entry, when it is a fixed property name (`'a'`, and `{a: 1}` in TypeScript). */
  propertyName(key: Expr): string | undefined;
  /** An edit adding a keyword argument (options property) to a call; null when it cannot be added without guessing. */
  insertKeywordArgument(module: ModuleIR, call: CallExpr, name: string, valueText: string): TextEdit | null;
  /** A module-level constant definition (`SEED = 42`); null when the language's fixes do not add one. */
  moduleConstant(name: string, valueText: string): string | null;
  /**
   * A named function extracted from an anonymous one (`lambda x: x ** 2` -> `def name(x):\n    return x ** 2`),
   * given the anonymous function's source and its returned expression's source; null when not possible.
   */
  extractFunction(name: string, source: string, returnedText: string, eol: string): string | null;
}
