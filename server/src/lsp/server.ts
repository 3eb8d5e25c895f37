// First: V8's flags for this process, before any analysis code runs.
import './v8flags';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { registerCodeActions } from './handlers/codeAction';
import { registerCodeLens } from './handlers/codeLens';
import { registerHover } from './handlers/hover';
import { registerInitialize } from './handlers/initialize';
import { lifecycleStrategy, registerLifecycle } from './handlers/lifecycle';
import { registerPipelineGraph } from './handlers/pipelineGraph';
import { registerNotebookSync } from './handlers/notebookSync';
import { registerTextDocumentSync } from './handlers/textDocumentSync';
import { loadPythonParser } from '../python';
import { AnalysisService } from './service';

// Wiring only: every LSP method has its handler file under handlers/.
// The LSP lifecycle (no requests before initialize or after shutdown) is enforced before the handlers.
const connection = createConnection(ProposedFeatures.all, { messageStrategy: lifecycleStrategy() });
const service = new AnalysisService(connection, loadPythonParser());

registerLifecycle(connection);
registerInitialize(connection, service);
registerTextDocumentSync(connection, service);
registerNotebookSync(connection, service);
registerCodeActions(connection, service);
registerHover(connection, service);
registerCodeLens(connection, service);
registerPipelineGraph(connection, service);
connection.onDidChangeConfiguration(() => service.configurationChanged());
connection.onDidChangeWatchedFiles(() => service.configFilesChanged());

// A bad document must never take the server down: log and keep serving.
process.on('uncaughtException', (err) => connection.console.error(`pipelint: uncaught ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => connection.console.error(`pipelint: unhandled rejection ${String(err)}`));

connection.listen();
