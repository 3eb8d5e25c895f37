// The long fuzz run (issue 10): N mutated inputs (default 10,000) through the analyser in a child process
// with a time bound per input (a hang is killed and counted), every 10th through the real server over
// stdio, every 25th through the CLI in batches; as many config-file/glob inputs (issue 16) in the same
// kind of bounded child; and --sessions protocol sessions (random valid and invalid JSON-RPC, each on a
// fresh server). Prints inputs, crashes, hangs, slowest input, p50/p99.
// Usage: node --import tsx scripts/fuzz-long.ts [--count 10000] [--seed 1] [--heavy 0.002] [--sessions 1000]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LspClient } from '../test/helpers/lspClient';
import { percentile } from '../test/fuzz/harness';
import { loadSeeds, makeInput, type FuzzInput } from '../test/fuzz/mutate';
import { runCliBatch, runServerInputs, type TargetFailure } from '../test/fuzz/targets';
import { runProtocolSession, type SessionResult } from '../test/fuzz/protocol';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    heavy: { type: 'string', default: '0.002' },
    sessions: { type: 'string', default: '1000' },
    only: { type: 'string' },
  },
});
const COUNT = Number(values.count);
const SEED = Number(values.seed);
const HEAVY = Number(values.heavy);
const SESSIONS = Number(values.sessions);
/** --only config|protocol: run that target alone (the figures of issue 16). */
const ONLY = values.only;
/** Generous: a hang, not a slow machine. */
const boundMs = (bytes: number) => 120_000 + 60_000 * (bytes / 1e6);

interface Row {
  index: number;
  name: string;
  bytes: number;
  ms: number;
  crash?: string;
  ruleFailures: string[];
  skipped?: boolean;
}

function startWorker(): Promise<ChildProcess> {
  const child = fork(path.join(__dirname, '..', 'test', 'fuzz', 'worker.ts'), [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderr!.on('data', () => {});
  return new Promise((resolve) => child.once('message', () => resolve(child)));
}

async function analyserRun(): Promise<{ rows: Row[]; hangs: string[]; rejections: string[]; workerDeaths: string[] }> {
  const rows: Row[] = [];
  const hangs: string[] = [];
  const rejections: string[] = [];
  const workerDeaths: string[] = [];
  let worker = await startWorker();
  for (let index = 0; index < COUNT; index++) {
    const input = makeInput(seedsCache, SEED, index, HEAVY);
    const result = await new Promise<Row | { hang: true } | { died: string }>((resolve) => {
      const timer = setTimeout(() => resolve({ hang: true }), boundMs(input.bytes.length));
      const onMessage = (m: any) => {
        if (m.type === 'rejection') rejections.push(`${input.name}: ${m.message}`);
        if (m.type === 'result' && m.index === index) done(m as Row);
      };
      const onExit = (code: number | null, signal: string | null) => done({ died: `exit ${code} ${signal ?? ''}` });
      const done = (r: Row | { hang: true } | { died: string }) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(r);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.send({ seed: SEED, index, heavyRate: HEAVY });
    });
    if ('hang' in result || 'died' in result) {
      if ('hang' in result) hangs.push(input.name);
      else workerDeaths.push(`${input.name}: ${result.died}`);
      worker.kill('SIGKILL');
      worker = await startWorker();
      continue;
    }
    rows.push({ ...result, index });
    // A crash inside tree-sitter's WASM can leave its heap corrupted for every later parse in that process:
    // a fresh worker keeps the next inputs independent (each crash then counts once).
    if (result.crash) {
      worker.kill('SIGKILL');
      worker = await startWorker();
    }
    if ((index + 1) % 500 === 0) console.error(`analyser: ${index + 1}/${COUNT}`);
  }
  worker.kill();
  return { rows, hangs, rejections, workerDeaths };
}

/** Config files and globs: COUNT inputs in a bounded child (10 s each: a hang, not a slow machine). */
async function configRun(): Promise<{
  count: number;
  crashes: string[];
  hangs: string[];
  times: number[];
  slowest: { name: string; ms: number };
}> {
  const crashes: string[] = [];
  const hangs: string[] = [];
  const times: number[] = [];
  let slowest = { name: '-', ms: 0 };
  let worker = await startWorker();
  for (let index = 0; index < COUNT; index++) {
    const r = await new Promise<any>((resolve) => {
      const timer = setTimeout(() => resolve({ hang: true }), 30_000);
      const onMessage = (m: any) => {
        if (m.type === 'config-result' && m.index === index) done(m);
      };
      const onExit = (code: number | null, signal: string | null) => done({ died: `exit ${code} ${signal ?? ''}` });
      const done = (v: any) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(v);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.send({ target: 'config', seed: SEED, index, heavyRate: 0 });
    });
    if (r.hang || r.died) {
      (r.hang ? hangs : crashes).push(`config ${index}${r.died ? `: ${r.died}` : ''}`);
      worker.kill('SIGKILL');
      worker = await startWorker();
      continue;
    }
    if (r.crash) crashes.push(`${r.name}: ${r.crash}`);
    times.push(r.ms);
    if (r.ms > slowest.ms) slowest = { name: r.name, ms: r.ms };
    if ((index + 1) % 1000 === 0) console.error(`config: ${index + 1}/${COUNT}`);
  }
  worker.kill();
  return { count: COUNT, crashes, hangs, times: times.sort((a, b) => a - b), slowest };
}

/** Protocol sessions, four at a time, each on a fresh server. */
async function protocolRun(): Promise<SessionResult[]> {
  const results: SessionResult[] = [];
  for (let i = 0; i < SESSIONS; i += 4) {
    results.push(
      ...(await Promise.all(
        [0, 1, 2, 3].filter((k) => i + k < SESSIONS).map((k) => runProtocolSession(SEED, i + k, 120_000)),
      )),
    );
    if ((i + 4) % 100 === 0) console.error(`protocol: ${Math.min(i + 4, SESSIONS)}/${SESSIONS}`);
  }
  return results;
}

function issue16Lines(
  config: Awaited<ReturnType<typeof configRun>> | undefined,
  sessions: SessionResult[] | undefined,
): string[] {
  const lines: string[] = [];
  if (config) {
    lines.push(
      `config/globs: ${config.count} inputs, ${config.crashes.length} crashes, ${config.hangs.length} hangs, p50 ${percentile(config.times, 50).toFixed(2)} ms, p99 ${percentile(config.times, 99).toFixed(0)} ms, slowest ${config.slowest.ms.toFixed(0)} ms (${config.slowest.name})`,
    );
    for (const c of [...config.crashes, ...config.hangs].slice(0, 20)) lines.push(`CONFIG ${c}`);
  }
  if (sessions) {
    const times = sessions.map((s) => s.ms).sort((a, b) => a - b);
    const bad = sessions.filter((s) => s.crash || s.hang);
    lines.push(
      `protocol: ${sessions.length} sessions, ${sessions.filter((s) => s.crash).length} crashes, ${sessions.filter((s) => s.hang).length} hangs, p50 ${percentile(times, 50).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms per session`,
    );
    for (const s of bad.slice(0, 20)) lines.push(`PROTOCOL ${s.name}: ${s.crash ?? s.hang}`);
  }
  return lines;
}

const seedsCache = loadSeeds();

async function serverRun(
  inputs: FuzzInput[],
): Promise<{ failures: TargetFailure[]; times: { name: string; ms: number }[] }> {
  const failures: TargetFailure[] = [];
  const times: { name: string; ms: number }[] = [];
  // Batches of 100 on one server each: a dead server is a failure, and the next batch gets a fresh one.
  for (let i = 0; i < inputs.length; i += 100) {
    const client = new LspClient();
    try {
      // Under load (six sessions on two cores) a server can take longer than LspClient's 20 s to start:
      // the bound is for a hang, and a server that never answers is a failure of its batch, not of the run.
      try {
        await client.request(
          'initialize',
          { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null },
          300_000,
        );
        client.notify('initialized', {});
      } catch (err) {
        failures.push({
          input: `batch ${i / 100}`,
          target: 'server',
          message: `initialize: ${err instanceof Error ? err.message : String(err)}`,
        });
        continue;
      }
      const r = await runServerInputs(client, inputs.slice(i, i + 100), SEED + i);
      failures.push(...r.failures);
      times.push(...r.times);
    } finally {
      await client.shutdown();
    }
    console.error(`server: ${Math.min(i + 100, inputs.length)}/${inputs.length}`);
  }
  return { failures, times };
}

async function main(): Promise<void> {
  const started = Date.now();
  if (ONLY === 'config' || ONLY === 'protocol') {
    const lines = issue16Lines(
      ONLY === 'config' ? await configRun() : undefined,
      ONLY === 'protocol' ? await protocolRun() : undefined,
    );
    console.log(
      [`fuzz long (${ONLY}): seed ${SEED}, ${((Date.now() - started) / 60000).toFixed(1)} min`, ...lines].join('\n'),
    );
    process.exit(lines.some((l) => /^(CONFIG|PROTOCOL) /.test(l)) ? 1 : 0);
  }
  console.error(`seeds: ${seedsCache.length} files; ${COUNT} inputs, seed ${SEED}, heavy rate ${HEAVY}`);
  const indices = Array.from({ length: COUNT }, (_, i) => i);
  const [analyser, server, cli, config, sessions] = await Promise.all([
    analyserRun(),
    serverRun(indices.filter((i) => i % 10 === 0).map((i) => makeInput(seedsCache, SEED, i, HEAVY))),
    (async () => {
      const failures: TargetFailure[] = [];
      const picked = indices.filter((i) => i % 25 === 0);
      let ms = 0;
      for (let b = 0; b < picked.length; b += 40) {
        const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-fuzz-long-'));
        const r = await runCliBatch(
          picked.slice(b, b + 40).map((i) => makeInput(seedsCache, SEED, i, HEAVY)),
          dir,
        );
        failures.push(...r.failures);
        ms += r.ms;
      }
      return { files: picked.length, failures, ms };
    })(),
    configRun(),
    protocolRun(),
  ]);
  const { rows, hangs, rejections, workerDeaths } = analyser;
  const analysed = rows.filter((r) => !r.skipped);
  const crashes = rows.filter((r) => r.crash);
  const ruleFailures = rows.filter((r) => r.ruleFailures.length > 0);
  const sorted = analysed.map((r) => r.ms).sort((a, b) => a - b);
  const slowest = analysed.reduce((a, b) => (b.ms > a.ms ? b : a));
  const big = analysed.filter((r) => r.bytes > 100_000);
  const perMb = big.length ? big.reduce((a, b) => (b.ms / b.bytes > a.ms / a.bytes ? b : a)) : undefined;
  const serverSorted = server.times.map((t) => t.ms).sort((a, b) => a - b);
  const serverSlowest = server.times.reduce((a, b) => (b.ms > a.ms ? b : a), { name: '-', ms: 0 });
  const lines = [
    `fuzz long: seed ${SEED}, ${seedsCache.length} seed files, ${((Date.now() - started) / 60000).toFixed(1)} min`,
    `analyser: ${COUNT} inputs (${analysed.length} analysed, ${rows.length - analysed.length} above the 5 MB limit), ${crashes.length} crashes, ${ruleFailures.length} with rule failures, ${hangs.length} hangs, ${workerDeaths.length} worker deaths, ${rejections.length} unhandled rejections`,
    `analyser time: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, slowest ${slowest.ms.toFixed(0)} ms (${slowest.name}, ${(slowest.bytes / 1e6).toFixed(2)} MB), worst per MB (inputs over 100 KB) ${perMb ? `${(((perMb.ms / perMb.bytes) * 1e6) / 1000).toFixed(1)} s/MB (${perMb.name})` : '-'}`,
    `server: ${server.times.length} inputs (open + 3 edits + request), ${server.failures.length} failures, p50 ${percentile(serverSorted, 50).toFixed(0)} ms, p99 ${percentile(serverSorted, 99).toFixed(0)} ms, slowest ${serverSlowest.ms.toFixed(0)} ms (${serverSlowest.name})`,
    `cli: ${cli.files} files in ${Math.ceil(cli.files / 40)} runs, ${cli.failures.length} failures, ${(cli.ms / 1000).toFixed(0)} s`,
  ];
  lines.push(...issue16Lines(config, sessions));
  for (const c of crashes.slice(0, 20)) lines.push(`CRASH ${c.name}: ${c.crash}`);
  for (const r of ruleFailures.slice(0, 20)) lines.push(`RULE ${r.name}: ${r.ruleFailures[0]}`);
  for (const h of hangs) lines.push(`HANG ${h}`);
  for (const d of workerDeaths) lines.push(`DIED ${d}`);
  for (const r of rejections.slice(0, 20)) lines.push(`REJECTION ${r}`);
  for (const f of [...server.failures, ...cli.failures].slice(0, 40))
    lines.push(`${f.target.toUpperCase()} ${f.input}: ${f.message}`);
  console.log(lines.join('\n'));
  const bad =
    crashes.length +
    ruleFailures.length +
    hangs.length +
    workerDeaths.length +
    rejections.length +
    server.failures.length +
    cli.failures.length +
    config.crashes.length +
    config.hangs.length +
    sessions.filter((s) => s.crash || s.hang).length;
  process.exit(bad === 0 ? 0 : 1);
}

void main();
