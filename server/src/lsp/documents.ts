import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { Parser, Tree } from 'web-tree-sitter';
import type { SourceKind } from '../source/languages';
import type { Finding } from '../model/finding';
import type { ModuleIR } from '../model/ir';
import { LoweringCache, lowerPythonText, normalizeForTreeSitter } from '../python';

/**
 * One open document: its text, and for Python the tree-sitter tree kept between versions so that each
 * change re-parses incrementally (`tree.edit` + parse with the old tree).
 */
export class DocumentState {
  private tree: Tree | undefined;
  /** Lowered top-level statements of the previous version, reused for unchanged statements. */
  private readonly lowering = new LoweringCache();
  /** TypeScript: the front end's state between versions (previous source file, lowered statements). */
  readonly typescriptCache: object = {};
  /** The last analysis, for the version it was made from. */
  analysis: { version: number; module: ModuleIR; findings: Finding[] } | undefined;
  /** Parsing took longer than the budget: not analysed again while it stays open. */
  tooSlow = false;

  constructor(
    public doc: TextDocument,
    readonly kind: SourceKind,
  ) {}

  get version(): number {
    return this.doc.version;
  }

  applyChanges(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ('range' in change && this.tree) {
        // A range whose start is after its end is taken as the same range reversed, as TextDocument.update
        // takes it: the tree must be edited exactly as the text is, or it is out of step for the session.
        const a = this.doc.offsetAt(change.range.start);
        const b = this.doc.offsetAt(change.range.end);
        const start = Math.min(a, b);
        const oldEnd = Math.max(a, b);
        const startPos = this.doc.positionAt(start);
        const oldEndPos = this.doc.positionAt(oldEnd);
        this.doc = TextDocument.update(this.doc, [change], version);
        const newEnd = start + change.text.length;
        const newEndPos = this.doc.positionAt(newEnd);
        this.tree.edit({
          startIndex: start,
          oldEndIndex: oldEnd,
          newEndIndex: newEnd,
          startPosition: { row: startPos.line, column: startPos.character },
          oldEndPosition: { row: oldEndPos.line, column: oldEndPos.character },
          newEndPosition: { row: newEndPos.line, column: newEndPos.character },
        });
      } else {
        this.doc = TextDocument.update(this.doc, [change], version);
        this.dropTree();
      }
    }
  }

  /** Lowers the current text; Python re-parses incrementally from the previous tree. */
  lowerPython(parser: Parser): ModuleIR {
    const text = this.doc.getText();
    // A lone CR is rewritten for tree-sitter; the incremental tree then no longer matches: parse afresh.
    const previous = text.includes('\r') && normalizeForTreeSitter(text) !== text ? undefined : this.tree;
    const { module, tree } = lowerPythonText(parser, text, this.doc.uri, previous, this.lowering);
    if (this.tree && this.tree !== tree) this.tree.delete();
    this.tree = tree;
    return module;
  }

  /** True when the next parse starts from nothing (first analysis, or after the tree was dropped). */
  get needsFreshParse(): boolean {
    return this.tree === undefined && this.kind === 'python';
  }

  /** A tree parsed elsewhere (the server's sliced parse) for exactly the current text. */
  adoptTree(tree: Tree): void {
    this.tree?.delete();
    this.tree = tree;
  }

  dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.lowering.chunks.clear();
  }

  dispose(): void {
    this.dropTree();
    this.analysis = undefined;
  }
}
