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
 * memory is about linear in the node count (measured in bench/bigfile.ts: see MAX_IR_NODES); a file
 * above the limit is skipped before any of them is built.
 */

/** CPU time one file's analysis may take: this plus ANALYSIS_MS_PER_KB per KB of text. */
export const ANALYSIS_BUDGET_MS = 5000;
const ANALYSIS_MS_PER_KB = 10;

/**
 * IR nodes one file may have. Measured (bench/_mem figures in bench/RESULTS.md): a 2.0 MB scikit-learn
 * script lowers to 241,000 nodes, 20,000 lambdas (3.1 MB) to 620,000, a 1 MB literal list to 500,000; the
 * model takes about 370 bytes of heap per node and the analysis adds 50-220 more. 1.5 million nodes
 * bounds one file's model and analysis near 0.9 GB of heap: every real file under the default size
 * limits passes, a file that would take the process's whole heap does not. (tree-sitter's tree lives in
 * WASM memory, bounded by the file size limit, and that memory never shrinks: it is not counted here.)
 */
export const MAX_IR_NODES = 1_500_000;

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

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** How often (in checkpoints) the clock is read: process.cpuUsage costs about a microsecond. */
const CHECK_EVERY = 1024;

class Deadline {
  private ticks = 0;
  private readonly at: number;

  constructor(
    readonly budgetMs: number,
    private readonly now: () => number,
  ) {
    this.at = now() + budgetMs;
  }

  tick(): void {
    if (++this.ticks % CHECK_EVERY === 0) this.check();
  }

  check(): void {
    if (this.now() > this.at) throw AnalysisBudgetError.time(this.budgetMs);
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
