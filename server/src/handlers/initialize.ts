import { CodeActionKind, DidChangeConfigurationNotification, TextDocumentSyncKind, type Connection, type InitializeResult } from 'vscode-languageserver';
import type { AnalysisService } from '../service';
import { FIX_ALL_KIND } from './codeAction';

export function registerInitialize(connection: Connection, service: AnalysisService): void {
  connection.onInitialize((params): InitializeResult => {
    service.supportsConfiguration = params.capabilities.workspace?.configuration === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
      },
      serverInfo: { name: 'pipelint', version: require('../../../package.json').version },
    };
  });
  connection.onInitialized(() => {
    if (service.supportsConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
    }
  });
}
