/**
 * The diagram panel's script (bundled to dist/webview/webview.js as an IIFE). It receives the graph by
 * postMessage, lays it out and renders it with the shared renderer, and sends clicks (reveal the
 * source range) and exports back to the extension. State survives reloads through setState.
 *
 * The toolbar and legend stay put above a canvas that scrolls and zooms (buttons, Ctrl+wheel, + - 0);
 * the diagram fits the view when it opens and when the panel is resized, until the user zooms.
 * Composites fold like scikit-learn's HTML repr; a click selects a node, opens its source and shows its
 * full values in the details pane; the arrow keys move between nodes.
 */
import type { GraphNode, PipelineGraph } from '../../server/src/graph/types';
import type { FromWebview, Position, ToWebview, WebviewState } from './protocol';
import { collapseGraph, layoutGraph, renderSvg, type DiagramLayout } from './render';
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
const details = document.getElementById('details')!;
const zoomLevel = document.getElementById('zoom-level')!;
const button = (id: string) => document.getElementById(id) as HTMLButtonElement;
const exportButton = button('export');
const exportPngButton = button('export-png');

let state: WebviewState = vscode.getState() ?? {};
/** The graph as received, the graph as drawn (folds applied) and its layout. */
let current: { graph: PipelineGraph; view: PipelineGraph; layout: DiagramLayout; fileName: string } | undefined;
/** Each render gets a number; a slower, older layout never overwrites a newer one. */
let generation = 0;
let zoom = state.zoom ?? 1;
/** Fit on every resize until the user picks a zoom of their own. */
let fitMode = state.zoom === undefined;
/** Folded containers and the selected node, by a key that survives edits (ids do not). */
const collapsed = new Set<string>(state.collapsed ?? []);
let selected: string | undefined = state.selected;

const MIN_ZOOM = 0.1;
const MAX_ZOOM = 4;
/** On open and resize the fit stays readable: a tall pipeline scrolls rather than shrinking to dots. */
const AUTO_FIT = { min: 0.6, max: 1.25 };

function save(): void {
  state = { ...state, zoom: fitMode ? undefined : zoom, collapsed: [...collapsed], selected };
  vscode.setState(state);
}

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

/** The node at the cursor as drawn: itself, or the folded composite that hides it. */
function drawnNodeAt(graph: PipelineGraph, view: PipelineGraph, p: Position): GraphNode | undefined {
  const drawn = new Set(view.nodes.map((n) => n.id));
  let node = nodeAt(graph, p);
  while (node && !drawn.has(node.id)) node = graph.nodes.find((n) => n.id === node!.parent);
  return node;
}

/** A node's key: its root's name and its set_params path (stable across edits, unlike ids). */
function keyOf(graph: PipelineGraph, n: GraphNode): string {
  let root = n;
  while (root.parent) root = graph.nodes.find((x) => x.id === root.parent) ?? root;
  return `${root.name}@${graph.roots.indexOf(root.id)}|${n.path}|${n.name}`;
}

function idsOf(graph: PipelineGraph, keys: Iterable<string>): Set<string> {
  const wanted = new Set(keys);
  return new Set(graph.nodes.filter((n) => wanted.has(keyOf(graph, n))).map((n) => n.id));
}

function emptyMessage(graph: PipelineGraph, fileName: string): string {
  if (graph.language === 'typescript') {
    return `No pipeline in ${fileName}: pipelint draws scikit.js pipelines (new Pipeline, makePipeline, ColumnTransformer, makeColumnTransformer, FeatureUnion, makeUnion).`;
  }
  return `No pipeline in ${fileName}: pipelint draws Pipeline, make_pipeline, ColumnTransformer, FeatureUnion and meta-estimators such as GridSearchCV.`;
}

/**
 * Draws the graph. The focus is read once the layout is done, from the state: a cursor move that came
 * in meanwhile (or a fold, which re-renders) keeps the focused node.
 */
async function show(graph: PipelineGraph, fileName: string): Promise<void> {
  const mine = ++generation;
  if (graph.roots.length === 0) {
    current = undefined;
    setExportable(false);
    canvas.innerHTML = '';
    const empty = document.createElement('div');
    empty.className = 'pl-empty';
    empty.textContent = emptyMessage(graph, fileName);
    canvas.appendChild(empty);
    details.hidden = true;
    status.textContent = fileName;
    return;
  }
  const view = collapseGraph(graph, idsOf(graph, collapsed));
  const layout = await layoutGraph(view);
  if (mine !== generation) return;
  const focusNode = state.focus ? drawnNodeAt(graph, view, state.focus) : undefined;
  canvas.innerHTML = renderSvg(view, layout, { focus: focusNode?.id });
  current = { graph, view, layout, fileName };
  setExportable(true);
  applyZoom(fitMode ? autoFit() : zoom);
  markSelected();
  const findings = graph.nodes.reduce((s, n) => s + n.findings.length + (n.external?.length ?? 0), 0);
  status.textContent = `${fileName} · ${graph.roots.length} pipeline${graph.roots.length === 1 ? '' : 's'} · ${graph.nodes.length} nodes${findings ? ` · ${findings} finding${findings === 1 ? '' : 's'}` : ''}`;
  if (focusNode) scrollToNode(canvas.querySelector(`[data-id="${focusNode.id}"]`));
  vscode.postMessage({ type: 'rendered', nodes: graph.nodes.length, layoutMs: Math.round(layout.layoutMs) });
}

function setExportable(on: boolean): void {
  for (const b of [
    exportButton,
    exportPngButton,
    button('fit'),
    button('zoom-in'),
    button('zoom-out'),
    button('collapse-all'),
    button('expand-all'),
  ])
    b.disabled = !on;
}

/** Scrolls a node into the canvas (not the page): the toolbar above never moves. */
function scrollToNode(el: Element | null): void {
  if (!el) return;
  const r = el.getBoundingClientRect();
  const c = canvas.getBoundingClientRect();
  if (r.top < c.top || r.bottom > c.bottom) canvas.scrollTop += r.top - c.top - Math.max(8, (c.height - r.height) / 2);
  if (r.left < c.left || r.right > c.right) canvas.scrollLeft += r.left - c.left - Math.max(8, (c.width - r.width) / 2);
}

// ---- zoom -------------------------------------------------------------------------------------------

function svgElement(): SVGSVGElement | null {
  return canvas.querySelector('svg.pl-diagram');
}

function applyZoom(z: number): void {
  zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
  const svg = svgElement();
  if (svg && current) {
    svg.setAttribute('width', String(Math.round(current.layout.width * zoom)));
    svg.setAttribute('height', String(Math.round(current.layout.height * zoom)));
  }
  zoomLevel.textContent = `${Math.round(zoom * 100)}%`;
}

function fitScale(widthOnly = false): number {
  if (!current) return 1;
  // The canvas pads the diagram by 12 px on each side.
  const w = canvas.clientWidth - 28;
  const h = canvas.clientHeight - 28;
  if (w <= 0 || h <= 0) return 1;
  return widthOnly ? w / current.layout.width : Math.min(w / current.layout.width, h / current.layout.height);
}

/**
 * The whole diagram if that stays readable (at least 60%); else full size, or the whole width if the
 * view is narrower: a tall one (30 steps) then scrolls down instead of shrinking to dots.
 */
function autoFit(): number {
  const whole = fitScale();
  const z = whole >= AUTO_FIT.min ? Math.min(AUTO_FIT.max, whole) : Math.min(1, fitScale(true));
  return Math.max(MIN_ZOOM, z);
}

/** Zooms keeping the point under (cx, cy) (canvas coordinates) where it is. */
function zoomTo(z: number, cx = canvas.clientWidth / 2, cy = canvas.clientHeight / 2): void {
  const old = zoom;
  const x = (canvas.scrollLeft + cx) / old;
  const y = (canvas.scrollTop + cy) / old;
  fitMode = false;
  applyZoom(z);
  canvas.scrollLeft = x * zoom - cx;
  canvas.scrollTop = y * zoom - cy;
  save();
}

function fitNow(): void {
  fitMode = true;
  applyZoom(Math.min(2, Math.max(MIN_ZOOM, fitScale())));
  canvas.scrollTo(0, 0);
  save();
}

button('zoom-in').addEventListener('click', () => zoomTo(zoom * 1.2));
button('zoom-out').addEventListener('click', () => zoomTo(zoom / 1.2));
button('fit').addEventListener('click', fitNow);
canvas.addEventListener(
  'wheel',
  (e) => {
    if (!e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    const c = canvas.getBoundingClientRect();
    zoomTo(zoom * Math.exp(-e.deltaY / 300), e.clientX - c.left, e.clientY - c.top);
  },
  { passive: false },
);
new ResizeObserver(() => {
  if (fitMode && current) applyZoom(autoFit());
}).observe(canvas);

// ---- folding ----------------------------------------------------------------------------------------

function toggle(id: string): void {
  if (!current) return;
  const node = current.graph.nodes.find((n) => n.id === id);
  if (!node || node.children.length === 0) return;
  const key = keyOf(current.graph, node);
  if (collapsed.has(key)) collapsed.delete(key);
  else collapsed.add(key);
  save();
  void show(current.graph, current.fileName).then(() => focusNode(id));
}

button('collapse-all').addEventListener('click', () => {
  if (!current) return;
  // Every container but the roots: one box per step of each pipeline, as scikit-learn's repr starts.
  for (const n of current.graph.nodes) if (n.children.length > 0 && n.parent) collapsed.add(keyOf(current.graph, n));
  save();
  void show(current.graph, current.fileName);
});
button('expand-all').addEventListener('click', () => {
  if (!current) return;
  collapsed.clear();
  save();
  void show(current.graph, current.fileName);
});

// ---- selection, details, reveal ---------------------------------------------------------------------

function markSelected(): void {
  canvas.querySelectorAll('.pl-selected').forEach((el) => el.classList.remove('pl-selected'));
  if (!current || !selected) {
    details.hidden = true;
    return;
  }
  const node = current.view.nodes.find((n) => keyOf(current!.graph, n) === selected);
  if (!node) {
    details.hidden = true;
    return;
  }
  canvas.querySelector(`[data-id="${node.id}"]`)?.classList.add('pl-selected');
  showDetails(current.graph.nodes.find((n) => n.id === node.id) ?? node);
}

/** Everything the box shortens, in full: columns, parameters with their defaults, outputs, findings. */
function showDetails(n: GraphNode): void {
  details.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = n.name;
  const sub = document.createElement('div');
  sub.className = 'pl-d-sub';
  sub.textContent = `${n.className}${n.qname && n.qname !== n.className ? ` (${n.qname})` : ''} · line ${n.range.start.line + 1}`;
  details.append(h, sub);
  const dl = document.createElement('dl');
  const row = (term: string, value: string) => {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dl.append(dt, dd);
  };
  if (n.path) row('set_params path', n.path);
  if (n.columns) row('columns', n.columns);
  for (const p of n.params)
    row(p.name, `${p.value || '(given)'}${p.default !== undefined ? `\n(default ${p.default})` : ''}`);
  if (n.outputs) row('output features', n.outputs.join(', '));
  if (n.children.length) row('steps', `${n.children.length}`);
  details.append(dl);
  const graphUri = current?.graph.uri ?? '';
  const findings: { code: string; severity: string; text: string; line: number; uri: string }[] = [
    ...n.findings.map((code) => ({
      code,
      severity: n.severities?.[code] ?? 'warning',
      text: 'in this step',
      line: n.range.start.line,
      uri: n.uri ?? graphUri,
    })),
    ...(n.external ?? []).map((e) => ({
      code: e.code,
      severity: e.severity,
      text: `line ${e.line + 1}: ${e.message}`,
      line: e.line,
      uri: graphUri,
    })),
  ];
  for (const f of findings) {
    const div = document.createElement('div');
    div.className = 'pl-d-finding';
    const code = document.createElement('button');
    code.type = 'button';
    code.className = `pl-d-code pl-d-${f.severity}`;
    code.textContent = f.code;
    code.title = `Go to line ${f.line + 1}`;
    code.addEventListener('click', () =>
      vscode.postMessage({
        type: 'reveal',
        uri: f.uri,
        range: { start: { line: f.line, character: 0 }, end: { line: f.line, character: 0 } },
      }),
    );
    div.append(code, ` ${f.severity} · ${f.text}`);
    details.append(div);
  }
  details.hidden = false;
}

function nodeOf(el: Element | null): GraphNode | undefined {
  const g = el?.closest('[data-id]');
  if (!g || !current) return undefined;
  return current.view.nodes.find((n) => n.id === g.getAttribute('data-id'));
}

function select(node: GraphNode, reveal: boolean): void {
  if (!current) return;
  selected = keyOf(current.graph, node);
  save();
  markSelected();
  // A node in a notebook reveals its own cell.
  if (reveal) vscode.postMessage({ type: 'reveal', uri: node.uri ?? current.graph.uri, range: node.range });
}

function focusNode(id: string): void {
  const el = canvas.querySelector<SVGGElement>(`[data-id="${id}"]`);
  if (!el) return;
  el.focus({ preventScroll: true });
  scrollToNode(el);
}

canvas.addEventListener('click', (e) => {
  const target = e.target as Element;
  const node = nodeOf(target);
  if (!node) return;
  if (target.closest('.pl-toggle')) {
    toggle(node.id);
    return;
  }
  select(node, true);
});

/** Nodes in reading order (each root, then its steps depth first), as drawn. */
function readingOrder(): GraphNode[] {
  if (!current) return [];
  const byId = new Map(current.view.nodes.map((n) => [n.id, n]));
  const out: GraphNode[] = [];
  const visit = (id: string) => {
    const n = byId.get(id);
    if (!n) return;
    out.push(n);
    for (const c of n.children) visit(c);
  };
  for (const r of current.view.roots) visit(r);
  return out;
}

canvas.addEventListener('keydown', (e) => {
  const node = nodeOf(e.target as Element);
  const order = readingOrder();
  const at = node ? order.findIndex((n) => n.id === node.id) : -1;
  let next: GraphNode | undefined;
  switch (e.key) {
    case 'ArrowDown':
    case 'ArrowRight':
      next = order[Math.min(order.length - 1, at + 1)];
      break;
    case 'ArrowUp':
    case 'ArrowLeft':
      next = order[Math.max(0, at - 1)];
      break;
    case 'Home':
      next = order[0];
      break;
    case 'End':
      next = order[order.length - 1];
      break;
    case 'Enter':
      if (node) select(node, true);
      e.preventDefault();
      return;
    case ' ':
      if (node && current?.graph.nodes.find((n) => n.id === node.id)?.children.length) toggle(node.id);
      else if (node) select(node, false);
      e.preventDefault();
      return;
    default:
      return;
  }
  e.preventDefault();
  if (next) {
    focusNode(next.id);
    select(next, false);
  }
});

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || !current) return;
  if ((e.target as Element).closest?.('button, input')) return;
  if (e.key === '+' || e.key === '=') zoomTo(zoom * 1.2);
  else if (e.key === '-' || e.key === '_') zoomTo(zoom / 1.2);
  else if (e.key === '0') fitNow();
  else return;
  e.preventDefault();
});

// ---- the cursor, export -----------------------------------------------------------------------------

function setFocus(p: Position): void {
  if (!current) return;
  const node = drawnNodeAt(current.graph, current.view, p);
  canvas.querySelectorAll('.pl-focus').forEach((el) => el.classList.remove('pl-focus'));
  if (!node) return;
  const el = canvas.querySelector(`[data-id="${node.id}"]`);
  el?.classList.add('pl-focus');
  scrollToNode(el);
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

function exportedSvg(): string | undefined {
  if (!current) return undefined;
  return renderSvg(current.view, current.layout, { embedStyle: true, extraCss: resolvedThemeCss() });
}

function exportSvg(): void {
  const svg = exportedSvg();
  if (svg && current) vscode.postMessage({ type: 'exportSvg', svg, fileName: current.fileName });
}

/** PNG at twice the layout size: the SVG drawn into a canvas (a data: image, allowed by the CSP's img-src). */
async function exportPng(): Promise<void> {
  const svg = exportedSvg();
  if (!svg || !current) return;
  const { width, height } = current.layout;
  const scale = 2;
  const img = new Image();
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  img.src = `data:image/svg+xml;base64,${btoa(binary)}`;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = Math.ceil(width * scale);
  c.height = Math.ceil(height * scale);
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = getComputedStyle(document.body).backgroundColor || '#ffffff';
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.drawImage(img, 0, 0, c.width, c.height);
  vscode.postMessage({ type: 'exportPng', dataUrl: c.toDataURL('image/png'), fileName: current.fileName });
}

exportButton.addEventListener('click', exportSvg);
exportPngButton.addEventListener('click', () => void exportPng());

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const msg = event.data;
  switch (msg?.type) {
    case 'graph':
      if (state.uri !== msg.graph.uri) {
        // Another file: its own folds, selection and fit.
        collapsed.clear();
        selected = undefined;
        fitMode = true;
      }
      state = { ...state, uri: msg.graph.uri, graph: msg.graph, fileName: msg.fileName, focus: msg.focus };
      save();
      void show(msg.graph, msg.fileName);
      break;
    case 'focus':
      state = { ...state, focus: msg.focus };
      vscode.setState(state);
      setFocus(msg.focus);
      break;
    case 'empty':
      generation++;
      current = undefined;
      setExportable(false);
      canvas.innerHTML = '';
      details.hidden = true;
      status.textContent = msg.message;
      break;
    case 'export':
      exportSvg();
      break;
  }
});

setExportable(false);
// After a reload, draw the last graph at once; the extension sends a fresh one when it is ready.
if (state.graph && state.fileName) void show(state.graph, state.fileName);
vscode.postMessage({ type: 'ready' });
