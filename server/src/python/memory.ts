import { Node, type Language, type Parser, type Tree } from 'web-tree-sitter';

/**
 * The views of the WASM memory that emscripten sets on the module object it is given (Parser.init's
 * options object becomes the module) and renews when the memory grows.
 */
export interface WasmViews {
  HEAPU8?: Uint8Array;
  HEAPU16?: Uint16Array;
  HEAPU32?: Uint32Array;
}

/**
 * A node's type and end offset read from tree-sitter's memory instead of through a call into WASM each
 * (`type` and `endIndex` were two of the three calls per node the lowering made: 450,000 of 600,000 over
 * scikit-learn's 285 examples). The layout is tree-sitter 0.25's (lib/subtree.h, wasm32): a node's id is
 * the address of its 8-byte Subtree, inline when its lowest bit is set (symbol in byte 1, size in bytes in
 * byte 7), else a pointer to a SubtreeHeapData (size in bytes at offset 16, symbol at 40); an alias symbol,
 * when there is one, is in the node itself (context[3]). Offsets are in UTF-16 bytes (two per index).
 * `checkedTreeMemory` compares every node of a sample tree with the calls and keeps the calls on any
 * difference (another tree-sitter build).
 */
export class TreeMemory {
  private language: Language | undefined;
  private types: (string | undefined)[] = [];

  constructor(readonly views: WasmViews) {}

  private symbol(n: Node): number {
    const alias = (n as unknown as { 0: number })[0];
    if (alias) return alias;
    const u8 = this.views.HEAPU8!;
    const at = n.id;
    if (u8[at] & 1) return u8[at + 1];
    const heap = this.views.HEAPU32![at >> 2];
    return this.views.HEAPU16![(heap + 40) >> 1];
  }

  /**
   * `n.type`: web-tree-sitter's is `language.types[public symbol] || 'ERROR'`, and a symbol has the name of
   * its public symbol (tree-sitter maps each symbol to the first one of the same name and kind). No call into
   * web-tree-sitter here: V8 inlined its `type` getter's call chain into every function of the lowering that
   * reads a type, and compiled them at 1-13 ms each.
   */
  type(n: Node): string {
    const language = n.tree.language;
    if (language !== this.language) {
      this.language = language;
      this.types = language.types;
    }
    return this.types[this.symbol(n)] || 'ERROR';
  }

  /** `n.endIndex`. */
  endIndex(n: Node): number {
    const u8 = this.views.HEAPU8!;
    const at = n.id;
    const bytes = u8[at] & 1 ? u8[at + 7] : this.views.HEAPU32![(this.views.HEAPU32![at >> 2] + 16) >> 2];
    return n.startIndex + (bytes >> 1);
  }

  // Children and fields, read as tree-sitter 0.25's lib/node.c and lib/tree_cursor.c compute them, so that
  // a child costs a small JS object instead of a call into WASM and web-tree-sitter's Node constructor
  // (the two were about half of the lowering's CPU). The TSLanguage tables used (wasm32 offsets): field
  // count at 32, max alias sequence length at 36, field map slices at 64, field map entries at 68, symbol
  // metadata at 72, alias sequences at 84. A heap subtree: flags at 44 (visible, named, extra: bits 0-2),
  // child count at 36, visible / named child counts at 48 / 52 (when it has children), production id at
  // 66, padding and size as Length {bytes, row, column} at 4 and 16; its children are the 8-byte subtrees
  // just before it. An inline subtree (a leaf): flags in byte 0 (bits 1-3), padding columns, rows (low
  // nibble) and bytes in bytes 4-6, size in byte 7.

  private tablesOf: Language | undefined;
  private fieldCount = 0;
  private maxAliasLength = 0;
  private fieldSlices = 0;
  private fieldEntries = 0;
  private metadata = 0;
  private aliasSequences = 0;

  private tables(tree: Tree): void {
    const language = tree.language;
    if (language === this.tablesOf) return;
    this.tablesOf = language;
    const at = (language as unknown as { 0: number })[0];
    const u32 = this.views.HEAPU32!;
    this.fieldCount = u32[(at + 32) >> 2];
    this.maxAliasLength = this.views.HEAPU16![(at + 36) >> 1];
    this.fieldSlices = u32[(at + 64) >> 2];
    this.fieldEntries = u32[(at + 68) >> 2];
    this.metadata = u32[(at + 72) >> 2];
    this.aliasSequences = u32[(at + 84) >> 2];
  }

  /** The field of the child at `structural` in `production` (not inherited), 0 for none. */
  private fieldAt(production: number, structural: number): number {
    if (this.fieldCount === 0) return 0;
    const u8 = this.views.HEAPU8!;
    const u16 = this.views.HEAPU16!;
    const slice = this.fieldSlices + production * 4;
    let entry = this.fieldEntries + u16[slice >> 1] * 4;
    const end = entry + u16[(slice + 2) >> 1] * 4;
    for (; entry < end; entry += 4) if (u8[entry + 2] === structural && !u8[entry + 3]) return u16[entry >> 1];
    return 0;
  }

  private make(tree: Tree, id: number, bytes: number, row: number, column: number, alias: number): Node {
    return new MemoryNode(id, tree, bytes >> 1, row, column >> 1, alias) as unknown as Node;
  }

  /**
   * Appends to `out` the children of the heap subtree `heap` (starting at bytes/row/column, in UTF-16 bytes)
   * that `mode` selects, as the tree cursor enumerates them: a hidden child is replaced by its own visible
   * children, which inherit its field. Modes: ALL (visible), NAMED (visible and named), FIELD (visible with
   * field `want`), FIRST_NAMED (ts_node__child's named descent, first one only). Returns false once `limit`
   * nodes are out.
   */
  private walk(
    tree: Tree,
    heap: number,
    bytes: number,
    row: number,
    column: number,
    outer: number,
    mode: number,
    want: number,
    limit: number,
    out: Node[],
  ): boolean {
    const u8 = this.views.HEAPU8!;
    const u16 = this.views.HEAPU16!;
    const u32 = this.views.HEAPU32!;
    const count = u32[(heap + 36) >> 2];
    const production = u16[(heap + 66) >> 1];
    const aliases = production ? this.aliasSequences + production * this.maxAliasLength * 2 : 0;
    let structural = 0;
    let at = heap - count * 8;
    for (let i = 0; i < count; i++, at += 8) {
      const inline = u8[at] & 1;
      const child = inline ? 0 : u32[at >> 2];
      if (i > 0) {
        // length_add(position, padding)
        let padBytes: number, padRow: number, padColumn: number;
        if (inline) {
          padBytes = u8[at + 6];
          padRow = u8[at + 5] & 15;
          padColumn = u8[at + 4];
        } else {
          padBytes = u32[(child + 4) >> 2];
          padRow = u32[(child + 8) >> 2];
          padColumn = u32[(child + 12) >> 2];
        }
        bytes += padBytes;
        if (padRow > 0) {
          row += padRow;
          column = padColumn;
        } else column += padColumn;
      }
      const flags = inline ? u8[at] >> 1 : u8[child + 44];
      const extra = flags & 4;
      let alias = 0;
      let index = -1;
      if (!extra) {
        if (aliases) alias = u16[(aliases >> 1) + structural];
        index = structural++;
      }
      const childCount = inline ? 0 : u32[(child + 36) >> 2];
      if (mode === FIRST_NAMED) {
        const relevant = alias ? u8[this.metadata + alias * 3 + 1] : flags & 1 && flags & 2;
        if (relevant) {
          out[this.filled++] = this.make(tree, at, bytes, row, column, alias);
          return false;
        }
        if (childCount > 0 && u32[(child + 52) >> 2] > 0) {
          return this.walk(tree, child, bytes, row, column, 0, mode, want, limit, out);
        }
      } else {
        const field = mode === FIELD && !extra ? this.fieldAt(production, index) || outer : 0;
        if (flags & 1 || alias) {
          const named = alias ? u8[this.metadata + alias * 3 + 1] : flags & 2;
          if (mode === ALL || (mode === NAMED && named) || (mode === FIELD && field === want)) {
            out[this.filled++] = this.make(tree, at, bytes, row, column, alias);
            if (this.filled >= limit) return false;
          }
        } else if (childCount > 0 && u32[(child + 48) >> 2] > 0) {
          if (!this.walk(tree, child, bytes, row, column, field, mode, want, limit, out)) return false;
        }
      }
      // length_add(position, size)
      let sizeBytes: number, sizeRow: number, sizeColumn: number;
      if (inline) {
        sizeBytes = sizeColumn = u8[at + 7];
        sizeRow = 0;
      } else {
        sizeBytes = u32[(child + 16) >> 2];
        sizeRow = u32[(child + 20) >> 2];
        sizeColumn = u32[(child + 24) >> 2];
      }
      bytes += sizeBytes;
      if (sizeRow > 0) {
        row += sizeRow;
        column = sizeColumn;
      } else column += sizeColumn;
    }
    return true;
  }

  /** How many nodes the walk under way has put out. */
  private filled = 0;

  private select(n: Node, mode: number, want: number, limit: number): Node[] {
    const u8 = this.views.HEAPU8!;
    const u32 = this.views.HEAPU32!;
    const at = n.id;
    if (u8[at] & 1) return [];
    const heap = u32[at >> 2];
    if (u32[(heap + 36) >> 2] === 0) return [];
    this.tables(n.tree);
    // The subtree counts its visible and named children: an array of that length from the start, where pushing
    // onto an empty one gave each a backing store of 16 slots (most nodes have one to three children). Not for
    // a long list literal: V8 makes a very long `new Array(n)` a slow dictionary.
    const expected = mode === ALL ? u32[(heap + 48) >> 2] : mode === NAMED ? u32[(heap + 52) >> 2] : 0;
    const out: Node[] = expected > 0 && expected <= limit && expected <= PRESIZED ? new Array<Node>(expected) : [];
    this.filled = 0;
    this.walk(n.tree, heap, n.startIndex * 2, startRow(n), startColumn(n) * 2, 0, mode, want, limit, out);
    if (out.length !== this.filled) out.length = this.filled;
    return out;
  }

  /**
   * `n` as a node of this reader: the reader's own nodes are the only ones its hot paths then see (a tree's root,
   * from web-tree-sitter, had V8 inline web-tree-sitter's position getter into every one of them).
   */
  own(n: Node): Node {
    if (n instanceof MemoryNode) return n;
    const { row, column } = n.startPosition;
    return new MemoryNode(
      n.id,
      n.tree,
      n.startIndex,
      row,
      column,
      (n as unknown as { 0?: number })[0] ?? 0,
    ) as unknown as Node;
  }

  /** `n.children`. */
  children(n: Node): Node[] {
    return this.select(n, ALL, 0, Infinity);
  }

  /** `n.namedChildren`. */
  namedChildren(n: Node): Node[] {
    return this.select(n, NAMED, 0, Infinity);
  }

  /** `n.firstChild`. */
  firstChild(n: Node): Node | null {
    return this.select(n, ALL, 0, 1)[0] ?? null;
  }

  /** `n.isNamed`. */
  isNamed(n: Node): boolean {
    const alias = (n as unknown as { 0?: number })[0];
    if (alias) {
      this.tables(n.tree);
      return this.views.HEAPU8![this.metadata + alias * 3 + 1] !== 0;
    }
    const u8 = this.views.HEAPU8!;
    const at = n.id;
    return u8[at] & 1 ? (u8[at] & 4) !== 0 : (u8[this.views.HEAPU32![at >> 2] + 44] & 2) !== 0;
  }

  /** `n.firstNamedChild`. */
  firstNamedChild(n: Node): Node | null {
    return this.select(n, FIRST_NAMED, 0, 1)[0] ?? null;
  }

  /** `n.childrenForFieldId(id)`. */
  childrenForFieldId(n: Node, id: number): Node[] {
    return id === 0 ? [] : this.select(n, FIELD, id, Infinity);
  }

  /** `n.childForFieldId(id)`: lib/node.c's ts_node_child_by_field_id. */
  childForFieldId(n: Node, id: number): Node | null {
    if (id <= 0) return null;
    this.tables(n.tree);
    if (this.fieldCount === 0) return null;
    return this.byField(n.tree, n.id, n.startIndex * 2, startRow(n), startColumn(n) * 2, id);
  }

  private byField(tree: Tree, id: number, bytes: number, row: number, column: number, want: number): Node | null {
    const u8 = this.views.HEAPU8!;
    const u16 = this.views.HEAPU16!;
    const u32 = this.views.HEAPU32!;
    if (u8[id] & 1) return null;
    const heap = u32[id >> 2];
    const count = u32[(heap + 36) >> 2];
    if (count === 0 || u32[(heap + 48) >> 2] === 0) return null;
    const production = u16[(heap + 66) >> 1];
    const slice = this.fieldSlices + production * 4;
    let map = this.fieldEntries + u16[slice >> 1] * 4;
    let mapEnd = map + u16[(slice + 2) >> 1] * 4;
    if (map === mapEnd) return null;
    while (u16[map >> 1] < want) {
      map += 4;
      if (map === mapEnd) return null;
    }
    while (u16[(mapEnd - 4) >> 1] > want) {
      mapEnd -= 4;
      if (map === mapEnd) return null;
    }
    const aliases = production ? this.aliasSequences + production * this.maxAliasLength * 2 : 0;
    let structural = 0;
    let at = heap - count * 8;
    for (let i = 0; i < count; i++, at += 8) {
      const inline = u8[at] & 1;
      const child = inline ? 0 : u32[at >> 2];
      if (i > 0) {
        let padBytes: number, padRow: number, padColumn: number;
        if (inline) {
          padBytes = u8[at + 6];
          padRow = u8[at + 5] & 15;
          padColumn = u8[at + 4];
        } else {
          padBytes = u32[(child + 4) >> 2];
          padRow = u32[(child + 8) >> 2];
          padColumn = u32[(child + 12) >> 2];
        }
        bytes += padBytes;
        if (padRow > 0) {
          row += padRow;
          column = padColumn;
        } else column += padColumn;
      }
      const flags = inline ? u8[at] >> 1 : u8[child + 44];
      if (!(flags & 4)) {
        const alias = aliases ? u16[(aliases >> 1) + structural] : 0;
        const index = structural++;
        if (index >= u8[map + 2]) {
          if (u8[map + 3]) {
            // An inherited field: the hidden child holds it.
            const found = this.byField(tree, at, bytes, row, column, want);
            if (found || map + 4 === mapEnd) return found;
            map += 4;
          } else if (flags & 1 || alias) {
            return this.make(tree, at, bytes, row, column, alias);
          } else if (!inline && u32[(child + 36) >> 2] > 0 && u32[(child + 48) >> 2] > 0) {
            // A hidden node with visible children: its first visible child (ts_node_child(child, 0)).
            const out: Node[] = [];
            this.filled = 0;
            this.walk(tree, child, bytes, row, column, 0, ALL, 0, 1, out);
            return out[0] ?? null;
          } else {
            map += 4;
            if (map === mapEnd) return null;
          }
        }
      }
      let sizeBytes: number, sizeRow: number, sizeColumn: number;
      if (inline) {
        sizeBytes = sizeColumn = u8[at + 7];
        sizeRow = 0;
      } else {
        sizeBytes = u32[(child + 16) >> 2];
        sizeRow = u32[(child + 20) >> 2];
        sizeColumn = u32[(child + 24) >> 2];
      }
      bytes += sizeBytes;
      if (sizeRow > 0) {
        row += sizeRow;
        column = sizeColumn;
      } else column += sizeColumn;
    }
    return null;
  }
}

/**
 * A Node made without web-tree-sitter's constructor, whose `[0] = 0` class field V8 defines slowly (it was
 * a sixth of the lowering's CPU): the same fields on an object whose prototype is Node's, so every Node
 * method works on it. The alias (`[0]`) is set only when there is one: a missing one reads as 0 in WASM.
 * Its start row and column are numbers, and `startPosition` an object made when asked for: most nodes read
 * are only looked at (their type, a field), and the lowering reads the numbers (startRow, startColumn).
 */
class MemoryNode {
  declare 0: number;
  declare id: number;
  declare tree: Tree;
  declare startIndex: number;
  declare row: number;
  declare column: number;
  constructor(id: number, tree: Tree, startIndex: number, row: number, column: number, alias: number) {
    if (alias) this[0] = alias;
    this.id = id;
    this.tree = tree;
    this.startIndex = startIndex;
    this.row = row;
    this.column = column;
  }

  get startPosition(): { row: number; column: number } {
    return { row: this.row, column: this.column };
  }
}
Object.setPrototypeOf(MemoryNode.prototype, Node.prototype);

/** `n.startPosition.row`, without making the position of a node read from memory. */
export function startRow(n: Node): number {
  return n instanceof MemoryNode ? n.row : n.startPosition.row;
}

/** `n.startPosition.column`, without making the position of a node read from memory. */
export function startColumn(n: Node): number {
  return n instanceof MemoryNode ? n.column : n.startPosition.column;
}

const ALL = 0;
const NAMED = 1;
const FIELD = 2;
const FIRST_NAMED = 3;
/** The longest children array made at its length (see select). */
const PRESIZED = 4096;

/** The same node: its subtree, start and alias (what web-tree-sitter's calls pass to WASM). */
export function sameNode(a: Node | null | undefined, b: Node | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return (
    a.id === b.id &&
    a.startIndex === b.startIndex &&
    a.startPosition.row === b.startPosition.row &&
    a.startPosition.column === b.startPosition.column &&
    ((a as unknown as { 0?: number })[0] || 0) === ((b as unknown as { 0?: number })[0] || 0)
  );
}

function sameNodes(a: (Node | null)[], b: (Node | null)[]): boolean {
  return a.length === b.length && a.every((x, i) => sameNode(x, b[i]));
}

/**
 * Whether the memory reader gives what tree-sitter's calls give for `n`: type, end, whether it is named,
 * children, named children, first child, first named child, and the child(ren) of every field id in `fields`.
 */
export function agreesWithCalls(memory: TreeMemory, n: Node, fields: number[]): boolean {
  const m = memory.own(n);
  if (!sameNode(m, n)) return false;
  if (memory.type(m) !== n.type || memory.endIndex(m) !== n.endIndex) return false;
  if (!sameNodes(memory.children(m), n.children) || !sameNodes(memory.namedChildren(m), n.namedChildren)) return false;
  if (!sameNode(memory.firstNamedChild(m), n.firstNamedChild) || !sameNode(memory.firstChild(m), n.firstChild)) {
    return false;
  }
  if (memory.isNamed(m) !== n.isNamed) return false;
  for (const f of fields) {
    if (!sameNode(memory.childForFieldId(m, f), n.childForFieldId(f))) return false;
    if (!sameNodes(memory.childrenForFieldId(m, f), n.childrenForFieldId(f))) return false;
  }
  return true;
}

/** Python that reaches inline and heap subtrees, aliases, keywords, errors and missing nodes, and non-ASCII text. */
const SAMPLE = [
  'import numpy as np\nfrom sklearn.pipeline import Pipeline, make_pipeline  # comment\n',
  `s = "${'x'.repeat(300)}" + 'é😀' + f"{np.pi:.2f} {s!r}" + rb'\\x00'\n`,
  'def f(a, *args, b: int = 2, **kw) -> None:\n    """Doc."""\n    return [x ** 2 for x in args if x] or {k: v for k, v in kw.items()}\n',
  'class C(Base, metaclass=M):\n    @property\n    def p(self): return lambda y: (yield y)\n',
  'match x:\n    case [1, *rest] if rest: print(rest)\n    case _: pass\n',
  'try:\n    pass\nexcept* (A, B) as e:\n    raise\nfinally:\n    del a[1:2, ::3]\n',
  'with open(p) as f, g: x = not a is not b; async def h(): await z\n',
  'x = (1 +\n',
  'def broken(:\n    y = 1 )\n',
  `${'a_very_long_identifier_'.repeat(20)} = 1\n`,
].join('');

/**
 * A TreeMemory for `parser`'s trees if reading them agrees with tree-sitter's own calls on every node of
 * a sample; undefined otherwise (and when the views are missing), so that the lowering keeps the calls.
 */
export function checkedTreeMemory(parser: Parser, views: WasmViews): TreeMemory | undefined {
  if (!views.HEAPU8 || !views.HEAPU16 || !views.HEAPU32) return undefined;
  const memory = new TreeMemory(views);
  const tree = parser.parse(SAMPLE);
  if (!tree) return undefined;
  try {
    let nodes = 0;
    const language = tree.language;
    const stack: Node[] = [tree.rootNode];
    while (stack.length > 0) {
      const n = stack.pop()!;
      nodes++;
      // The reader reads its own nodes (see `own`), and makes the same ones.
      const m = memory.own(n);
      if (memory.type(m) !== n.type || memory.endIndex(m) !== n.endIndex || memory.isNamed(m) !== n.isNamed) {
        return undefined;
      }
      const children = n.children;
      if (!sameNodes(memory.children(m), children)) return undefined;
      if (children.length === 0) continue;
      // Calls only where there are children to compare (every field of every fixture node: the unit test).
      if (!sameNode(memory.firstChild(m), children[0]) || !sameNodes(memory.namedChildren(m), n.namedChildren)) {
        return undefined;
      }
      if (!sameNode(memory.firstNamedChild(m), n.firstNamedChild)) return undefined;
      // The fields the node's children have, and one it lacks.
      const fields = new Set([1]);
      for (let i = 0; i < children.length; i++) {
        const f = language.fields.indexOf(n.fieldNameForChild(i));
        if (f > 0) fields.add(f);
      }
      for (const f of fields) {
        if (!sameNode(memory.childForFieldId(m, f), n.childForFieldId(f))) return undefined;
        if (!sameNodes(memory.childrenForFieldId(m, f), n.childrenForFieldId(f))) return undefined;
      }
      for (const c of children) if (c) stack.push(c);
    }
    return nodes > 100 && tree.rootNode.hasError ? memory : undefined;
  } catch {
    return undefined;
  } finally {
    tree.delete();
  }
}

let current: TreeMemory | undefined;

/** The checked reader of the Python parser's trees (loadPythonParser sets it), if any. */
export function treeMemory(): TreeMemory | undefined {
  return current;
}

export function setTreeMemory(memory: TreeMemory | undefined): void {
  current = memory;
}
