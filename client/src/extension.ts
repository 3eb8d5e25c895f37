// Entry point: wires the client, the commands and the status bar. Nothing else lives here.
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { PipelintClient, type PipelintApi } from './client';
import { registerCommands } from './commands';
import { needsRestart } from './config';
import { registerDiagramPanel } from './diagramPanel';
import { StatusBar } from './statusBar';

let client: PipelintClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<PipelintApi> {
  const output = vscode.window.createOutputChannel('pipelint', { log: true });
  output.info(
    `pipelint ${(context.extension.packageJSON as { version: string }).version} activating in ${vscode.env.appName} ${vscode.version}`,
  );
  client = new PipelintClient(context, output);
  const c = client;
  context.subscriptions.push(
    output,
    new StatusBar(c),
    ...registerCommands({ client: c }),
    registerDiagramPanel(context, c),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (needsRestart(e)) void c.restart();
    }),
  );
  await c.start();

  // The real-editor test tier (test/e2e) runs its suite inside this extension host when asked to.
  const suite = process.env.PIPELINT_E2E_SUITE;
  const results = process.env.PIPELINT_E2E_RESULTS;
  if (suite && results) {
    setImmediate(() => {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        void (require(suite) as { runAndReport(file: string): Promise<void> }).runAndReport(results);
      } catch (err) {
        const error = `e2e suite ${suite} failed to load: ${String(err)}`;
        output.error(error);
        writeFileSync(results, JSON.stringify({ passed: 0, failed: 1, durationMs: 0, tests: [], error }));
      }
    });
  }
  return c;
}

export async function deactivate(): Promise<void> {
  await client?.dispose();
  client = undefined;
}
