import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { Parser } from 'web-tree-sitter';
import type { DocumentStates } from '../analysis/lower';
import type { SourceKind } from '../source/languages';
import type { Finding } from '../model/finding';
import type { ModuleIR } from '../model/ir';
import { pythonFrontEnd, PythonState } from '../python';

/**
 * One open document: its text, and for Python the tree-sitter tree kept between versions so that each
 * change re-parses incrementally (`tree.edit` + parse with the old tree).
 */
export class DocumentState {
  /** Python: the parse tree (edited with each change) and lowered statements of the previous version. */
  private readonly python = new PythonState();
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
      if ('range' in change && this.python.tree) {
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
        this.python.tree.edit({
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

  /** What the front ends keep for this document between versions (for analysis/lower.ts). */
  get states(): DocumentStates {
    return { python: this.python, typescript: this.typescriptCache };
  }

  /** Lowers the current Python text, re-parsing incrementally from the previous tree. */
  lowerPython(parser: Parser): ModuleIR {
    return pythonFrontEnd(parser).lower({ uri: this.doc.uri, text: this.doc.getText() }, this.python);
  }

  /** True when the next parse starts from nothing (first analysis, or after the tree was dropped). */
  get needsFreshParse(): boolean {
    return this.python.tree === undefined && this.kind === 'python';
  }

  /** A tree parsed elsewhere (the server's sliced parse) for exactly the current text. */
  adoptTree(tree: NonNullable<PythonState['tree']>): void {
    this.python.tree?.delete();
    this.python.tree = tree;
  }

  dropTree(): void {
    this.python.drop();
  }

  dispose(): void {
    this.dropTree();
    this.analysis = undefined;
  }
}
