import type { Language, Node, Parser } from 'web-tree-sitter';

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

  constructor(private readonly views: WasmViews) {}

  private symbol(n: Node): number {
    const alias = (n as unknown as { 0: number })[0];
    if (alias) return alias;
    const u8 = this.views.HEAPU8!;
    const at = n.id;
    if (u8[at] & 1) return u8[at + 1];
    const heap = this.views.HEAPU32![at >> 2];
    return this.views.HEAPU16![(heap + 40) >> 1];
  }

  /** `n.type`: the name of the (public) symbol, learnt from one `n.type` call per symbol. */
  type(n: Node): string {
    const language = n.tree.language;
    if (language !== this.language) {
      this.language = language;
      this.types = [];
    }
    const symbol = this.symbol(n);
    return (this.types[symbol] ??= n.type);
  }

  /** `n.endIndex`. */
  endIndex(n: Node): number {
    const u8 = this.views.HEAPU8!;
    const at = n.id;
    const bytes = u8[at] & 1 ? u8[at + 7] : this.views.HEAPU32![(this.views.HEAPU32![at >> 2] + 16) >> 2];
    return n.startIndex + (bytes >> 1);
  }
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
    const agrees = (n: Node): boolean => {
      nodes++;
      if (memory.type(n) !== n.type || memory.endIndex(n) !== n.endIndex) return false;
      return n.children.every((c) => !c || agrees(c));
    };
    return agrees(tree.rootNode) && nodes > 100 && tree.rootNode.hasError ? memory : undefined;
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
