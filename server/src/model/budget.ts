/**
 * The analysis budget of one file (issue 16): after the parse (which has its own budget, see python/),
 * Semantics, data flow and rules must finish within a CPU time and a model size, or the file is reported
 * and skipped, as a file too slow to parse is.
 *
 * Time: 5 s of CPU plus 1 s per 100 KB of text, the parse budget's formula. CPU time, not wall time, so
 * that a loaded machine does not skip files that analyse fine. JavaScript cannot be interrupted, so the
 * analysis checks the clock itself: between rules, and every few thousand name lookups (every rule and
 * the data flow resolve names through `Semantics.lookup`, so no loop of theirs runs long without it).
 *
 * Memory: one Node process has one heap, shared by every file and (in the server) every open document;
 * the only hard limit is the process's (--max-old-space-size), and reaching it kills the process. What
 * can be bounded per file is what the analysis's memory grows with: the number of IR nodes (statements,
 * expressions, functions). Semantics, the data flow and the rules keep a few maps keyed by them, so peak
 * memory is about linear in the node count (measured in bench/bigfile.ts: see MAX_IR_NODES in
 * source/limits.ts); a file
 * above the limit is skipped before any of them is built.
 */

import { openSync, readSync } from 'node:fs';
import { ANALYSIS_BUDGET_MS, ANALYSIS_MS_PER_KB, MAX_IR_NODES } from '../source/limits';

// The figures live with every other limit in source/limits.ts.
export { ANALYSIS_BUDGET_MS, MAX_IR_NODES };

/** PIPELINT_ANALYSIS_BUDGET_MS and PIPELINT_MAX_IR_NODES override the defaults (tests; a slower machine). */
function fromEnv(name: string): number | undefined {
  const raw = process.env[name];
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

export function maxIrNodes(): number {
  return fromEnv('PIPELINT_MAX_IR_NODES') ?? MAX_IR_NODES;
}

export function analysisBudgetFor(
  textLength: number,
  baseMs = fromEnv('PIPELINT_ANALYSIS_BUDGET_MS') ?? ANALYSIS_BUDGET_MS,
): number {
  return baseMs + Math.round((textLength / 1024) * ANALYSIS_MS_PER_KB);
}

/** The analysis of a file went over its budget: the file is reported and skipped. */
export class AnalysisBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisBudgetError';
  }

  static time(budgetMs: number): AnalysisBudgetError {
    return new AnalysisBudgetError(`too slow to analyse (over ${(budgetMs / 1000).toFixed(1)} s of CPU), skipped`);
  }

  static size(limit: number): AnalysisBudgetError {
    return new AnalysisBudgetError(`too large to analyse (over ${limit.toLocaleString('en-US')} model nodes), skipped`);
  }
}

/** This thread's stat file, opened once per thread (Linux); null where there is none. */
let threadStat: number | null | undefined;
const statBuffer = Buffer.alloc(1024);

/**
 * CPU time of the calling thread, in ms. process.cpuUsage counts every thread of the process, so the CLI's
 * workers and the server's analysis thread would use up each other's budgets. On Linux the calling thread's
 * own figure is in /proc/thread-self/stat (utime and stime, in 10 ms ticks), read through a file descriptor
 * opened by this thread (5 us a read; opening it each time took 76 us). Elsewhere: the process's CPU time.
 */
export function threadCpuMs(): number {
  if (threadStat === undefined) {
    try {
      threadStat = openSync('/proc/thread-self/stat', 'r');
    } catch {
      threadStat = null;
    }
  }
  if (threadStat !== null) {
    try {
      const text = statBuffer.toString('latin1', 0, readSync(threadStat, statBuffer, 0, statBuffer.length, 0));
      // Fields after the command name (which may hold spaces and parentheses): utime and stime are 12th and 13th.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number.isFinite(ticks)) return ticks * 10;
    } catch {
      threadStat = null;
    }
  }
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const cpuMs = threadCpuMs;

/**
 * Whether `budgetMs` of this thread's CPU time have passed since it was made. Reading it is a system call
 * (5-20 µs on this VM under load), and the parse's progress callback spent as long reading it as parsing.
 * A thread cannot have used more CPU than wall time has passed, so the CPU clock is read only once the
 * wall clock is past the budget (a test's own clock is read every time).
 */
export class CpuDeadline {
  private readonly wallStart = performance.now();
  private readonly at: number;

  constructor(
    readonly budgetMs: number,
    private readonly now: () => number = cpuMs,
  ) {
    this.at = (now === cpuMs ? startCpuMs(this.wallStart, budgetMs) : now()) + budgetMs;
  }

  passed(): boolean {
    if (this.now === cpuMs && performance.now() - this.wallStart < this.budgetMs) return false;
    return this.now() > this.at;
  }
}

/** This thread's last reading of its CPU clock at the start of a deadline, and when (wall clock). */
let lastStart: { wall: number; cpu: number } | undefined;

/**
 * The CPU clock at the start of a deadline. Reading it is a system call, 20-150 µs on this VM under load, and
 * the CLI starts two or three deadlines per file (parse, analysis, workspace summary): 190-220 reads and 29-45
 * ms per check of the 285 scikit-learn examples at load 5-7. So a reading taken a little earlier stands in,
 * plus the wall time since: the thread cannot have used more CPU than that, so the deadline is never early
 * (but for the clock's 10 ms ticks), and at most that little late: 2% of the budget, at most 100 ms.
 */
function startCpuMs(wall: number, budgetMs: number): number {
  const since = lastStart === undefined ? -1 : wall - lastStart.wall;
  if (lastStart !== undefined && since >= 0 && since < Math.min(100, budgetMs / 50)) return lastStart.cpu + since;
  const cpu = cpuMs();
  lastStart = { wall, cpu };
  return cpu;
}

/** How often (in checkpoints) the clock is read. */
const CHECK_EVERY = 1024;

class Deadline extends CpuDeadline {
  private ticks = 0;

  tick(): void {
    if (++this.ticks % CHECK_EVERY === 0) this.check();
  }

  check(): void {
    if (this.passed()) throw AnalysisBudgetError.time(this.budgetMs);
  }
}

let active: Deadline | undefined;

/**
 * Runs `work` under a CPU deadline; `checkpoint()` calls inside it throw AnalysisBudgetError once the
 * deadline has passed. Nested runs keep the outer deadline (the first analysis started owns the clock).
 */
export function withDeadline<T>(budgetMs: number, work: () => T, now: () => number = cpuMs): T {
  if (active) return work();
  active = new Deadline(budgetMs, now);
  try {
    return work();
  } finally {
    active = undefined;
  }
}

/** A point where a long analysis may be stopped (cheap: reads the clock every CHECK_EVERY calls). */
export function checkpoint(): void {
  active?.tick();
}

/** Reads the clock now (between rules). */
export function checkDeadline(): void {
  active?.check();
}
