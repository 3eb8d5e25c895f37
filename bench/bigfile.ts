/**
 * Big documents (issue 16 item 7): prints figures, fails on nothing.
 *
 *   node esbuild.mjs && node --import tsx bench/bigfile.ts [--runs N] [--edits N] [--sizes 2500,5000,...] [--mb 2.0]
 *
 * 1. In process: lower + analyse files of n lambdas (n doubling), CPU time medians of --runs, and the
 *    growth ratio per doubling (2.0 is linear, 4.0 quadratic).
 * 2. Over the real server on stdio: a long scikit-learn script of --mb MB (many pipelines, under the
 *    2,048 KB default limit): didOpen -> first publishDiagnostics, then --edits keystrokes each waited for
 *    (didChange -> publishDiagnostics), the server's CPU per edit and its peak RSS (VmHWM).
 * PIPELINT_BENCH_CPU_PROF=DIR runs the server under node --cpu-prof into DIR.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { analyzeModule } from '../server/src/analysis/analyze';
import { semanticsOf } from '../server/src/model/semantics';
import { loadPythonParser, lowerPythonText } from '../server/src/python';
import { LspClient } from '../test/helpers/lspClient';
import { lambdasScript, pipelinesScript } from './bigfiles';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const RUNS = Number(option('--runs', '3'));
const EDITS = Number(option('--edits', '20'));
const SIZES = option('--sizes', '2500,5000,10000,20000').split(',').map(Number);
const MB = Number(option('--mb', '2.0'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

function procStatus(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
function procCpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(parts[11]) + Number(parts[12])) * 1000) / 100; // clock ticks: 100 a second on Linux
}

async function lambdas(): Promise<void> {
  const parser = await loadPythonParser();
  console.log(`\n## Lambdas in process (lower + analyse; CPU medians of ${RUNS} runs)\n`);
  console.log('| lambdas | size | lower | analyse | analyse growth per doubling | functions examined by captures |');
  console.log('|---|---|---|---|---|---|');
  let previous: number | undefined;
  for (const n of SIZES) {
    const text = lambdasScript(n);
    const lower: number[] = [];
    const analyse: number[] = [];
    let examined = 0;
    for (let r = 0; r < RUNS; r++) {
      const a = cpuMs();
      const { module, tree } = lowerPythonText(parser, text, `file:///bench/lambdas_${n}.py`);
      const b = cpuMs();
      analyzeModule(module, { budgetMs: 1e9 });
      const c = cpuMs();
      examined = semanticsOf(module).work.captureFunctions;
      tree.delete();
      lower.push(b - a);
      analyse.push(c - b);
    }
    const m = median(analyse);
    console.log(
      `| ${n} | ${(text.length / 1e6).toFixed(2)} MB | ${fmt(median(lower))} | ${fmt(m)} | ${previous ? `${(m / previous).toFixed(2)}x` : '-'} | ${examined.toLocaleString('en-US')} |`,
    );
    previous = m;
  }
}

async function server(): Promise<void> {
  const text = pipelinesScript(MB * 1e6);
  const uri = 'file:///bench/big_experiments.py';
  const prof = process.env.PIPELINT_BENCH_CPU_PROF;
  const client = new LspClient(['--stdio'], { nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [] });
  // Started under load, the server may take longer than LspClient's default 20 s to answer.
  await client.request(
    'initialize',
    { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null },
    300_000,
  );
  client.notify('initialized', {});
  const pid = client.proc.pid!;
  const published = (version: number) =>
    client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === version, 600_000);
  const t0 = performance.now();
  const cpu0 = procCpuMs(pid);
  const first = published(1);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  const diags = await first;
  const openMs = performance.now() - t0;
  const openCpu = procCpuMs(pid) - cpu0;
  const rssOpen = procStatus(pid, 'VmRSS');
  // Type ", n_jobs=1" into the middle pipeline's last call, one character at a time, then delete it.
  const at = text.indexOf('random_state=SEED)', text.length >> 1) + 'random_state=SEED'.length;
  const word = ', n_jobs=1';
  let current = text;
  let version = 1;
  let typed = 0;
  const lat: number[] = [];
  const hoverLat: number[] = [];
  const hoverAt = diags.diagnostics[0]?.range.start ?? { line: 0, character: 0 };
  const cpuBefore = procCpuMs(pid);
  for (let k = 0; k < EDITS; k++) {
    const forward = Math.floor(k / word.length) % 2 === 0;
    const offset = forward ? at + typed : at + typed - 1;
    const insert = forward ? word[typed] : '';
    const deleteLen = forward ? 0 : 1;
    const range = { start: positionAt(current, offset), end: positionAt(current, offset + deleteLen) };
    current = current.slice(0, offset) + insert + current.slice(offset + deleteLen);
    typed += forward ? 1 : -1;
    version++;
    let publishedYet = false;
    const done = published(version).then(() => (publishedYet = true));
    const t = performance.now();
    client.notify('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range, text: insert }],
    });
    // A hover 100 ms into the analysis of this version: answered at once, or only after the analysis?
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Only hovers sent while the analysis was still running count.
    const during = !publishedYet;
    const h = performance.now();
    await client.request('textDocument/hover', { textDocument: { uri }, position: hoverAt }, 600_000);
    if (during) hoverLat.push(performance.now() - h);
    await done;
    lat.push(performance.now() - t);
  }
  const editCpu = (procCpuMs(pid) - cpuBefore) / EDITS;
  const hwm = procStatus(pid, 'VmHWM');
  await client.shutdown();
  console.log(
    `\n## Server on stdio: ${(text.length / 1e6).toFixed(2)} MB script, ${text.split('\n').length} lines, ${diags.diagnostics.length} diagnostics\n`,
  );
  console.log('| figure | value |');
  console.log('|---|---|');
  console.log(`| didOpen -> first diagnostics (wall; server CPU) | ${fmt(openMs)}; ${fmt(openCpu)} |`);
  console.log(
    `| keystroke -> diagnostics, median of ${EDITS} (min, max) | ${fmt(median(lat))} (${fmt(Math.min(...lat))}, ${fmt(Math.max(...lat))}) |`,
  );
  console.log(`| server CPU per keystroke (mean; all threads) | ${fmt(editCpu)} |`);
  console.log(
    `| hover sent 100 ms after a keystroke -> its answer, median of ${hoverLat.length} (min, max) | ${hoverLat.length ? `${fmt(median(hoverLat))} (${fmt(Math.min(...hoverLat))}, ${fmt(Math.max(...hoverLat))})` : '-'} |`,
  );
  console.log(
    `| server RSS after open; peak (VmHWM) | ${(rssOpen / 1e6).toFixed(0)} MB; ${(hwm / 1e6).toFixed(0)} MB |`,
  );
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.lastIndexOf('\n', offset - 1);
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return { line, character: offset - before - 1 };
}

void (async () => {
  console.log(
    `# Big documents (bench/bigfile.ts): ${new Date().toISOString()}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (!process.argv.includes('--no-lambdas')) await lambdas();
  if (!process.argv.includes('--no-server')) await server();
})();
