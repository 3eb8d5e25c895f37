import { existsSync } from 'node:fs';
import { decodeSource, DecodeError, readRegularFileSync } from '../source/files';
import { writeFileAtomic } from '../fix/write';
import path from 'node:path';
import { Engine } from '../analysis/engine';
import { buildPipelineGraph } from '../graph/build';
import type { PipelineGraph } from '../graph/types';
import { kindOfPath } from '../source/languages';
import { comparePos } from '../model/ir';
import { commandHelp, parseCommand, UsageError, type CommandSpec } from './args';
import { describeIoError } from '../source/files';

type Renderer = typeof import('../../../webview/src/render');

/**
 * The renderer carries elkjs (3.3 MB of JavaScript): it is its own bundle (dist/render.js), loaded only by
 * `pipelint diagram`, so that `pipelint check` and its worker threads do not compile it (issue 18).
 * From source, it is required from webview/src/.
 */
function renderer(): Renderer {
  const bundled = path.join(__dirname, 'render.js');
  const target = existsSync(bundled) ? bundled : path.join(__dirname, '..', '..', '..', 'webview', 'src', 'render');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle loaded on demand, by path
  return require(target) as Renderer;
}

export const DIAGRAM: CommandSpec = {
  name: 'diagram',
  synopsis: 'FILE [--line N] (-o OUT.html | -o OUT.svg | --json)',
  summary:
    'Draws the pipelines of FILE as in the VS Code panel: a self-contained page or SVG (styles inline, no script).',
  positionals: { min: 1, max: 1, name: 'FILE' },
  options: {
    output: { type: 'string', short: 'o', value: 'OUT', help: 'write here; .html, .svg or .json by its extension' },
    line: { type: 'string', value: 'N', help: 'only the pipeline built at (or after) line N' },
    json: { type: 'boolean', default: false, help: 'print the pipeline graph as JSON on stdout (or into -o OUT.json)' },
  },
  notes: ['Exit codes: 0 written, 1 no pipeline found, 2 usage or I/O error.'],
};

/**
 * `pipelint diagram FILE [--line N] -o OUT.html|OUT.svg`: the same diagram as the VS Code panel,
 * rendered by the same renderer into a self-contained file (styles inline, no script, no network).
 * With `--line`, only the pipeline whose construction spans (or, failing that, follows) line N.
 */
export async function diagram(argv: string[]): Promise<number> {
  const parsed = parseCommand(DIAGRAM, argv);
  if (parsed.help) {
    process.stdout.write(commandHelp(DIAGRAM));
    return 0;
  }
  const values = parsed.values as { output?: string; line?: string; json: boolean };
  const file = parsed.positionals[0];
  const out = values.output;
  if (!out && !values.json) throw new UsageError('`pipelint diagram` needs -o OUT.html, -o OUT.svg or --json');
  const format = out ? path.extname(out).toLowerCase() : '.json';
  if (out && format !== '.html' && format !== '.svg' && format !== '.json')
    throw new UsageError(`cannot tell the format of -o ${out}: name it .html, .svg or .json`);
  const kind = kindOfPath(file);
  if (!kind)
    throw new UsageError(
      `cannot draw ${file}: not a Python, notebook or TypeScript file (.py, .ipynb, .ts, .tsx, .mts, .cts, .js)`,
    );
  let text: string;
  try {
    text = decodeSource(readRegularFileSync(file), kind).text;
  } catch (err) {
    throw new UsageError(
      err instanceof DecodeError
        ? `cannot draw ${file}: ${err.message}`
        : `cannot read ${file}: ${describeIoError(err)}`,
    );
  }
  let line: number | undefined;
  if (values.line !== undefined) {
    line = Number(values.line);
    if (!Number.isInteger(line) || line < 1) throw new UsageError('--line must be a positive integer');
  }

  const engine = await Engine.create();
  const { module, findings } = engine.analyze(file, text, kind);
  let graph = buildPipelineGraph(module, findings);
  if (line !== undefined) graph = selectRootAtLine(graph, line - 1);
  if (graph.roots.length === 0) {
    process.stderr.write(`pipelint: no pipeline in ${file}${line !== undefined ? ` at line ${line}` : ''}\n`);
    return 1;
  }
  if (values.json || format === '.json') {
    const json = JSON.stringify(graph, null, 2) + '\n';
    if (out) await writeOut(out, json);
    else process.stdout.write(json);
    return 0;
  }
  const { renderDiagram, standaloneHtml } = renderer();
  const { svg, layout } = await renderDiagram(graph, { embedStyle: format === '.svg' });
  const title = `${path.basename(file)}: pipeline diagram`;
  const content =
    format === '.svg'
      ? `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`
      : standaloneHtml(
          title,
          svg,
          `${graph.roots.length} pipeline${graph.roots.length === 1 ? '' : 's'}, drawn by pipelint`,
        );
  await writeOut(out!, content);
  process.stderr.write(
    `pipelint: wrote ${out} (${graph.nodes.length} nodes, layout ${layout.layoutMs.toFixed(0)} ms)\n`,
  );
  return 0;
}

async function writeOut(out: string, content: string): Promise<void> {
  try {
    await writeFileAtomic(out, content);
  } catch (err) {
    throw new UsageError(`cannot write ${out}: ${describeIoError(err)}`);
  }
}

/** Keeps the root whose construction spans `line` (0-based), else the first one after it, else the last before it. */
export function selectRootAtLine(graph: PipelineGraph, line: number): PipelineGraph {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const roots = graph.roots.map((id) => byId.get(id)!);
  const hit =
    roots.find((n) => n.range.start.line <= line && line <= n.range.end.line) ??
    roots.find((n) => n.range.start.line > line) ??
    [...roots].sort((a, b) => comparePos(b.range.start, a.range.start))[0];
  if (!hit) return { ...graph, roots: [] };
  const keep = new Set<string>();
  const add = (id: string) => {
    keep.add(id);
    for (const c of byId.get(id)!.children) add(c);
  };
  add(hit.id);
  return {
    ...graph,
    roots: [hit.id],
    nodes: graph.nodes.filter((n) => keep.has(n.id)),
    edges: graph.edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
  };
}
