// The pipeline diagram panel: a webview beside the editor that follows the active Python or TypeScript
// editor, asks the server for the graph (`pipelint/pipelineGraph`) after each burst of edits, reveals
// the source of a clicked node and exports the picture as SVG. Security per STYLE.md item 11: the
// page comes from webview/src/panelHtml.ts (CSP, nonce, local script only), the data by postMessage.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PipelineGraphRequest, type ShowDiagramCommand } from '../../server/src/lsp/protocol';
import { panelHtml } from '../../webview/src/panelHtml';
import type { FromWebview, ToWebview, WebviewState } from '../../webview/src/protocol';
import type { PipelintClient } from './client';
import { saveExport } from './exportFile';

export const DIAGRAM_VIEW_TYPE = 'pipelint.diagram';
const LANGUAGES = new Set(['python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact']);
const REFRESH_DELAY_MS = 300;

let context: vscode.ExtensionContext | undefined;
let client: PipelintClient | undefined;

function nonce(): string {
  return randomBytes(24)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 32);
}

class DiagramPanel implements vscode.Disposable {
  static current: DiagramPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private uri: vscode.Uri | undefined;
  private timer: NodeJS.Timeout | undefined;
  private focusTimer: NodeJS.Timeout | undefined;
  private ready = false;
  /**
   * The position the diagram highlights: the last cursor move in the diagram's document or the
   * statement a CodeLens asked for, whichever came last. Every graph carries it, so a re-render (an
   * edit, a reload of the webview) keeps it, and a cursor move made before a lens click cannot land
   * after it (its debounce timer is cancelled).
   */
  private focus: vscode.Position | undefined;
  private requestSeq = 0;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    restored?: WebviewState,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      nonce: nonce(),
    });
    if (restored?.uri) this.uri = vscode.Uri.parse(restored.uri);
    if (restored?.focus) this.focus = new vscode.Position(restored.focus.line, restored.focus.character);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m)),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (
          editor &&
          LANGUAGES.has(editor.document.languageId) &&
          editor.document.uri.toString() !== this.uri?.toString()
        ) {
          this.uri = editor.document.uri;
          this.setFocus(editor.selection.active);
          this.refresh(0);
        }
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.uri?.toString() && e.contentChanges.length > 0)
          this.refresh(REFRESH_DELAY_MS);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document.uri.toString() !== this.uri?.toString()) return;
        const p = e.selections[0].active;
        this.setFocus(p);
        // Moves made by commands (a node's reveal, go to line) take effect with the next graph; the
        // user's own moves at once.
        if (e.kind === vscode.TextEditorSelectionChangeKind.Command) return;
        this.focusTimer = setTimeout(
          () => this.post({ type: 'focus', focus: { line: p.line, character: p.character } }),
          150,
        );
      }),
      // A hidden panel loses its page (retainContextWhenHidden is off): post nothing until the new page
      // says 'ready' (it then gets the graph, with the focus, at once).
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      client!.onDidChangeState((s) => {
        if (s === 'running') this.refresh(0);
      }),
    );
  }

  static show(extensionUri: vscode.Uri, uri?: vscode.Uri, focus?: vscode.Position): DiagramPanel {
    let p = DiagramPanel.current;
    if (p) p.panel.reveal(vscode.ViewColumn.Beside, true);
    else {
      const panel = vscode.window.createWebviewPanel(
        DIAGRAM_VIEW_TYPE,
        'Pipeline Diagram',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {
          enableScripts: true,
          retainContextWhenHidden: false,
          localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
        },
      );
      p = DiagramPanel.current = new DiagramPanel(panel, extensionUri);
      // A new column beside the editor can open narrow (a previous layout's sizes): share the width evenly.
      void vscode.commands.executeCommand('workbench.action.evenEditorWidths');
    }
    if (uri) p.uri = uri;
    if (focus) p.setFocus(focus);
    else if (uri)
      p.setFocus(
        vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.selection.active,
      );
    p.refresh(0);
    return p;
  }

  /** A new focus; a cursor move still waiting for its debounce is superseded by it. */
  private setFocus(p: vscode.Position | undefined): void {
    clearTimeout(this.focusTimer);
    this.focus = p;
  }

  private post(message: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  refresh(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delay);
  }

  private async update(): Promise<void> {
    if (!this.ready) return; // 'ready' from the webview triggers the first update
    const uri = this.uri;
    if (!uri) {
      this.post({ type: 'empty', message: 'Open a Python or TypeScript file to see its pipelines.' });
      return;
    }
    const lc = client?.languageClient;
    if (!lc || client?.state !== 'running') {
      this.post({ type: 'empty', message: 'The pipelint server is not running.' });
      return;
    }
    const seq = ++this.requestSeq;
    let graph: PipelineGraphRequest.Result;
    try {
      graph = await lc.sendRequest<PipelineGraphRequest.Result>(PipelineGraphRequest.method, {
        textDocument: { uri: uri.toString() },
      } satisfies PipelineGraphRequest.Params);
    } catch (err) {
      client?.output.warn(`pipeline diagram: ${String(err)}`);
      return;
    }
    if (seq !== this.requestSeq || uri !== this.uri) return; // superseded
    const fileName = path.basename(uri.path);
    if (!graph) {
      this.post({
        type: 'empty',
        message: `${fileName}: not analysed by pipelint (disabled, too large, or not open).`,
      });
      return;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    // The server answered for an older version (changes still in flight): ask again shortly.
    if (doc && graph.version !== undefined && graph.version < doc.version) this.refresh(REFRESH_DELAY_MS);
    const focus = this.focus;
    this.post({
      type: 'graph',
      graph,
      fileName,
      focus: focus ? { line: focus.line, character: focus.character } : undefined,
    });
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (!this.uri) {
          const editor =
            vscode.window.activeTextEditor ??
            vscode.window.visibleTextEditors.find((e) => LANGUAGES.has(e.document.languageId));
          if (editor && LANGUAGES.has(editor.document.languageId)) {
            this.uri = editor.document.uri;
            this.focus ??= editor.selection.active;
          }
        }
        await this.update();
        break;
      case 'reveal': {
        const uri = vscode.Uri.parse(m.uri);
        const range = new vscode.Range(
          m.range.start.line,
          m.range.start.character,
          m.range.end.line,
          m.range.end.character,
        );
        const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
        const editor = await vscode.window.showTextDocument(uri, {
          viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
          selection: new vscode.Range(range.start, range.start),
          preserveFocus: false,
        });
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        break;
      }
      case 'exportSvg': {
        const base = this.uri
          ? vscode.Uri.joinPath(this.uri, '..', `${m.fileName.replace(/\.[^.]+$/, '')}.pipeline.svg`)
          : undefined;
        const target = await vscode.window.showSaveDialog({
          defaultUri: base,
          filters: { SVG: ['svg'] },
          title: 'Export pipeline diagram',
        });
        if (!target) return;
        await writeExport(target, Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${m.svg}\n`, 'utf8'));
        break;
      }
      case 'exportPng': {
        const base = this.uri
          ? vscode.Uri.joinPath(this.uri, '..', `${m.fileName.replace(/\.[^.]+$/, '')}.pipeline.png`)
          : undefined;
        const target = await vscode.window.showSaveDialog({
          defaultUri: base,
          filters: { PNG: ['png'] },
          title: 'Export pipeline diagram as PNG',
        });
        const data = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(m.dataUrl)?.[1];
        if (!target || !data) return;
        await writeExport(target, Buffer.from(data, 'base64'));
        break;
      }
      case 'rendered':
        client?.output.debug(`pipeline diagram: ${m.nodes} nodes laid out in ${m.layoutMs} ms`);
        break;
    }
  }

  /** Asks the webview for its SVG (the Export command). */
  requestExport(): void {
    this.post({ type: 'export' });
  }

  dispose(): void {
    if (DiagramPanel.current === this) DiagramPanel.current = undefined;
    clearTimeout(this.timer);
    clearTimeout(this.focusTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** Called once from activate: remembers the context and restores a panel left open in the last session. */
export function registerDiagramPanel(ctx: vscode.ExtensionContext, c: PipelintClient): vscode.Disposable {
  context = ctx;
  client = c;
  return vscode.window.registerWebviewPanelSerializer(DIAGRAM_VIEW_TYPE, {
    deserializeWebviewPanel(panel: vscode.WebviewPanel, state: WebviewState | undefined) {
      DiagramPanel.current?.dispose();
      DiagramPanel.current = new DiagramPanel(panel, ctx.extensionUri, state);
      return Promise.resolve();
    },
  });
}

/** The `pipelint.showDiagram` command: `[uri, position]` from the CodeLens, or the active editor. */
export function showDiagram(...args: unknown[]): void {
  if (!context) return;
  const uriArg = args[0];
  const pos = (args as ShowDiagramCommand.Args)[1];
  const editor = vscode.window.activeTextEditor;
  const uri =
    typeof uriArg === 'string'
      ? vscode.Uri.parse(uriArg)
      : uriArg instanceof vscode.Uri
        ? uriArg
        : editor && LANGUAGES.has(editor.document.languageId)
          ? editor.document.uri
          : undefined;
  const focus = pos
    ? new vscode.Position(pos.line, pos.character)
    : uri && editor?.document.uri.toString() === uri.toString()
      ? editor.selection.active
      : undefined;
  DiagramPanel.show(context.extensionUri, uri, focus);
}

export function exportDiagram(): void {
  DiagramPanel.current?.requestExport();
}

/** Writes an exported diagram (SVG or PNG) and says where it went, or why it was not saved. */
async function writeExport(target: vscode.Uri, bytes: Buffer): Promise<void> {
  try {
    await saveExport(target, bytes, () => vscode.workspace.fs.writeFile(target, bytes));
  } catch (err) {
    void vscode.window.showErrorMessage(
      `pipelint: the diagram was not saved: ${err instanceof Error ? err.message : String(err)}`,
    );
    return;
  }
  void vscode.window.setStatusBarMessage(`pipelint: diagram saved to ${path.basename(target.path)}`, 4000);
}
