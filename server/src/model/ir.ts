/**
 * The language-neutral pipeline model: a small, typed IR that both front ends (Python through
 * tree-sitter, TypeScript through the compiler API) lower source into. Rules never see a syntax tree.
 *
 * Positions are 0-based lines and UTF-16 columns, as in LSP; the CLI adds 1 when it prints.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Language = 'python' | 'typescript';

/** Index into ModuleIR.functions; `null` means the module scope. */
export type ScopeId = number | null;

export interface ModuleIR {
  /** File path (CLI) or document URI (server). */
  uri: string;
  language: Language;
  text: string;
  /** Offsets of line starts in `text`, for offset <-> position conversion. */
  lineStarts: number[];
  body: Stmt[];
  /** Every lambda, def and class (Python) or function, arrow and class (TypeScript); `fn.id` is its index. */
  functions: FunctionIR[];
  imports: ImportIR[];
  /** The parser recovered from syntax errors; analyses stay conservative inside `errorRanges`. */
  hasErrors: boolean;
  errorRanges: Range[];
  /** Set when the text was not analysed at all (why, for the user): the CLI and the server report it. */
  notAnalysed?: string;
  /** Range just after the last top-level import: where extracted module-level helpers go. */
  importsEnd: Position;
  /**
   * Notebooks: the first line of each code cell in `text` and the cell's 0-based index among all cells.
   * Messages name lines through `lineLabel`, so that they say "cell 7, line 55", never a joined line.
   */
  cells?: { startLine: number; index: number }[];
  /**
   * Lowered for an open document: its next version reuses these statement objects, so results per statement
   * are worth keeping for it (model/semantics.ts). The CLI's one-off lowerings leave it unset: keeping them
   * raised its peak memory over 1,995 scripts from 219 to 296 MB.
   */
  incremental?: boolean;
  /**
   * An upper bound of the model's node count known without walking it: the Python parse's syntax nodes
   * (every model node comes from a distinct one, most syntax nodes give none: 0.37-0.43 of them on
   * scikit-learn's examples). Counting the model exactly took 2.7% of a check of those examples, for a limit
   * that no real file reaches; the analysis counts only when this bound passes the limit (analysis/analyze.ts).
   */
  nodeBound?: number;
}

/**
 * One imported name. `import a.b as c` gives local `c` -> `a.b`; `import a.b` gives `a` -> `a`;
 * `from a import b as c` gives `c` -> `a.b`; TypeScript `import {KMeans as K} from 'scikitjs'` gives
 * `K` -> `scikitjs.KMeans` and `import * as sk from 'scikitjs'` gives `sk` -> `scikitjs`.
 */
export interface ImportIR {
  local: string;
  qname: string;
  range: Range;
  scope: ScopeId;
}

export type FunctionKind = 'lambda' | 'def' | 'class';

export interface ParamIR {
  name: string;
  range: Range;
  kind: 'positional' | 'keyword' | 'varargs' | 'kwargs';
  default?: Expr;
}

export interface FunctionIR {
  id: number;
  /** 'lambda' also covers TypeScript arrow functions and function expressions. */
  kind: FunctionKind;
  /** '<lambda>' for anonymous functions. */
  name: string;
  /** Whole definition, decorators included. */
  range: Range;
  /** The name (or the `lambda` keyword / arrow for anonymous functions). */
  nameRange: Range;
  /** Enclosing function or class, `null` at module level. */
  parent: ScopeId;
  params: ParamIR[];
  /** A lambda's expression body is lowered to `[{k: 'return', value}]`. */
  body: Stmt[];
  decorators: Expr[];
  /** Class bases (classes only). */
  bases: Expr[];
  isAsync: boolean;
}

export interface ArgIR {
  /** Keyword name (Python `name=`), absent for positional arguments and spreads. */
  name?: string;
  value: Expr;
  range: Range;
  spread?: '*' | '**';
}

export type Expr =
  | { k: 'name'; name: string; range: Range }
  | { k: 'attr'; object: Expr; name: string; range: Range; nameRange: Range }
  | { k: 'call'; callee: Expr; args: ArgIR[]; range: Range; argsRange: Range; isNew?: boolean }
  | { k: 'function'; fn: number; range: Range }
  /** `value` is null when the string is not constant (an f-string with holes, a template with expressions). */
  | { k: 'str'; value: string | null; range: Range; parts?: (string | Expr)[] }
  | { k: 'num'; value: number; raw: string; range: Range }
  | { k: 'const'; value: boolean | null | undefined; range: Range }
  | { k: 'seq'; kind: 'list' | 'tuple' | 'set'; items: Expr[]; range: Range }
  /** Python dict or TypeScript object literal; `key` null for `**x` / `...x` spreads. */
  | { k: 'dict'; entries: DictEntry[]; range: Range }
  | { k: 'subscript'; object: Expr; index: Expr; range: Range }
  | { k: 'slice'; lower?: Expr; upper?: Expr; step?: Expr; range: Range }
  | { k: 'binop'; op: string; left: Expr; right: Expr; range: Range }
  | { k: 'unary'; op: string; operand: Expr; range: Range }
  | { k: 'spread'; kind: '*' | '**'; value: Expr; range: Range }
  /** Anything else (comprehensions, conditionals, await of non-calls...): its sub-expressions are kept for walking. */
  | { k: 'other'; range: Range; children: Expr[]; scopeFn?: number };

export interface DictEntry {
  key: Expr | null;
  value: Expr;
  range: Range;
}

/** Assignment targets: names, attributes, subscripts, tuples/lists of targets, starred targets. */
export type Target = Expr;

export type Stmt =
  | { k: 'assign'; targets: Target[]; value: Expr; op?: string; range: Range }
  | { k: 'expr'; expr: Expr; range: Range }
  | { k: 'def'; fn: number; range: Range }
  | { k: 'return'; value?: Expr; range: Range }
  | { k: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[]; range: Range }
  | { k: 'loop'; target?: Target; iter?: Expr; body: Stmt[]; orelse: Stmt[]; range: Range }
  | { k: 'with'; items: { value: Expr; target?: Target }[]; body: Stmt[]; range: Range }
  | { k: 'try'; body: Stmt[]; handlers: Stmt[][]; orelse: Stmt[]; finalbody: Stmt[]; range: Range }
  | { k: 'global'; names: string[]; range: Range };

export function exprChildren(e: Expr): Expr[] {
  switch (e.k) {
    case 'attr':
      return [e.object];
    case 'call':
      return [e.callee, ...e.args.map((a) => a.value)];
    case 'str':
      return (e.parts ?? []).filter((p): p is Expr => typeof p !== 'string');
    case 'seq':
      return e.items;
    case 'dict':
      return e.entries.flatMap((en) => (en.key ? [en.key, en.value] : [en.value]));
    case 'subscript':
      return [e.object, e.index];
    case 'slice':
      return [e.lower, e.upper, e.step].filter((x): x is Expr => x !== undefined);
    case 'binop':
      return [e.left, e.right];
    case 'unary':
      return [e.operand];
    case 'spread':
      return [e.value];
    case 'other':
      return e.children;
    default:
      return [];
  }
}

/**
 * Pushes `exprChildren(e)` onto `stack` last first, so that they pop in source order, without allocating:
 * the walks over every expression of a module run on each keystroke.
 */
export function pushChildren(e: Expr, stack: Expr[]): void {
  switch (e.k) {
    case 'attr':
      stack.push(e.object);
      return;
    case 'call':
      for (let i = e.args.length - 1; i >= 0; i--) stack.push(e.args[i].value);
      stack.push(e.callee);
      return;
    case 'str':
      if (e.parts)
        for (let i = e.parts.length - 1; i >= 0; i--) {
          const p = e.parts[i];
          if (typeof p !== 'string') stack.push(p);
        }
      return;
    case 'seq':
      for (let i = e.items.length - 1; i >= 0; i--) stack.push(e.items[i]);
      return;
    case 'dict':
      for (let i = e.entries.length - 1; i >= 0; i--) {
        const en = e.entries[i];
        stack.push(en.value);
        if (en.key) stack.push(en.key);
      }
      return;
    case 'subscript':
      stack.push(e.index, e.object);
      return;
    case 'slice':
      if (e.step) stack.push(e.step);
      if (e.upper) stack.push(e.upper);
      if (e.lower) stack.push(e.lower);
      return;
    case 'binop':
      stack.push(e.right, e.left);
      return;
    case 'unary':
      stack.push(e.operand);
      return;
    case 'spread':
      stack.push(e.value);
      return;
    case 'other':
      for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]);
      return;
    default:
      return;
  }
}

/** Calls `visit` on `e` and every sub-expression (not descending into function bodies). */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    visit(cur);
    pushChildren(cur, stack);
  }
}

/** Direct sub-statements and the expressions a statement holds. */
export function stmtParts(s: Stmt): { exprs: Expr[]; blocks: Stmt[][] } {
  switch (s.k) {
    case 'assign':
      return { exprs: [...s.targets, s.value], blocks: [] };
    case 'expr':
      return { exprs: [s.expr], blocks: [] };
    case 'def':
      return { exprs: [], blocks: [] };
    case 'return':
      return { exprs: s.value ? [s.value] : [], blocks: [] };
    case 'if':
      return { exprs: [s.test], blocks: [s.body, s.orelse] };
    case 'loop':
      return { exprs: [s.target, s.iter].filter((x): x is Expr => x !== undefined), blocks: [s.body, s.orelse] };
    case 'with':
      return { exprs: s.items.flatMap((i) => (i.target ? [i.value, i.target] : [i.value])), blocks: [s.body] };
    case 'try':
      return { exprs: [], blocks: [s.body, ...s.handlers, s.orelse, s.finalbody] };
    case 'global':
      return { exprs: [], blocks: [] };
  }
}

/** Visits statements of one scope in source order, descending into compound statements but not into defs. */
export function walkStmts(body: Stmt[], visit: (s: Stmt) => void): void {
  for (const s of body) {
    visit(s);
    for (const b of stmtParts(s).blocks) walkStmts(b, visit);
  }
}

export function comparePos(a: Position, b: Position): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

export function containsPos(r: Range, p: Position): boolean {
  return comparePos(r.start, p) <= 0 && comparePos(p, r.end) <= 0;
}

export function containsRange(outer: Range, inner: Range): boolean {
  return containsPos(outer, inner.start) && containsPos(outer, inner.end);
}
