// One status bar item: the server's state and the number of pipelint findings in the active file
// (or, in a notebook, in all its cells). Clicking it shows the output channel.
import * as vscode from 'vscode';
import type { PipelintClient, ServerState } from './client';

const SOURCE = 'pipelint';

export function countFindings(uris: readonly vscode.Uri[]): { errors: number; others: number } {
  let errors = 0;
  let others = 0;
  for (const uri of uris) {
    for (const d of vscode.languages.getDiagnostics(uri)) {
      if (d.source !== SOURCE) continue;
      if (d.severity === vscode.DiagnosticSeverity.Error) errors++;
      else others++;
    }
  }
  return { errors, others };
}

function activeUris(): vscode.Uri[] {
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  const editor = vscode.window.activeTextEditor;
  if (notebook && (!editor || editor.document.uri.scheme === 'vscode-notebook-cell')) {
    return notebook.getCells().map((c) => c.document.uri);
  }
  return editor ? [editor.document.uri] : [];
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: { dispose(): unknown }[] = [];

  constructor(private readonly client: PipelintClient) {
    this.item = vscode.window.createStatusBarItem('pipelint.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'pipelint';
    this.item.command = 'pipelint.showOutput';
    this.disposables.push(
      this.item,
      client.onDidChangeState(() => this.update()),
      vscode.languages.onDidChangeDiagnostics(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.update()),
    );
    this.update();
    this.item.show();
  }

  update(): void {
    const state: ServerState = this.client.state;
    const { errors, others } = countFindings(activeUris());
    const total = errors + others;
    this.item.backgroundColor = undefined;
    switch (state) {
      case 'starting':
      case 'restarting':
        this.item.text = '$(sync~spin) pipelint';
        this.item.tooltip = state === 'starting' ? 'pipelint: server starting' : 'pipelint: server restarting';
        break;
      case 'stopped':
        this.item.text = '$(circle-slash) pipelint';
        this.item.tooltip = 'pipelint: server stopped — run "pipelint: Restart Server"';
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'running':
        this.item.text = total === 0 ? '$(check) pipelint' : `${errors ? '$(error)' : '$(warning)'} pipelint ${total}`;
        this.item.tooltip =
          total === 0
            ? 'pipelint: no findings in this file'
            : `pipelint: ${total} finding${total === 1 ? '' : 's'} in this file (${errors} error${errors === 1 ? '' : 's'})`;
        break;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
