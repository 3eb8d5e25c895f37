import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/**
 * The layers of server/src, lowest first. A folder imports only folders of LOWER layers (never one of its
 * own layer, never one above), so the directory graph has no cycle and a reader can learn the code bottom up:
 *
 *   knowledge, source    facts about library classes; reading files, file kinds, walking folders, globs
 *   model                the IR both front ends lower into, semantics (scopes, names), findings
 *   notebook             source adapter: an .ipynb as one program of code cells with a cell map
 *   python, typescript   front ends: text -> ModuleIR (the TypeScript compiler loaded lazily)
 *   dataflow, fix,       analyses the rules share (lineage, fitted state); text edits and their layout;
 *   project              requirement files
 *   workspace            the cross-file index: what each file saves and loads
 *   rules                one rule a file, the registry and rule docs
 *   analysis, graph      runs the rules over one module (analyze), whole sources (engine); the pipeline graph
 *   config               policy: settings, pyproject/pipelint.toml, noqa and pipelint-disable
 *   cli, lsp             the drivers: `pipelint check|rules|diagram|server`, the language server
 *
 * A new folder takes its place here; moving a file to break a cycle beats adding an exception.
 */
export const SERVER_LAYERS: readonly (readonly string[])[] = [
  ['source'],
  ['model'],
  ['notebook'],
  ['python', 'typescript'],
  ['dataflow', 'fix', 'project'],
  // The knowledge home holds the models of library calls, written over the IR and the lineage values.
  ['knowledge'],
  ['workspace'],
  ['rules'],
  ['analysis', 'graph'],
  ['config'],
  ['cli', 'lsp'],
];

const ROOT = path.join(__dirname, '..', '..');
/** The source trees checked for cycles; a node is a top-level folder (or a top-level file) of one of them. */
const TREES = ['server/src', 'client/src', 'webview/src'];

export interface Edge {
  from: string;
  to: string;
  /** One import that makes the edge, `file -> file`, to name in a failure. */
  via: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** `server/src/rules/leakage/x.ts` -> `server/src/rules`; `client/src/extension.ts` -> `client/src/extension`. */
function nodeOf(file: string): string | undefined {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  for (const tree of TREES) {
    if (!rel.startsWith(`${tree}/`)) continue;
    const [top, ...rest] = rel.slice(tree.length + 1).split('/');
    return `${tree}/${rest.length === 0 ? top.replace(/\.tsx?$/, '') : top}`;
  }
  return undefined;
}

/** Every import between nodes, static and dynamic (`import()`, `require()` of a literal), type-only included. */
export function importGraph(): Edge[] {
  const edges = new Map<string, Edge>();
  for (const tree of TREES) {
    for (const file of sourceFiles(path.join(ROOT, tree))) {
      const from = nodeOf(file)!;
      for (const ref of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
        if (!ref.fileName.startsWith('.')) continue;
        const target = resolveImport(file, ref.fileName);
        const to = target && nodeOf(target);
        if (!to || to === from || edges.has(`${from} ${to}`)) continue;
        edges.set(`${from} ${to}`, {
          from,
          to,
          via: `${path.relative(ROOT, file)} -> ${path.relative(ROOT, target)}`,
        });
      }
    }
  }
  return [...edges.values()];
}

/** The cycles of a graph, one per strongly connected component, each as the edges of one closed path. */
export function findCycles(edges: readonly Edge[]): Edge[][] {
  const out = new Map<string, Edge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const { to } of out.get(v) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  // In each component, the shortest closed path through its first node (breadth first).
  return components.map((component) => {
    const inside = new Set(component);
    const start = component[0];
    const cameBy = new Map<string, Edge>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift()!;
      for (const e of out.get(v) ?? []) {
        if (!inside.has(e.to)) continue;
        if (e.to === start) {
          const path = [e];
          for (let at = v; at !== start; at = cameBy.get(at)!.from) path.unshift(cameBy.get(at)!);
          return path;
        }
        if (!cameBy.has(e.to)) {
          cameBy.set(e.to, e);
          queue.push(e.to);
        }
      }
    }
    throw new Error(`no cycle through ${start}`);
  });
}

function describeCycle(cycle: Edge[]): string {
  return [cycle.map((e) => e.from).join(' -> ') + ` -> ${cycle[0].from}`, ...cycle.map((e) => `    ${e.via}`)].join(
    '\n',
  );
}

test('no import cycle between the folders of server/src, client/src and webview/src', () => {
  const cycles = findCycles(importGraph());
  assert.deepEqual(
    cycles.map(describeCycle),
    [],
    `directory import cycles (move the file that closes the cycle to the lower layer):\n${cycles.map(describeCycle).join('\n')}`,
  );
});

test('server/src folders import only folders of lower layers (SERVER_LAYERS)', () => {
  const layerOf = new Map<string, number>();
  SERVER_LAYERS.forEach((folders, i) => {
    for (const f of folders) layerOf.set(`server/src/${f}`, i);
  });
  const layer = (node: string): number => layerOf.get(node) ?? -1;
  const wrong = importGraph()
    .filter((e) => e.from.startsWith('server/src/') && e.to.startsWith('server/src/'))
    .filter((e) => layer(e.from) <= layer(e.to))
    .map((e) => `${e.from} (layer ${String(layer(e.from))}) imports ${e.to} (layer ${String(layer(e.to))}): ${e.via}`);
  assert.deepEqual(wrong, [], `imports that go sideways or up the layers:\n${wrong.join('\n')}`);
});

test('every entry of server/src is a folder with its place in SERVER_LAYERS', () => {
  const listed = new Set(SERVER_LAYERS.flat());
  const entries = readdirSync(path.join(ROOT, 'server', 'src'), { withFileTypes: true });
  const loose = entries.filter((e) => !e.isDirectory()).map((e) => e.name);
  assert.deepEqual(loose, [], 'files loose in server/src: put each into the folder of its layer');
  const unplaced = entries.filter((e) => e.isDirectory() && !listed.has(e.name)).map((e) => e.name);
  assert.deepEqual(unplaced, [], 'folders without a layer: add them to SERVER_LAYERS in test/unit/layering.test.ts');
  const gone = [...listed].filter((f) => !entries.some((e) => e.isDirectory() && e.name === f));
  assert.deepEqual(gone, [], 'SERVER_LAYERS names folders that no longer exist');
});

test('findCycles names the closed path of a cycle and ignores a diamond', () => {
  const e = (from: string, to: string): Edge => ({ from, to, via: `${from}.ts -> ${to}.ts` });
  assert.deepEqual(findCycles([e('a', 'b'), e('a', 'c'), e('b', 'd'), e('c', 'd')]), []);
  const cycles = findCycles([e('a', 'b'), e('b', 'c'), e('c', 'a'), e('c', 'd'), e('x', 'y'), e('y', 'x')]);
  assert.deepEqual(cycles.map(describeCycle).sort(), [
    'a -> b -> c -> a\n    a.ts -> b.ts\n    b.ts -> c.ts\n    c.ts -> a.ts',
    'x -> y -> x\n    x.ts -> y.ts\n    y.ts -> x.ts',
  ]);
});
