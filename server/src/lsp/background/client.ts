import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackgroundDrop, BackgroundRequest, BackgroundResult } from './protocol';

/**
 * Documents at least this large are lowered and analysed on the analysis thread (a 2.0 MB script took
 * 1.8 s of CPU per keystroke, during which the server answered nothing). PIPELINT_BACKGROUND_KB overrides
 * it (0: every document; tests run the whole analysis path through the thread that way).
 */
export const BACKGROUND_MIN_KB = 256;

export function backgroundMinBytes(): number {
  const raw = process.env.PIPELINT_BACKGROUND_KB;
  const kb = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return (Number.isFinite(kb) && kb >= 0 ? kb : BACKGROUND_MIN_KB) * 1024;
}

type Request = Omit<BackgroundRequest, 't' | 'id'>;

/** The result of a request, or `superseded` when a newer text of the same slot replaced it before it started. */
export type BackgroundOutcome = BackgroundResult | { t: 'superseded' };

interface Pending {
  request: Request;
  resolve: (outcome: BackgroundOutcome) => void;
}

/**
 * The server's side of the analysis thread: one thread, started on first use, one request at a time. Of the
 * requests waiting for a slot only the newest is sent: a burst of keystrokes during a long analysis costs
 * one more analysis, not one per keystroke.
 */
export class BackgroundAnalyzer {
  private worker: Worker | undefined;
  private nextId = 1;
  private running: { id: number; resolve: (outcome: BackgroundOutcome) => void } | undefined;
  /** Waiting requests by slot, in arrival order. */
  private readonly waiting = new Map<string, Pending>();

  constructor(
    private readonly script: string,
    private readonly log: (message: string) => void,
  ) {}

  /** The thread's bundle next to the server's (dist/analysis-worker.js); none when running from source. */
  static script(serverFile: string): string | undefined {
    if (!serverFile.endsWith('.js')) return undefined;
    const script = path.join(path.dirname(serverFile), 'analysis-worker.js');
    return existsSync(script) ? script : undefined;
  }

  analyze(request: Request): Promise<BackgroundOutcome> {
    return new Promise((resolve) => {
      const replaced = this.waiting.get(request.slot);
      if (replaced) {
        this.waiting.delete(request.slot);
        replaced.resolve({ t: 'superseded' });
      }
      this.waiting.set(request.slot, { request, resolve });
      this.pump();
    });
  }

  /** Forgets a slot's state in the thread (its document closed). */
  drop(slot: string): void {
    const pending = this.waiting.get(slot);
    if (pending) {
      this.waiting.delete(slot);
      pending.resolve({ t: 'superseded' });
    }
    this.worker?.postMessage({ t: 'drop', slot } satisfies BackgroundDrop);
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private pump(): void {
    if (this.running) return;
    const next = this.waiting.entries().next();
    if (next.done) return;
    const [slot, { request, resolve }] = next.value;
    this.waiting.delete(slot);
    const id = this.nextId++;
    this.running = { id, resolve };
    this.thread().postMessage({ t: 'analyze', id, ...request } satisfies BackgroundRequest);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // PIPELINT_BACKGROUND_HEAP_MB bounds the thread's heap (tests; a machine short of memory): a file that
    // needs more stops the thread, not the server.
    const heapMb = Number(process.env.PIPELINT_BACKGROUND_HEAP_MB ?? '');
    const worker = new Worker(
      this.script,
      Number.isFinite(heapMb) && heapMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {},
    );
    this.log(
      `pipelint: analysis thread started (documents of ${String(backgroundMinBytes() / 1024)} KB and more are analysed there)`,
    );
    worker.on('message', (m: BackgroundResult) => {
      if (this.running?.id !== m.id) return;
      const { resolve } = this.running;
      this.running = undefined;
      resolve(m);
      this.pump();
    });
    // A thread that died (out of memory, a crash) fails its request; the next request starts a new one.
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.log(`pipelint: the analysis thread stopped (${why}); it is restarted on the next analysis`);
      const running = this.running;
      this.running = undefined;
      running?.resolve({ t: 'failed', id: running.id, message: `the analysis thread stopped (${why})`, stopped: true });
      this.pump();
    };
    worker.on('error', (err) => {
      died(err.message);
    });
    worker.on('exit', (code) => {
      died(`exit code ${String(code)}`);
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
