import type { Parser, Tree } from 'web-tree-sitter';
import type { ModuleIR } from '../model/ir';
import { LoweringCache, lowerPython } from './lower';

export { LoweringCache };
import { nestingDepth, MAX_NESTING } from './nesting';
import { parsePython } from './parser';

export { loadPythonParser } from './parser';

/**
 * tree-sitter counts rows at '\n' only, LSP also at a lone '\r'. Turning lone CRs into LFs keeps every
 * offset and makes rows match LSP lines.
 */
export function normalizeForTreeSitter(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** Raised when tree-sitter's WASM trapped: its memory may be corrupt, later parses in this process are unsafe. */
export class ParserPoisonedError extends Error {}

let poisoned = false;

export function lowerPythonText(parser: Parser, text: string, uri: string, previous?: Tree, cache?: LoweringCache): { module: ModuleIR; tree: Tree } {
  if (poisoned) throw new ParserPoisonedError('the Python parser failed earlier in this process');
  const tooDeep = nestingDepth(text) > MAX_NESTING;
  let tree: Tree;
  try {
    tree = parsePython(parser, tooDeep ? '' : normalizeForTreeSitter(text), tooDeep ? undefined : previous);
  } catch (err) {
    // A WASM trap (out-of-bounds access, out of memory) leaves tree-sitter's heap in an unknown state.
    if (err instanceof WebAssembly.RuntimeError || (err instanceof Error && /memory|Aborted/i.test(err.message))) poisoned = true;
    throw poisoned ? new ParserPoisonedError(`tree-sitter failed: ${(err as Error).message}`) : err;
  }
  const module = lowerPython(tree, text, uri, tooDeep ? undefined : cache);
  if (tooDeep) {
    // Not parsed: an empty model flagged as broken, so that no rule speaks about it.
    const end = module.lineStarts.length - 1;
    module.hasErrors = true;
    module.notAnalysed = `nesting deeper than ${MAX_NESTING} levels (brackets, indentation, lambdas); not parsed`;
    module.errorRanges = [{ start: { line: 0, character: 0 }, end: { line: end, character: text.length - module.lineStarts[end] } }];
  }
  return { module, tree };
}

export function parserPoisoned(): boolean {
  return poisoned;
}
