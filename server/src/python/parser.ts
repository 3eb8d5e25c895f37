import { existsSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';

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
    await Parser.init({ locateFile: () => wasmPath('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm') });
    const language = await Language.load(wasmPath('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return ready;
}

/** Parses `text`; pass the previous tree (already `edit`ed) to re-parse incrementally. */
export function parsePython(parser: Parser, text: string, previous?: Tree): Tree {
  const tree = parser.parse(text, previous ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
