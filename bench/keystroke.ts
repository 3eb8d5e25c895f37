/**
 * Where one keystroke's time goes in the editor, in process, on the server's own path (issue 18): a Python
 * file of real code (scikit-learn's examples concatenated to `--lines` lines) is opened in a DocumentState,
 * then `, random_state=0` is typed into a one-line top-level call in its middle and deleted again, one
 * character at a time, as `npm run bench`'s edit section does over stdio. Each keystroke is timed by phase
 * (the document's update, parse + lowering, Semantics, each rule, the suppression scan); medians are printed.
 * With `--typescript`, the same for bench/run.ts's 2,000-line scikit.js file (section 6): `, randomState: 1` typed
 * into its middle `new sk.KMeans({...})`, through the TypeScript front end with the document's cache.
 * Figures only: nothing fails on time.
 *
 *   node --import tsx bench/keystroke.ts [--lines 3400] [--edits 200] [--alloc-prof FILE] [--gap MS] [--typescript]
 *
 * The garbage collections that fall inside keystrokes are counted and timed, and the minor page faults (memory
 * touched for the first time) of the text update and of the rest counted: a document of more than 128 KB of
 * string is rebuilt in V8's large-object space on each change, in freshly mapped pages (62 faults per keystroke
 * for the 3,400-line file, which holds non-Latin-1 characters and so takes two bytes a character; on this
 * machine's VM a fault costs about 15-20 µs, so the update took 1.3 of the keystroke's 7.7 ms). `--gap MS` pauses between
 * keystrokes as a typist does (V8 then runs its own scavenges in the pauses).
 * `--alloc-prof FILE` writes a sampling heap profile of the measured keystrokes' allocations, collected ones
 * included (open it in Chrome DevTools' Memory tab): allocation is what the young-generation GC pays for.
 */
// The server's V8 flags first, so that the figures are the server's.
import '../server/src/lsp/v8flags';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeModule } from '../server/src/analysis/analyze';
import { parseDirectives } from '../server/src/config/suppression';
import { DocumentState } from '../server/src/lsp/documents';
import { semanticsOf } from '../server/src/model/semantics';
import { loadPythonParser } from '../server/src/python';
import { allRules } from '../server/src/rules';
import type { Rule } from '../server/src/rules/rule';
import { frontEnd as typescriptFrontEnd } from '../server/src/typescript';
import { generateScikitjsSource } from './typescript-edit';

const ROOT = path.join(__dirname, '..');

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function stringOption(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function examples(): string[] {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'fetch-sklearn-examples.sh')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.py')) files.push(p);
    }
  };
  walk(out.trim().split('\n').pop()!);
  return files;
}

/** The same text and typing spot as bench/run.ts's edit section. */
function realPython(files: string[], lines: number): { text: string; at: number } {
  let text = '';
  for (let i = 0, n = 0; n < lines; i++) {
    const t = readFileSync(files[i % files.length], 'utf8');
    text += t.endsWith('\n') ? t : t + '\n';
    n += t.split('\n').length - (t.endsWith('\n') ? 1 : 0);
  }
  return { text, at: typingSpot(text, /^\w+ = [\w.]+\(.+\)\s*$/, 0) };
}

/** Where bench/run.ts types: before the last `)` (less `back`) of the line nearest the middle that matches. */
function typingSpot(text: string, line: RegExp, back: number): number {
  const rows = text.split('\n');
  const starts: number[] = [];
  for (let i = 0, offset = 0; i < rows.length; offset += rows[i].length + 1, i++) starts.push(offset);
  const mid = rows.length >> 1;
  for (let d = 0; d < rows.length; d++)
    for (const i of [mid + d, mid - d])
      if (i >= 0 && i < rows.length && line.test(rows[i])) return starts[i] + rows[i].lastIndexOf(')') - back;
  return starts[mid];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

/** bench/run.ts's section 6: the generated scikit.js file, typing before ` })` of the middle KMeans line. */
function scikitjs(lines: number): { text: string; at: number } {
  const text = generateScikitjsSource(lines);
  return { text, at: typingSpot(text, /^\s+const km = new sk\.KMeans\(\{.*\}\)\s*$/, 1) };
}

async function main(): Promise<void> {
  const typescript = process.argv.includes('--typescript');
  const lines = option('--lines', typescript ? 2000 : 3400);
  const edits = option('--edits', 200);
  const { text, at } = typescript ? scikitjs(lines) : realPython(examples(), lines);
  const parser = typescript ? undefined : await loadPythonParser();
  const kind = typescript ? 'typescript' : 'python';
  const uri = `file:///bench/keystroke.${typescript ? 'ts' : 'py'}`;
  const state = new DocumentState(TextDocument.create(uri, kind, 1, text), kind);
  const lower = () =>
    parser
      ? state.lowerPython(parser)
      : typescriptFrontEnd.lower({ uri, text: state.doc.getText() }, state.states.typescript);
  lower();
  const times = new Map<string, number[]>();
  const add = (k: string, v: number) => {
    const list = times.get(k);
    if (list) list.push(v);
    else times.set(k, [v]);
  };
  let ruleMs: Record<string, number> = {};
  const timed: Rule[] = allRules.map((r) => ({
    ...r,
    check(ctx) {
      const t = performance.now();
      r.check(ctx);
      ruleMs[r.meta.code] = (ruleMs[r.meta.code] ?? 0) + performance.now() - t;
    },
  }));
  const allocProfile = stringOption('--alloc-prof');
  const session = allocProfile ? new Session() : undefined;
  session?.connect();
  // Garbage collections, attributed afterwards to the keystroke whose span they fall in.
  const collections: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => collections.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const spans: [number, number][] = [];
  // Minor page faults (fresh memory touched) in the text update and in the rest of each keystroke.
  const faults: [number, number][] = [];
  const gapMs = option('--gap', 0);
  let measuredFrom = { at: 0, cpu: process.cpuUsage() };
  const word = typescript ? ', randomState: 1' : ', random_state=0';
  let typed = 0;
  let forward = true;
  const warmUp = 30;
  for (let k = 0; k < warmUp + edits; k++) {
    const offset = forward ? at + typed : at + typed - 1;
    const insert = forward ? word[typed] : '';
    if (forward && ++typed === word.length) forward = false;
    else if (!forward && --typed === 0) forward = true;
    const doc = state.doc;
    const range = { start: doc.positionAt(offset), end: doc.positionAt(offset + (insert ? 0 : 1)) };
    ruleMs = {};
    const f0 = process.resourceUsage().minorPageFault;
    const t0 = performance.now();
    state.applyChanges([{ range, text: insert }], doc.version + 1);
    const t1 = performance.now();
    const f1 = process.resourceUsage().minorPageFault;
    const module = lower();
    const t2 = performance.now();
    semanticsOf(module);
    const t3 = performance.now();
    analyzeModule(module, { rules: timed });
    const t4 = performance.now();
    parseDirectives(state.doc.getText(), kind);
    const t5 = performance.now();
    const f5 = process.resourceUsage().minorPageFault;
    if (k === warmUp - 1 && session)
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    // A turn of the event loop between keystrokes, as the server has between messages (V8 runs its tasks there).
    await new Promise((resolve) => setImmediate(resolve));
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    if (k < warmUp) continue;
    if (k === warmUp) measuredFrom = { at: t0, cpu: process.cpuUsage() };
    spans.push([t0, t5]);
    faults.push([f1 - f0, f5 - f1]);
    add('total', t5 - t0);
    add('update (TextDocument, tree.edit)', t1 - t0);
    add('parse + lowering', t2 - t1);
    add('Semantics', t3 - t2);
    add('rules (data flow included)', t4 - t3);
    for (const [code, ms] of Object.entries(ruleMs)) add(`  ${code}`, ms);
    add('suppression scan', t5 - t4);
  }
  const cpu = process.cpuUsage(measuredFrom.cpu);
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  const minor = spans.map(() => 0);
  const major = spans.map(() => 0);
  let between = 0;
  for (const gc of collections) {
    if (gc.startTime < measuredFrom.at) continue;
    const i = spans.findIndex(([a, b]) => gc.startTime >= a && gc.startTime < b);
    if (i < 0) between += gc.duration;
    else if (
      (gc as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR
    )
      minor[i] += gc.duration;
    else major[i] += gc.duration;
  }
  times.set('GC (scavenges) in the keystroke', minor);
  times.set('GC (other) in the keystroke', major);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(
    `${minor.filter((ms) => ms > 0).length} of ${spans.length} keystrokes met a scavenge; GC inside keystrokes ` +
      `${(sum(minor) + sum(major)).toFixed(0)} ms, between them ${between.toFixed(0)} ms; ` +
      `CPU per keystroke, collections included: ${((cpu.user + cpu.system) / 1000 / spans.length).toFixed(2)} ms`,
  );
  console.log(
    `minor page faults per keystroke (median): ${median(faults.map(([u]) => u))} in the text update, ` +
      `${median(faults.map(([, r]) => r))} in the rest`,
  );
  if (session && allocProfile) {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(allocProfile, JSON.stringify(profile));
    console.log(`allocation profile: ${allocProfile}`);
  }
  console.log(`${lines}+ lines, ${edits} keystrokes (ms: median, p95):`);
  for (const [k, v] of times)
    if (median(v) >= 0.05 || !k.startsWith('  '))
      console.log(`${k.padEnd(34)} ${median(v).toFixed(2).padStart(7)} ${p95(v).toFixed(2).padStart(7)}`);
}

void main();
