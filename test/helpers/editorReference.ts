import type { Parser, Tree } from 'web-tree-sitter';
import type { DocumentState } from '../../server/src/lsp/documents';
import type { ModuleIR } from '../../server/src/model/ir';
import { lowerPythonText } from '../../server/src/python';
import { lowerPython } from '../../server/src/python/lower';

/** A module's model as JSON: what a lowering must reproduce. */
export function canonicalModel(m: ModuleIR): string {
  return JSON.stringify({
    body: m.body,
    functions: m.functions,
    imports: m.imports,
    importsEnd: m.importsEnd,
    hasErrors: m.hasErrors,
    errorRanges: m.errorRanges,
    lineStarts: m.lineStarts,
  });
}

/**
 * What the editor's model of a document's current version (`incremental`, from `state.lowerPython`) must
 * equal: the model of a fresh parse of the same text, except where tree-sitter reads the text otherwise.
 * - Re-parsed incrementally, on broken text, its error recovery may build another tree than afresh
 *   (SKL501_unpinned/test_train.py, edit 6: a fresh parse recovers two more statements): the reference is
 *   then the server's own tree lowered without reuse, so what is checked is the reuse of lowered statements.
 * - Re-parsed from the edited statements alone (python/regions.ts), an ambiguous text may be read otherwise
 *   alone than within the file (`X_train, X_test, y_train, ⏎ y_test = split(...)`: one assignment alone,
 *   three expressions and an assignment in the file, depending on text far away): the reference is then a
 *   copy of the editor's model, so what is still checked is that the analysis keeps nothing across versions.
 * `other` says that the reference is not a fresh parse's; `regional`, that the editor re-parsed a region.
 */
export function editorReference(
  parser: Parser,
  state: DocumentState,
  incremental: ModuleIR,
): { module: ModuleIR; other: boolean; regional: boolean } {
  const text = state.doc.getText();
  const uri = state.doc.uri;
  const { tree, regional } = (state as unknown as { python: { tree: Tree; regional: boolean } }).python;
  const fresh = lowerPythonText(parser, text, uri);
  try {
    if (regional) {
      const same = canonicalModel(incremental) === canonicalModel(fresh.module);
      return { module: same ? fresh.module : structuredClone(incremental), other: !same, regional };
    }
    const same = tree.rootNode.toString() === fresh.tree.rootNode.toString();
    return { module: same ? fresh.module : lowerPython(tree, text, uri), other: !same, regional };
  } finally {
    fresh.tree.delete();
  }
}
