/**
 * The diagram panel's script (bundled to dist/webview/webview.js as an IIFE). It receives the graph by
 * postMessage, lays it out and renders it with the shared renderer, and sends clicks (reveal the
 * source range) and exports back to the extension. State survives reloads through setState.
 */
import type { GraphNode, PipelineGraph } from '../../server/src/graph/types';
import type { FromWebview, Position, ToWebview, WebviewState } from './protocol';
import { layoutGraph, renderSvg, type DiagramLayout } from './render';
import { DIAGRAM_CSS } from './style';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const canvas = document.getElementById('canvas')!;
const status = document.getElementById('status')!;
const exportButton = document.getElementById('export') as HTMLButtonElement;

let state: WebviewState = vscode.getState() ?? {};
let current: { graph: PipelineGraph; layout: DiagramLayout; fileName: string } | undefined;
/** Each render gets a number; a slower, older layout never overwrites a newer one. */
let generation = 0;

function containsPos(r: GraphNode['range'], p: Position): boolean {
  const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(r.start, p) && before(p, r.end);
}

/** The innermost node whose construction contains the position. */
function nodeAt(graph: PipelineGraph, p: Position): GraphNode | undefined {
  let best: GraphNode | undefined;
  for (const n of graph.nodes) {
    if ((n.uri && n.uri !== graph.uri) || !containsPos(n.range, p)) continue; // notebooks: nodes of the focused cell only
    if (!best || (containsPos(best.range, n.range.start) && containsPos(best.range, n.range.end))) best = n;
  }
  return best;
}

async function show(graph: PipelineGraph, fileName: string, focus?: Position): Promise<void> {
  const mine = ++generation;
  if (graph.roots.length === 0) {
    current = undefined;
    exportButton.disabled = true;
    canvas.innerHTML = `<div class="pl-empty">No pipeline in ${escapeText(fileName)}: pipelint draws Pipeline, make_pipeline, ColumnTransformer, FeatureUnion and meta-estimators such as GridSearchCV.</div>`;
    status.textContent = fileName;
    return;
  }
  const layout = await layoutGraph(graph);
  if (mine !== generation) return;
  const focusNode = focus ? nodeAt(graph, focus) : undefined;
  canvas.innerHTML = renderSvg(graph, layout, { focus: focusNode?.id });
  current = { graph, layout, fileName };
  exportButton.disabled = false;
  const findings = graph.nodes.reduce((s, n) => s + n.findings.length, 0);
  status.textContent = `${fileName} · ${graph.roots.length} pipeline${graph.roots.length === 1 ? '' : 's'} · ${graph.nodes.length} nodes${findings ? ` · ${findings} finding${findings === 1 ? '' : 's'}` : ''}`;
  if (focusNode) canvas.querySelector(`[data-id="${focusNode.id}"]`)?.scrollIntoView({ block: 'center', inline: 'center' });
  vscode.postMessage({ type: 'rendered', nodes: graph.nodes.length, layoutMs: Math.round(layout.layoutMs) });
}

function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function setFocus(p: Position): void {
  if (!current) return;
  const node = nodeAt(current.graph, p);
  canvas.querySelectorAll('.pl-focus').forEach((el) => el.classList.remove('pl-focus'));
  if (!node) return;
  const el = canvas.querySelector(`[data-id="${node.id}"]`);
  el?.classList.add('pl-focus');
  el?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

/** The theme's current colours, so that an exported SVG looks as it does in the editor. */
function resolvedThemeCss(): string {
  const names = new Set(DIAGRAM_CSS.match(/--vscode-[\w-]+/g) ?? []);
  const style = getComputedStyle(document.documentElement);
  const decls: string[] = [];
  for (const name of names) {
    const value = style.getPropertyValue(name).trim();
    if (value && /^[#\w\s(),.%'"-]+$/.test(value)) decls.push(`${name}: ${value};`);
  }
  const bg = style.getPropertyValue('--vscode-editor-background').trim();
  return `.pl-diagram { ${decls.join(' ')} }${bg ? ` .pl-diagram { background: ${bg}; }` : ''}`;
}

function exportSvg(): void {
  if (!current) return;
  const svg = renderSvg(current.graph, current.layout, { embedStyle: true, extraCss: resolvedThemeCss() });
  vscode.postMessage({ type: 'exportSvg', svg, fileName: current.fileName });
}

function reveal(target: Element | null): void {
  const el = target?.closest('[data-id]');
  if (!el || !current) return;
  const node = current.graph.nodes.find((n) => n.id === el.getAttribute('data-id'));
  if (!node) return;
  canvas.querySelectorAll('.pl-focus').forEach((f) => f.classList.remove('pl-focus'));
  el.classList.add('pl-focus');
  vscode.postMessage({ type: 'reveal', uri: node.uri ?? current.graph.uri, range: node.range });
}

canvas.addEventListener('click', (e) => reveal(e.target as Element));
canvas.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    reveal(e.target as Element);
  }
});
exportButton.addEventListener('click', exportSvg);

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const msg = event.data;
  switch (msg?.type) {
    case 'graph':
      state = { uri: msg.graph.uri, graph: msg.graph, fileName: msg.fileName, focus: msg.focus ?? state.focus };
      vscode.setState(state);
      void show(msg.graph, msg.fileName, msg.focus);
      break;
    case 'focus':
      state = { ...state, focus: msg.focus };
      vscode.setState(state);
      setFocus(msg.focus);
      break;
    case 'empty':
      generation++;
      current = undefined;
      exportButton.disabled = true;
      canvas.innerHTML = '';
      status.textContent = msg.message;
      break;
    case 'export':
      exportSvg();
      break;
  }
});

// After a reload, draw the last graph at once; the extension sends a fresh one when it is ready.
if (state.graph && state.fileName) void show(state.graph, state.fileName, state.focus);
vscode.postMessage({ type: 'ready' });
