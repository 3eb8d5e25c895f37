import type { Parser, Tree } from 'web-tree-sitter';
import type { ModuleIR } from '../model/ir';
import { LoweringCache, lowerPython } from './lower';

export { LoweringCache };
import { parsePython } from './parser';

export { loadPythonParser } from './parser';

/**
 * tree-sitter counts rows at '\n' only, LSP also at a lone '\r'. Turning lone CRs into LFs keeps every
 * offset and makes rows match LSP lines.
 */
export function normalizeForTreeSitter(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

export function lowerPythonText(parser: Parser, text: string, uri: string, previous?: Tree, cache?: LoweringCache): { module: ModuleIR; tree: Tree } {
  const tree = parsePython(parser, normalizeForTreeSitter(text), previous);
  const module = lowerPython(tree, text, uri, cache);
  return { module, tree };
}
