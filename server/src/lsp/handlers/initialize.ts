import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import type { AnalysisService } from '../service';
import { FIX_ALL_KIND } from './codeAction';
import { PIPELINT_VERSION } from '../../config/version';

/** Project files whose changes change findings: pipelint's config, and the requirement files SKL501 reads. */
export const WATCHED_FILES = [
  '**/{pyproject.toml,pipelint.toml,.pipelint.toml}',
  '**/{requirements,constraints}*.{txt,in}',
  '**/requirements/*.{txt,in}',
  '**/{setup.cfg,setup.py,Pipfile,Pipfile.lock,poetry.lock,uv.lock,pdm.lock,conda-lock.yml}',
  '**/{environment,conda}*.{yml,yaml}',
];

export function registerInitialize(connection: Connection, service: AnalysisService): void {
  let watchFiles = false;
  let folders: string[] = [];
  connection.onInitialize((params): InitializeResult => {
    service.supportsConfiguration = params.capabilities.workspace?.configuration === true;
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    // rootUri: for clients without workspace folders (deprecated, still sent by Neovim 0.7).
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    service.policies.setWorkspaceFolders(folders);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        // Jupyter notebooks: Python cells arrive through notebook sync and are analysed as one program.
        notebookDocumentSync: {
          notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }],
        },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'pipelint', version: PIPELINT_VERSION },
    };
  });
  connection.onInitialized(() => {
    connection.console.info(
      `pipelint server ${PIPELINT_VERSION} started (Node ${process.version}, pid ${process.pid}, ${folders.length} workspace folder${folders.length === 1 ? '' : 's'})`,
    );
    // Workspace index (issue 3): saved/loaded artifacts across files, read in the background.
    service.indexWorkspace(folders);
    if (service.supportsConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
    }
    if (watchFiles) {
      // Config files (issue 8) and requirement files (SKL501): re-read and re-analyse when one is created,
      // changed or deleted.
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: WATCHED_FILES.map((globPattern) => ({ globPattern })),
        })
        .catch(() => undefined);
    }
  });
}
