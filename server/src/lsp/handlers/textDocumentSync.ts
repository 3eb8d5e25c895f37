import type { Connection } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentState } from '../documents';
import { kindOfLanguageId, kindOfPath } from '../../source/languages';
import type { AnalysisService } from '../service';

/** didOpen / didChange / didClose: incremental sync; each change re-analyses only that document. */
export function registerTextDocumentSync(connection: Connection, service: AnalysisService): void {
  connection.onDidOpenTextDocument(({ textDocument: td }) => {
    const kind = kindOfLanguageId(td.languageId) ?? kindOfPath(td.uri);
    if (!kind || kind === 'notebook') return;
    service.documents.get(td.uri)?.dispose();
    service.documents.set(
      td.uri,
      new DocumentState(TextDocument.create(td.uri, td.languageId, td.version, td.text), kind),
    );
    service.schedule(td.uri);
  });
  connection.onDidChangeTextDocument(({ textDocument: td, contentChanges }) => {
    const state = service.documents.get(td.uri);
    if (!state) return;
    state.applyChanges(contentChanges, td.version);
    service.schedule(td.uri);
  });
  connection.onDidCloseTextDocument(({ textDocument: td }) => service.close(td.uri));
}
