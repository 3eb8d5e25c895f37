import { ts } from 'ts-morph';
import type {
  ArgIR,
  DictEntry,
  Expr,
  FunctionIR,
  ImportIR,
  ModuleIR,
  ParamIR,
  Position,
  Range,
  ScopeId,
  Stmt,
} from '../model/ir';
import { shiftIR, type LoweredChunk } from '../model/shift';
import { commonPrefix, commonSuffix, computeLineStarts, positionAt } from '../model/text';

/**
 * Lowers a TypeScript / JavaScript source file (the compiler's own AST, parsed without parent
 * pointers) into the language-neutral IR, so that the rules written for scikit-learn serve scikit.js:
 *
 * - `import {KMeans as K} from 'scikitjs'`, `import * as sk from 'scikitjs'`, default imports,
 *   `import x = require(...)`, `const sk = require('scikitjs')`, `const {KMeans} = require('scikitjs')`
 *   and `await import('scikitjs')` become `ImportIR`s (`K` -> `scikitjs.KMeans`, `sk` -> `scikitjs`).
 *   Node built-ins drop their `node:` prefix and use dots: `fs/promises` -> `fs.promises`.
 * - `new X(...)` is a call with `isNew`; arguments are positional; an options object is a `dict`
 *   with `str` keys, so `argFor(call, entity, 'randomState')` finds its properties.
 * - `await x`, `x as T`, `x!`, `<T>x`, `x satisfies T` and parentheses lower to `x`.
 * - Arrow functions, function expressions and object-literal methods are `FunctionIR` kind 'lambda';
 *   function declarations are 'def' (methods of classes too); classes are 'class'.
 * - `const [a, b] = f()` binds a `seq` target; `const {a, b: c} = obj` with a plain name or
 *   property access on the right binds `a = obj.a`, `c = obj.b`; from any other value a `seq`.
 */
export function lowerTypeScriptSource(text: string, uri: string, cache?: TypeScriptLoweringCache): ModuleIR {
  if (cache && cache.uri === uri && cache.text !== undefined && cache.text !== text) {
    const module = lowerRegion(text, uri, cache);
    if (module) return module;
  }
  const sf = parse(text, uri, cache);
  const lowerer = new Lowerer(sf, text, uri);
  const module = lowerer.module(cache);
  if (cache) {
    cache.tops = lowerer.tops;
    cache.errors = parseErrors(sf);
    cache.isModule = ts.isExternalModule(sf);
    cache.text = text;
    cache.uri = uri;
    cache.sf = sf;
    cache.sfText = text;
  }
  return module;
}

/**
 * Per-document state kept between versions by the language server (an opaque object to it): a whole-file
 * source file (`sf`, of `sfText`), re-parsed incrementally (`ts.updateSourceFile` over the span changed since),
 * and the top-level statements of the last version (`text`) with their lowering, reused when unchanged
 * (shifted when an edit above moved them).
 */
export interface TypeScriptLoweringCache {
  text?: string;
  uri?: string;
  sf?: ts.SourceFile;
  sfText?: string;
  /** The last version's top-level statements. */
  tops?: Top[];
  /** The last version was a module (an import or export): `await` outside functions read as such. */
  isModule?: boolean;
  /** The last version's parse errors (offsets), in the compiler's order. */
  errors?: ParseError[];
}

type Chunk = LoweredChunk;

/**
 * A parse error from a statement's full start up to the next statement's first token (included): the statement
 * is then never reused, as its text alone may not say how it parsed (`function f()` followed by ` /{` is a
 * declaration with an empty body, by ` /*` one without).
 */
function hasErrorIn(sortedStarts: number[], from: number, upTo: number): boolean {
  let lo = 0;
  let hi = sortedStarts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedStarts[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sortedStarts.length && sortedStarts[lo] <= upTo;
}

interface ParseError {
  start: number;
  length: number;
}

function parseErrors(sf: ts.SourceFile): ParseError[] {
  const diags = (sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  return diags.map((d) => ({ start: d.start ?? 0, length: d.length ?? 0 }));
}

/** A lowered top-level statement: `pos` is its full start (leading trivia included), as the compiler's. */
interface Top {
  pos: number;
  start: number;
  end: number;
  isImport: boolean;
  /** Whatever follows starts a statement of its own: it ends with `;` or is a declaration with a body. */
  closed: boolean;
  /** A parse error inside: never reused (its text alone may not say how it parsed). */
  broken: boolean;
  /** An import or export: the file is a module, where `await` outside functions reads otherwise. */
  moduleIndicator: boolean;
  chunk: Chunk;
}

/** ts.TransformFlags.ContainsPossibleTopLevelAwait (internal to the compiler). */
const CONTAINS_POSSIBLE_TOP_LEVEL_AWAIT = 1 << 26;

/** Declarations that end with their body's `}`: nothing after them can continue them. */
const CLOSED_KINDS = new Set([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.ModuleDeclaration,
]);

/**
 * Per keystroke, the compiler's incremental re-parse still walks the whole file (3-4 ms at 2,000 lines), so
 * an edit inside top-level statements re-parses those statements alone, with the statement after them as a
 * sentinel: the text from the first edited statement's full start to the sentinel's end (its offsets are moved
 * by where it starts). This is the whole file's parse when
 * - the last version had no parse error up to the region's first token (one there may have read into it) nor in the
 *   sentinel (its error may come from the token after it); its errors after the sentinel stay, moved,
 * - the statement before the region cannot be continued by what the region starts with (ends with `;` or
 *   is a declaration with a body, and the region's first token is not an error alone, as `else` is), or the
 *   region starts the file,
 * - the region's last statement is the sentinel, at the same place, with no error in it: the parser was back
 *   at the top level, in the state in which it starts any statement, where the file goes on as before. Errors
 *   before the sentinel are the file's (that parse saw the same tokens).
 * Otherwise (or when a statement after the sentinel moved within its line) undefined: the whole-file path.
 */
function lowerRegion(text: string, uri: string, cache: TypeScriptLoweringCache): ModuleIR | undefined {
  const tops = cache.tops;
  const before = cache.text!;
  if (!tops || tops.length === 0 || !cache.errors) return undefined;
  const start = commonPrefix(before, text);
  const oldEnd = before.length - commonSuffix(before, text, Math.min(before.length, text.length) - start);
  const delta = text.length - before.length;
  let first = -1;
  let last = -1;
  for (let i = 0; i < tops.length; i++) {
    if (tops[i].pos <= oldEnd && start <= tops[i].end) {
      if (first < 0) first = i;
      last = i;
    } else if (first >= 0) break;
  }
  if (first < 0 || tops[first].pos > start || (first > 0 && !tops[first - 1].closed)) return undefined;
  const regionStart = tops[first].pos;
  const after = tops[last + 1] ? last + 2 : last + 1;
  // Whether the file is a module decides how `await` outside functions reads, in statements after the region
  // too: it must not change with the region (`import.meta` makes a module as well: not followed here).
  if (text.includes('import.meta')) return undefined;
  let moduleOutside = false;
  let moduleBefore = false;
  for (let i = 0; i < tops.length; i++)
    if (i >= first && i < after) moduleBefore ||= tops[i].moduleIndicator;
    else moduleOutside ||= tops[i].moduleIndicator;
  const sentinel = tops[last + 1];
  const regionEnd = sentinel ? sentinel.end + delta : text.length;
  // Errors up to the region's first token may have read into it (a class body ended by a token that starts a
  // statement); the sentinel's may come from what follows it (a token on its line), which its parse here does
  // not see; those after the sentinel stay as they were.
  const kept: ParseError[] = [];
  for (const e of cache.errors) {
    if (e.start <= tops[first].start || (sentinel && e.start >= sentinel.pos && e.start < sentinel.end))
      return undefined;
    if (sentinel && e.start >= sentinel.end) kept.push({ start: e.start + delta, length: e.length });
  }
  // A `#!` line is a comment only at the file's start.
  if (regionStart > 0 && text.startsWith('#!', regionStart)) return undefined;
  const sf = ts.createSourceFile(
    fileNameFor(uri),
    text.slice(regionStart, regionEnd),
    ts.ScriptTarget.Latest,
    false,
    scriptKindFor(uri),
  );
  // `await` outside functions is read again once the file is known to be a module: the region alone may not be.
  if ((sf as unknown as { transformFlags: number }).transformFlags & CONTAINS_POSSIBLE_TOP_LEVEL_AWAIT)
    return undefined;
  // The region's own errors are the file's (its parse saw the same tokens up to the sentinel's end); one in
  // the sentinel may come from the end of the text here.
  const errors = parseErrors(sf).map((e) => ({ start: e.start + regionStart, length: e.length }));
  if (sf.statements.length === 0 || (sentinel && errors.some((e) => e.start >= sentinel.pos + delta))) return undefined;
  // An error at the region's first token: in the file it may continue the statement before (`if (a) b;` + `else`).
  const firstToken = sf.statements[0].getStart(sf) + regionStart;
  if (errors.some((e) => e.start <= firstToken)) return undefined;
  const moduleAfter = sf.statements.some(isModuleIndicator);
  if (!moduleOutside && moduleBefore !== moduleAfter) return undefined;
  for (const e of kept) errors.push(e);
  if (sentinel) {
    const s = sf.statements[sf.statements.length - 1];
    if (
      s.end + regionStart !== regionEnd ||
      s.getStart(sf) + regionStart !== sentinel.start + delta ||
      s.pos + regionStart !== sentinel.pos + delta
    )
      return undefined;
  }
  const lowerer = new Lowerer(sf, text, uri, regionStart);
  const module = lowerer.region(tops, first, after, delta, before, errors);
  if (!module) return undefined;
  cache.tops = lowerer.tops;
  cache.errors = errors;
  cache.isModule = moduleOutside || moduleAfter;
  cache.text = text;
  return module;
}

/** The compiler's `isAnExternalModuleIndicatorNode`: an import or export makes the file a module. */
function isModuleIndicator(s: ts.Statement): boolean {
  if (ts.isImportDeclaration(s) || ts.isExportAssignment(s) || ts.isExportDeclaration(s)) return true;
  if (ts.isImportEqualsDeclaration(s)) return ts.isExternalModuleReference(s.moduleReference);
  return ts.canHaveModifiers(s) && !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function parse(text: string, uri: string, cache?: TypeScriptLoweringCache): ts.SourceFile {
  const old = cache?.sf;
  if (old && cache.uri === uri && cache.sfText !== undefined) {
    const before = cache.sfText;
    if (before === text) return old;
    // The changed span since the source file's text (older than the last version's after region re-parses).
    const start = commonPrefix(before, text);
    const end = commonSuffix(before, text, Math.min(before.length, text.length) - start);
    const span = ts.createTextSpan(start, before.length - end - start);
    // The old tree is consumed by the incremental parse: forget it first, whatever happens.
    cache.sf = undefined;
    cache.sfText = undefined;
    return ts.updateSourceFile(old, text, ts.createTextChangeRange(span, text.length - end - start));
  }
  return ts.createSourceFile(fileNameFor(uri), text, ts.ScriptTarget.Latest, false, scriptKindFor(uri));
}

export function scriptKindFor(uri: string): ts.ScriptKind {
  const path = uri.replace(/[?#].*$/, '').toLowerCase();
  if (path.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (path.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (path.endsWith('.js') || path.endsWith('.mjs') || path.endsWith('.cjs')) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** The compiler picks module detection and JSX from the file name: keep the extension. */
function fileNameFor(uri: string): string {
  const m = /\.(tsx|ts|mts|cts|jsx|js|mjs|cjs)(?=$|[?#])/i.exec(uri);
  return m ? `file${m[0].toLowerCase()}` : 'file.ts';
}

const MAX_DEPTH = 400;

/** Module specifier -> qualified-name prefix. */
export function moduleQname(spec: string): string {
  let s = spec.startsWith('node:') ? spec.slice(5) : spec;
  if (s === 'scikitjs' || s.startsWith('scikitjs/')) return 'scikitjs';
  // `fs/promises` -> `fs.promises`, so that `import * as fs from 'fs'; fs.promises.writeFile` agrees.
  s = s.replace(/\//g, '.');
  return s;
}

type FnLike =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

class Lowerer {
  private readonly functions: FunctionIR[] = [];
  private readonly imports: ImportIR[] = [];
  private readonly lineStarts: number[];
  private scope: ScopeId = null;
  private depth = 0;
  private importsEnd: Position = { line: 0, character: 0 };
  private seenNonImport = false;

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly text: string,
    private readonly uri: string,
    /** Where the source file's text starts in `text` (a region's: not at 0): node offsets are relative to it. */
    private readonly base = 0,
  ) {
    this.lineStarts = computeLineStarts(text);
  }

  /** The top-level statements lowered, for the next version (when the cache is used). */
  readonly tops: Top[] = [];

  module(cache?: TypeScriptLoweringCache): ModuleIR {
    const body: Stmt[] = [];
    const diags = (this.sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
    // The last version's statements by text (the first of equal texts), each reused at most once.
    const old = new Map<string, Chunk>();
    // A file that became a module, or stopped being one, reads `await` outside functions otherwise: nothing reused.
    if (cache?.tops && cache.text !== undefined && cache.isModule === ts.isExternalModule(this.sf))
      for (const t of cache.tops) {
        if (t.broken) continue;
        const key = cache.text.slice(t.start, t.end);
        if (!old.has(key)) old.set(key, t.chunk);
      }
    const errorStarts = diags.map((x) => x.start ?? 0).sort((a, b) => a - b);
    const statements = this.sf.statements;
    const starts = cache ? statements.map((s) => s.getStart(this.sf)) : [];
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i];
      if (!cache) {
        const isImport = this.isImportStatement(s);
        if (isImport && !this.seenNonImport) this.importsEnd = this.pos(s.end);
        this.statement(s, body);
        if (!isImport && this.imports.length > 0) this.seenNonImport = true;
        continue;
      }
      const start = starts[i];
      const broken = hasErrorIn(errorStarts, s.pos, i + 1 < starts.length ? starts[i + 1] : Infinity);
      const key = this.sf.text.slice(start, s.end);
      const chunk = broken ? undefined : old.get(key);
      if (chunk) old.delete(key);
      this.place(s, start, chunk, body, broken);
    }
    return this.result(body, this.errorRanges(parseErrors(this.sf)));
  }

  /**
   * The module from the last version's statements `tops` with those in `[first, after)` replaced by this
   * (region) source file's statements, which end where `tops[after - 1]` ended (moved by `delta`). Undefined
   * when a statement after the region moved within its line (its lowering has columns: lowered again).
   */
  region(
    tops: Top[],
    first: number,
    after: number,
    delta: number,
    before: string,
    errors: ParseError[],
  ): ModuleIR | undefined {
    const body: Stmt[] = [];
    for (let i = 0; i < first; i++) this.reuse(tops[i], 0, body);
    // The region's old statements by text: the sentinel (and any statement the edit left alone) are reused.
    const old = new Map<string, Chunk>();
    for (let i = first; i < after; i++) {
      const key = before.slice(tops[i].start, tops[i].end);
      if (!old.has(key)) old.set(key, tops[i].chunk);
    }
    const errorStarts = errors.map((x) => x.start).sort((a, b) => a - b);
    const statements = this.sf.statements;
    const starts = statements.map((s) => s.getStart(this.sf));
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i];
      const start = starts[i];
      const next =
        i + 1 < starts.length ? starts[i + 1] + this.base : after < tops.length ? tops[after].start + delta : Infinity;
      const broken = hasErrorIn(errorStarts, s.pos + this.base, next);
      const key = this.sf.text.slice(start, s.end);
      const chunk = broken ? undefined : old.get(key);
      if (chunk) old.delete(key);
      this.place(s, start, chunk, body, broken);
    }
    for (let i = after; i < tops.length; i++) if (!this.reuse(tops[i], delta, body)) return undefined;
    return this.result(body, this.errorRanges(errors));
  }

  /** Places a statement of this source file: its old lowering when given and at the same column, else lowered. */
  private place(s: ts.Statement, start: number, reusable: Chunk | undefined, body: Stmt[], broken: boolean): void {
    const isImport = this.isImportStatement(s);
    if (isImport && !this.seenNonImport) this.importsEnd = this.pos(s.end);
    const at = this.pos(start);
    const chunk =
      reusable && reusable.startCharacter === at.character ? this.shifted(reusable, at) : this.lowerChunk(s, at);
    this.push(chunk, body);
    const last = this.sf.text.charCodeAt(s.end - 1);
    const closed = last === 59 /* ; */ || (last === 125 /* } */ && CLOSED_KINDS.has(s.kind));
    const b = this.base;
    const moduleIndicator = isModuleIndicator(s);
    this.tops.push({
      pos: s.pos + b,
      start: start + b,
      end: s.end + b,
      isImport,
      closed,
      broken,
      moduleIndicator,
      chunk,
    });
    if (!isImport && this.imports.length > 0) this.seenNonImport = true;
  }

  /** Places an old statement moved by `delta` characters; false when that moved it within its line. */
  private reuse(t: Top, delta: number, body: Stmt[]): boolean {
    const start = t.start + delta;
    const end = t.end + delta;
    if (t.isImport && !this.seenNonImport) this.importsEnd = this.absPos(end);
    const at = this.absPos(start);
    if (at.character !== t.chunk.startCharacter) return false;
    const chunk = this.shifted(t.chunk, at);
    this.push(chunk, body);
    this.tops.push({ ...t, pos: t.pos + delta, start, end, chunk });
    if (!t.isImport && this.imports.length > 0) this.seenNonImport = true;
    return true;
  }

  /** A chunk at its new line and function ids (the same object when neither moved). */
  private shifted(chunk: Chunk, at: Position): Chunk {
    const lineDelta = at.line - chunk.startLine;
    const idDelta = this.functions.length - chunk.base;
    if (lineDelta === 0 && idDelta === 0) return chunk;
    const { stmts, functions, imports } = shiftIR(
      { stmts: chunk.stmts, functions: chunk.functions, imports: chunk.imports },
      lineDelta,
      idDelta,
    );
    return { ...chunk, startLine: at.line, base: this.functions.length, stmts, functions, imports };
  }

  private push(chunk: Chunk, body: Stmt[]): void {
    for (const fn of chunk.functions) this.functions.push(fn);
    for (const imp of chunk.imports) this.imports.push(imp);
    for (const st of chunk.stmts) body.push(st);
  }

  private errorRanges(errors: ParseError[]): Range[] {
    return errors.map((e) => ({ start: this.absPos(e.start), end: this.absPos(e.start + e.length) }));
  }

  private result(body: Stmt[], errorRanges: Range[]): ModuleIR {
    return {
      uri: this.uri,
      language: 'typescript',
      text: this.text,
      lineStarts: this.lineStarts,
      body,
      functions: this.functions,
      imports: this.imports,
      hasErrors: errorRanges.length > 0,
      errorRanges,
      importsEnd: this.importsEnd,
    };
  }

  /** Lowers one top-level statement with function ids continuing the module's numbering. */
  private lowerChunk(s: ts.Statement, at: Position): Chunk {
    const base = this.functions.length;
    const importsBefore = this.imports.length;
    const stmts: Stmt[] = [];
    this.statement(s, stmts);
    return {
      startLine: at.line,
      startCharacter: at.character,
      base,
      stmts,
      functions: this.functions.splice(base),
      imports: this.imports.splice(importsBefore),
    };
  }

  // ---- positions -------------------------------------------------------------------------------

  private pos(offset: number): Position {
    return this.absPos(offset + this.base);
  }

  /** The position of an offset in the whole text (not a node's). */
  private absPos(offset: number): Position {
    return positionAt(this.lineStarts, Math.max(0, Math.min(offset, this.text.length)));
  }

  private range(n: ts.Node): Range {
    return { start: this.pos(n.getStart(this.sf)), end: this.pos(n.end) };
  }

  private emptyAt(n: ts.Node): Expr {
    return { k: 'other', range: this.range(n), children: [] };
  }

  // ---- statements ------------------------------------------------------------------------------

  private isImportStatement(s: ts.Statement): boolean {
    if (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)) return true;
    if (ts.isVariableStatement(s))
      return (
        s.declarationList.declarations.length > 0 &&
        s.declarationList.declarations.every(
          (d) => d.initializer !== undefined && requireSpec(d.initializer) !== undefined,
        )
      );
    return false;
  }

  private block(stmts: readonly ts.Statement[] | ts.Statement | undefined): Stmt[] {
    const out: Stmt[] = [];
    if (!stmts) return out;
    if (isStatementArray(stmts)) for (const s of stmts) this.statement(s, out);
    else this.statement(stmts, out);
    return out;
  }

  private statement(n: ts.Statement, out: Stmt[]): void {
    if (this.depth > MAX_DEPTH) return;
    this.depth++;
    try {
      this.statementInner(n, out);
    } finally {
      this.depth--;
    }
  }

  private statementInner(n: ts.Statement, out: Stmt[]): void {
    switch (n.kind) {
      case ts.SyntaxKind.ImportDeclaration:
        this.importDecl(n as ts.ImportDeclaration);
        return;
      case ts.SyntaxKind.ImportEqualsDeclaration: {
        const d = n as ts.ImportEqualsDeclaration;
        if (ts.isExternalModuleReference(d.moduleReference) && ts.isStringLiteralLike(d.moduleReference.expression)) {
          this.imports.push({
            local: d.name.text,
            qname: moduleQname(d.moduleReference.expression.text),
            range: this.range(n),
            scope: this.scope,
          });
        }
        return;
      }
      case ts.SyntaxKind.VariableStatement:
        this.variableList((n as ts.VariableStatement).declarationList, out, n);
        return;
      case ts.SyntaxKind.ExpressionStatement:
        out.push(this.expressionStatement((n as ts.ExpressionStatement).expression, this.range(n)));
        return;
      case ts.SyntaxKind.FunctionDeclaration: {
        const f = n as ts.FunctionDeclaration;
        if (!f.body) return; // overload signature
        out.push({ k: 'def', fn: this.fnDecl(f, 'def'), range: this.range(n) });
        return;
      }
      case ts.SyntaxKind.ClassDeclaration:
        out.push({ k: 'def', fn: this.classDecl(n as ts.ClassDeclaration), range: this.range(n) });
        return;
      case ts.SyntaxKind.ReturnStatement: {
        const r = n as ts.ReturnStatement;
        out.push({ k: 'return', value: r.expression ? this.expr(r.expression) : undefined, range: this.range(n) });
        return;
      }
      case ts.SyntaxKind.IfStatement: {
        const s = n as ts.IfStatement;
        out.push({
          k: 'if',
          test: this.expr(s.expression),
          body: this.block(blockStatements(s.thenStatement)),
          orelse: this.block(s.elseStatement ? blockStatements(s.elseStatement) : undefined),
          range: this.range(n),
        });
        return;
      }
      case ts.SyntaxKind.Block:
        for (const s of (n as ts.Block).statements) this.statement(s, out);
        return;
      case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.ForInStatement: {
        const s = n as ts.ForOfStatement | ts.ForInStatement;
        const init = s.initializer;
        let target: Expr | undefined;
        if (ts.isVariableDeclarationList(init)) {
          const d = init.declarations[0];
          target = d ? this.bindingTarget(d.name) : undefined;
        } else target = this.expr(init);
        out.push({
          k: 'loop',
          target,
          iter: this.expr(s.expression),
          body: this.block(blockStatements(s.statement)),
          orelse: [],
          range: this.range(n),
        });
        return;
      }
      case ts.SyntaxKind.ForStatement: {
        const s = n as ts.ForStatement;
        const pre: Stmt[] = [];
        if (s.initializer) {
          if (ts.isVariableDeclarationList(s.initializer)) this.variableList(s.initializer, pre, n);
          else pre.push(this.expressionStatement(s.initializer, this.range(s.initializer)));
        }
        out.push(...pre);
        const body = this.block(blockStatements(s.statement));
        if (s.incrementor) body.push(this.expressionStatement(s.incrementor, this.range(s.incrementor)));
        out.push({
          k: 'loop',
          iter: s.condition ? this.expr(s.condition) : undefined,
          body,
          orelse: [],
          range: this.range(n),
        });
        return;
      }
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement: {
        const s = n as ts.WhileStatement | ts.DoStatement;
        out.push({
          k: 'loop',
          iter: this.expr(s.expression),
          body: this.block(blockStatements(s.statement)),
          orelse: [],
          range: this.range(n),
        });
        return;
      }
      case ts.SyntaxKind.TryStatement: {
        const s = n as ts.TryStatement;
        const handlers: Stmt[][] = [];
        if (s.catchClause) handlers.push(this.block(s.catchClause.block.statements));
        out.push({
          k: 'try',
          body: this.block(s.tryBlock.statements),
          handlers,
          orelse: [],
          finalbody: this.block(s.finallyBlock?.statements),
          range: this.range(n),
        });
        return;
      }
      case ts.SyntaxKind.SwitchStatement: {
        const s = n as ts.SwitchStatement;
        out.push({ k: 'expr', expr: this.expr(s.expression), range: this.range(s.expression) });
        for (const clause of s.caseBlock.clauses) {
          const test: Expr = ts.isCaseClause(clause)
            ? this.expr(clause.expression)
            : { k: 'other', range: this.range(clause), children: [] };
          out.push({ k: 'if', test, body: this.block(clause.statements), orelse: [], range: this.range(clause) });
        }
        return;
      }
      case ts.SyntaxKind.LabeledStatement:
        this.statement((n as ts.LabeledStatement).statement, out);
        return;
      case ts.SyntaxKind.ThrowStatement:
        out.push({ k: 'expr', expr: this.expr((n as ts.ThrowStatement).expression), range: this.range(n) });
        return;
      case ts.SyntaxKind.ExportAssignment:
        out.push({ k: 'expr', expr: this.expr((n as ts.ExportAssignment).expression), range: this.range(n) });
        return;
      case ts.SyntaxKind.ModuleDeclaration: {
        const body = (n as ts.ModuleDeclaration).body;
        if (body && ts.isModuleBlock(body)) for (const s of body.statements) this.statement(s, out);
        return;
      }
      case ts.SyntaxKind.WithStatement: {
        const s = n as ts.WithStatement;
        out.push({
          k: 'with',
          items: [{ value: this.expr(s.expression) }],
          body: this.block(blockStatements(s.statement)),
          range: this.range(n),
        });
        return;
      }
      default:
        return; // empty, break, continue, debugger, types, interfaces, enums, export {...}
    }
  }

  private expressionStatement(e: ts.Expression, range: Range): Stmt {
    const inner = skipOuter(e);
    if (ts.isBinaryExpression(inner)) {
      const op = inner.operatorToken.kind;
      if (op === ts.SyntaxKind.EqualsToken) {
        // Chained `a = b = value`.
        const targets: Expr[] = [];
        let cur: ts.Expression = inner;
        while (ts.isBinaryExpression(cur) && cur.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
          targets.push(this.assignTarget(cur.left));
          cur = skipOuter(cur.right);
        }
        return { k: 'assign', targets, value: this.expr(cur), range };
      }
      if (isCompoundAssignment(op)) {
        return {
          k: 'assign',
          targets: [this.assignTarget(inner.left)],
          value: this.expr(inner.right),
          op: ts.tokenToString(op) ?? '+=',
          range,
        };
      }
    }
    return { k: 'expr', expr: this.expr(e), range };
  }

  /** `[a, b] = ...` and `({a} = ...)` destructuring assignments: patterns written as literals. */
  private assignTarget(e: ts.Expression): Expr {
    const n = skipOuter(e);
    if (ts.isArrayLiteralExpression(n)) {
      return {
        k: 'seq',
        kind: 'list',
        items: n.elements.map((el) =>
          ts.isOmittedExpression(el)
            ? this.emptyAt(el)
            : ts.isSpreadElement(el)
              ? { k: 'spread', kind: '*', value: this.assignTarget(el.expression), range: this.range(el) }
              : this.assignTarget(el),
        ),
        range: this.range(n),
      };
    }
    if (ts.isObjectLiteralExpression(n)) {
      const items: Expr[] = [];
      for (const p of n.properties) {
        if (ts.isShorthandPropertyAssignment(p))
          items.push({ k: 'name', name: p.name.text, range: this.range(p.name) });
        else if (ts.isPropertyAssignment(p)) items.push(this.assignTarget(p.initializer));
        else if (ts.isSpreadAssignment(p))
          items.push({ k: 'spread', kind: '*', value: this.assignTarget(p.expression), range: this.range(p) });
      }
      return { k: 'seq', kind: 'tuple', items, range: this.range(n) };
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken)
      return this.assignTarget(n.left); // default value in a pattern
    return this.expr(n);
  }

  private variableList(list: ts.VariableDeclarationList, out: Stmt[], stmt: ts.Node): void {
    const single = list.declarations.length === 1;
    for (const d of list.declarations) {
      const range = single ? this.range(stmt) : this.range(d);
      if (!d.initializer) continue;
      if (this.requireBinding(d, range)) continue;
      const init = skipOuter(d.initializer);
      if (ts.isObjectBindingPattern(d.name) && (ts.isIdentifier(init) || ts.isPropertyAccessExpression(init))) {
        // `const {KMeans, Pipeline: P} = sk`: each name is a property of the object.
        const object = this.expr(init);
        for (const el of d.name.elements) {
          if (el.dotDotDotToken) continue;
          const prop = el.propertyName ?? (ts.isIdentifier(el.name) ? el.name : undefined);
          const key = prop && (ts.isIdentifier(prop) || ts.isStringLiteral(prop)) ? prop.text : undefined;
          const target = this.bindingTarget(el.name);
          const value: Expr =
            key !== undefined
              ? { k: 'attr', object, name: key, range: this.range(el), nameRange: this.range(prop!) }
              : { k: 'other', range: this.range(el), children: [object] };
          out.push({
            k: 'assign',
            targets: [target],
            value,
            range: single && d.name.elements.length === 1 ? range : this.range(el),
          });
        }
        continue;
      }
      out.push({ k: 'assign', targets: [this.bindingTarget(d.name)], value: this.expr(d.initializer), range });
    }
  }

  /** `require('x')`, `require('x').a`, `await import('x')` bound to names: imports. */
  private requireBinding(d: ts.VariableDeclaration, range: Range): boolean {
    const init = d.initializer!;
    const spec = requireSpec(init);
    if (spec === undefined) return false;
    const base = moduleQname(spec.module) + (spec.path.length > 0 ? '.' + spec.path.join('.') : '');
    const scope = this.scope;
    if (ts.isIdentifier(d.name)) {
      this.imports.push({ local: d.name.text, qname: base, range, scope });
      return true;
    }
    if (ts.isObjectBindingPattern(d.name)) {
      for (const el of d.name.elements) {
        if (el.dotDotDotToken || !ts.isIdentifier(el.name)) continue;
        const prop =
          el.propertyName && (ts.isIdentifier(el.propertyName) || ts.isStringLiteral(el.propertyName))
            ? el.propertyName.text
            : el.name.text;
        // `const {default: sk} = await import('scikitjs')` is the module itself.
        this.imports.push({ local: el.name.text, qname: prop === 'default' ? base : `${base}.${prop}`, range, scope });
      }
      return true;
    }
    return false;
  }

  private importDecl(d: ts.ImportDeclaration): void {
    if (!ts.isStringLiteralLike(d.moduleSpecifier)) return;
    const clause = d.importClause;
    if (!clause || clause.phaseModifier === ts.SyntaxKind.TypeKeyword) return;
    const base = moduleQname(d.moduleSpecifier.text);
    const range = this.range(d);
    const scope = this.scope;
    if (clause.name) this.imports.push({ local: clause.name.text, qname: base, range, scope });
    const nb = clause.namedBindings;
    if (!nb) return;
    if (ts.isNamespaceImport(nb)) {
      this.imports.push({ local: nb.name.text, qname: base, range, scope });
      return;
    }
    for (const el of nb.elements) {
      if (el.isTypeOnly) continue;
      const imported = el.propertyName ? el.propertyName.text : el.name.text;
      this.imports.push({
        local: el.name.text,
        qname: imported === 'default' ? base : `${base}.${imported}`,
        range,
        scope,
      });
    }
  }

  /** Binding names and patterns as assignment targets. */
  private bindingTarget(n: ts.BindingName): Expr {
    if (ts.isIdentifier(n)) return { k: 'name', name: n.text, range: this.range(n) };
    const items: Expr[] = [];
    for (const el of n.elements) {
      if (ts.isOmittedExpression(el)) {
        items.push(this.emptyAt(el));
        continue;
      }
      const t = this.bindingTarget(el.name);
      items.push(el.dotDotDotToken ? { k: 'spread', kind: '*', value: t, range: this.range(el) } : t);
    }
    return { k: 'seq', kind: ts.isArrayBindingPattern(n) ? 'list' : 'tuple', items, range: this.range(n) };
  }

  // ---- functions and classes -------------------------------------------------------------------

  private newFunction(
    kind: FunctionIR['kind'],
    name: string,
    n: ts.Node,
    nameRange: Range,
    isAsync: boolean,
  ): FunctionIR {
    const fn: FunctionIR = {
      id: this.functions.length,
      kind,
      name,
      range: this.range(n),
      nameRange,
      parent: this.scope,
      params: [],
      body: [],
      decorators: this.decorators(n),
      bases: [],
      isAsync,
    };
    this.functions.push(fn);
    return fn;
  }

  private decorators(n: ts.Node): Expr[] {
    if (!ts.canHaveDecorators(n)) return [];
    return (ts.getDecorators(n) ?? []).map((d) => this.expr(d.expression));
  }

  private fnDecl(n: FnLike, kind: 'def' | 'lambda', nameOverride?: string): number {
    const isAsync = !!n.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    let name = nameOverride ?? '<lambda>';
    let nameRange: Range;
    if (n.name && (ts.isIdentifier(n.name) || ts.isPrivateIdentifier(n.name) || ts.isStringLiteral(n.name))) {
      if (!nameOverride) name = n.name.text;
      nameRange = this.range(n.name);
    } else if (ts.isArrowFunction(n)) nameRange = this.range(n.equalsGreaterThanToken);
    else if (ts.isConstructorDeclaration(n)) {
      name = 'constructor';
      const start = n.getStart(this.sf);
      nameRange = { start: this.pos(start), end: this.pos(start + 'constructor'.length) };
    } else {
      const start = n.getStart(this.sf);
      const kw = this.sf.text.indexOf('function', start);
      const at = kw >= 0 && kw < n.end ? kw : start;
      nameRange = { start: this.pos(at), end: this.pos(at + 'function'.length) };
    }
    if (kind === 'def' && ts.isFunctionDeclaration(n) && !n.name) name = 'default';
    const fn = this.newFunction(kind, name, n, nameRange, isAsync);
    const saved = this.scope;
    fn.params = this.params(n.parameters);
    this.scope = fn.id;
    this.depth++;
    try {
      const body = n.body;
      if (!body) fn.body = [];
      else if (ts.isBlock(body)) fn.body = this.block(body.statements);
      else fn.body = [{ k: 'return', value: this.expr(body), range: this.range(body) }];
    } finally {
      this.depth--;
      this.scope = saved;
    }
    return fn.id;
  }

  private params(ps: readonly ts.ParameterDeclaration[]): ParamIR[] {
    const out: ParamIR[] = [];
    for (const p of ps) {
      const kind: ParamIR['kind'] = p.dotDotDotToken ? 'varargs' : 'positional';
      // Defaults are evaluated in the enclosing scope (Semantics visits them there).
      const def = p.initializer ? this.expr(p.initializer) : undefined;
      if (ts.isIdentifier(p.name)) {
        if (p.name.text === 'this') continue;
        out.push({ name: p.name.text, range: this.range(p.name), kind, default: def });
      } else {
        // Destructured parameter: each bound name is a parameter.
        const names: ts.Identifier[] = [];
        collectBindingNames(p.name, names);
        names.forEach((id, i) =>
          out.push({ name: id.text, range: this.range(id), kind, default: i === 0 ? def : undefined }),
        );
      }
    }
    return out;
  }

  private classDecl(n: ts.ClassDeclaration | ts.ClassExpression): number {
    const nameRange = n.name ? this.range(n.name) : this.range(n);
    const fn = this.newFunction('class', n.name?.text ?? '<class>', n, nameRange, false);
    for (const h of n.heritageClauses ?? []) {
      if (h.token !== ts.SyntaxKind.ExtendsKeyword) continue;
      for (const t of h.types) fn.bases.push(this.expr(t.expression));
    }
    const saved = this.scope;
    this.scope = fn.id;
    this.depth++;
    try {
      for (const m of n.members) {
        if (
          ts.isMethodDeclaration(m) ||
          ts.isConstructorDeclaration(m) ||
          ts.isGetAccessorDeclaration(m) ||
          ts.isSetAccessorDeclaration(m)
        ) {
          if (!m.body) continue;
          const name =
            m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) || ts.isPrivateIdentifier(m.name))
              ? m.name.text
              : ts.isConstructorDeclaration(m)
                ? 'constructor'
                : '<method>';
          fn.body.push({ k: 'def', fn: this.fnDecl(m, 'def', name), range: this.range(m) });
        } else if (
          ts.isPropertyDeclaration(m) &&
          m.initializer &&
          (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name))
        ) {
          fn.body.push({
            k: 'assign',
            targets: [{ k: 'name', name: m.name.text, range: this.range(m.name) }],
            value: this.expr(m.initializer),
            range: this.range(m),
          });
        } else if (ts.isClassStaticBlockDeclaration(m)) {
          fn.body.push(...this.block(m.body.statements));
        }
      }
    } finally {
      this.depth--;
      this.scope = saved;
    }
    return fn.id;
  }

  // ---- expressions -----------------------------------------------------------------------------

  expr(n: ts.Expression | undefined): Expr {
    if (!n)
      return { k: 'other', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, children: [] };
    if (this.depth > MAX_DEPTH) return this.emptyAt(n);
    this.depth++;
    try {
      return this.exprInner(n);
    } finally {
      this.depth--;
    }
  }

  private exprInner(n: ts.Expression): Expr {
    switch (n.kind) {
      case ts.SyntaxKind.Identifier: {
        const name = (n as ts.Identifier).text;
        if (name === 'undefined') return { k: 'const', value: undefined, range: this.range(n) };
        return { k: 'name', name, range: this.range(n) };
      }
      case ts.SyntaxKind.ThisKeyword:
        return { k: 'name', name: 'this', range: this.range(n) };
      case ts.SyntaxKind.SuperKeyword:
        return { k: 'name', name: 'super', range: this.range(n) };
      case ts.SyntaxKind.PropertyAccessExpression: {
        const p = n as ts.PropertyAccessExpression;
        return {
          k: 'attr',
          object: this.expr(p.expression),
          name: p.name.text,
          range: this.range(n),
          nameRange: this.range(p.name),
        };
      }
      case ts.SyntaxKind.ElementAccessExpression: {
        const e = n as ts.ElementAccessExpression;
        const arg = e.argumentExpression;
        if (ts.isStringLiteralLike(arg) && /^[A-Za-z_$][\w$]*$/.test(arg.text)) {
          return {
            k: 'attr',
            object: this.expr(e.expression),
            name: arg.text,
            range: this.range(n),
            nameRange: this.range(arg),
          };
        }
        return { k: 'subscript', object: this.expr(e.expression), index: this.expr(arg), range: this.range(n) };
      }
      case ts.SyntaxKind.CallExpression: {
        const c = n as ts.CallExpression;
        if (c.expression.kind === ts.SyntaxKind.ImportKeyword) {
          return {
            k: 'call',
            callee: { k: 'name', name: 'import', range: this.range(c.expression) },
            args: this.args(c.arguments),
            range: this.range(n),
            argsRange: this.argsRange(c),
          };
        }
        return {
          k: 'call',
          callee: this.expr(c.expression),
          args: this.args(c.arguments),
          range: this.range(n),
          argsRange: this.argsRange(c),
        };
      }
      case ts.SyntaxKind.NewExpression: {
        const c = n as ts.NewExpression;
        return {
          k: 'call',
          callee: this.expr(c.expression),
          args: this.args(c.arguments ?? []),
          range: this.range(n),
          argsRange: this.argsRange(c),
          isNew: true,
        };
      }
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
        return {
          k: 'function',
          fn: this.fnDecl(n as ts.ArrowFunction | ts.FunctionExpression, 'lambda'),
          range: this.range(n),
        };
      case ts.SyntaxKind.ClassExpression:
        return { k: 'function', fn: this.classDecl(n as ts.ClassExpression), range: this.range(n) };
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        return { k: 'str', value: (n as ts.StringLiteral).text, range: this.range(n) };
      case ts.SyntaxKind.TemplateExpression: {
        const t = n as ts.TemplateExpression;
        const parts: (string | Expr)[] = [];
        if (t.head.text) parts.push(t.head.text);
        for (const span of t.templateSpans) {
          parts.push(this.expr(span.expression));
          if (span.literal.text) parts.push(span.literal.text);
        }
        return { k: 'str', value: null, range: this.range(n), parts };
      }
      case ts.SyntaxKind.NumericLiteral:
      case ts.SyntaxKind.BigIntLiteral: {
        const raw = (n as ts.NumericLiteral).text;
        return { k: 'num', value: Number(raw.replace(/_/g, '').replace(/n$/, '')), raw, range: this.range(n) };
      }
      case ts.SyntaxKind.TrueKeyword:
        return { k: 'const', value: true, range: this.range(n) };
      case ts.SyntaxKind.FalseKeyword:
        return { k: 'const', value: false, range: this.range(n) };
      case ts.SyntaxKind.NullKeyword:
        return { k: 'const', value: null, range: this.range(n) };
      case ts.SyntaxKind.ArrayLiteralExpression:
        return {
          k: 'seq',
          kind: 'list',
          items: (n as ts.ArrayLiteralExpression).elements.map((el) =>
            ts.isOmittedExpression(el) ? this.emptyAt(el) : this.expr(el),
          ),
          range: this.range(n),
        };
      case ts.SyntaxKind.SpreadElement:
        return { k: 'spread', kind: '*', value: this.expr((n as ts.SpreadElement).expression), range: this.range(n) };
      case ts.SyntaxKind.ObjectLiteralExpression:
        return this.objectLiteral(n as ts.ObjectLiteralExpression);
      case ts.SyntaxKind.ParenthesizedExpression:
      case ts.SyntaxKind.AwaitExpression:
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.NonNullExpression:
      case ts.SyntaxKind.TypeAssertionExpression:
      case ts.SyntaxKind.SatisfiesExpression:
      case ts.SyntaxKind.PartiallyEmittedExpression:
        return this.expr((n as ts.ParenthesizedExpression).expression);
      case ts.SyntaxKind.BinaryExpression: {
        const b = n as ts.BinaryExpression;
        const op = b.operatorToken.kind;
        if (op === ts.SyntaxKind.EqualsToken || isCompoundAssignment(op) || op === ts.SyntaxKind.CommaToken) {
          return { k: 'other', range: this.range(n), children: [this.expr(b.left), this.expr(b.right)] };
        }
        if (
          (op >= ts.SyntaxKind.LessThanToken && op <= ts.SyntaxKind.ExclamationEqualsEqualsToken) ||
          op === ts.SyntaxKind.InstanceOfKeyword ||
          op === ts.SyntaxKind.InKeyword
        ) {
          return { k: 'other', range: this.range(n), children: [this.expr(b.left), this.expr(b.right)] };
        }
        const text =
          op === ts.SyntaxKind.AmpersandAmpersandToken
            ? 'and'
            : op === ts.SyntaxKind.BarBarToken
              ? 'or'
              : (ts.tokenToString(op) ?? '?');
        return { k: 'binop', op: text, left: this.expr(b.left), right: this.expr(b.right), range: this.range(n) };
      }
      case ts.SyntaxKind.PrefixUnaryExpression: {
        const u = n as ts.PrefixUnaryExpression;
        const op = u.operator === ts.SyntaxKind.ExclamationToken ? 'not' : (ts.tokenToString(u.operator) ?? '-');
        return { k: 'unary', op, operand: this.expr(u.operand), range: this.range(n) };
      }
      case ts.SyntaxKind.PostfixUnaryExpression:
        return { k: 'other', range: this.range(n), children: [this.expr((n as ts.PostfixUnaryExpression).operand)] };
      case ts.SyntaxKind.TypeOfExpression:
      case ts.SyntaxKind.VoidExpression:
      case ts.SyntaxKind.DeleteExpression:
        return { k: 'other', range: this.range(n), children: [this.expr((n as ts.TypeOfExpression).expression)] };
      case ts.SyntaxKind.ConditionalExpression: {
        const c = n as ts.ConditionalExpression;
        return {
          k: 'other',
          range: this.range(n),
          children: [this.expr(c.condition), this.expr(c.whenTrue), this.expr(c.whenFalse)],
        };
      }
      case ts.SyntaxKind.TaggedTemplateExpression: {
        const t = n as ts.TaggedTemplateExpression;
        const kids: Expr[] = [this.expr(t.tag)];
        if (ts.isTemplateExpression(t.template))
          for (const s of t.template.templateSpans) kids.push(this.expr(s.expression));
        return { k: 'other', range: this.range(n), children: kids };
      }
      case ts.SyntaxKind.YieldExpression:
        return {
          k: 'other',
          range: this.range(n),
          children: (n as ts.YieldExpression).expression ? [this.expr((n as ts.YieldExpression).expression)] : [],
        };
      default:
        return this.genericExpr(n);
    }
  }

  /** JSX and anything rarer: keep the expressions inside for walking. */
  private genericExpr(n: ts.Node): Expr {
    const children: Expr[] = [];
    const visit = (c: ts.Node): void => {
      if (ts.isExpression(c)) children.push(this.expr(c));
      else if (!ts.isTypeNode(c)) ts.forEachChild(c, visit);
    };
    ts.forEachChild(n, visit);
    return { k: 'other', range: this.range(n), children };
  }

  private objectLiteral(n: ts.ObjectLiteralExpression): Expr {
    const entries: DictEntry[] = [];
    for (const p of n.properties) {
      const range = this.range(p);
      switch (p.kind) {
        case ts.SyntaxKind.PropertyAssignment:
          entries.push({ key: this.propertyKey(p.name), value: this.expr(p.initializer), range });
          break;
        case ts.SyntaxKind.ShorthandPropertyAssignment:
          entries.push({
            key: { k: 'str', value: p.name.text, range: this.range(p.name) },
            value: { k: 'name', name: p.name.text, range: this.range(p.name) },
            range,
          });
          break;
        case ts.SyntaxKind.SpreadAssignment:
          entries.push({ key: null, value: this.expr(p.expression), range });
          break;
        case ts.SyntaxKind.MethodDeclaration:
        case ts.SyntaxKind.GetAccessor:
        case ts.SyntaxKind.SetAccessor: {
          if (!p.body) break;
          const name = ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : '<method>';
          const fn = this.fnDecl(p, 'lambda', name);
          entries.push({ key: this.propertyKey(p.name), value: { k: 'function', fn, range }, range });
          break;
        }
        default:
          break;
      }
    }
    return { k: 'dict', entries, range: this.range(n) };
  }

  private propertyKey(name: ts.PropertyName): Expr {
    const range = this.range(name);
    if (
      ts.isIdentifier(name) ||
      ts.isPrivateIdentifier(name) ||
      ts.isStringLiteral(name) ||
      ts.isNoSubstitutionTemplateLiteral(name)
    )
      return { k: 'str', value: name.text, range };
    if (ts.isNumericLiteral(name)) return { k: 'num', value: Number(name.text), raw: name.text, range };
    if (ts.isComputedPropertyName(name)) return this.expr(name.expression);
    return { k: 'other', range, children: [] };
  }

  private args(list: readonly ts.Expression[]): ArgIR[] {
    return list.map((a) =>
      ts.isSpreadElement(a)
        ? { value: this.expr(a.expression), range: this.range(a), spread: '*' as const }
        : { value: this.expr(a), range: this.range(a) },
    );
  }

  /** From `(` to `)` (the whole call when there are no parentheses: `new X`). */
  private argsRange(c: ts.CallExpression | ts.NewExpression): Range {
    if (!c.arguments) return this.range(c);
    const open = this.sf.text.lastIndexOf('(', c.arguments.pos);
    return { start: this.pos(open >= 0 ? open : c.arguments.pos), end: this.pos(c.end) };
  }
}

function isStatementArray(s: readonly ts.Statement[] | ts.Statement): s is readonly ts.Statement[] {
  return Array.isArray(s);
}

function blockStatements(s: ts.Statement): readonly ts.Statement[] | ts.Statement {
  return ts.isBlock(s) ? s.statements : s;
}

function skipOuter(e: ts.Expression): ts.Expression {
  let cur = e;
  for (;;) {
    if (
      ts.isParenthesizedExpression(cur) ||
      ts.isAwaitExpression(cur) ||
      ts.isAsExpression(cur) ||
      ts.isNonNullExpression(cur) ||
      ts.isTypeAssertionExpression(cur) ||
      ts.isSatisfiesExpression(cur)
    )
      cur = cur.expression;
    else return cur;
  }
}

function isCompoundAssignment(op: ts.SyntaxKind): boolean {
  return op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment;
}

/** `require('m')`, `require('m').a.b`, `await import('m')`, `(await import('m')).a`. */
function requireSpec(init: ts.Expression): { module: string; path: string[] } | undefined {
  const path: string[] = [];
  let cur = skipOuter(init);
  while (ts.isPropertyAccessExpression(cur)) {
    path.unshift(cur.name.text);
    cur = skipOuter(cur.expression);
  }
  if (!ts.isCallExpression(cur) || cur.arguments.length !== 1 || !ts.isStringLiteralLike(cur.arguments[0]))
    return undefined;
  const callee = cur.expression;
  const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
  const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
  if (!isRequire && !isImport) return undefined;
  if (path[0] === 'default') path.shift();
  return { module: cur.arguments[0].text, path };
}

function collectBindingNames(n: ts.BindingName, out: ts.Identifier[]): void {
  if (ts.isIdentifier(n)) {
    out.push(n);
    return;
  }
  for (const el of n.elements) if (!ts.isOmittedExpression(el)) collectBindingNames(el.name, out);
}
