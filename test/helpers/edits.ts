/** Helpers of the editor-equivalence tests: seeded randomness and where to type. */

/** A seeded generator of numbers in [0, 1) (a linear congruential one: a failure replays from its seed). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Offsets just before the closing parenthesis of calls that end a line, `count` of them spread over the file. */
export function spots(text: string, count: number): number[] {
  const closes = [...text.matchAll(/\)\s*$/gm)].map((m) => m.index);
  if (closes.length === 0) return [];
  const step = Math.max(1, Math.floor(closes.length / count));
  return closes.filter((_, i) => i % step === 0).slice(0, count);
}
