import type { Data, FitRecord, Inst, InstKind, SplitRecord, StatValue, Value } from './values';

/**
 * The values the analysis changes after making them: an instance gets fits and fields, a split its sides, votes
 * and input, a statistic its fit. The data flow of an open document keeps what these held at a checkpoint (before
 * a top-level statement) and puts it back when the next version starts again from there (interpreter.ts).
 */
export type Mutable = Inst | SplitRecord | StatValue;

/** What a mutable value held at a checkpoint. */
export type SavedState =
  | {
      inst: Inst;
      fits: FitRecord[];
      fields: [string, Value | undefined][] | undefined;
      kind: InstKind;
      composite: boolean;
      guessed: boolean | undefined;
      parts: Inst[];
    }
  | {
      split: SplitRecord;
      input: Data;
      sides: (0 | 1)[];
      trainSide: 0 | 1 | undefined;
      votes: [number, number];
      heldOut: 'test' | 'val' | undefined;
    }
  | { stat: StatValue; fit: FitRecord | undefined };

export function saveState(v: Mutable): SavedState {
  if ('t' in v && v.t === 'inst')
    return {
      inst: v,
      fits: v.fits.slice(),
      fields: v.fields && [...v.fields],
      kind: v.kind,
      composite: v.composite,
      guessed: v.guessed,
      parts: v.parts,
    };
  if ('t' in v) return { stat: v, fit: v.fit };
  return {
    split: v,
    input: v.input,
    sides: [...v.sides],
    trainSide: v.trainSide,
    votes: [v.fitVotes[0], v.fitVotes[1]],
    heldOut: v.heldOut,
  };
}

/**
 * Puts back what `saveState` saw. Whole contents, not lengths: an earlier checkpoint put back may have dropped
 * fits that a later one holds.
 */
export function restoreState(s: SavedState): Mutable {
  if ('inst' in s) {
    const inst = s.inst;
    inst.fits.length = 0;
    inst.fits.push(...s.fits);
    if (s.fields) inst.fields = new Map(s.fields);
    inst.kind = s.kind;
    inst.composite = s.composite;
    // Optional fields are set only when they differ: one set where the value has none would change its shape.
    if (inst.guessed !== s.guessed) inst.guessed = s.guessed;
    inst.parts = s.parts;
    return inst;
  }
  if ('stat' in s) {
    if (s.stat.fit !== s.fit) s.stat.fit = s.fit;
    return s.stat;
  }
  const split = s.split;
  split.input = s.input;
  split.sides = new Set(s.sides);
  if (split.trainSide !== s.trainSide) split.trainSide = s.trainSide;
  split.fitVotes = [s.votes[0], s.votes[1]];
  if (split.heldOut !== s.heldOut) split.heldOut = s.heldOut;
  return split;
}

/** Whether the value holds what `saveState` saw (the same fits, fields, sides, votes...). */
export function holdsState(s: SavedState): boolean {
  if ('inst' in s) {
    const inst = s.inst;
    if (inst.kind !== s.kind || inst.composite !== s.composite || inst.fits.length !== s.fits.length) return false;
    for (let i = 0; i < s.fits.length; i++) if (inst.fits[i] !== s.fits[i]) return false;
    if (inst.guessed !== s.guessed || inst.parts !== s.parts) return false;
    if (!s.fields) return true;
    if (!inst.fields || inst.fields.size !== s.fields.length) return false;
    let i = 0;
    for (const [k, v] of inst.fields) {
      const [k0, v0] = s.fields[i++];
      if (k !== k0 || v !== v0) return false;
    }
    return true;
  }
  if ('stat' in s) return s.stat.fit === s.fit;
  const split = s.split;
  if (split.input !== s.input || split.trainSide !== s.trainSide || split.heldOut !== s.heldOut) return false;
  if (split.fitVotes[0] !== s.votes[0] || split.fitVotes[1] !== s.votes[1]) return false;
  if (split.sides.size !== s.sides.length) return false;
  let i = 0;
  for (const side of split.sides) if (side !== s.sides[i++]) return false;
  return true;
}

/** The value `saveState` saw. */
export function savedValue(s: SavedState): Mutable {
  return 'inst' in s ? s.inst : 'stat' in s ? s.stat : s.split;
}
