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
      fits: number;
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
      fits: v.fits.length,
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

/** Puts back what `saveState` saw (fits are only ever appended: the ones made since are dropped). */
export function restoreState(s: SavedState): Mutable {
  if ('inst' in s) {
    const inst = s.inst;
    inst.fits.length = s.fits;
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
