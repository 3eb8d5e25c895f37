import os from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';
import type { MessagePort, Worker } from 'node:worker_threads';
import { Engine } from '../analysis/engine';
import { WorkspaceIndex, type FileSummary } from '../workspace/index';
import { NotebookProgram } from '../notebook';
import { CheckPolicies, type PolicyFlags } from './policy';
import { checkShare, type BaseOptions, type FileOutcome, type ShareFile } from './stream';
import type { WalkedFile } from '../source/walk';

export type { BaseOptions, FileOutcome } from './stream';

/**
 * `pipelint check` over many files on worker threads. Each worker takes a share of the files (balanced by
 * size) and runs the one-pass check of stream.ts on it: its summaries go to the main thread, which merges
 * them in file order into the workspace index and sends it back for the few files whose rules asked about
 * other files. Results come back in the order of the files, so the output is the one of a sequential run.
 */

/**
 * node:worker_threads, loaded only when workers run: a one-thread check does without it (8M instructions,
 * 3-30 ms to load on this VM).
 */
function workerThreads(): typeof WorkerThreads {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a check on worker threads
  return require('node:worker_threads') as typeof WorkerThreads;
}

/** The argument check workers get: a thread tells whether it is one without loading node:worker_threads. */
const WORKER_ARG = '--pipelint-check-worker';

interface WorkerInput {
  pipelintCheckWorker: true;
  flags: PolicyFlags;
  base: BaseOptions;
  files: ShareFile[];
}

type WorkerMessage =
  | { t: 'summaries'; summaries: { index: number; summary: FileSummary }[] }
  | { t: 'result'; index: number; outcome: FileOutcome }
  | { t: 'done' }
  | { t: 'error'; message: string };

/**
 * Bytes of source a thread must have to parse before a worker pays for its start-up (its own bundle,
 * parser and knowledge: about 0.3 s of CPU): the 285 scikit-learn examples (1.45 MB) stay on one thread,
 * 2,000 files use the cores.
 */
const BYTES_PER_WORKER = 2_000_000;

/**
 * How many threads for `count` files of `bytes` bytes in all: PIPELINT_WORKERS overrides (0 or 1: one
 * thread), but never more than one per CPU (each thread holds its own parser and engine, ~70 MB: 64
 * threads took 4.6 GB); only from the bundle.
 */
export function workerCount(count: number, bytes: number | (() => number) = Infinity): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const env = process.env.PIPELINT_WORKERS;
  if (env !== undefined && env !== '') return Math.min(Math.max(0, Math.floor(Number(env)) || 0), cpus, count);
  // Running from source (tests under tsx), a worker could not load this file.
  if (!__filename.endsWith('.js')) return 0;
  const limit = Math.min(cpus, 8, count);
  if (limit <= 1) return 0;
  // The bytes are counted (a stat per file) only when the count depends on them.
  return Math.min(limit, Math.floor((typeof bytes === 'number' ? bytes : bytes()) / BYTES_PER_WORKER));
}

/** Analyses `files` on `workers` threads; resolves with one outcome per file, in order. */
export async function checkInWorkers(
  files: WalkedFile[],
  sizes: number[],
  flags: PolicyFlags,
  base: BaseOptions,
  workers: number,
): Promise<FileOutcome[]> {
  // Largest first onto the least loaded worker.
  const sized = files.map((file, index) => ({ index, file, size: sizes[index] }));
  sized.sort((a, b) => b.size - a.size || a.index - b.index);
  const shares = Array.from({ length: workers }, () => ({
    load: 0,
    files: [] as ShareFile[],
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
  const { MessageChannel, Worker } = workerThreads();
  const local = new MessageChannel();
  const threads: (Worker | MessagePort)[] = [local.port2];
  for (const s of used.slice(1))
    threads.push(
      new Worker(__filename, {
        argv: [WORKER_ARG],
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
  if (process.argv[2] !== WORKER_ARG) return false;
  const threads = workerThreads();
  return !threads.isMainThread && (threads.workerData as Partial<WorkerInput> | null)?.pipelintCheckWorker === true;
}

export function runCheckWorker(): Promise<void> {
  const threads = workerThreads();
  return runShare(threads.workerData as WorkerInput, threads.parentPort!);
}

async function runShare(input: WorkerInput, port: MessagePort): Promise<void> {
  try {
    const policies = CheckPolicies.create(input.flags);
    if (typeof policies === 'string') throw new Error(policies);
    await checkShare(await Engine.create(), input.files, policies, input.base, {
      async exchange(summaries) {
        port.postMessage({ t: 'summaries', summaries } satisfies WorkerMessage);
        const all = await new Promise<FileSummary[]>((resolve) => port.once('message', resolve));
        const workspace = new WorkspaceIndex();
        for (const s of all) workspace.update(s);
        return workspace;
      },
      emit(index, outcome) {
        port.postMessage({ t: 'result', index, outcome } satisfies WorkerMessage);
      },
    });
    port.postMessage({ t: 'done' } satisfies WorkerMessage);
  } catch (err) {
    port.postMessage({
      t: 'error',
      message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    } satisfies WorkerMessage);
  }
}
