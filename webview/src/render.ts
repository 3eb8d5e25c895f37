/**
 * The diagram renderer: pipeline graph -> ELK layered layout -> SVG string. One renderer for the
 * VS Code panel (run in the webview) and the CLI export (run in Node): no DOM, no text measuring
 * (widths are estimated from character counts, generously), and every piece of source text is
 * escaped before it enters the markup.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api';
import type { GraphEdge, GraphNode, PipelineGraph } from '../../server/src/graph/types';
import { DIAGRAM_CSS, PAGE_CSS } from './style';

// Metrics (px). Character widths overestimate the usual UI fonts a little so text never overflows.
const PAD_X = 10;
const PAD_Y = 8;
const TITLE_H = 18;
const LINE_H = 15;
const CHAR_TITLE = 7.9;
const CHAR_TEXT = 7.0;
const CHAR_MONO = 6.8;
const MIN_W = 140;
const MAX_W = 420;
const MAX_PARAMS = 6;
const BADGE_H = 15;
const BADGE_GAP = 4;
const ROOT_GAP = 36;
const HEADING_H = 0;
const MARGIN = 12;

export interface DiagramLayout {
  width: number;
  height: number;
  /** Milliseconds spent in ELK. */
  layoutMs: number;
  roots: { id: string; x: number; y: number; width: number; height: number }[];
  boxes: Map<string, Box>;
  edges: { edge: GraphEdge; points: ElkPoint[] }[];
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RenderOptions {
  /** Put the stylesheet inside the SVG (exported files); the panel styles it from its page. */
  embedStyle?: boolean;
  /** Extra CSS for an embedded style (the panel's resolved theme colours when exporting). */
  extraCss?: string;
  /** Node to outline (the construction under the cursor or CodeLens). */
  focus?: string;
  /** How a root's heading names its file position: 1-based line. */
  showLines?: boolean;
}

type Severity = 'error' | 'warning' | 'information' | 'hint';

/**
 * Render-only marks the panel adds with `collapseGraph`: a container's toggle state, and how many nodes
 * a collapsed one hides. The CLI export never sets them (no script there to toggle anything).
 */
interface RenderMarks {
  toggle?: 'open' | 'closed';
  hidden?: number;
}

/**
 * The graph with the `collapsed` containers drawn as one box (their descendants and inner edges left
 * out), every container marked with its toggle state. Like scikit-learn's HTML repr, which folds
 * each composite into one line until clicked.
 */
export function collapseGraph(graph: PipelineGraph, collapsed: ReadonlySet<string>): PipelineGraph {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const hiddenIds = new Set<string>();
  const count = (id: string): number => byId.get(id)!.children.reduce((s, c) => s + 1 + count(c), 0);
  const hide = (id: string) => {
    for (const c of byId.get(id)!.children) {
      hiddenIds.add(c);
      hide(c);
    }
  };
  for (const id of collapsed) if (byId.get(id)?.children.length) hide(id);
  const nodes = graph.nodes
    .filter((n) => !hiddenIds.has(n.id))
    .map((n): GraphNode & RenderMarks => {
      if (n.children.length === 0) return n;
      if (collapsed.has(n.id)) return { ...n, children: [], toggle: 'closed', hidden: count(n.id) };
      return { ...n, toggle: 'open' };
    });
  const edges = graph.edges.filter(
    (e) =>
      !hiddenIds.has(e.source) &&
      !hiddenIds.has(e.target) &&
      !(collapsed.has(e.source) && e.kind === 'enter') &&
      !(collapsed.has(e.target) && e.kind === 'exit'),
  );
  return { ...graph, nodes, edges };
}

/** Codes on a node's title row: its own findings, then (on a root) those about it from outside it. */
function badgeCodes(n: GraphNode): { code: string; severity: Severity; external: boolean }[] {
  const own = n.findings.map((code) => ({ code, severity: severityOf(code, n), external: false }));
  const outside = (n.external ?? []).filter(
    (e, i, all) => !n.findings.includes(e.code) && all.findIndex((x) => x.code === e.code) === i,
  );
  return [
    ...own,
    ...outside.map((e) => ({
      code: e.code,
      severity: worstOf(n.external!.filter((x) => x.code === e.code).map((x) => x.severity)),
      external: true,
    })),
  ];
}

function worstOf(list: Severity[]): Severity {
  return list.includes('error')
    ? 'error'
    : list.includes('warning')
      ? 'warning'
      : list.includes('information')
        ? 'information'
        : 'hint';
}

/** Badge colour of a code: the most severe finding with that code on the node. */
function severityOf(code: string, node: GraphNode): Severity {
  return node.severities?.[code] ?? 'warning';
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fit(s: string, maxChars: number): string {
  return s.length > maxChars ? `${s.slice(0, Math.max(1, maxChars - 1))}…` : s;
}

interface NodeText {
  title: string;
  cls?: string;
  cols?: string;
  params: { name: string; value: string }[];
  more: number;
  badges: { code: string; width: number; severity: Severity; external: boolean }[];
  width: number;
  /** Height of the node (leaf) or of its header (container). */
  height: number;
  /** Containers: footer lines (output feature names). */
  footer: string[];
}

/** Sizes of every node; the plain steps of one sequence share a width, so the column reads straight. */
function measureAll(graph: PipelineGraph, byId: Map<string, GraphNode>): Map<string, NodeText> {
  const texts = new Map(graph.nodes.map((n) => [n.id, measure(n)]));
  for (const n of graph.nodes) {
    if (n.arrangement !== 'sequence') continue;
    const leaves = n.children.filter((c) => byId.get(c)!.children.length === 0);
    const w = Math.max(...leaves.map((c) => texts.get(c)!.width));
    for (const c of leaves) texts.get(c)!.width = w;
  }
  return texts;
}

function badgeWidth(code: string): number {
  return code.length * CHAR_MONO * 0.95 + 10;
}

/** Texts and size of a node (a leaf's whole box, a container's header). */
function measure(n: GraphNode & RenderMarks): NodeText {
  const isRoot = !n.parent;
  const container = n.children.length > 0;
  const badges = badgeCodes(n).map((b) => ({ ...b, width: badgeWidth(b.code) + (b.external ? 10 : 0) }));
  const badgesW = badges.reduce((s, b) => s + b.width + BADGE_GAP, 0);
  const maxMono = Math.floor((MAX_W - 2 * PAD_X) / CHAR_MONO);
  const title = (n.toggle === 'open' ? '▾ ' : n.toggle === 'closed' ? '▸ ' : '') + fit(n.name, 40);
  const cls = isRoot
    ? `${fit(n.className, 40)} · line ${n.range.start.line + 1}`
    : n.className !== n.name
      ? fit(n.className, 40)
      : undefined;
  let width: number;
  if (container) {
    // "name  Class" on one line.
    width = title.length * CHAR_TITLE + (cls ? 10 + cls.length * CHAR_TEXT : 0) + badgesW + 2 * PAD_X;
  } else {
    width =
      Math.max(title.length * CHAR_TITLE + (badgesW ? badgesW + 8 : 0), (cls?.length ?? 0) * CHAR_TEXT) + 2 * PAD_X;
  }
  const cols = n.columns ? fit(`cols ${n.columns}`, maxMono) : undefined;
  const shown = n.params.slice(0, MAX_PARAMS).map((p) => {
    const name = p.value ? `${p.name}=` : p.name;
    return { name, value: fit(p.value, Math.max(4, maxMono - name.length)) };
  });
  const more = Math.max(0, n.params.length - MAX_PARAMS);
  if (n.hidden) shown.push({ name: '', value: `${n.hidden} step${n.hidden === 1 ? '' : 's'} folded` });
  for (const p of shown) width = Math.max(width, (p.name.length + p.value.length) * CHAR_MONO + 2 * PAD_X);
  if (cols) width = Math.max(width, cols.length * CHAR_MONO + 2 * PAD_X);
  const footer: string[] = [];
  if (n.outputs && n.outputs.length > 0) {
    const lineChars = 46;
    let line = 'out: ';
    for (const [i, o] of n.outputs.entries()) {
      const piece = o + (i < n.outputs.length - 1 ? ', ' : '');
      if (line.length + piece.length > lineChars && line.trim() !== 'out:') {
        footer.push(line.trimEnd());
        line = '     ';
        if (footer.length === 3) break;
      }
      line += piece;
    }
    if (footer.length < 3) footer.push(line.trimEnd());
    else footer[2] = fit(footer[2] + ' …', lineChars + 2);
    for (const f of footer) width = Math.max(width, f.length * CHAR_MONO + 2 * PAD_X);
  }
  width = Math.min(MAX_W, Math.max(MIN_W, Math.ceil(width)));
  const lines = (container ? 0 : cls ? 1 : 0) + (cols ? 1 : 0) + shown.length + (more ? 1 : 0);
  const height = Math.ceil(PAD_Y + TITLE_H + lines * LINE_H + PAD_Y);
  return { title, cls, cols, params: shown, more, badges, width, height, footer };
}

/** Layered layout, top to bottom, set on every level (with SEPARATE_CHILDREN, options do not inherit). */
export const LEVEL_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'SEPARATE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '26',
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.spacing.nodeNode': '18',
  'elk.spacing.edgeNode': '12',
  'elk.spacing.edgeEdge': '8',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
  // Branches keep their source order (model order below), so the crossing minimisation has little
  // to gain from more sweeps: these halve the time of a 30-step pipeline.
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.layered.crossingMinimization.forceNodeModelOrder': 'true',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
};

/**
 * Each container is laid out on its own (SEPARATE_CHILDREN): ELK 0.12 crashes in its model-order
 * comparator with INCLUDE_CHILDREN and nested containers, and keeping the source order of parallel
 * branches matters more than a global optimum. Coordinates come back relative to the root.
 */
const ROOT_OPTIONS: Record<string, string> = {
  ...LEVEL_OPTIONS,
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};

function portsOf(id: string): ElkNode['ports'] {
  return [
    { id: `${id}.in`, width: 6, height: 6, layoutOptions: { 'elk.port.side': 'NORTH' } },
    { id: `${id}.out`, width: 6, height: 6, layoutOptions: { 'elk.port.side': 'SOUTH' } },
  ];
}

/**
 * Input and output edges are drawn only where they say something: into the parallel branches of a
 * union or column transformer, or into several wrapped estimators. A sequence's first step is plainly
 * its input.
 */
function drawn(e: GraphEdge, byId: Map<string, GraphNode>): boolean {
  if (e.kind === 'sequence') return true;
  const container = byId.get(e.kind === 'enter' ? e.source : e.target);
  if (!container) return false;
  if (container.arrangement === 'sequence') return false;
  return container.children.length > 1;
}

function toElk(
  graph: PipelineGraph,
  byId: Map<string, GraphNode>,
  texts: Map<string, NodeText>,
  rootId: string,
): ElkNode {
  const edgesByContainer = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) {
    if (!drawn(e, byId)) continue;
    // enter/exit edges live in their container; sequence edges in the siblings' parent.
    const owner = e.kind === 'enter' ? e.source : e.kind === 'exit' ? e.target : (byId.get(e.source)?.parent ?? '');
    let list = edgesByContainer.get(owner);
    if (!list) edgesByContainer.set(owner, (list = []));
    list.push(e);
  }
  const elkEdge = (e: GraphEdge): ElkExtendedEdge => {
    const source = e.kind === 'enter' ? `${e.source}.in` : `${e.source}.out`;
    const target = e.kind === 'exit' ? `${e.target}.out` : `${e.target}.in`;
    return { id: e.id, sources: [source], targets: [target] };
  };
  const build = (n: GraphNode): ElkNode => {
    const t = texts.get(n.id)!;
    const base: ElkNode = {
      id: n.id,
      ports: portsOf(n.id),
      layoutOptions: { 'elk.portConstraints': 'FIXED_SIDE', 'elk.portAlignment.default': 'CENTER' },
    };
    // Branches keep their source order, left to right (ELK reads these per graph level).
    if (n.children.length === 0) return { ...base, width: t.width, height: t.height };
    const footerH = t.footer.length > 0 ? t.footer.length * LINE_H + PAD_Y : 0;
    return {
      ...base,
      layoutOptions: {
        ...base.layoutOptions,
        ...LEVEL_OPTIONS,
        // Room under the header for the fan-out of parallel branches; a sequence starts right away.
        'elk.padding': `[top=${t.height + (n.arrangement === 'sequence' || n.children.length < 2 ? 6 : 14)},left=14,bottom=${(n.arrangement === 'sequence' ? 12 : 16) + footerH},right=14]`,
        'elk.nodeSize.constraints': '[MINIMUM_SIZE]',
        'elk.nodeSize.minimum': `(${t.width}, ${t.height + footerH + 30})`,
      },
      children: n.children.map((c) => build(byId.get(c)!)),
      edges: (edgesByContainer.get(n.id) ?? [])
        .filter((e) => e.kind !== 'sequence' || byId.get(e.source)?.parent === n.id)
        .map(elkEdge),
    };
  };
  const root = build(byId.get(rootId)!);
  // Sequence edges whose siblings are in this container were collected under the parent id.
  const attachSequence = (node: ElkNode) => {
    const seq = (edgesByContainer.get(node.id) ?? []).filter((e) => e.kind === 'sequence');
    const own = new Set((node.edges ?? []).map((e) => e.id));
    for (const e of seq) if (!own.has(e.id)) (node.edges ??= []).push(elkEdge(e));
    for (const c of node.children ?? []) attachSequence(c);
  };
  attachSequence(root);
  return { id: `graph:${rootId}`, layoutOptions: ROOT_OPTIONS, children: [root], edges: [] };
}

let elk: InstanceType<typeof ELK> | undefined;

/** Lays out every root (each its own ELK graph) and stacks them vertically with a heading each. */
export async function layoutGraph(graph: PipelineGraph): Promise<DiagramLayout> {
  elk ??= new ELK();
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const texts = measureAll(graph, byId);
  const started = now();
  const laid = await Promise.all(graph.roots.map((r) => elk!.layout(toElk(graph, byId, texts, r))));
  const layoutMs = now() - started;
  const boxes = new Map<string, Box>();
  const roots: DiagramLayout['roots'] = [];
  const edges: DiagramLayout['edges'] = [];
  const edgeById = new Map(graph.edges.map((e) => [e.id, e]));
  let y = MARGIN;
  let width = 0;
  for (const [i, g] of laid.entries()) {
    const top = y + HEADING_H;
    const walk = (n: ElkNode) => {
      if (byId.has(n.id))
        boxes.set(n.id, { x: MARGIN + (n.x ?? 0), y: top + (n.y ?? 0), width: n.width ?? 0, height: n.height ?? 0 });
      for (const e of n.edges ?? []) {
        const ge = edgeById.get(e.id);
        if (ge && !drawn(ge, byId)) continue;
        const s = e.sections?.[0];
        if (!ge || !s) continue;
        const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => ({ x: MARGIN + p.x, y: top + p.y }));
        trim(ge, pts);
        edges.push({ edge: ge, points: pts });
      }
      for (const c of n.children ?? []) walk(c);
    };
    // Edges from a container's input start below its header, edges to its output end above its
    // footer: no line crosses the container's own labels.
    const trim = (ge: GraphEdge, pts: ElkPoint[]) => {
      if (pts.length < 2) return;
      if (ge.kind === 'enter') {
        const t = texts.get(ge.source)!;
        const b = pendingBox(ge.source);
        if (b && pts[0].x === pts[1].x) pts[0] = { x: pts[0].x, y: Math.min(b.y + t.height + 4, pts[1].y - 2) };
      } else if (ge.kind === 'exit') {
        const t = texts.get(ge.target)!;
        const b = pendingBox(ge.target);
        const footerH = t.footer.length > 0 ? t.footer.length * LINE_H + PAD_Y : 0;
        const k = pts.length - 1;
        if (b && pts[k].x === pts[k - 1].x)
          pts[k] = { x: pts[k].x, y: Math.max(b.y + b.height - footerH - 6, pts[k - 1].y + 2) };
      }
    };
    const elkBoxes = new Map<string, Box>();
    const collect = (n: ElkNode) => {
      if (byId.has(n.id))
        elkBoxes.set(n.id, { x: MARGIN + (n.x ?? 0), y: top + (n.y ?? 0), width: n.width ?? 0, height: n.height ?? 0 });
      for (const c of n.children ?? []) collect(c);
    };
    const pendingBox = (id: string) => elkBoxes.get(id);
    collect(g);
    walk(g);
    const rb = boxes.get(graph.roots[i])!;
    roots.push({ id: graph.roots[i], x: MARGIN, y, width: rb.width, height: rb.height + HEADING_H });
    width = Math.max(width, rb.width + 2 * MARGIN, 360);
    y = top + rb.height + ROOT_GAP;
  }
  return { width: Math.ceil(width), height: Math.ceil(y - ROOT_GAP + MARGIN), layoutMs, roots, boxes, edges };
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function rangeAttr(n: GraphNode): string {
  const r = n.range;
  return `${r.start.line},${r.start.character},${r.end.line},${r.end.character}`;
}

export function tooltip(n: GraphNode): string {
  const lines = [`${n.name}: ${n.className}${n.qname ? ` (${n.qname})` : ''}`];
  if (n.path) lines.push(`set_params path: ${n.path}`);
  if (n.columns) lines.push(`columns: ${n.columns}`);
  for (const p of n.params)
    lines.push(`${p.name}${p.value ? `=${p.value}` : ''}${p.default !== undefined ? `   (default ${p.default})` : ''}`);
  if (n.outputs) lines.push(`output features: ${n.outputs.join(', ')}`);
  if (n.findings.length) lines.push(`findings: ${n.findings.join(', ')}`);
  for (const e of n.external ?? []) lines.push(`${e.code} at line ${e.line + 1}: ${e.message}`);
  lines.push(`line ${n.range.start.line + 1}`);
  return lines.join('\n');
}

function renderNode(n: GraphNode & RenderMarks, box: Box, t: NodeText, focus: boolean): string {
  const container = n.children.length > 0;
  const sev = t.badges.map((b) => b.severity);
  const worst = sev.length ? worstOf(sev) : '';
  const classes = [
    'pl-node',
    `pl-kind-${n.kind}`,
    worst ? `pl-has-${worst}` : '',
    focus ? 'pl-focus' : '',
    n.toggle ? `pl-${n.toggle}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const out: string[] = [];
  out.push(
    `<g class="${classes}" data-id="${escapeXml(n.id)}" data-name="${escapeXml(n.name)}" data-class="${escapeXml(n.className)}" data-kind="${n.kind}" data-line="${n.range.start.line + 1}" data-range="${rangeAttr(n)}" data-findings="${escapeXml(n.findings.join(' '))}"${n.toggle ? ` data-toggle="${n.toggle}" aria-expanded="${n.toggle === 'open'}"` : ''} tabindex="0" role="button" aria-label="${escapeXml(`${n.name} ${n.className}`)}">`,
  );
  out.push(`<title>${escapeXml(tooltip(n))}</title>`);
  out.push(
    `<rect class="pl-box" x="${r(box.x)}" y="${r(box.y)}" width="${r(box.width)}" height="${r(box.height)}" rx="${container ? 8 : 5}"/>`,
  );
  let y = box.y + PAD_Y + 13;
  const x = box.x + PAD_X;
  if (container) {
    out.push(
      `<text x="${r(x)}" y="${r(y)}"><tspan class="pl-title">${titleMarkup(t.title, n.toggle)}</tspan>${t.cls ? `<tspan class="pl-class" dx="8">${escapeXml(t.cls)}</tspan>` : ''}</text>`,
    );
  } else {
    out.push(`<text class="pl-title" x="${r(x)}" y="${r(y)}">${titleMarkup(t.title, n.toggle)}</text>`);
  }
  // Badges, right-aligned on the title row; a finding from outside the pipeline (on a root) is outlined.
  let bx = box.x + box.width - PAD_X;
  for (const b of [...t.badges].reverse()) {
    bx -= b.width;
    const title = b.external
      ? (n.external ?? [])
          .filter((e) => e.code === b.code)
          .map((e) => `${e.code} at line ${e.line + 1}: ${e.message}`)
          .join('\n')
      : '';
    out.push(
      `<g class="pl-badge pl-badge-${b.severity}${b.external ? ' pl-badge-external' : ''}" data-code="${escapeXml(b.code)}" data-severity="${b.severity}">${title ? `<title>${escapeXml(title)}</title>` : ''}<rect x="${r(bx)}" y="${r(box.y + PAD_Y + 1)}" width="${r(b.width)}" height="${BADGE_H}" rx="7"/><text x="${r(bx + 5)}" y="${r(box.y + PAD_Y + 12)}">${escapeXml(b.external ? `↗ ${b.code}` : b.code)}</text></g>`,
    );
    bx -= BADGE_GAP;
  }
  y += TITLE_H - 2;
  if (!container && t.cls) {
    out.push(`<text class="pl-class" x="${r(x)}" y="${r(y)}">${escapeXml(t.cls)}</text>`);
    y += LINE_H;
  }
  if (t.cols) {
    out.push(`<text class="pl-cols" x="${r(x)}" y="${r(y)}">${escapeXml(t.cols)}</text>`);
    y += LINE_H;
  }
  for (const p of t.params) {
    out.push(
      `<text class="pl-param" x="${r(x)}" y="${r(y)}"><tspan class="pl-param-name">${escapeXml(p.name)}</tspan>${escapeXml(p.value)}</text>`,
    );
    y += LINE_H;
  }
  if (t.more) {
    out.push(`<text class="pl-param pl-param-name" x="${r(x)}" y="${r(y)}">+${t.more} more</text>`);
  }
  if (container && t.footer.length) {
    let fy = box.y + box.height - PAD_Y - (t.footer.length - 1) * LINE_H - 3;
    for (const line of t.footer) {
      out.push(`<text class="pl-out" x="${r(x)}" y="${r(fy)}" xml:space="preserve">${escapeXml(line)}</text>`);
      fy += LINE_H;
    }
  }
  out.push('</g>');
  return out.join('');
}

/** The fold glyph (▾ / ▸) as its own target: a click on it folds or unfolds, elsewhere it selects. */
function titleMarkup(title: string, toggle: RenderMarks['toggle']): string {
  if (!toggle) return escapeXml(title);
  return `<tspan class="pl-toggle" data-toggle="${toggle}">${title.slice(0, 1)}</tspan>${escapeXml(title.slice(1))}`;
}

function r(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** The SVG markup of a laid-out graph. */
export function renderSvg(graph: PipelineGraph, layout: DiagramLayout, options: RenderOptions = {}): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="pl-diagram" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="pipeline diagram">`,
  );
  if (options.embedStyle) out.push(`<style>${DIAGRAM_CSS}${options.extraCss ?? ''}</style>`);
  out.push(
    `<defs><marker id="pl-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="pl-arrow" d="M0,0 L10,5 L0,10 z"/></marker></defs>`,
  );
  // Containers first (outermost first), then leaves, so that children paint above their parents.
  const depth = (n: GraphNode): number => (n.parent ? 1 + depth(byId.get(n.parent)!) : 0);
  const order = graph.nodes.filter((n) => layout.boxes.has(n.id)).sort((a, b) => depth(a) - depth(b));
  const texts = measureAll(graph, byId);
  for (const n of order) out.push(renderNode(n, layout.boxes.get(n.id)!, texts.get(n.id)!, options.focus === n.id));
  const dots = new Set<string>();
  for (const { edge, points } of layout.edges) {
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${r(p.x)},${r(p.y)}`).join(' ');
    const marker = edge.kind === 'exit' ? '' : ' marker-end="url(#pl-arrow)"';
    out.push(
      `<path class="pl-edge pl-edge-${edge.kind}" data-source="${escapeXml(edge.source)}" data-target="${escapeXml(edge.target)}" data-kind="${edge.kind}" d="${d}"${marker}/>`,
    );
    const p = edge.kind === 'enter' ? points[0] : edge.kind === 'exit' ? points[points.length - 1] : undefined;
    if (p) dots.add(`${r(p.x)},${r(p.y)}`);
  }
  for (const dot of dots) {
    const [cx, cy] = dot.split(',');
    out.push(`<circle class="pl-port" cx="${cx}" cy="${cy}" r="3"/>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Layout + SVG in one call. */
export async function renderDiagram(
  graph: PipelineGraph,
  options: RenderOptions = {},
): Promise<{ svg: string; layout: DiagramLayout }> {
  const layout = await layoutGraph(graph);
  return { svg: renderSvg(graph, layout, options), layout };
}

/** A standalone HTML page around a rendered SVG: no script, no network, styles inline. */
export function standaloneHtml(title: string, svg: string, note = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeXml(title)}</title>
<style>${PAGE_CSS}${DIAGRAM_CSS}</style>
</head>
<body class="pl-standalone">
<div class="pl-toolbar"><span class="pl-status">${escapeXml(title)}${note ? ` · ${escapeXml(note)}` : ''}</span></div>
<div class="pl-canvas">
${svg}
</div>
</body>
</html>
`;
}
