import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import { checkedTreeMemory, setTreeMemory, type WasmViews } from './memory';

/**
 * tree-sitter through its WASM binding: one universal build. The .wasm files sit next to the bundle
 * (esbuild copies them to dist/); when running from source they are resolved from node_modules.
 */
function wasmPath(file: string, pkgPath: string): string {
  const beside = path.join(__dirname, file);
  if (existsSync(beside)) return beside;
  return require.resolve(pkgPath);
}

let ready: Promise<Parser> | undefined;

export function loadPythonParser(): Promise<Parser> {
  ready ??= (async () => {
    // Emscripten makes this object the module: it then holds the views of the WASM memory (see memory.ts).
    const module: WasmViews & { locateFile(): string } = {
      locateFile: () => wasmPath('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm'),
    };
    await Parser.init(module);
    // Its bytes, not its path: web-tree-sitter reads a path with import('fs/promises'), which a script compiled
    // from V8's code cache cannot run (cli/launch.ts).
    const language = await Language.load(
      readFileSync(wasmPath('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm')),
    );
    const parser = new Parser();
    parser.setLanguage(language);
    setTreeMemory(checkedTreeMemory(parser, module));
    return parser;
  })();
  return ready;
}

/** The parse took longer than its budget (tree-sitter's error recovery can go superlinear on odd input). */
export class ParseBudgetError extends Error {
  constructor(readonly budgetMs: number) {
    super(`too slow to parse (over ${(budgetMs / 1000).toFixed(1)} s of CPU), skipped`);
  }
}

/** When a parse must stop (model/budget.ts's CpuDeadline). */
export interface Deadline {
  budgetMs: number;
  passed(): boolean;
}

/**
 * Parses `text`; pass the previous tree (already `edit`ed) to re-parse incrementally. With a deadline,
 * tree-sitter's progress callback cancels the parse once it passes, and ParseBudgetError is thrown; the
 * parser is reset so that the next parse starts afresh (it would otherwise resume the cancelled one).
 */
export function parsePython(parser: Parser, text: string, previous?: Tree, deadline?: Deadline): Tree {
  const options = deadline ? { progressCallback: () => deadline.passed() } : undefined;
  // web-tree-sitter types the callback as returning void, but cancels when it returns true.
  const tree = parser.parse(text, previous ?? null, options);
  if (!tree) {
    parser.reset();
    if (deadline?.passed()) throw new ParseBudgetError(deadline.budgetMs);
    throw new Error('tree-sitter returned no tree');
  }
  return tree;
}
