import type { Node, Tree } from 'web-tree-sitter';
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

  clear(): void {
    this.entries = [];
  }
}

interface CachedChunk {
  type: string;
  /** The statement's text (a slice of the version it was lowered from). */
  source: string;
  chunk: Chunk;
}

/** One notebook cell lowered on its own (positions relative to the cell), reusable while its text is unchanged. */
export interface CellLowering {
  chunks: Chunk[];
  hasErrors: boolean;
  errorRanges: Range[];
}

interface Chunk extends LoweredChunk {
  isImport: boolean;
  /** Statements that end the import block (not docstrings or comments). */
  isCode: boolean;
  end: Position;
}

const MAX_DEPTH = 400;

function rangeOf(n: Node): Range {
  return {
    start: { line: n.startPosition.row, character: n.startPosition.column },
    end: { line: n.endPosition.row, character: n.endPosition.column },
  };
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

  module(root: Node, cache?: LoweringCache): ModuleIR {
    const body: Stmt[] = [];
    let importsEnd: Position = { line: 0, character: 0 };
    let seenCode = false;
    let seenImport = false;
    const children: Node[] = [];
    for (const child of root.namedChildren) if (child) children.push(child);
    const current: CachedChunk[] = children.map((child) => ({
      type: child.type,
      source: this.text.slice(child.startIndex, child.endIndex),
      chunk: undefined as unknown as Chunk,
    }));
    // Identical statements (same node type and text, same column) lower identically up to their line and
    // function ids. The type counts because error recovery can parse the same text as another kind of node
    // (an assignment as a keyword argument); a statement with a syntax error, or under a root that is
    // itself an ERROR (fragments only), is lowered again.
    const previous = root.type === 'ERROR' ? [] : (cache?.entries ?? []);
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
      else {
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
        chunk = this.lowerChunk(child);
      }
      chunk.base = this.functions.length;
      current[i].chunk = chunk;
      for (const fn of chunk.functions) this.functions.push(fn);
      for (const imp of chunk.imports) this.imports.push(imp);
      for (const st of chunk.stmts) body.push(st);
      if (chunk.isImport) {
        seenImport = true;
        if (!seenCode) importsEnd = chunk.end;
      } else if (chunk.isCode && seenImport) seenCode = true;
    }
    if (cache) cache.entries = current;
    if (root.hasError) this.collectErrors(root);
    return {
      uri: this.uri,
      language: 'python',
      text: this.text,
      lineStarts: computeLineStarts(this.text),
      body,
      functions: this.functions,
      imports: this.imports,
      hasErrors: root.hasError,
      errorRanges: this.errorRanges,
      importsEnd,
    };
  }

  /**
   * Lowers one notebook cell's tree (positions relative to the cell) for `appendCell`. Its chunks number
   * their functions from the module's current count; `appendCell` moves them to where they land.
   */
  lowerCell(root: Node): CellLowering {
    const chunks: Chunk[] = [];
    for (const child of root.namedChildren) if (child) chunks.push(this.lowerChunk(child));
    const saved = this.errorRanges.length;
    if (root.hasError) this.collectErrors(root);
    return { chunks, hasErrors: root.hasError, errorRanges: this.errorRanges.splice(saved) };
  }

  /** Adds a lowered cell whose first line is `lineOffset` in the program. The cell itself is not changed. */
  appendCell(cell: CellLowering, lineOffset: number): void {
    for (const cached of cell.chunks) {
      const chunk = shiftChunk(cached, lineOffset, this.functions.length - cached.base);
      for (const fn of chunk.functions) this.functions.push(fn);
      for (const imp of chunk.imports) this.imports.push(imp);
      for (const st of chunk.stmts) this.cellBody.push(st);
      if (chunk.isImport) {
        this.cellImports.seenImport = true;
        if (!this.cellImports.seenCode) this.cellImports.end = chunk.end;
      } else if (chunk.isCode && this.cellImports.seenImport) this.cellImports.seenCode = true;
    }
    if (cell.hasErrors) this.cellHasErrors = true;
    for (const r of cell.errorRanges) this.errorRanges.push(shiftIR(r, lineOffset, 0));
  }

  /** The module made of the cells appended so far; `text` is the program they were cut from. */
  cellsModule(cells: { startLine: number; index: number }[]): ModuleIR {
    return {
      cells,
      uri: this.uri,
      language: 'python',
      text: this.text,
      lineStarts: computeLineStarts(this.text),
      body: this.cellBody,
      functions: this.functions,
      imports: this.imports,
      hasErrors: this.cellHasErrors,
      errorRanges: this.errorRanges,
      importsEnd: this.cellImports.end,
    };
  }

  private readonly cellBody: Stmt[] = [];
  private cellHasErrors = false;
  private readonly cellImports = { seenImport: false, seenCode: false, end: { line: 0, character: 0 } };

  /** Lowers one top-level statement with function ids continuing the module's numbering. */
  private lowerChunk(child: Node): Chunk {
    const base = this.functions.length;
    const importsBefore = this.imports.length;
    const stmts: Stmt[] = [];
    this.statement(child, stmts);
    const functions = this.functions.splice(base);
    const imports = this.imports.splice(importsBefore);
    const isImport =
      child.type === 'import_statement' ||
      child.type === 'import_from_statement' ||
      child.type === 'future_import_statement';
    const isDocstring = child.type === 'expression_statement' && child.firstNamedChild?.type === 'string';
    return {
      startLine: child.startPosition.row,
      startCharacter: child.startPosition.column,
      base,
      stmts,
      functions,
      imports,
      isImport,
      isCode: !isImport && child.type !== 'comment' && !isDocstring,
      end: rangeOf(child).end,
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
        this.errorRanges.push(rangeOf(node));
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
    for (const child of node.namedChildren) {
      if (!child) continue;
      this.statement(child, out);
    }
    return out;
  }

  private statement(n: Node, out: Stmt[]): void {
    if (this.depth > MAX_DEPTH) return;
    this.depth++;
    try {
      this.statementInner(n, out);
    } finally {
      this.depth--;
    }
  }

  private statementInner(n: Node, out: Stmt[]): void {
    const range = rangeOf(n);
    switch (n.type) {
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement':
        this.importStmt(n);
        return;
      default:
        break;
    }
    switch (n.type) {
      case 'expression_statement': {
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'assignment' || c.type === 'augmented_assignment') out.push(this.assignment(c));
          else out.push({ k: 'expr', expr: this.expr(c), range });
        }
        return;
      }
      case 'function_definition':
      case 'class_definition':
        out.push({ k: 'def', fn: this.definition(n, []), range });
        return;
      case 'decorated_definition': {
        const def = n.childForFieldName('definition');
        if (!def) return;
        const decorators = n.namedChildren
          .filter((c): c is Node => !!c && c.type === 'decorator')
          .map((d) => this.expr(d.firstNamedChild));
        out.push({ k: 'def', fn: this.definition(def, decorators, n), range });
        return;
      }
      case 'return_statement': {
        const v = n.firstNamedChild;
        out.push({ k: 'return', value: v ? this.expr(v) : undefined, range });
        return;
      }
      case 'if_statement': {
        out.push({
          k: 'if',
          test: this.expr(n.childForFieldName('condition')),
          body: this.block(n.childForFieldName('consequence')),
          orelse: this.elseChain(n.childrenForFieldName('alternative').filter((c): c is Node => !!c)),
          range,
        });
        return;
      }
      case 'for_statement':
        out.push({
          k: 'loop',
          target: this.expr(n.childForFieldName('left')),
          iter: this.expr(n.childForFieldName('right')),
          body: this.block(n.childForFieldName('body')),
          orelse: this.block(n.childForFieldName('alternative')?.childForFieldName('body') ?? null),
          range,
        });
        return;
      case 'while_statement':
        out.push({
          k: 'loop',
          iter: this.expr(n.childForFieldName('condition')),
          body: this.block(n.childForFieldName('body')),
          orelse: this.block(n.childForFieldName('alternative')?.childForFieldName('body') ?? null),
          range,
        });
        return;
      case 'with_statement': {
        const items: { value: Expr; target?: Expr }[] = [];
        const clause = n.namedChildren.find((c) => c?.type === 'with_clause');
        for (const item of clause?.namedChildren ?? []) {
          const v = item?.childForFieldName('value');
          if (!v) continue;
          if (v.type === 'as_pattern') {
            const alias = v.childForFieldName('alias');
            items.push({
              value: this.expr(v.firstNamedChild),
              target: alias ? this.expr(alias.firstNamedChild) : undefined,
            });
          } else items.push({ value: this.expr(v) });
        }
        out.push({ k: 'with', items, body: this.block(n.childForFieldName('body')), range });
        return;
      }
      case 'try_statement': {
        const handlers: Stmt[][] = [];
        let orelse: Stmt[] = [];
        let finalbody: Stmt[] = [];
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'except_clause' || c.type === 'except_group_clause') {
            handlers.push(this.block(c.namedChildren.find((x) => x?.type === 'block') ?? null));
          } else if (c.type === 'else_clause') orelse = this.block(c.childForFieldName('body'));
          else if (c.type === 'finally_clause')
            finalbody = this.block(c.namedChildren.find((x) => x?.type === 'block') ?? null);
        }
        out.push({ k: 'try', body: this.block(n.childForFieldName('body')), handlers, orelse, finalbody, range });
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement':
        out.push({
          k: 'global',
          names: n.namedChildren.filter((c): c is Node => !!c && c.type === 'identifier').map((c) => c.text),
          range,
        });
        return;
      case 'match_statement': {
        const subject = n.childForFieldName('subject');
        if (subject) out.push({ k: 'expr', expr: this.expr(subject), range });
        const body = n.childForFieldName('body');
        for (const alt of body?.namedChildren ?? []) {
          if (alt?.type === 'case_clause')
            out.push({
              k: 'if',
              test: { k: 'other', range: rangeOf(alt), children: [] },
              body: this.block(alt.childForFieldName('consequence')),
              orelse: [],
              range: rangeOf(alt),
            });
        }
        return;
      }
      case 'block':
      case 'ERROR':
        // Recover whole statements from a broken region.
        for (const c of n.namedChildren) if (c && isStatementType(c.type)) this.statement(c, out);
        return;
      default:
        return; // pass, break, continue, raise, assert, del, print, exec, type aliases, comments
    }
  }

  private elseChain(alts: Node[]): Stmt[] {
    if (alts.length === 0) return [];
    const [first, ...rest] = alts;
    if (first.type === 'else_clause') return this.block(first.childForFieldName('body'));
    // elif
    return [
      {
        k: 'if',
        test: this.expr(first.childForFieldName('condition')),
        body: this.block(first.childForFieldName('consequence')),
        orelse: this.elseChain(rest),
        range: rangeOf(first),
      },
    ];
  }

  private assignment(n: Node): Stmt {
    const range = rangeOf(n);
    if (n.type === 'augmented_assignment') {
      const op = n.childForFieldName('operator')?.text ?? '+=';
      return {
        k: 'assign',
        targets: [this.expr(n.childForFieldName('left'))],
        value: this.expr(n.childForFieldName('right')),
        op,
        range,
      };
    }
    // Chained `a = b = value` nests assignments on the right.
    const targets: Expr[] = [];
    let cur: Node | null = n;
    while (cur && cur.type === 'assignment') {
      const left = cur.childForFieldName('left');
      if (left) targets.push(this.expr(left));
      const right: Node | null = cur.childForFieldName('right');
      if (!right) return { k: 'expr', expr: { k: 'other', range, children: targets }, range };
      if (right.type !== 'assignment') return { k: 'assign', targets, value: this.expr(right), range };
      cur = right;
    }
    return { k: 'expr', expr: { k: 'other', range, children: targets }, range };
  }

  private importStmt(n: Node): void {
    const range = rangeOf(n);
    const scope = this.scope;
    if (n.type === 'import_statement') {
      for (const c of n.childrenForFieldName('name')) {
        if (!c) continue;
        if (c.type === 'aliased_import') {
          const name = c.childForFieldName('name')?.text;
          const alias = c.childForFieldName('alias')?.text;
          if (name && alias) this.imports.push({ local: alias, qname: name, range, scope });
        } else if (c.type === 'dotted_name') {
          // `import a.b.c` binds `a`, and `a.b.c` is reachable through attributes.
          const first = c.text.split('.')[0];
          this.imports.push({ local: first, qname: first, range, scope });
        }
      }
      return;
    }
    if (n.type === 'future_import_statement') return;
    const moduleNode = n.childForFieldName('module_name');
    const moduleName = moduleNode ? moduleNode.text.replace(/\s+/g, '') : '';
    for (const c of n.childrenForFieldName('name')) {
      if (!c) continue;
      if (c.type === 'aliased_import') {
        const name = c.childForFieldName('name')?.text;
        const alias = c.childForFieldName('alias')?.text;
        if (name && alias) this.imports.push({ local: alias, qname: `${moduleName}.${name}`, range, scope });
      } else if (c.type === 'dotted_name') {
        this.imports.push({ local: c.text, qname: `${moduleName}.${c.text}`, range, scope });
      }
    }
  }

  private definition(n: Node, decorators: Expr[], outer?: Node): number {
    const id = this.functions.length;
    const isClass = n.type === 'class_definition';
    const nameNode = n.childForFieldName('name');
    const fn: FunctionIR = {
      id,
      kind: isClass ? 'class' : 'def',
      name: nameNode?.text ?? '<anonymous>',
      range: rangeOf(outer ?? n),
      nameRange: nameNode ? rangeOf(nameNode) : rangeOf(n),
      parent: this.scope,
      params: [],
      body: [],
      decorators,
      bases: [],
      isAsync: !isClass && n.firstChild?.type === 'async',
    };
    this.functions.push(fn);
    if (isClass) {
      const sup = n.childForFieldName('superclasses');
      fn.bases = sup ? this.args(sup).map((a) => a.value) : [];
    } else {
      fn.params = this.params(n.childForFieldName('parameters'));
    }
    const saved = this.scope;
    this.scope = id;
    this.depth++;
    try {
      fn.body = this.block(n.childForFieldName('body'));
    } finally {
      this.depth--;
      this.scope = saved;
    }
    return id;
  }

  private params(n: Node | null): ParamIR[] {
    const out: ParamIR[] = [];
    let keywordOnly = false;
    for (const p of n?.namedChildren ?? []) {
      if (!p) continue;
      const kind = keywordOnly ? 'keyword' : 'positional';
      switch (p.type) {
        case 'identifier':
          out.push({ name: p.text, range: rangeOf(p), kind });
          break;
        case 'typed_parameter': {
          const id = p.firstNamedChild;
          if (id?.type === 'identifier') out.push({ name: id.text, range: rangeOf(id), kind });
          else if (id?.type === 'list_splat_pattern') {
            keywordOnly = true;
            out.push({ name: id.firstNamedChild?.text ?? '', range: rangeOf(id), kind: 'varargs' });
          } else if (id?.type === 'dictionary_splat_pattern')
            out.push({ name: id.firstNamedChild?.text ?? '', range: rangeOf(id), kind: 'kwargs' });
          break;
        }
        case 'default_parameter':
        case 'typed_default_parameter': {
          const name = p.childForFieldName('name');
          if (name)
            out.push({ name: name.text, range: rangeOf(name), kind, default: this.expr(p.childForFieldName('value')) });
          break;
        }
        case 'list_splat_pattern':
          keywordOnly = true;
          out.push({ name: p.firstNamedChild?.text ?? '', range: rangeOf(p), kind: 'varargs' });
          break;
        case 'dictionary_splat_pattern':
          out.push({ name: p.firstNamedChild?.text ?? '', range: rangeOf(p), kind: 'kwargs' });
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
    const range = rangeOf(n);
    const fn: FunctionIR = {
      id,
      kind: 'lambda',
      name: '<lambda>',
      range,
      nameRange: { start: range.start, end: { line: range.start.line, character: range.start.character + 6 } },
      parent: this.scope,
      params: this.params(n.childForFieldName('parameters')),
      body: [],
      decorators: [],
      bases: [],
      isAsync: false,
    };
    this.functions.push(fn);
    const saved = this.scope;
    this.scope = id;
    try {
      const body = n.childForFieldName('body');
      fn.body = [{ k: 'return', value: this.expr(body), range: body ? rangeOf(body) : range }];
    } finally {
      this.scope = saved;
    }
    return { k: 'function', fn: id, range };
  }

  private args(n: Node): ArgIR[] {
    const out: ArgIR[] = [];
    for (const a of n.namedChildren) {
      if (!a || a.type === 'comment') continue;
      const range = rangeOf(a);
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text;
        out.push({ name, value: this.expr(a.childForFieldName('value')), range });
      } else if (a.type === 'list_splat') out.push({ value: this.expr(a.firstNamedChild), range, spread: '*' });
      else if (a.type === 'dictionary_splat') out.push({ value: this.expr(a.firstNamedChild), range, spread: '**' });
      else out.push({ value: this.expr(a), range });
    }
    return out;
  }

  expr(n: Node | null | undefined): Expr {
    if (!n)
      return { k: 'other', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, children: [] };
    if (this.depth > MAX_DEPTH) return { k: 'other', range: rangeOf(n), children: [] };
    this.depth++;
    try {
      return this.exprInner(n);
    } finally {
      this.depth--;
    }
  }

  private exprInner(n: Node): Expr {
    const range = rangeOf(n);
    switch (n.type) {
      case 'identifier':
        return { k: 'name', name: n.text, range };
      case 'attribute': {
        const attr = n.childForFieldName('attribute');
        return {
          k: 'attr',
          object: this.expr(n.childForFieldName('object')),
          name: attr?.text ?? '',
          range,
          nameRange: attr ? rangeOf(attr) : range,
        };
      }
      case 'call': {
        const argsNode = n.childForFieldName('arguments');
        const args = argsNode
          ? argsNode.type === 'argument_list'
            ? this.args(argsNode)
            : [{ value: this.expr(argsNode), range: rangeOf(argsNode) }]
          : [];
        return {
          k: 'call',
          callee: this.expr(n.childForFieldName('function')),
          args,
          range,
          argsRange: argsNode ? rangeOf(argsNode) : range,
        };
      }
      case 'lambda':
        return this.lambda(n);
      case 'string':
        return this.string(n);
      case 'concatenated_string': {
        const parts = n.namedChildren.filter((c): c is Node => !!c && c.type === 'string').map((c) => this.string(c));
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
        const raw = n.text;
        return { k: 'num', value: Number(raw.replace(/_/g, '')), raw, range };
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
        const kind = n.type === 'list' || n.type === 'list_pattern' ? 'list' : n.type === 'set' ? 'set' : 'tuple';
        return {
          k: 'seq',
          kind,
          items: n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.expr(c)),
          range,
        };
      }
      case 'list_splat':
      case 'list_splat_pattern':
        return { k: 'spread', kind: '*', value: this.expr(n.firstNamedChild), range };
      case 'dictionary_splat':
      case 'dictionary_splat_pattern':
        return { k: 'spread', kind: '**', value: this.expr(n.firstNamedChild), range };
      case 'dictionary': {
        const entries: DictEntry[] = [];
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'pair')
            entries.push({
              key: this.expr(c.childForFieldName('key')),
              value: this.expr(c.childForFieldName('value')),
              range: rangeOf(c),
            });
          else if (c.type === 'dictionary_splat')
            entries.push({ key: null, value: this.expr(c.firstNamedChild), range: rangeOf(c) });
        }
        return { k: 'dict', entries, range };
      }
      case 'subscript': {
        const subs = n.childrenForFieldName('subscript').filter((c): c is Node => !!c);
        const index: Expr =
          subs.length === 1
            ? this.expr(subs[0])
            : { k: 'seq', kind: 'tuple', items: subs.map((s) => this.expr(s)), range };
        return { k: 'subscript', object: this.expr(n.childForFieldName('value')), index, range };
      }
      case 'slice': {
        // Children are positional around ':' tokens.
        const parts: (Expr | undefined)[] = [undefined, undefined, undefined];
        let slot = 0;
        for (const c of n.children) {
          if (!c) continue;
          if (c.type === ':') slot++;
          else if (c.isNamed && slot < 3) parts[slot] = this.expr(c);
        }
        return { k: 'slice', lower: parts[0], upper: parts[1], step: parts[2], range };
      }
      case 'binary_operator':
      case 'boolean_operator':
        return {
          k: 'binop',
          op: n.childForFieldName('operator')?.text ?? '?',
          left: this.expr(n.childForFieldName('left')),
          right: this.expr(n.childForFieldName('right')),
          range,
        };
      case 'comparison_operator':
        return { k: 'other', range, children: n.namedChildren.filter((c): c is Node => !!c).map((c) => this.expr(c)) };
      case 'unary_operator':
        return {
          k: 'unary',
          op: n.childForFieldName('operator')?.text ?? '-',
          operand: this.expr(n.childForFieldName('argument')),
          range,
        };
      case 'not_operator':
        return { k: 'unary', op: 'not', operand: this.expr(n.childForFieldName('argument')), range };
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.expr(inner) : { k: 'other', range, children: [] };
      }
      case 'await':
        return this.expr(n.firstNamedChild);
      case 'named_expression':
        return this.expr(n.childForFieldName('value'));
      case 'as_pattern_target':
        return this.expr(n.firstNamedChild);
      default:
        // Comprehensions, conditionals, generators, keyword arguments out of place...: keep sub-expressions.
        return {
          k: 'other',
          range,
          children: n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.expr(c)),
        };
    }
  }

  private string(n: Node): Expr {
    const range = rangeOf(n);
    const start = n.firstChild;
    const prefix = start?.type === 'string_start' ? start.text.replace(/["']+$/, '').toLowerCase() : '';
    const raw = prefix.includes('r');
    const parts: (string | Expr)[] = [];
    let constant = true;
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') parts.push(raw ? c.text : unescapePython(c.text));
      else if (c.type === 'escape_sequence') parts.push(raw ? c.text : unescapePython(c.text));
      else if (c.type === 'interpolation') {
        constant = false;
        parts.push(this.expr(c.childForFieldName('expression')));
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
