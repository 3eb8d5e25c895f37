import type { Diagnostic } from 'vscode-languageserver';
import type { Finding, TextEdit } from '../model/finding';
import type { NotebookProgram } from '../notebook';
import { toDiagnostic, type DiagnosticData } from './diagnostics';

/**
 * Findings of a notebook program as diagnostics per cell URI (every code cell listed, so stale ones
 * clear): ranges, related locations and fix edits are moved into the cells they fall in, so that a fix
 * touching two cells (a lambda's new `def` in the imports cell) is one workspace edit.
 */
export function notebookDiagnostics(
  program: NotebookProgram,
  findings: Finding[],
  programUri: string,
  version: number,
): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const c of program.cells) if (c.uri) out.set(c.uri, []);
  for (const f of findings) {
    const at = program.toCell(f.range);
    if (!at?.cell.uri) continue;
    const related = f.related.flatMap((r) => {
      if (r.uri !== programUri) return [r];
      const cell = program.toCell(r.range);
      return cell?.cell.uri ? [{ ...r, uri: cell.cell.uri, range: cell.range }] : [];
    });
    const diagnostic = toDiagnostic({ ...f, uri: at.cell.uri, range: at.range, related }, version);
    const data = diagnostic.data as DiagnosticData;
    if (f.fix) {
      const changes = cellEdits(program, f.fix.edits);
      if (changes) {
        data.changes = changes;
        // The program-wide edits would change whenever a cell above grows: keep only cell edits.
        data.fix = { ...f.fix, edits: changes[at.cell.uri] ?? [] };
      } else data.fix = null; // an edit across a cell boundary cannot be expressed: no quick fix
    }
    out.get(at.cell.uri)!.push(diagnostic);
  }
  return out;
}

/** Program edits as edits per cell URI; undefined when one of them spans cells. */
export function cellEdits(program: NotebookProgram, edits: TextEdit[]): Record<string, TextEdit[]> | undefined {
  const changes: Record<string, TextEdit[]> = {};
  for (const e of edits) {
    const cell = program.toCell(e.range);
    if (!cell?.cell.uri) return undefined;
    (changes[cell.cell.uri] ??= []).push({ range: cell.range, newText: e.newText });
  }
  return changes;
}
