import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type Collect = (options: { type: 'minor' }) => void;

/**
 * Empties V8's young generation between keystrokes (issue 18). One keystroke's analysis of a 3,660-line
 * file allocates about 4 MB, so with V8's 16 MB young generation about one keystroke in four paid for a
 * scavenge of 2-10 ms inside its latency: that was the 95th percentile. Collected once the diagnostics
 * are out and nothing else waits, a keystroke starts with an empty young generation and no longer
 * meets a scavenge; the collections cost about what the scavenges cost, outside any latency.
 *
 * The collector is reached the way jest's leak detector reaches it (the flag, then a new context), so the
 * server needs no command-line flag from the editor that starts it; without it, nothing is collected.
 */
export class IdleCollector {
  private pending: NodeJS.Immediate | undefined;
  /** Young-generation bytes in use after the last look, and what one keystroke's work allocated lately. */
  private usedAfterLast = 0;
  private perWork = 0;

  /** V8's collector and young generation by default; tests give their own to follow the decisions. */
  constructor(
    private readonly collect: Collect | undefined = exposeCollector(),
    private readonly youngGeneration: () => YoungGeneration | undefined = v8YoungGeneration,
  ) {}

  get available(): boolean {
    return this.collect !== undefined;
  }

  /**
   * Called after diagnostics were sent. The look runs on a later turn of the event loop, after the messages
   * that have arrived meanwhile were read, and only if `busy()` says no analysis waits (a newer version is
   * analysed first, and its own publication asks again). It collects only when the young generation has
   * less room left than one and a half times what a piece of work allocated lately, so a small file's
   * keystrokes are collected every few keystrokes, a large file's after each.
   */
  afterPublish(busy: () => boolean): void {
    if (!this.collect || this.pending) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      if (busy()) return;
      const young = this.youngGeneration();
      if (!young) return;
      // A scavenge since the last look makes the difference meaningless: keep the last estimate.
      if (young.used >= this.usedAfterLast) this.perWork = Math.max(young.used - this.usedAfterLast, this.perWork / 2);
      if (young.available < this.perWork * 1.5) {
        this.collect!({ type: 'minor' });
        this.usedAfterLast = this.youngGeneration()?.used ?? 0;
      } else this.usedAfterLast = young.used;
    });
  }
}

/** Bytes in use in the young generation, and bytes left before it must be collected. */
export interface YoungGeneration {
  used: number;
  available: number;
}

function v8YoungGeneration(): YoungGeneration | undefined {
  for (const space of getHeapSpaceStatistics())
    if (space.space_name === 'new_space') return { used: space.space_used_size, available: space.space_available_size };
  return undefined;
}

function exposeCollector(): Collect | undefined {
  const existing = (globalThis as { gc?: Collect }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    const collect: unknown = runInNewContext('gc');
    setFlagsFromString('--no-expose-gc');
    return typeof collect === 'function' ? (collect as Collect) : undefined;
  } catch {
    return undefined;
  }
}
