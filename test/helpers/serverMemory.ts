import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Preloaded into a process to measure it (see the file's header); the bench uses it too. */
export const PROBE = path.join(__dirname, 'probe.cjs');

/** What the probe records: memory (after a full GC when asked by signal) and CPU time. */
export interface ProbeSnapshot {
  pid: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  maxRss: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  /** Linux: the busiest threads and their CPU time. */
  threads?: { name: string; cpuMs: number }[];
}

/**
 * A language server's memory measured after a full GC in it. RSS read at an arbitrary moment holds whatever
 * garbage the collector has not reached yet, which depends on the machine's load, not on what the server
 * keeps: spawn the server with `nodeArgs` and `env` from here, then `afterGc(pid)`.
 */
export class ServerMemoryProbe {
  readonly nodeArgs = ['--require', PROBE];
  readonly env: Record<string, string>;
  private readonly prefix: string;
  private seq = 0;

  constructor(dir = mkdtempSync(path.join(os.tmpdir(), 'pipelint-probe-'))) {
    mkdirSync(dir, { recursive: true });
    this.prefix = path.join(dir, `probe-${String(process.pid)}`);
    this.env = { PIPELINT_BENCH_PROBE: this.prefix, PIPELINT_BENCH_PROBE_SIGNAL: '1' };
  }

  /** Runs a full GC in the process and reads its memory (the probe answers SIGUSR2 with a file). */
  async afterGc(pid: number): Promise<ProbeSnapshot> {
    const file = `${this.prefix}.${String(pid)}.${String(++this.seq)}.json`;
    process.kill(pid, 'SIGUSR2');
    for (let i = 0; i < 1000 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
    // The probe writes the file in one call; a short wait lets a slow disk finish it.
    await new Promise((r) => setTimeout(r, 20));
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as ProbeSnapshot;
    rmSync(file);
    return snapshot;
  }
}
