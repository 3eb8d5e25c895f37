import { NotebookCellKind, NotebookDocuments, type Connection } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { NotebookCellSource } from '../../notebook';
import type { AnalysisService } from '../service';

/**
 * notebookDocument/* sync (LSP 3.17): a Jupyter notebook's Python code cells are analysed together as
 * one program, and each cell gets its own diagnostics.
 */
export function registerNotebookSync(connection: Connection, service: AnalysisService): void {
  const notebooks = new NotebookDocuments(TextDocument);
  const cellsOf = (uri: string): NotebookCellSource[] => {
    const nb = notebooks.getNotebookDocument(uri);
    if (!nb) return [];
    // `index` counts every cell, markdown included, as Jupyter shows them.
    return nb.cells.flatMap((c, index) => {
      if (c.kind !== NotebookCellKind.Code) return [];
      const doc = notebooks.getCellTextDocument(c);
      return doc && (doc.languageId === 'python' || doc.languageId === undefined)
        ? [{ index, uri: doc.uri, text: doc.getText() }]
        : [];
    });
  };
  const versionOf = (uri: string) => notebooks.getNotebookDocument(uri)?.version ?? 0;
  notebooks.onDidOpen((nb) =>
    service.scheduleNotebook(
      nb.uri,
      () => cellsOf(nb.uri),
      () => versionOf(nb.uri),
    ),
  );
  notebooks.onDidChange((e) =>
    service.scheduleNotebook(
      e.notebookDocument.uri,
      () => cellsOf(e.notebookDocument.uri),
      () => versionOf(e.notebookDocument.uri),
    ),
  );
  notebooks.onDidClose((nb) =>
    service.closeNotebook(
      nb.uri,
      nb.cells.map((c) => c.document),
    ),
  );
  notebooks.listen(connection);
}
