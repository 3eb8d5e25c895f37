import { statSync } from 'node:fs';
import os from 'node:os';
import { MessageChannel, Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Engine } from '../analysis/engine';
import type { Severity } from '../model/finding';
import { buildWorkspace } from './workspace';
import { WorkspaceIndex, type FileSummary } from '../workspace/index';
import { NotebookProgram } from '../notebook';
import { checkFile, type CheckError, type CheckOptions, type FileResult } from './check';
import { CheckPolicies, type PolicyFlags } from './policy';
import type { WalkedFile } from '../source/walk';

/**
 * `pipelint check` over many files on worker threads. Each worker takes a share of the files (balanced by
 * size) and works in two phases, exactly like the sequential run: (1) lower its files and summarise what they
 * save and load; the main thread merges the summaries, in file order, into the workspace index and sends it
 * back; (2) analyse its files against that index (reusing the lowerings of phase 1). Results come back in
 * the order of the files, so the output is the one of a sequential run.
 */

export type BaseOptions = Omit<CheckOptions, 'analyze' | 'finish'>;

export interface FileOutcome {
  result: FileResult | CheckError;
  failOn?: Severity;
  logs: string[];
}

interface WorkerInput {
  pipelintCheckWorker: true;
  flags: PolicyFlags;
  base: BaseOptions;
  files: { index: number; file: WalkedFile }[];
}

type WorkerMessage =
  | { t: 'summaries'; summaries: { index: number; summary: FileSummary }[] }
  | { t: 'result'; index: number; outcome: FileOutcome }
  | { t: 'done' }
  | { t: 'error'; message: string };

/** Files per worker below which a thread costs more than it saves (its start-up loads the parser). */
const MIN_FILES_PER_WORKER = 24;

/**
 * How many workers for `count` files: PIPELINT_WORKERS overrides (0 or 1: none), but never more than one
 * per CPU (each thread holds its own parser and engine, ~70 MB: 64 threads took 4.6 GB); only from the bundle.
 */
export function workerCount(count: number): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const env = process.env.PIPELINT_WORKERS;
  if (env !== undefined && env !== '') return Math.min(Math.max(0, Math.floor(Number(env)) || 0), cpus, count);
  // Running from source (tests under tsx), a worker could not load this file.
  if (!__filename.endsWith('.js')) return 0;
  return Math.max(0, Math.min(cpus, 8, Math.floor(count / MIN_FILES_PER_WORKER)));
}

/** Analyses `files` on `workers` threads; resolves with one outcome per file, in order. */
export async function checkInWorkers(
  files: WalkedFile[],
  flags: PolicyFlags,
  base: BaseOptions,
  workers: number,
): Promise<FileOutcome[]> {
  // Largest first onto the least loaded worker.
  const sized = files.map((file, index) => {
    let size = 0;
    try {
      size = statSync(file.absolute).size;
    } catch {
      /* reported by checkFile */
    }
    return { index, file, size };
  });
  sized.sort((a, b) => b.size - a.size || a.index - b.index);
  const shares = Array.from({ length: workers }, () => ({
    load: 0,
    files: [] as { index: number; file: WalkedFile }[],
  }));
  for (const f of sized) {
    const least = shares.reduce((a, b) => (b.load < a.load ? b : a));
    least.files.push({ index: f.index, file: f.file });
    least.load += f.size + 2000;
  }
  for (const s of shares) s.files.sort((a, b) => a.index - b.index);

  const outcomes = new Array<FileOutcome | undefined>(files.length);
  const summaries = new Array<FileSummary | undefined>(files.length);
  // The first share runs on this thread (its bundle is loaded already), the others on new threads.
  const used = shares.filter((s) => s.files.length > 0);
  const local = new MessageChannel();
  const threads: (Worker | MessagePort)[] = [local.port2];
  for (const s of used.slice(1))
    threads.push(
      new Worker(__filename, {
        workerData: { pipelintCheckWorker: true, flags, base, files: s.files } satisfies WorkerInput,
      }),
    );
  void runShare({ pipelintCheckWorker: true, flags, base, files: used[0]?.files ?? [] }, local.port1);
  let pendingSummaries = threads.length;
  try {
    await Promise.all(
      threads.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.on('message', (m: WorkerMessage) => {
              if (m.t === 'summaries') {
                for (const s of m.summaries) summaries[s.index] = s.summary;
                if (--pendingSummaries === 0) {
                  // Every worker has summarised its files: the whole workspace, in file order.
                  const all = summaries.filter((s): s is FileSummary => !!s);
                  for (const t of threads) t.postMessage(all);
                }
              } else if (m.t === 'result') {
                // A notebook's cell map crossed the thread as plain data: give it its methods back.
                const r = m.outcome.result;
                if ('notebook' in r && r.notebook) Object.setPrototypeOf(r.notebook, NotebookProgram.prototype);
                outcomes[m.index] = m.outcome;
              } else if (m.t === 'done') resolve();
              else if (m.t === 'error') reject(new Error(m.message));
            });
            if (w instanceof Worker) {
              w.on('error', reject);
              w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with code ${code}`))));
            }
          }),
      ),
    );
  } finally {
    local.port1.close();
    // Workers are stopped; the in-thread share's port is just closed.
    await Promise.all(threads.filter((t) => t instanceof Worker).map((t) => t.terminate()));
    for (const t of threads) if (!(t instanceof Worker)) t.close();
  }
  return outcomes.map(
    (o, i) => o ?? { result: { path: files[i].display, message: 'cannot analyse: lost by a worker thread' }, logs: [] },
  );
}

/** The worker side (run when this bundle is loaded as a check worker). */
export function isCheckWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerInput> | null)?.pipelintCheckWorker === true;
}

export function runCheckWorker(): Promise<void> {
  return runShare(workerData as WorkerInput, parentPort!);
}

async function runShare(input: WorkerInput, port: MessagePort): Promise<void> {
  try {
    const policies = CheckPolicies.create(input.flags);
    if (typeof policies === 'string') throw new Error(policies);
    const walked = input.files.map((f) => f.file);
    const { engine } = await buildWorkspace(await Engine.create(), walked).then(({ engine, workspace }) => {
      const summaries: { index: number; summary: FileSummary }[] = [];
      for (const f of input.files) {
        const summary = workspace.summary(f.file.display);
        if (summary) summaries.push({ index: f.index, summary });
      }
      port.postMessage({ t: 'summaries', summaries } satisfies WorkerMessage);
      return { engine };
    });
    const all = await new Promise<FileSummary[]>((resolve) => port.once('message', resolve));
    const workspace = new WorkspaceIndex();
    for (const s of all) workspace.update(s);
    for (const { index, file } of input.files) {
      const logs: string[] = [];
      const policy = policies.forFile(file, input.base, (m) => logs.push(m));
      const result = await checkFile(engine, file, {
        ...policy.options,
        analyze: { ...policy.options.analyze, workspace },
      });
      port.postMessage({
        t: 'result',
        index,
        outcome: { result, failOn: 'findings' in result ? policy.failOn : undefined, logs },
      } satisfies WorkerMessage);
    }
    port.postMessage({ t: 'done' } satisfies WorkerMessage);
  } catch (err) {
    port.postMessage({
      t: 'error',
      message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    } satisfies WorkerMessage);
  }
}
