import type { Diagnostic } from 'vscode-languageserver';
import { toDiagnostic, type DiagnosticData } from './handlers/diagnostics';
import type { Finding, TextEdit } from './model/finding';
import type { Range } from './model/ir';
import { commentOutMagic } from './notebook';

/** One code cell of an open notebook, in order. */
export interface CellText {
  uri: string;
  text: string;
}

/**
 * A notebook's code cells joined into one Python program (so data flow crosses cells), with the map
 * back from program lines to cells. IPython magics and shell lines become comments of the same length.
 */
export class NotebookProgram {
  readonly text: string;
  private readonly starts: number[] = [];

  constructor(readonly cells: CellText[]) {
    const lines: string[] = [];
    for (const cell of cells) {
      this.starts.push(lines.length);
      for (const line of cell.text.split(/\r\n|\n|\r/)) lines.push(commentOutMagic(line));
    }
    this.text = lines.join('\n');
  }

  /** The cell holding a program line, and the line within it. */
  locate(line: number): { cell: number; line: number } {
    let cell = 0;
    for (let i = 0; i < this.starts.length; i++) if (this.starts[i] <= line) cell = i;
    return { cell, line: line - (this.starts[cell] ?? 0) };
  }

  /** A program range as a cell range; undefined when it spans cells. */
  toCell(range: Range): { uri: string; range: Range } | undefined {
    const start = this.locate(range.start.line);
    const end = this.locate(range.end.line);
    if (start.cell !== end.cell || !this.cells[start.cell]) return undefined;
    return {
      uri: this.cells[start.cell].uri,
      range: { start: { line: start.line, character: range.start.character }, end: { line: end.line, character: range.end.character } },
    };
  }

  /** Findings of the joined program as diagnostics per cell URI (every cell listed, so stale ones clear). */
  diagnostics(findings: Finding[], programUri: string, version: number): Map<string, Diagnostic[]> {
    const out = new Map<string, Diagnostic[]>(this.cells.map((c) => [c.uri, []]));
    for (const f of findings) {
      const at = this.toCell(f.range);
      if (!at) continue;
      const related = f.related.flatMap((r) => {
        if (r.uri !== programUri) return [r];
        const cell = this.toCell(r.range);
        return cell ? [{ ...r, uri: cell.uri, range: cell.range }] : [];
      });
      const diagnostic = toDiagnostic({ ...f, uri: at.uri, range: at.range, related }, version);
      const data = diagnostic.data as DiagnosticData;
      if (f.fix) {
        const changes: Record<string, TextEdit[]> = {};
        let ok = true;
        for (const e of f.fix.edits) {
          const cell = this.toCell(e.range);
          if (!cell) ok = false;
          else (changes[cell.uri] ??= []).push({ range: cell.range, newText: e.newText });
        }
        if (ok) data.changes = changes;
        else data.fix = null; // an edit across cells cannot be expressed: no quick fix
      }
      out.get(at.uri)!.push(diagnostic);
    }
    return out;
  }
}
