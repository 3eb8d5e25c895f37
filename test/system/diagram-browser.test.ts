/**
 * The pipeline diagram in a real browser (Debian's chromium driven by playwright-core):
 *  1. `pipelint diagram FIXTURE -o OUT.html` for five fixtures (3 steps, ColumnTransformer with three
 *     branches and a remainder, FeatureUnion in a Pipeline in GridSearchCV, 30 steps, scikit.js):
 *     every step is a node with its name, edges join the steps in order (and geometrically touch
 *     them), parallel branches fan out and in, no two node boxes overlap, every label fits in its
 *     box in the fonts the browser really uses, and nothing is fetched from the network;
 *  2. the VS Code panel's page (webview/src/panelHtml.ts + dist/webview/webview.js) under its CSP with a
 *     stubbed acquireVsCodeApi: renders a graph sent by postMessage with no CSP violation, reveals
 *     the source range of a clicked node, keeps its state, exports an SVG; in light, dark and
 *     high-contrast theme colours.
 * Screenshots, the exported files and timings.json go to .test-artifacts/diagram/.
 * Run: node esbuild.mjs && node --import tsx --test test/system/diagram-browser.test.ts
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { Engine } from '../../server/src/analysis/engine';
import { diagram } from '../../server/src/cli/diagram';
import { buildPipelineGraph } from '../../server/src/graph/build';
import type { PipelineGraph } from '../../server/src/graph/types';
import { makeNonce, panelHtml } from '../../webview/src/panelHtml';
import { layoutGraph } from '../../webview/src/render';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'diagram');
const ART = path.join(ROOT, '.test-artifacts', 'diagram');
const CHROMIUM = '/usr/bin/chromium';
const CLI = path.join(ROOT, 'dist', 'cli.js');
const WEBVIEW = path.join(ROOT, 'dist', 'webview', 'webview.js');
/** Polls wait this long: the machines that run this suite are often busy (the panel loads 3.6 MB of script). */
const WAIT_MS = 90_000;

interface Case {
  file: string;
  /** Every one of these must be a node. */
  names: string[];
  /** Steps that must be joined in this order by sequence edges. */
  sequences: string[][];
  /** Container name -> its parallel branches, left to right. */
  parallel?: Record<string, string[]>;
}

const steps30 = [...Array.from({ length: 29 }, (_, i) => `step_${String(i + 1).padStart(2, '0')}`), 'ridge'];
const CASES: Case[] = [
  { file: 'three_steps.py', names: ['pipe', 'scaler', 'pca', 'clf'], sequences: [['scaler', 'pca', 'clf']] },
  {
    file: 'column_transformer.py',
    names: ['model', 'preprocess', 'num', 'impute', 'scale', 'cat', 'log', 'remainder', 'forest'],
    sequences: [
      ['preprocess', 'forest'],
      ['impute', 'scale'],
    ],
    parallel: { preprocess: ['num', 'cat', 'log', 'remainder'] },
  },
  {
    file: 'grid_union.py',
    names: ['search', 'estimator', 'features', 'pca', 'svd', 'kbest', 'svm'],
    sequences: [['features', 'svm']],
    parallel: { features: ['pca', 'svd', 'kbest'] },
  },
  { file: 'long_pipeline.py', names: ['long_pipeline', ...steps30], sequences: [steps30] },
  {
    file: 'scikitjs_pipeline.ts',
    names: ['model', 'preprocess', 'num', 'impute', 'scale', 'minmax', 'remainder', 'regress'],
    sequences: [
      ['preprocess', 'regress'],
      ['impute', 'scale'],
    ],
    parallel: { preprocess: ['num', 'minmax', 'remainder'] },
  },
];

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface PageNode {
  id: string;
  name: string;
  kind: string;
  box: Box;
  /** Ids of the enclosing nodes (from the graph). */
  texts: Box[];
}

interface PageEdge {
  source: string;
  target: string;
  kind: string;
  start: { x: number; y: number };
  end: { x: number; y: number };
}

const skip = !existsSync(CHROMIUM) ? 'needs /usr/bin/chromium (apt-get install chromium)' : false;

let context: BrowserContext;
let userDataDir: string;
const timings: Record<string, unknown> = {};

async function launch(): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  userDataDir = mkdtempSync(path.join(tmpdir(), 'pipelint-chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 900 },
  });
}

/** Opens a page that may load file: URLs only; returns the list of other requests it tried. */
async function openOffline(
  url: string,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ page: Page; remote: string[] }> {
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme });
  const remote: string[] = [];
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith('file:')) return route.continue();
    remote.push(u);
    return route.abort();
  });
  await page.goto(url);
  return { page, remote };
}

/**
 * Boxes, labels and edges as the browser lays them out. Passed as source text: the test runner's
 * transpiler adds helpers (`__name`) to functions that do not exist in the page.
 */
const READ_DIAGRAM = `(() => {
  const rect = (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
  };
  const nodes = [...document.querySelectorAll('g.pl-node')].map((g) => ({
    id: g.getAttribute('data-id'),
    name: g.getAttribute('data-name'),
    kind: g.getAttribute('data-kind'),
    box: rect(g.querySelector(':scope > rect.pl-box')),
    texts: [...g.querySelectorAll(':scope > text, :scope > .pl-badge')].map(rect),
  }));
  const origin = rect(document.querySelector('svg.pl-diagram'));
  const edges = [...document.querySelectorAll('path.pl-edge')].map((p) => {
    const a = p.getPointAtLength(0);
    const b = p.getPointAtLength(p.getTotalLength());
    return {
      source: p.getAttribute('data-source'),
      target: p.getAttribute('data-target'),
      kind: p.getAttribute('data-kind'),
      start: { x: origin.x + a.x, y: origin.y + a.y },
      end: { x: origin.x + b.x, y: origin.y + b.y },
    };
  });
  return { nodes, edges };
})()`;

async function readDiagram(page: Page): Promise<{ nodes: PageNode[]; edges: PageEdge[] }> {
  return page.evaluate<{ nodes: PageNode[]; edges: PageEdge[] }>(READ_DIAGRAM);
}

function overlaps(a: Box, b: Box): boolean {
  const eps = 0.5;
  return (
    a.x + eps < b.x + b.width && b.x + eps < a.x + a.width && a.y + eps < b.y + b.height && b.y + eps < a.y + a.height
  );
}

function inside(inner: Box, outer: Box, eps = 0.5): boolean {
  return (
    inner.x >= outer.x - eps &&
    inner.y >= outer.y - eps &&
    inner.x + inner.width <= outer.x + outer.width + eps &&
    inner.y + inner.height <= outer.y + outer.height + eps
  );
}

function near(p: { x: number; y: number }, box: Box, eps = 8): boolean {
  return p.x >= box.x - eps && p.x <= box.x + box.width + eps && p.y >= box.y - eps && p.y <= box.y + box.height + eps;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

describe('pipeline diagram in chromium', { skip }, () => {
  let engine: Engine;
  const graphs = new Map<string, PipelineGraph>();

  before(async () => {
    mkdirSync(ART, { recursive: true });
    if (!existsSync(CLI) || !existsSync(WEBVIEW)) {
      const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(b.status, 0, b.stderr);
    }
    engine = await Engine.create();
    for (const c of CASES) {
      const text = readFileSync(path.join(FIXTURES, c.file), 'utf8');
      const { module, findings } = engine.analyze(c.file, text, c.file.endsWith('.ts') ? 'typescript' : 'python');
      graphs.set(c.file, buildPipelineGraph(module, findings));
    }
    for (const file of ['long_columns.py']) {
      const { module, findings } = engine.analyze(file, readFileSync(path.join(FIXTURES, file), 'utf8'), 'python');
      graphs.set(file, buildPipelineGraph(module, findings));
    }
    context = await launch();
  });

  after(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    writeFileSync(path.join(ART, 'timings.json'), JSON.stringify(timings, null, 2) + '\n');
  });

  for (const c of CASES) {
    test(`exported HTML of ${c.file}`, async () => {
      const base = c.file.replace(/\.\w+$/, '');
      const html = path.join(ART, `${base}.html`);
      // In process (the same code as `pipelint diagram`): other builds may rewrite dist/ meanwhile.
      for (const out of [html, path.join(ART, `${base}.svg`)]) {
        assert.equal(
          await diagram([path.join(FIXTURES, c.file), '-o', out]),
          0,
          `pipelint diagram ${c.file} -o ${out}`,
        );
      }
      const { page, remote } = await openOffline(pathToFileURL(html).href);
      try {
        const graph = graphs.get(c.file)!;
        const { nodes, edges } = await readDiagram(page);
        const byName = new Map<string, PageNode[]>();
        for (const n of nodes) byName.set(n.name, [...(byName.get(n.name) ?? []), n]);
        const one = (name: string) => {
          const list = byName.get(name);
          assert.ok(list && list.length >= 1, `"${name}" is a node (nodes: ${nodes.map((n) => n.name).join(', ')})`);
          return list[0];
        };
        // Every step is a node with its name.
        for (const name of c.names) one(name);
        assert.equal(nodes.length, graph.nodes.length, 'one box per graph node');

        // Edges join the steps in order, from the bottom of one to the top of the next.
        for (const seq of c.sequences) {
          for (let i = 1; i < seq.length; i++) {
            const a = one(seq[i - 1]);
            const b = one(seq[i]);
            const e = edges.find((x) => x.source === a.id && x.target === b.id);
            assert.ok(e, `an edge ${seq[i - 1]} -> ${seq[i]}`);
            assert.equal(e.kind, 'sequence');
            assert.ok(b.box.y >= a.box.y + a.box.height, `${seq[i]} is below ${seq[i - 1]}`);
            assert.ok(near(e.start, a.box) && near(e.end, b.box), `edge ${seq[i - 1]} -> ${seq[i]} touches both boxes`);
          }
        }
        // Parallel branches: fed by their container, side by side in source order.
        for (const [container, branches] of Object.entries(c.parallel ?? {})) {
          const ct = one(container);
          const bs = branches.map(one);
          for (const b of bs) {
            assert.ok(
              edges.some((e) => e.kind === 'enter' && e.source === ct.id && e.target === b.id),
              `${container} feeds ${b.name}`,
            );
            assert.ok(
              edges.some((e) => e.kind === 'exit' && e.source === b.id && e.target === ct.id),
              `${b.name} feeds ${container}'s output`,
            );
            assert.ok(inside(b.box, ct.box), `${b.name} is drawn inside ${container}`);
          }
          for (let i = 1; i < bs.length; i++)
            assert.ok(bs[i].box.x >= bs[i - 1].box.x + bs[i - 1].box.width, `${bs[i].name} right of ${bs[i - 1].name}`);
        }

        // No two boxes overlap unless one contains the other (a container and what it holds).
        const ancestors = new Map<string, Set<string>>();
        for (const n of graph.nodes) {
          const set = new Set<string>();
          for (let p = n.parent; p; p = graph.nodes.find((x) => x.id === p)!.parent) set.add(p);
          ancestors.set(n.id, set);
        }
        for (let i = 0; i < nodes.length; i++) {
          for (let j = i + 1; j < nodes.length; j++) {
            const a = nodes[i];
            const b = nodes[j];
            if (ancestors.get(a.id)!.has(b.id)) assert.ok(inside(a.box, b.box), `${a.name} inside ${b.name}`);
            else if (ancestors.get(b.id)!.has(a.id)) assert.ok(inside(b.box, a.box), `${b.name} inside ${a.name}`);
            else assert.ok(!overlaps(a.box, b.box), `boxes of ${a.name} and ${b.name} overlap`);
          }
        }
        // Labels fit in their boxes with the fonts this browser really has.
        for (const n of nodes)
          for (const t of n.texts) assert.ok(inside(t, n.box, 1), `a label of ${n.name} overflows its box`);

        assert.deepEqual(remote, [], 'no network request');
        await page.screenshot({ path: path.join(ART, `${base}.png`), fullPage: true });
        if (base === 'column_transformer' || base === 'grid_union') {
          await page.emulateMedia({ colorScheme: 'dark' });
          await page.screenshot({ path: path.join(ART, `${base}-dark.png`), fullPage: true });
        }
      } finally {
        await page.close();
      }
    });
  }

  test('the bundled CLI (dist/cli.js) writes the same kind of file', () => {
    const out = path.join(ART, 'cli-three_steps.svg');
    const r = spawnSync(
      process.execPath,
      [CLI, 'diagram', path.join(FIXTURES, 'three_steps.py'), '--line', '7', '-o', out],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `pipelint diagram failed: ${r.stderr}`);
    const svg = readFileSync(out, 'utf8');
    assert.match(svg, /^<\?xml[^>]*>\n<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/class="pl-node /g) ?? []).length, 4);
    const usage = spawnSync(process.execPath, [CLI, 'diagram', path.join(FIXTURES, 'three_steps.py')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(usage.status, 2, 'no -o: a usage error');
    assert.match(usage.stderr, /^pipelint: `pipelint diagram` needs -o OUT.html, -o OUT.svg or --json/);
  });

  test('layout time of the 30-step pipeline (Node, the CLI path)', async () => {
    const g = graphs.get('long_pipeline.py')!;
    const runs: number[] = [];
    for (let i = 0; i < 9; i++) runs.push((await layoutGraph(g)).layoutMs);
    timings.node30Steps = {
      firstMs: Math.round(runs[0]),
      medianMs: Math.round(median(runs.slice(1))),
      minMs: Math.round(Math.min(...runs.slice(1))),
      runsMs: runs.map(Math.round),
      loadAverage: loadavg(),
      cpus: cpus().length,
    };
    console.log(
      `# 30-step layout in Node: first ${runs[0].toFixed(0)} ms, median of the next 8: ${median(runs.slice(1)).toFixed(0)} ms`,
    );
    assert.ok(median(runs.slice(1)) < 2000, 'the 30-step pipeline lays out in under 2 s');
  });

  describe('the VS Code panel page under its CSP', () => {
    let page: Page;
    let remote: string[];
    const themes: Record<string, { body: string; vars: Record<string, string> }> = {
      light: {
        body: 'vscode-light',
        vars: {
          'editor-background': '#ffffff',
          'editor-foreground': '#3b3b3b',
          descriptionForeground: '#717171',
          'editorWidget-background': '#f8f8f8',
          'editorWidget-border': '#c8c8c8',
          'editor-inactiveSelectionBackground': '#e5ebf1',
          'editorLineNumber-foreground': '#6e7681',
          focusBorder: '#005fb8',
          'editorError-foreground': '#e51400',
          'editorWarning-foreground': '#bf8803',
          'editorInfo-foreground': '#1a85ff',
          'symbolIcon-fieldForeground': '#007acc',
          'button-background': '#005fb8',
          'button-foreground': '#ffffff',
          'font-family': 'system-ui, sans-serif',
          'editor-font-family': "'DejaVu Sans Mono', monospace",
        },
      },
      dark: {
        body: 'vscode-dark',
        vars: {
          'editor-background': '#1f1f1f',
          'editor-foreground': '#cccccc',
          descriptionForeground: '#9d9d9d',
          'editorWidget-background': '#202020',
          'editorWidget-border': '#454545',
          'editor-inactiveSelectionBackground': '#3a3d41',
          'editorLineNumber-foreground': '#6e7681',
          focusBorder: '#0078d4',
          'editorError-foreground': '#f14c4c',
          'editorWarning-foreground': '#cca700',
          'editorInfo-foreground': '#3794ff',
          'symbolIcon-fieldForeground': '#75beff',
          'button-background': '#0078d4',
          'button-foreground': '#ffffff',
          'font-family': 'system-ui, sans-serif',
          'editor-font-family': "'DejaVu Sans Mono', monospace",
        },
      },
      'high-contrast': {
        body: 'vscode-high-contrast',
        vars: {
          'editor-background': '#000000',
          'editor-foreground': '#ffffff',
          descriptionForeground: '#ffffff',
          'editorWidget-background': '#0c141f',
          'editorWidget-border': '#6fc3df',
          contrastBorder: '#6fc3df',
          contrastActiveBorder: '#f38518',
          'editor-inactiveSelectionBackground': '#000000',
          'editorLineNumber-foreground': '#ffffff',
          focusBorder: '#f38518',
          'editorError-foreground': '#f48771',
          'editorWarning-foreground': '#ffd370',
          'editorInfo-foreground': '#6fc3df',
          'symbolIcon-fieldForeground': '#75beff',
          'button-background': '#000000',
          'button-foreground': '#ffffff',
          'font-family': 'system-ui, sans-serif',
          'editor-font-family': "'DejaVu Sans Mono', monospace",
        },
      },
    };

    /** The panel's own HTML, plus what VS Code adds: theme variables on <html>, a theme class on <body>, acquireVsCodeApi. */
    function panelPage(theme: keyof typeof themes): string {
      const nonce = makeNonce();
      const t = themes[theme];
      let html = panelHtml({ cspSource: 'file:', scriptUri: pathToFileURL(WEBVIEW).href, nonce });
      const vars = Object.entries(t.vars)
        .map(([k, v]) => `--vscode-${k}: ${v};`)
        .join(' ');
      const stub = `<style nonce="${nonce}">html { ${vars} }</style>
<script nonce="${nonce}">
window.__sent = []; window.__state = undefined; window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__sent.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });
</script>`;
      html = html.replace('<title>', `${stub}\n<title>`).replace('<body>', `<body class="${t.body}">`);
      const file = path.join(ART, `panel-${theme}.html`);
      writeFileSync(file, html);
      return pathToFileURL(file).href;
    }

    async function sendGraph(
      p: Page,
      graph: PipelineGraph,
      fileName: string,
      focus?: { line: number; character: number },
    ) {
      await p.evaluate(
        ({ graph, fileName, focus }) => window.postMessage({ type: 'graph', graph, fileName, focus }, '*'),
        { graph, fileName, focus },
      );
      await p.waitForFunction((n) => document.querySelectorAll('#canvas g.pl-node').length === n, graph.nodes.length, {
        timeout: WAIT_MS,
      });
    }

    before(async () => {
      ({ page, remote } = await openOffline(panelPage('light')));
      await page.waitForFunction(
        () => (window as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === 'ready'),
        undefined,
        { timeout: WAIT_MS },
      );
    });

    after(async () => page?.close());

    test('renders a graph sent by postMessage, with no CSP violation and no network', async () => {
      const graph = graphs.get('three_steps.py')!;
      await sendGraph(page, graph, 'three_steps.py');
      const names = await page.$$eval('#canvas g.pl-node', (els) => els.map((e) => e.getAttribute('data-name')));
      assert.deepEqual(names.sort(), ['clf', 'pca', 'pipe', 'scaler']);
      const state = await page.evaluate(
        () => (window as unknown as { __state: { graph?: unknown; fileName?: string } }).__state,
      );
      assert.equal(state.fileName, 'three_steps.py', 'state kept with setState');
      assert.ok(state.graph);
      assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
      assert.deepEqual(remote, []);
    });

    test('clicking a node asks the extension to reveal its source range', async () => {
      const graph = graphs.get('three_steps.py')!;
      const clf = graph.nodes.find((n) => n.name === 'clf')!;
      await page.click('#canvas g.pl-node[data-name="clf"] > rect');
      const sent = await page.evaluate(() =>
        (window as unknown as { __sent: { type: string }[] }).__sent.filter((m) => m.type === 'reveal'),
      );
      assert.deepEqual(sent.at(-1), { type: 'reveal', uri: graph.uri, range: clf.range });
      assert.equal(
        await page.$$eval('#canvas .pl-selected', (els) => els.map((e) => e.getAttribute('data-name')).join()),
        'clf',
      );
      assert.match(
        await page.$eval('#details', (el) => (el as HTMLElement).innerText),
        /^clf\nLogisticRegression[\s\S]*C\n0\.5/,
        'the details pane shows the selected step',
      );
    });

    test('Export SVG sends a self-contained SVG with the theme colours', async () => {
      await page.click('#export');
      const msg = await page.evaluate(() =>
        (window as unknown as { __sent: { type: string; svg?: string }[] }).__sent.find((m) => m.type === 'exportSvg'),
      );
      assert.ok(msg?.svg);
      assert.match(msg.svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(msg.svg, /<style>[\s\S]*--vscode-editor-foreground: #3b3b3b/);
      assert.equal((msg.svg.match(/class="pl-node /g) ?? []).length, 4);
      writeFileSync(path.join(ART, 'panel-export.svg'), msg.svg);
    });

    test('the 30-step pipeline in the webview: layout time', async () => {
      const graph = graphs.get('long_pipeline.py')!;
      const runs: number[] = [];
      for (let i = 0; i < 7; i++) {
        await page.evaluate(() => {
          const w = window as unknown as { __sent: { type: string }[] };
          w.__sent = w.__sent.filter((m) => m.type !== 'rendered');
        });
        await sendGraph(page, graph, 'long_pipeline.py');
        const ms = await page.waitForFunction(
          () =>
            (window as unknown as { __sent: { type: string; layoutMs?: number }[] }).__sent.find(
              (m) => m.type === 'rendered',
            )?.layoutMs,
          undefined,
          { timeout: WAIT_MS },
        );
        runs.push((await ms.jsonValue()) as number);
      }
      timings.webview30Steps = {
        firstMs: runs[0],
        medianMs: median(runs.slice(1)),
        minMs: Math.min(...runs.slice(1)),
        runsMs: runs,
        loadAverage: loadavg(),
      };
      console.log(
        `# 30-step layout in the webview: first ${runs[0]} ms, median of the next 6: ${median(runs.slice(1))} ms`,
      );
      assert.ok(median(runs.slice(1)) < 2000);
    });

    test('zoom: buttons, Ctrl+wheel and keys change the scale; Fit brings the whole diagram into view', async () => {
      const graph = graphs.get('column_transformer.py')!;
      await sendGraph(page, graph, 'column_transformer.py');
      const width = () => page.$eval('#canvas svg.pl-diagram', (el) => Number(el.getAttribute('width')));
      const level = () => page.$eval('#zoom-level', (el) => el.textContent);
      const w0 = await width();
      await page.click('#zoom-in');
      assert.ok((await width()) > w0 * 1.15, 'zoom in');
      await page.click('#zoom-out');
      await page.click('#zoom-out');
      assert.ok((await width()) < w0, 'zoom out');
      await page.hover('#canvas svg');
      const before = await width();
      await page.keyboard.down('Control');
      await page.mouse.wheel(0, -300);
      await page.keyboard.up('Control');
      await page.waitForFunction(
        (b) => Number(document.querySelector('#canvas svg.pl-diagram')!.getAttribute('width')) > b,
        before,
        { timeout: WAIT_MS },
      );
      await page.keyboard.press('-');
      await page.click('#fit');
      const fitted = await page.evaluate(() => {
        const c = document.getElementById('canvas')!;
        const svg = c.querySelector('svg')!.getBoundingClientRect();
        return {
          svgW: svg.width,
          svgH: svg.height,
          w: c.clientWidth,
          h: c.clientHeight,
          scrollW: c.scrollWidth,
          scrollH: c.scrollHeight,
        };
      });
      assert.ok(fitted.svgW <= fitted.w && fitted.svgH <= fitted.h, `fitted into the view: ${JSON.stringify(fitted)}`);
      assert.match(await level(), /^\d+%$/);
      // The toolbar stays put while the canvas scrolls.
      const toolbarTop = await page.$eval('.pl-toolbar', (el) => el.getBoundingClientRect().top);
      await page.click('#zoom-in');
      await page.click('#zoom-in');
      await page.click('#zoom-in');
      await page.$eval('#canvas', (el) => el.scrollTo(0, 10_000));
      assert.equal(await page.$eval('.pl-toolbar', (el) => el.getBoundingClientRect().top), toolbarTop);
      assert.ok(
        await page.$eval('#export', (el) => {
          const r = el.getBoundingClientRect();
          return r.right <= window.innerWidth && r.bottom <= window.innerHeight;
        }),
        'Export stays on screen',
      );
    });

    test('collapse all / expand all and the fold glyph; the SKL104 at the dump sits on the pipeline header, in red', async () => {
      const graph = graphs.get('column_transformer.py')!;
      await sendGraph(page, graph, 'column_transformer.py');
      const count = () => page.$$eval('#canvas g.pl-node', (els) => els.length);
      const header = await page.$eval('#canvas g.pl-node[data-name="model"] .pl-badge-external', (el) => [
        el.getAttribute('data-code'),
        el.getAttribute('data-severity'),
        el.textContent,
      ]);
      assert.deepEqual(header, [
        'SKL104',
        'error',
        'SKL104 at line 32: joblib.dump will fail: the saved object holds a lambda (in FunctionTransformer(func=...)), which pickle cannot save.↗ SKL104',
      ]);
      const lambdaBadge = await page.$eval('#canvas g.pl-node[data-name="log"] .pl-badge', (el) => [
        el.getAttribute('data-severity'),
        getComputedStyle(el.querySelector('rect')!).fill,
      ]);
      const forestBadge = await page.$eval(
        '#canvas g.pl-node[data-name="forest"] .pl-badge',
        (el) => getComputedStyle(el.querySelector('rect')!).fill,
      );
      assert.equal(lambdaBadge[0], 'warning');
      const errorStroke = await page.$eval(
        '#canvas g.pl-node[data-name="model"] .pl-badge-external rect',
        (el) => getComputedStyle(el).stroke,
      );
      assert.notEqual(errorStroke, forestBadge, 'an error badge is not the warning colour');
      const all = await count();
      await page.click('#collapse-all');
      await page.waitForFunction((n) => document.querySelectorAll('#canvas g.pl-node').length < n, all, {
        timeout: WAIT_MS,
      });
      assert.deepEqual(
        await page.$$eval('#canvas g.pl-node', (els) => els.map((e) => e.getAttribute('data-name')).sort()),
        ['forest', 'model', 'preprocess'],
      );
      assert.match(
        await page.$eval('#canvas g.pl-node[data-name="preprocess"]', (el) => el.textContent),
        /▸ preprocess[\s\S]*6 steps folded/,
      );
      await page.screenshot({ path: path.join(ART, 'panel-collapsed.png') });
      await page.click('#canvas g.pl-node[data-name="preprocess"] .pl-toggle');
      await page.waitForFunction(() => document.querySelector('#canvas g.pl-node[data-name="cat"]'), undefined, {
        timeout: WAIT_MS,
      });
      assert.equal(
        await page.$eval('#canvas g.pl-node[data-name="preprocess"]', (el) => el.getAttribute('aria-expanded')),
        'true',
      );
      await page.click('#expand-all');
      await page.waitForFunction((n) => document.querySelectorAll('#canvas g.pl-node').length === n, all, {
        timeout: WAIT_MS,
      });
    });

    test('a long column list and param_grid: shortened in the box, in full in the details pane', async () => {
      const graph = graphs.get('long_columns.py')!;
      await sendGraph(page, graph, 'long_columns.py');
      const cols = await page.$eval('#canvas g.pl-node[data-name="num"] .pl-cols', (el) => el.textContent);
      assert.ok(cols.endsWith('…') && cols.length > 50, `the box shows a long start: ${cols}`);
      await page.click('#canvas g.pl-node[data-name="num"] > rect');
      const text = await page.$eval('#details', (el) => (el as HTMLElement).innerText);
      assert.ok(
        text.includes(
          'numeric = ["tenure_months", "monthly_charges", "total_charges", "support_calls_90d", "late_payments_12m", "avg_session_minutes", "days_since_last_login"]',
        ),
        text,
      );
      await page.click('#canvas g.pl-node[data-name="search"] > rect', { position: { x: 30, y: 8 } });
      assert.ok(
        (await page.$eval('#details', (el) => (el as HTMLElement).innerText)).includes('"gb__max_depth": [2, 3, 4]}'),
      );
      await page.screenshot({ path: path.join(ART, 'panel-details.png') });
    });

    test('keyboard: arrows move between nodes in reading order, Enter opens the source, Space folds', async () => {
      const graph = graphs.get('three_steps.py')!;
      await sendGraph(page, graph, 'three_steps.py');
      await page.focus('#canvas g.pl-node[data-name="pipe"]');
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-name'));
      await page.keyboard.press('ArrowDown');
      assert.equal(await focused(), 'scaler');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.equal(await focused(), 'clf');
      await page.keyboard.press('ArrowUp');
      assert.equal(await focused(), 'pca');
      assert.equal(
        await page.$$eval('#canvas .pl-selected', (els) => els.map((e) => e.getAttribute('data-name')).join()),
        'pca',
        'the focused node is selected',
      );
      await page.keyboard.press('Enter');
      const sent = await page.evaluate(() =>
        (window as unknown as { __sent: { type: string; range?: unknown }[] }).__sent
          .filter((m) => m.type === 'reveal')
          .at(-1),
      );
      assert.deepEqual(sent?.range, graph.nodes.find((n) => n.name === 'pca')!.range);
      await page.keyboard.press('Home');
      assert.equal(await focused(), 'pipe');
      await page.keyboard.press(' ');
      await page.waitForFunction(() => document.querySelectorAll('#canvas g.pl-node').length === 1, undefined, {
        timeout: WAIT_MS,
      });
      await page.click('#expand-all');
    });

    test('Export PNG sends a PNG of the diagram', async () => {
      const graph = graphs.get('three_steps.py')!;
      await sendGraph(page, graph, 'three_steps.py');
      await page.click('#export-png');
      const msg = (await (
        await page.waitForFunction(
          () =>
            (window as unknown as { __sent: { type: string; dataUrl?: string }[] }).__sent.find(
              (m) => m.type === 'exportPng',
            ),
          undefined,
          { timeout: WAIT_MS },
        )
      ).jsonValue()) as unknown as { dataUrl: string; fileName: string };
      assert.equal(msg.fileName, 'three_steps.py');
      const png = Buffer.from(msg.dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.ok(png.readUInt32BE(16) > 300, 'at twice the layout width');
      writeFileSync(path.join(ART, 'panel-export.png'), png);
      assert.deepEqual(
        await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
        [],
        'no CSP violation',
      );
    });

    test('an empty file names the classes of its language', async () => {
      await page.evaluate(() =>
        window.postMessage(
          {
            type: 'graph',
            graph: { uri: 'file:///x/serve.ts', language: 'typescript', roots: [], nodes: [], edges: [] },
            fileName: 'serve.ts',
          },
          '*',
        ),
      );
      await page.waitForFunction(() => document.querySelector('.pl-empty'), undefined, { timeout: WAIT_MS });
      const ts = await page.$eval('.pl-empty', (el) => el.textContent);
      assert.match(ts, /scikit\.js pipelines \(new Pipeline, makePipeline/);
      assert.doesNotMatch(ts, /make_pipeline|GridSearchCV/);
      await page.evaluate(() =>
        window.postMessage(
          {
            type: 'graph',
            graph: { uri: 'file:///x/a.py', language: 'python', roots: [], nodes: [], edges: [] },
            fileName: 'a.py',
          },
          '*',
        ),
      );
      await page.waitForFunction(() => document.querySelector('.pl-empty')?.textContent?.includes('a.py'), undefined, {
        timeout: WAIT_MS,
      });
      assert.match(await page.$eval('.pl-empty', (el) => el.textContent), /make_pipeline, ColumnTransformer/);
    });

    // Screenshots: 3 steps, a ColumnTransformer and 30 steps, at 800 and 1,600 px, in three themes.
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      for (const width of [800, 1600]) {
        test(`screenshots: ${theme}, ${width} px wide`, async () => {
          const { page: p } = await openOffline(panelPage(theme), theme === 'light' ? 'light' : 'dark');
          try {
            await p.setViewportSize({ width, height: 900 });
            await p.waitForFunction(
              () => (window as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === 'ready'),
              undefined,
              { timeout: WAIT_MS },
            );
            for (const file of ['three_steps.py', 'column_transformer.py', 'long_pipeline.py']) {
              const graph = graphs.get(file)!;
              await sendGraph(p, graph, file);
              // Fit on open: nothing is cut off on the right; a tall diagram scrolls at a readable scale.
              const fit = await p.evaluate(() => {
                const c = document.getElementById('canvas')!;
                return {
                  scrollW: c.scrollWidth,
                  w: c.clientWidth,
                  zoom: document.getElementById('zoom-level')!.textContent,
                };
              });
              assert.ok(
                fit.scrollW <= fit.w + 1 || Number(fit.zoom.replace('%', '')) <= 60,
                `${file} at ${width} px fits the width: ${JSON.stringify(fit)}`,
              );
              await p.screenshot({ path: path.join(ART, `panel-${theme}-${width}-${file.replace(/\.py$/, '')}.png`) });
            }
            assert.deepEqual(
              await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
              [],
            );
          } finally {
            await p.close();
          }
        });
      }
    }

    for (const theme of Object.keys(themes)) {
      test(`theme: ${theme} (screenshot)`, async () => {
        const { page: p, remote: r } = await openOffline(panelPage(theme), theme === 'light' ? 'light' : 'dark');
        try {
          await p.waitForFunction(
            () => (window as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === 'ready'),
            undefined,
            { timeout: WAIT_MS },
          );
          const graph = graphs.get('column_transformer.py')!;
          const log = graph.nodes.find((n) => n.name === 'log')!;
          await sendGraph(p, graph, 'column_transformer.py', log.range.start);
          const fill = await p.$eval(
            '#canvas g.pl-node[data-name="forest"] > rect',
            (el) => getComputedStyle(el).stroke,
          );
          assert.ok(fill && fill !== 'none');
          assert.equal(
            await p.$$eval('#canvas .pl-focus', (els) => els.map((e) => e.getAttribute('data-name')).join()),
            'log',
            'the construction under the cursor is outlined',
          );
          assert.deepEqual(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
          assert.deepEqual(r, []);
          await p.screenshot({ path: path.join(ART, `panel-${theme}.png`), fullPage: true });
        } finally {
          await p.close();
        }
      });
    }
  });
});
