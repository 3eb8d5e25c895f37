import type { Language, Node, Tree } from 'web-tree-sitter';
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
import { computeLineStarts } from '../model/text';
import { startColumn, startRow, treeMemory } from './memory';

/**
 * Lowers a tree-sitter-python tree into the language-neutral IR. Statements inside ERROR nodes are
 * still lowered when they are whole (a half-typed line must not hide the rest of the file); the
 * broken regions are recorded so that rules can stay quiet there.
 */
export function lowerPython(tree: Tree, text: string, uri: string, cache?: LoweringCache): ModuleIR {
  return new Lowerer(text, uri).module(tree.rootNode, cache);
}

/**
 * The lowering of each top-level statement with its node type and source text (tree-sitter node ids are
 * not stable across re-parses). After an edit, only the edited statement is lowered again; the others are
 * reused as they are, or copied with shifted lines and function ids when an edit above them moved them.
 */
export class LoweringCache {
  /** The previous version's statements in file order. */
  entries: CachedChunk[] = [];
  /** The previous version's text and line starts (for re-parsing only its edited statements, regions.ts). */
  text: string | undefined;
  lineStarts: number[] = [0];

  clear(): void {
    this.entries = [];
    this.text = undefined;
    this.lineStarts = [0];
  }
}

export interface CachedChunk {
  type: string;
  /** The statement's text (a slice of the version it was lowered from). */
  source: string;
  /** Where the statement starts in that version's text. */
  start: number;
  /**
   * The statement may not parse on its own as it did here: it holds a syntax error (or is an ERROR node),
   * or tree-sitter's incremental re-parse made it around an edit (where it can accept what a fresh parse
   * rejects). Only a region that takes it in is re-parsed on its own (regions.ts).
   */
  unsettled: boolean;
  chunk: Chunk;
}

/** One notebook cell lowered on its own (positions relative to the cell), reusable while its text is unchanged. */
export interface CellLowering {
  chunks: Chunk[];
  hasErrors: boolean;
  errorRanges: Range[];
  /** The program line the cell was lowered at (its chunks' and error ranges' lines count from there). */
  line: number;
  /** The cell's syntax nodes: a bound of its model nodes (ModuleIR.nodeBound). */
  nodeBound: number;
}

interface Chunk extends LoweredChunk {
  isImport: boolean;
  /** Statements that end the import block (not docstrings or comments). */
  isCode: boolean;
  end: Position;
}

const MAX_DEPTH = 400;

/**
 * tree-sitter counts rows at '\n' only, LSP also at a lone '\r'. Turning lone CRs into LFs keeps every
 * offset and makes rows match LSP lines.
 */
export function normalizeForTreeSitter(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** Where each row of `src` starts, as tree-sitter counts rows (at '\n' only). */
function rowStartsOf(src: string): number[] {
  const starts = [0];
  for (let i = src.indexOf('\n'); i !== -1; i = src.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export class Lowerer {
  private readonly functions: FunctionIR[] = [];
  private readonly imports: ImportIR[] = [];
  private readonly errorRanges: Range[] = [];
  private scope: ScopeId = null;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly uri: string,
  ) {}

  /**
   * The text tree-sitter parsed (the module's, or the cell's being lowered) and where its rows start. Every
   * call on a tree-sitter node crosses the WASM boundary: a node's text and end position are computed here
   * from its offsets (its end read from memory, see memory.ts) rather than through `text` and `endPosition`.
   */
  private src = '';
  private rowStarts: number[] = [0];
  /** The line of the parsed text's first row in the module (a region re-parsed on its own, regions.ts). */
  private rowOffset = 0;

  private parsed(src: string): void {
    if (src === this.src) return;
    this.src = src;
    this.rowStarts = rowStartsOf(src);
  }

  /** The position in the module of `index`, on the row `row` or below it (the row a node starts on). */
  private positionAt(index: number, row: number): Position {
    const starts = this.rowStarts;
    if (row + 1 >= starts.length || index < starts[row + 1])
      return { line: row + this.rowOffset, character: index - starts[row] };
    let lo = row + 1;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + this.rowOffset, character: index - starts[lo] };
  }

  private range(n: Node, end = this.endOf(n)): Range {
    const row = startRow(n);
    return { start: { line: row + this.rowOffset, character: startColumn(n) }, end: this.positionAt(end, row) };
  }

  private textOf(n: Node, end = this.endOf(n)): string {
    return this.src.slice(n.startIndex, end);
  }

  /** Field ids by name, for the language of the trees lowered (`childForFieldName` searches its field list each call). */
  private readonly fieldIds = new Map<string, number>();
  private fieldLanguage: Language | undefined;

  private fieldId(n: Node, name: string): number {
    const language = n.tree.language;
    if (language !== this.fieldLanguage) {
      this.fieldLanguage = language;
      this.fieldIds.clear();
    }
    let id = this.fieldIds.get(name);
    if (id === undefined) {
      id = language.fields.indexOf(name);
      this.fieldIds.set(name, id);
    }
    return id;
  }

  /** `n.childForFieldName(name)`, with the field's id looked up once. */
  private field(n: Node | null | undefined, name: string): Node | null {
    if (!n) return null;
    const id = this.fieldId(n, name);
    if (id === -1) return null;
    return this.memory ? this.memory.childForFieldId(n, id) : n.childForFieldId(id);
  }

  /** `n.childrenForFieldName(name)`, with the field's id looked up once. */
  private fieldAll(n: Node, name: string): (Node | null)[] {
    const id = this.fieldId(n, name);
    if (id <= 0) return [];
    return this.memory ? this.memory.childrenForFieldId(n, id) : n.childrenForFieldId(id);
  }

  /** Reads node types, ends, children and fields from tree-sitter's memory when it can (see memory.ts), else through calls. */
  private readonly memory = treeMemory();

  /** A tree's root as the memory reader's own node (memory.ts, `own`). */
  private own(root: Node): Node {
    return this.memory ? this.memory.own(root) : root;
  }

  private namedOf(n: Node | null | undefined): (Node | null)[] {
    if (!n) return [];
    return this.memory ? this.memory.namedChildren(n) : n.namedChildren;
  }

  private firstNamed(n: Node | null | undefined): Node | null {
    if (!n) return null;
    return this.memory ? this.memory.firstNamedChild(n) : n.firstNamedChild;
  }

  private firstOf(n: Node): Node | null {
    return this.memory ? this.memory.firstChild(n) : n.firstChild;
  }

  private isNamedNode(n: Node): boolean {
    return this.memory ? this.memory.isNamed(n) : n.isNamed;
  }

  private childrenOf(n: Node): (Node | null)[] {
    return this.memory ? this.memory.children(n) : n.children;
  }

  private typeOf(n: Node): string {
    return this.memory ? this.memory.type(n) : n.type;
  }

  private typeOpt(n: Node | null | undefined): string | undefined {
    return n ? this.typeOf(n) : undefined;
  }

  private endOf(n: Node): number {
    return this.memory ? this.memory.endIndex(n) : n.endIndex;
  }

  private textOpt(n: Node | null | undefined): string | undefined {
    return n ? this.src.slice(n.startIndex, this.endOf(n)) : undefined;
  }

  module(treeRoot: Node, cache?: LoweringCache): ModuleIR {
    const root = this.own(treeRoot);
    this.parsed(normalizeForTreeSitter(this.text));
    const children: Node[] = [];
    for (const child of this.namedOf(root)) if (child) children.push(child);
    const current: CachedChunk[] = children.map((child) => ({
      type: this.typeOf(child),
      source: this.text.slice(child.startIndex, this.endOf(child)),
      start: child.startIndex,
      // Kept for a later version only (a call into WASM): without a cache (the CLI) nothing reads it.
      unsettled: cache !== undefined && child.hasError,
      chunk: undefined as unknown as Chunk,
    }));
    // Identical statements (same node type and text, same column) lower identically up to their line and
    // function ids. The type counts because error recovery can parse the same text as another kind of node
    // (an assignment as a keyword argument); a statement with a syntax error, or under a root that is
    // itself an ERROR (fragments only), is lowered again.
    const previous = this.typeOf(root) === 'ERROR' ? [] : (cache?.entries ?? []);
    const reusable = (old: CachedChunk, i: number): boolean =>
      old.type === current[i].type &&
      old.source === current[i].source &&
      old.chunk.startCharacter === children[i].startPosition.column &&
      !children[i].hasError;
    // An edit changes a run of statements: those before it and after it are matched in order (string
    // comparisons, no hashing of the whole text per keystroke), the ones between by their text.
    const n = children.length;
    let head = 0;
    while (head < n && head < previous.length && reusable(previous[head], head)) head++;
    let tail = 0;
    while (
      tail < n - head &&
      tail < previous.length - head &&
      reusable(previous[previous.length - 1 - tail], n - 1 - tail)
    )
      tail++;
    // Between them, the n-th statement with a given text takes the n-th cached one: repeated statements
    // (13% of the top-level statements of scikit-learn's examples: `plt.show()`, `# %%`) are reused too.
    const byText = new Map<string, CachedChunk[]>();
    for (let j = head; j < previous.length - tail; j++) {
      const key = `${previous[j].type}\0${previous[j].source}`;
      const list = byText.get(key);
      if (list) list.push(previous[j]);
      else byText.set(key, [previous[j]]);
    }
    for (let i = 0; i < n; i++) {
      const child = children[i];
      let old: CachedChunk | undefined;
      if (i < head) old = previous[i];
      else if (i >= n - tail) old = previous[previous.length - (n - i)];
      else if (byText.size > 0) {
        // The key hashes the statement's whole text: only when there are cached statements to match.
        const list = byText.get(`${current[i].type}\0${current[i].source}`);
        const found = list?.findIndex((c) => reusable(c, i)) ?? -1;
        if (list && found >= 0) old = list.splice(found, 1)[0];
      }
      let chunk: Chunk;
      if (old) {
        chunk = shiftChunk(
          old.chunk,
          child.startPosition.row - old.chunk.startLine,
          this.functions.length - old.chunk.base,
        );
      } else {
        chunk = this.lowerChunk(child, current[i].type);
      }
      current[i].chunk = this.add(chunk);
    }
    if (root.hasError) {
      this.collectErrors(root);
      // An error outside every statement (none of them holds it): no statement may be re-parsed on its own.
      if (!current.some((c) => c.unsettled)) for (const c of current) c.unsettled = true;
    }
    // The rows of the text tree-sitter parsed are the text's lines: lone CRs became LFs, a CRLF ends at its LF.
    const lineStarts = this.rowStarts;
    if (cache) {
      cache.entries = current;
      cache.text = this.text;
      cache.lineStarts = lineStarts;
    }
    return this.assembled(lineStarts, root.hasError, root.descendantCount);
  }

  /** Appends a lowered top-level statement (its functions numbered from the module's count so far). */
  private add(chunk: Chunk): Chunk {
    chunk.base = this.functions.length;
    for (const fn of chunk.functions) this.functions.push(fn);
    for (const imp of chunk.imports) this.imports.push(imp);
    for (const st of chunk.stmts) this.body.push(st);
    if (chunk.isImport) {
      this.importState.seenImport = true;
      if (!this.importState.seenCode) this.importState.end = chunk.end;
    } else if (chunk.isCode && this.importState.seenImport) this.importState.seenCode = true;
    return chunk;
  }

  private readonly body: Stmt[] = [];
  private readonly importState = { seenImport: false, seenCode: false, end: { line: 0, character: 0 } };

  /** The module lowered so far; `nodeBound`: its syntax nodes, when the lowering saw every one (ModuleIR.nodeBound). */
  private assembled(lineStarts: number[], hasErrors: boolean, nodeBound?: number): ModuleIR {
    return {
      uri: this.uri,
      language: 'python',
      text: this.text,
      lineStarts,
      body: this.body,
      functions: this.functions,
      imports: this.imports,
      hasErrors,
      errorRanges: this.errorRanges,
      importsEnd: this.importState.end,
      nodeBound,
    };
  }

  /**
   * The module of a new version whose statements `from` to `to` (exclusive) of the previous one (`cache`)
   * were re-parsed on their own as `region` (the tree of `regionText`, which starts at offset `start`,
   * line `line` of the new text): the statements before are kept as they are, those after are moved by
   * `lineDelta` lines and `offsetDelta` characters. `lineStarts` are the new text's. See regions.ts.
   */
  spliceRegion(
    cache: LoweringCache,
    from: number,
    to: number,
    region: { root: Node; text: string; end: number; start: number; line: number },
    shift: { lineDelta: number; offsetDelta: number },
    lineStarts: number[],
  ): ModuleIR {
    const previous = cache.entries;
    const current: CachedChunk[] = [];
    const keep = (old: CachedChunk, lineDelta: number, offsetDelta: number) => {
      const chunk = this.add(shiftChunk(old.chunk, lineDelta, this.functions.length - old.chunk.base));
      // A statement whose lowering is unchanged keeps its entry (no object per statement per keystroke); one that
      // only moved along its line is shifted below, once the new version is complete.
      current.push(chunk === old.chunk ? old : { ...old, start: old.start + offsetDelta, chunk });
    };
    for (let i = 0; i < from; i++) keep(previous[i], 0, 0);
    // Lowered at their lines in the module, not lowered at the region's and copied.
    this.parsed(region.text);
    this.rowOffset = region.line;
    const lowered = current.length;
    for (const child of this.namedOf(this.own(region.root))) {
      if (!child || child.startIndex >= region.end) continue;
      const type = this.typeOf(child);
      current.push({
        type,
        source: region.text.slice(child.startIndex, this.endOf(child)),
        start: region.start + child.startIndex,
        unsettled: child.hasError,
        chunk: this.add(this.lowerChunk(child, type)),
      });
    }
    const hasErrors = region.root.hasError;
    if (hasErrors) {
      // Only the region can hold errors: every statement outside it parsed without one (regions.ts).
      this.collectErrors(region.root);
      if (!current.slice(lowered).some((c) => c.unsettled))
        for (let i = lowered; i < current.length; i++) current[i].unsettled = true;
    }
    this.rowOffset = 0;
    const after = current.length;
    for (let i = to; i < previous.length; i++) keep(previous[i], shift.lineDelta, shift.offsetDelta);
    if (shift.offsetDelta !== 0)
      for (let i = after, j = to; i < current.length; i++, j++)
        if (current[i] === previous[j]) current[i].start += shift.offsetDelta;
    cache.entries = current;
    cache.text = this.text;
    cache.lineStarts = lineStarts;
    return this.assembled(lineStarts, hasErrors);
  }

  /**
   * Lowers one notebook cell's tree (parsed from `text`) at `line`, its first line in the program, and appends
   * it: positions and function ids come out final, with no copy (copying each cell's IR to its line was 4% of
   * a check over notebooks). Returns the cell's lowering, for `appendCell` (a later version of the notebook,
   * or the same text in another cell).
   */
  lowerCell(treeRoot: Node, text: string, line: number): CellLowering {
    const root = this.own(treeRoot);
    this.parsed(text);
    this.rowOffset = line;
    try {
      const chunks: Chunk[] = [];
      for (const child of this.namedOf(root))
        if (child) chunks.push(this.add(this.lowerChunk(child, this.typeOf(child))));
      const saved = this.errorRanges.length;
      if (root.hasError) {
        this.collectErrors(root);
        this.cellHasErrors = true;
      }
      const nodeBound = root.descendantCount;
      this.cellNodeBound += nodeBound;
      return { chunks, hasErrors: root.hasError, errorRanges: this.errorRanges.slice(saved), line, nodeBound };
    } finally {
      this.rowOffset = 0;
    }
  }

  /** Adds a cell lowered earlier (at `cell.line`), now at `line` in the program; `cell` is not changed. */
  appendCell(cell: CellLowering, line: number): void {
    const lineDelta = line - cell.line;
    for (const cached of cell.chunks) this.add(shiftChunk(cached, lineDelta, this.functions.length - cached.base));
    if (cell.hasErrors) this.cellHasErrors = true;
    this.cellNodeBound += cell.nodeBound;
    for (const r of cell.errorRanges) this.errorRanges.push(shiftIR(r, lineDelta, 0));
  }

  /** The module made of the cells appended so far; `text` is the program they were cut from. */
  cellsModule(cells: { startLine: number; index: number }[]): ModuleIR {
    return { cells, ...this.assembled(computeLineStarts(this.text), this.cellHasErrors, this.cellNodeBound) };
  }

  private cellHasErrors = false;
  private cellNodeBound = 0;

  /** Lowers one top-level statement with function ids continuing the module's numbering. */
  private lowerChunk(child: Node, type: string): Chunk {
    const base = this.functions.length;
    const importsBefore = this.imports.length;
    const stmts: Stmt[] = [];
    this.statement(child, stmts, type);
    const functions = this.functions.splice(base);
    const imports = this.imports.splice(importsBefore);
    const isImport =
      type === 'import_statement' || type === 'import_from_statement' || type === 'future_import_statement';
    const isDocstring = type === 'expression_statement' && this.typeOpt(this.firstNamed(child)) === 'string';
    return {
      startLine: startRow(child) + this.rowOffset,
      startCharacter: startColumn(child),
      base,
      stmts,
      functions,
      imports,
      isImport,
      isCode: !isImport && type !== 'comment' && !isDocstring,
      end: this.range(child).end,
    };
  }

  private collectErrors(root: Node): void {
    const cursor = root.walk();
    let visited = 0;
    // Iterative pre-order walk: deep trees must not overflow the stack.
    for (;;) {
      const node = cursor.currentNode;
      if (++visited > 200_000) break;
      if (node.isError || node.isMissing) {
        this.errorRanges.push(this.range(node));
      } else if (node.hasError && cursor.gotoFirstChild()) {
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          cursor.delete();
          return;
        }
      }
    }
    cursor.delete();
  }

  private block(node: Node | null): Stmt[] {
    const out: Stmt[] = [];
    if (!node) return out;
    for (const child of this.namedOf(node)) {
      if (!child) continue;
      this.statement(child, out, this.typeOf(child));
    }
    return out;
  }

  private statement(n: Node, out: Stmt[], type = this.typeOf(n)): void {
    if (this.depth > MAX_DEPTH) return;
    this.depth++;
    try {
      this.statementInner(n, out, type);
    } finally {
      this.depth--;
    }
  }

  private statementInner(n: Node, out: Stmt[], type: string): void {
    const range = this.range(n);
    switch (type) {
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement':
        this.importStmt(n, type);
        return;
      default:
        break;
    }
    switch (type) {
      case 'expression_statement': {
        for (const c of this.namedOf(n)) {
          if (!c) continue;
          const t = this.typeOf(c);
          if (t === 'assignment' || t === 'augmented_assignment') out.push(this.assignment(c, t));
          else out.push({ k: 'expr', expr: this.expr(c, t), range });
        }
        return;
      }
      case 'function_definition':
      case 'class_definition':
        out.push({ k: 'def', fn: this.definition(n, [], undefined, type), range });
        return;
      case 'decorated_definition': {
        const def = this.field(n, 'definition');
        if (!def) return;
        const decorators = this.namedOf(n)
          .filter((c): c is Node => !!c && this.typeOf(c) === 'decorator')
          .map((d) => this.expr(this.firstNamed(d)));
        out.push({ k: 'def', fn: this.definition(def, decorators, n), range });
        return;
      }
      case 'return_statement': {
        const v = this.firstNamed(n);
        out.push({ k: 'return', value: v ? this.expr(v) : undefined, range });
        return;
      }
      case 'if_statement': {
        out.push({
          k: 'if',
          test: this.expr(this.field(n, 'condition')),
          body: this.block(this.field(n, 'consequence')),
          orelse: this.elseChain(this.fieldAll(n, 'alternative').filter((c): c is Node => !!c)),
          range,
        });
        return;
      }
      case 'for_statement':
        out.push({
          k: 'loop',
          target: this.expr(this.field(n, 'left')),
          iter: this.expr(this.field(n, 'right')),
          body: this.block(this.field(n, 'body')),
          orelse: this.block(this.field(this.field(n, 'alternative'), 'body')),
          range,
        });
        return;
      case 'while_statement':
        out.push({
          k: 'loop',
          iter: this.expr(this.field(n, 'condition')),
          body: this.block(this.field(n, 'body')),
          orelse: this.block(this.field(this.field(n, 'alternative'), 'body')),
          range,
        });
        return;
      case 'with_statement': {
        const items: { value: Expr; target?: Expr }[] = [];
        const clause = this.namedOf(n).find((c) => this.typeOpt(c) === 'with_clause');
        for (const item of this.namedOf(clause)) {
          const v = this.field(item, 'value');
          if (!v) continue;
          if (this.typeOf(v) === 'as_pattern') {
            const alias = this.field(v, 'alias');
            items.push({
              value: this.expr(this.firstNamed(v)),
              target: alias ? this.expr(this.firstNamed(alias)) : undefined,
            });
          } else items.push({ value: this.expr(v) });
        }
        out.push({ k: 'with', items, body: this.block(this.field(n, 'body')), range });
        return;
      }
      case 'try_statement': {
        const handlers: Stmt[][] = [];
        let orelse: Stmt[] = [];
        let finalbody: Stmt[] = [];
        for (const c of this.namedOf(n)) {
          if (!c) continue;
          if (this.typeOf(c) === 'except_clause' || this.typeOf(c) === 'except_group_clause') {
            handlers.push(this.block(this.namedOf(c).find((x) => this.typeOpt(x) === 'block') ?? null));
          } else if (this.typeOf(c) === 'else_clause') orelse = this.block(this.field(c, 'body'));
          else if (this.typeOf(c) === 'finally_clause')
            finalbody = this.block(this.namedOf(c).find((x) => this.typeOpt(x) === 'block') ?? null);
        }
        out.push({ k: 'try', body: this.block(this.field(n, 'body')), handlers, orelse, finalbody, range });
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement':
        out.push({
          k: 'global',
          names: this.namedOf(n)
            .filter((c): c is Node => !!c && this.typeOf(c) === 'identifier')
            .map((c) => this.textOf(c)),
          range,
        });
        return;
      case 'match_statement': {
        const subject = this.field(n, 'subject');
        if (subject) out.push({ k: 'expr', expr: this.expr(subject), range });
        const body = this.field(n, 'body');
        for (const alt of this.namedOf(body)) {
          if (alt && this.typeOf(alt) === 'case_clause')
            out.push({
              k: 'if',
              test: { k: 'other', range: this.range(alt), children: [] },
              body: this.block(this.field(alt, 'consequence')),
              orelse: [],
              range: this.range(alt),
            });
        }
        return;
      }
      case 'block':
      case 'ERROR':
        // Recover whole statements from a broken region.
        for (const c of this.namedOf(n)) {
          const t = this.typeOpt(c);
          if (c && t && isStatementType(t)) this.statement(c, out, t);
        }
        return;
      default:
        return; // pass, break, continue, raise, assert, del, print, exec, type aliases, comments
    }
  }

  private elseChain(alts: Node[]): Stmt[] {
    if (alts.length === 0) return [];
    const [first, ...rest] = alts;
    if (this.typeOf(first) === 'else_clause') return this.block(this.field(first, 'body'));
    // elif
    return [
      {
        k: 'if',
        test: this.expr(this.field(first, 'condition')),
        body: this.block(this.field(first, 'consequence')),
        orelse: this.elseChain(rest),
        range: this.range(first),
      },
    ];
  }

  private assignment(n: Node, type: string): Stmt {
    const range = this.range(n);
    if (type === 'augmented_assignment') {
      const op = this.textOpt(this.field(n, 'operator')) ?? '+=';
      return {
        k: 'assign',
        targets: [this.expr(this.field(n, 'left'))],
        value: this.expr(this.field(n, 'right')),
        op,
        range,
      };
    }
    // Chained `a = b = value` nests assignments on the right.
    const targets: Expr[] = [];
    let cur: Node | null = n;
    let curType = type;
    while (cur && curType === 'assignment') {
      const left = this.field(cur, 'left');
      if (left) targets.push(this.expr(left));
      const right: Node | null = this.field(cur, 'right');
      if (!right) return { k: 'expr', expr: { k: 'other', range, children: targets }, range };
      const rightType = this.typeOf(right);
      if (rightType !== 'assignment') return { k: 'assign', targets, value: this.expr(right, rightType), range };
      cur = right;
      curType = rightType;
    }
    return { k: 'expr', expr: { k: 'other', range, children: targets }, range };
  }

  private importStmt(n: Node, type: string): void {
    const range = this.range(n);
    const scope = this.scope;
    if (type === 'import_statement') {
      for (const c of this.fieldAll(n, 'name')) {
        if (!c) continue;
        if (this.typeOf(c) === 'aliased_import') {
          const name = this.textOpt(this.field(c, 'name'));
          const alias = this.textOpt(this.field(c, 'alias'));
          if (name && alias) this.imports.push({ local: alias, qname: name, range, scope });
        } else if (this.typeOf(c) === 'dotted_name') {
          // `import a.b.c` binds `a`, and `a.b.c` is reachable through attributes.
          const first = this.textOf(c).split('.')[0];
          this.imports.push({ local: first, qname: first, range, scope });
        }
      }
      return;
    }
    if (type === 'future_import_statement') return;
    const moduleNode = this.field(n, 'module_name');
    const moduleName = moduleNode ? this.textOf(moduleNode).replace(/\s+/g, '') : '';
    for (const c of this.fieldAll(n, 'name')) {
      if (!c) continue;
      if (this.typeOf(c) === 'aliased_import') {
        const name = this.textOpt(this.field(c, 'name'));
        const alias = this.textOpt(this.field(c, 'alias'));
        if (name && alias) this.imports.push({ local: alias, qname: `${moduleName}.${name}`, range, scope });
      } else if (this.typeOf(c) === 'dotted_name') {
        this.imports.push({ local: this.textOf(c), qname: `${moduleName}.${this.textOf(c)}`, range, scope });
      }
    }
  }

  private definition(n: Node, decorators: Expr[], outer?: Node, type = this.typeOf(n)): number {
    const id = this.functions.length;
    const isClass = type === 'class_definition';
    const nameNode = this.field(n, 'name');
    const fn: FunctionIR = {
      id,
      kind: isClass ? 'class' : 'def',
      name: this.textOpt(nameNode) ?? '<anonymous>',
      range: this.range(outer ?? n),
      nameRange: nameNode ? this.range(nameNode) : this.range(n),
      parent: this.scope,
      params: [],
      body: [],
      decorators,
      bases: [],
      isAsync: !isClass && this.typeOpt(this.firstOf(n)) === 'async',
    };
    this.functions.push(fn);
    if (isClass) {
      const sup = this.field(n, 'superclasses');
      fn.bases = sup ? this.args(sup).map((a) => a.value) : [];
    } else {
      fn.params = this.params(this.field(n, 'parameters'));
    }
    const saved = this.scope;
    this.scope = id;
    this.depth++;
    try {
      fn.body = this.block(this.field(n, 'body'));
    } finally {
      this.depth--;
      this.scope = saved;
    }
    return id;
  }

  private params(n: Node | null): ParamIR[] {
    const out: ParamIR[] = [];
    let keywordOnly = false;
    for (const p of this.namedOf(n)) {
      if (!p) continue;
      const kind = keywordOnly ? 'keyword' : 'positional';
      switch (this.typeOf(p)) {
        case 'identifier':
          out.push({ name: this.textOf(p), range: this.range(p), kind });
          break;
        case 'typed_parameter': {
          const id = this.firstNamed(p);
          const idType = this.typeOpt(id);
          if (!id) break;
          if (idType === 'identifier') out.push({ name: this.textOf(id), range: this.range(id), kind });
          else if (idType === 'list_splat_pattern') {
            keywordOnly = true;
            out.push({ name: this.textOpt(this.firstNamed(id)) ?? '', range: this.range(id), kind: 'varargs' });
          } else if (idType === 'dictionary_splat_pattern')
            out.push({ name: this.textOpt(this.firstNamed(id)) ?? '', range: this.range(id), kind: 'kwargs' });
          break;
        }
        case 'default_parameter':
        case 'typed_default_parameter': {
          const name = this.field(p, 'name');
          if (name)
            out.push({
              name: this.textOf(name),
              range: this.range(name),
              kind,
              default: this.expr(this.field(p, 'value')),
            });
          break;
        }
        case 'list_splat_pattern':
          keywordOnly = true;
          out.push({ name: this.textOpt(this.firstNamed(p)) ?? '', range: this.range(p), kind: 'varargs' });
          break;
        case 'dictionary_splat_pattern':
          out.push({ name: this.textOpt(this.firstNamed(p)) ?? '', range: this.range(p), kind: 'kwargs' });
          break;
        case 'keyword_separator':
          keywordOnly = true;
          break;
        default:
          break;
      }
    }
    return out;
  }

  private lambda(n: Node): Expr {
    const id = this.functions.length;
    const range = this.range(n);
    const fn: FunctionIR = {
      id,
      kind: 'lambda',
      name: '<lambda>',
      range,
      nameRange: { start: range.start, end: { line: range.start.line, character: range.start.character + 6 } },
      parent: this.scope,
      params: this.params(this.field(n, 'parameters')),
      body: [],
      decorators: [],
      bases: [],
      isAsync: false,
    };
    this.functions.push(fn);
    const saved = this.scope;
    this.scope = id;
    try {
      const body = this.field(n, 'body');
      fn.body = [{ k: 'return', value: this.expr(body), range: body ? this.range(body) : range }];
    } finally {
      this.scope = saved;
    }
    return { k: 'function', fn: id, range };
  }

  private args(n: Node): ArgIR[] {
    const out: ArgIR[] = [];
    for (const a of this.namedOf(n)) {
      if (!a) continue;
      const type = this.typeOf(a);
      if (type === 'comment') continue;
      const range = this.range(a);
      if (type === 'keyword_argument') {
        const name = this.textOpt(this.field(a, 'name'));
        out.push({ name, value: this.expr(this.field(a, 'value')), range });
      } else if (type === 'list_splat') out.push({ value: this.expr(this.firstNamed(a)), range, spread: '*' });
      else if (type === 'dictionary_splat') out.push({ value: this.expr(this.firstNamed(a)), range, spread: '**' });
      else out.push({ value: this.expr(a, type), range });
    }
    return out;
  }

  /** Lowers an expression; `type` is passed when the caller has read it already (each read crosses into WASM). */
  expr(n: Node | null | undefined, type?: string): Expr {
    if (!n)
      return { k: 'other', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, children: [] };
    if (this.depth > MAX_DEPTH) return { k: 'other', range: this.range(n), children: [] };
    this.depth++;
    try {
      return this.exprInner(n, type ?? this.typeOf(n));
    } finally {
      this.depth--;
    }
  }

  /** The items of a list, tuple, call...: named children but comments, each type read once. */
  private exprs(children: (Node | null)[]): Expr[] {
    const out: Expr[] = [];
    for (const c of children) {
      if (!c) continue;
      const type = this.typeOf(c);
      if (type !== 'comment') out.push(this.expr(c, type));
    }
    return out;
  }

  private exprInner(n: Node, type: string): Expr {
    const end = this.endOf(n);
    const range = this.range(n, end);
    switch (type) {
      case 'identifier':
        return { k: 'name', name: this.textOf(n, end), range };
      case 'attribute': {
        const attr = this.field(n, 'attribute');
        return {
          k: 'attr',
          object: this.expr(this.field(n, 'object')),
          name: this.textOpt(attr) ?? '',
          range,
          nameRange: attr ? this.range(attr) : range,
        };
      }
      case 'call': {
        const argsNode = this.field(n, 'arguments');
        const argsType = this.typeOpt(argsNode);
        const args = argsNode
          ? argsType === 'argument_list'
            ? this.args(argsNode)
            : [{ value: this.expr(argsNode, argsType), range: this.range(argsNode) }]
          : [];
        return {
          k: 'call',
          callee: this.expr(this.field(n, 'function')),
          args,
          range,
          argsRange: argsNode ? this.range(argsNode) : range,
        };
      }
      case 'lambda':
        return this.lambda(n);
      case 'string':
        return this.string(n);
      case 'concatenated_string': {
        const parts = this.namedOf(n)
          .filter((c): c is Node => !!c && this.typeOf(c) === 'string')
          .map((c) => this.string(c));
        const allConst = parts.every((p) => p.k === 'str' && p.value !== null);
        return {
          k: 'str',
          value: allConst ? parts.map((p) => (p.k === 'str' ? p.value : '')).join('') : null,
          range,
          parts: parts.flatMap((p) => (p.k === 'str' && p.parts ? p.parts : [p])),
        };
      }
      case 'integer':
      case 'float': {
        const raw = this.textOf(n, end);
        return { k: 'num', value: Number(raw.includes('_') ? raw.replace(/_/g, '') : raw), raw, range };
      }
      case 'true':
        return { k: 'const', value: true, range };
      case 'false':
        return { k: 'const', value: false, range };
      case 'none':
        return { k: 'const', value: null, range };
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern': {
        const kind = type === 'list' || type === 'list_pattern' ? 'list' : type === 'set' ? 'set' : 'tuple';
        return {
          k: 'seq',
          kind,
          items: this.exprs(this.namedOf(n)),
          range,
        };
      }
      case 'list_splat':
      case 'list_splat_pattern':
        return { k: 'spread', kind: '*', value: this.expr(this.firstNamed(n)), range };
      case 'dictionary_splat':
      case 'dictionary_splat_pattern':
        return { k: 'spread', kind: '**', value: this.expr(this.firstNamed(n)), range };
      case 'dictionary': {
        const entries: DictEntry[] = [];
        for (const c of this.namedOf(n)) {
          if (!c) continue;
          const t = this.typeOf(c);
          if (t === 'pair')
            entries.push({
              key: this.expr(this.field(c, 'key')),
              value: this.expr(this.field(c, 'value')),
              range: this.range(c),
            });
          else if (t === 'dictionary_splat')
            entries.push({ key: null, value: this.expr(this.firstNamed(c)), range: this.range(c) });
        }
        return { k: 'dict', entries, range };
      }
      case 'subscript': {
        const subs = this.fieldAll(n, 'subscript').filter((c): c is Node => !!c);
        const index: Expr =
          subs.length === 1
            ? this.expr(subs[0])
            : { k: 'seq', kind: 'tuple', items: subs.map((s) => this.expr(s)), range };
        return { k: 'subscript', object: this.expr(this.field(n, 'value')), index, range };
      }
      case 'slice': {
        // Children are positional around ':' tokens.
        const parts: (Expr | undefined)[] = [undefined, undefined, undefined];
        let slot = 0;
        for (const c of this.childrenOf(n)) {
          if (!c) continue;
          if (this.typeOf(c) === ':') slot++;
          else if (this.isNamedNode(c) && slot < 3) parts[slot] = this.expr(c);
        }
        return { k: 'slice', lower: parts[0], upper: parts[1], step: parts[2], range };
      }
      case 'binary_operator':
      case 'boolean_operator':
        return {
          k: 'binop',
          op: this.textOpt(this.field(n, 'operator')) ?? '?',
          left: this.expr(this.field(n, 'left')),
          right: this.expr(this.field(n, 'right')),
          range,
        };
      case 'comparison_operator':
        return {
          k: 'other',
          range,
          children: this.namedOf(n)
            .filter((c): c is Node => !!c)
            .map((c) => this.expr(c)),
        };
      case 'unary_operator':
        return {
          k: 'unary',
          op: this.textOpt(this.field(n, 'operator')) ?? '-',
          operand: this.expr(this.field(n, 'argument')),
          range,
        };
      case 'not_operator':
        return { k: 'unary', op: 'not', operand: this.expr(this.field(n, 'argument')), range };
      case 'parenthesized_expression': {
        const inner = this.namedOf(n).find((c) => c && this.typeOf(c) !== 'comment');
        return inner ? this.expr(inner) : { k: 'other', range, children: [] };
      }
      case 'await':
        return this.expr(this.firstNamed(n));
      case 'named_expression':
        return this.expr(this.field(n, 'value'));
      case 'as_pattern_target':
        return this.expr(this.firstNamed(n));
      default:
        // Comprehensions, conditionals, generators, keyword arguments out of place...: keep sub-expressions.
        return {
          k: 'other',
          range,
          children: this.exprs(this.namedOf(n)),
        };
    }
  }

  private string(n: Node): Expr {
    const range = this.range(n);
    const start = this.firstOf(n);
    const prefix = start && this.typeOf(start) === 'string_start' ? stringPrefix(this.textOf(start)) : '';
    const raw = prefix.includes('r');
    const parts: (string | Expr)[] = [];
    let constant = true;
    for (const c of this.namedOf(n)) {
      if (!c) continue;
      const t = this.typeOf(c);
      if (t === 'string_content' || t === 'escape_sequence') {
        const text = this.textOf(c);
        parts.push(raw ? text : unescapePython(text));
      } else if (t === 'interpolation') {
        constant = false;
        parts.push(this.expr(this.field(c, 'expression')));
      }
    }
    const merged: (string | Expr)[] = [];
    for (const p of parts) {
      const last = merged[merged.length - 1];
      if (typeof p === 'string' && typeof last === 'string') merged[merged.length - 1] = last + p;
      else merged.push(p);
    }
    if (prefix.includes('b') && constant) return { k: 'str', value: (merged as string[]).join(''), range };
    return {
      k: 'str',
      value: constant ? (merged as string[]).join('') : null,
      range,
      parts: constant ? undefined : merged,
    };
  }
}

/** The prefix of a string's opening (`rb` of `rb'''`), in lower case; most strings have none. */
function stringPrefix(opening: string): string {
  let quote = 0;
  while (quote < opening.length && opening[quote] !== '"' && opening[quote] !== "'") quote++;
  return quote === 0 ? '' : opening.slice(0, quote).toLowerCase();
}

const STATEMENT_TYPES = new Set([
  'expression_statement',
  'function_definition',
  'class_definition',
  'decorated_definition',
  'return_statement',
  'if_statement',
  'for_statement',
  'while_statement',
  'with_statement',
  'try_statement',
  'import_statement',
  'import_from_statement',
  'global_statement',
  'nonlocal_statement',
  'ERROR',
]);

function isStatementType(type: string): boolean {
  return STATEMENT_TYPES.has(type);
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function unescapePython(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (m, e: string) => {
    if (e.length > 1 && (e[0] === 'x' || e[0] === 'u')) return String.fromCharCode(parseInt(e.slice(1), 16));
    return SIMPLE_ESCAPES[e] ?? m;
  });
}

/** A reused chunk moved by `lineDelta` lines and `idDelta` function ids (the chunk itself when nothing moved). */
function shiftChunk(chunk: Chunk, lineDelta: number, idDelta: number): Chunk {
  if (lineDelta === 0 && idDelta === 0) return chunk;
  const { stmts, functions, imports } = shiftIR(
    { stmts: chunk.stmts, functions: chunk.functions, imports: chunk.imports },
    lineDelta,
    idDelta,
  );
  return {
    ...chunk,
    startLine: chunk.startLine + lineDelta,
    stmts,
    functions,
    imports,
    end: { line: chunk.end.line + lineDelta, character: chunk.end.character },
  };
}
