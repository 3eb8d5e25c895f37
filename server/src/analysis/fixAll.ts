import { applyEdits } from '../fix/apply';
import type { Finding } from '../model/finding';

/** A fix may reveal or remove others: rounds run until none is left, and never more than this. */
export const MAX_FIX_ROUNDS = 10;

/** What one analysis of a text found; a driver may carry more (a notebook's cell map). */
export interface Analysed {
  findings: Finding[];
}

/** The text after the safe fixes of one round, and how many fixes it took. */
export interface Applied {
  text: string;
  applied: number;
}

/**
 * Fix-all, the one loop the CLI (`--fix`, `--diff`) and the editor (source.fixAll) share: applies every
 * safe fix, re-analyses the result, and goes on until no safe fix is left, a round changes nothing, or
 * MAX_FIX_ROUNDS have run. `analyze` must be pure (a scratch text is not the file on disk nor the open
 * document: it must not reach the workspace index). A generator: it yields before applying each round,
 * so that the editor can give other requests their turn and stop when the request is cancelled; the CLI
 * runs it through with `fixAllSync`.
 */
export function* fixAll<T extends Analysed>(
  text: string,
  first: T,
  analyze: (text: string) => T,
  apply: (text: string, safe: Finding[], state: T) => Applied,
): Generator<void, { text: string; fixed: number; state: T }> {
  let current = text;
  let state = first;
  let fixed = 0;
  for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
    const safe = state.findings.filter((f) => f.fix?.safety === 'safe');
    if (safe.length === 0) break;
    yield;
    const result = apply(current, safe, state);
    if (result.text === current) break;
    current = result.text;
    fixed += result.applied;
    state = analyze(current);
  }
  return { text: current, fixed, state };
}

/** Runs a `fixAll` to its end without yielding. */
export function fixAllSync<R>(rounds: Generator<void, R>): R {
  for (;;) {
    const step = rounds.next();
    if (step.done) return step.value;
  }
}

/** A round of a plain text (Python, TypeScript): every safe fix's edits at once. */
export function applySafeEdits(text: string, safe: Finding[]): Applied {
  return {
    text: applyEdits(
      text,
      safe.flatMap((f) => f.fix?.edits ?? []),
    ).text,
    applied: safe.length,
  };
}
