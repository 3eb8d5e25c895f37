import type { CallExpr } from '../model/calls';
import type { Expr, Range, ScopeId, Stmt } from '../model/ir';

/** A save or load of a model found in the module (by `knowledge/persistence.ts`). */
export interface PersistenceSite {
  kind: 'save' | 'load';
  api: string;
  pickles: boolean;
  call: CallExpr;
  scope: ScopeId;
  /** The saved object (saves only). */
  object?: Expr;
  /** The file name or file handle argument. */
  destination?: Expr;
}

/**
 * The abstract values of the lineage analysis (dataflow/lineage.ts): data with where it comes from,
 * estimator instances with what they were fitted on, and the few containers the rules need.
 */

/** Where a piece of data comes from, before splits are resolved. */
/**
 * `unknown`: parameters of functions nobody in the file calls (their fits still count for SKL303).
 * `test` / `val`: a separate file or frame named as test (holdout, submission) or validation data.
 */
export type Base = 'raw' | 'inference' | 'mixed' | 'unknown' | 'test' | 'val';

/** Resolved origin: `val` is the held-out part of a split of training data. */
export type Origin = Base | 'train' | 'test' | 'val';

/** A split of one piece of data into two sides (0 and 1); which side is training is resolved later. */
export interface SplitRecord {
  id: number;
  kind: 'train_test_split' | 'cv' | 'slice' | 'sample';
  site: Expr;
  scope: ScopeId;
  seq: number;
  input: Data;
  /** Sides produced so far: a slice split is a split only once both halves were taken. */
  sides: Set<0 | 1>;
  /** Side that is the training part (fixed for train_test_split and CV; usage decides for slices). */
  trainSide?: 0 | 1;
  /** Slices: the side each predictor was fitted on (votes for `trainSide`). */
  fitVotes: [number, number];
  /**
   * What the held-out side is when the input is whole data: a split of the training file while a
   * separate test file exists holds out validation data, not the test set (resolved after the run).
   */
  heldOut?: 'test' | 'val';
}

export interface Data {
  t: 'data';
  base: Base;
  /** Identities of the raw sources (loaded files, datasets) this data derives from. */
  roots: ReadonlySet<number>;
  /**
   * The side of a split this data is (or derives from); `arg` is the position of the array among the
   * split's inputs (`X` 0, `y` 1 in `train_test_split(X, y)`), which tells the X_train twin from y_train.
   */
  part?: { split: SplitRecord; side: 0 | 1; arg?: number };
  /** Instances whose transform produced (part of) this data, in order. */
  transformedBy: readonly Inst[];
  /** The fits whose state those transforms applied (the instance's last fit at the time). */
  via: readonly FitRecord[];
  /** Oversampling that produced (part of) this data. */
  resampledBy: readonly ResampleRecord[];
  /** Predictions of these instances (the data is an output of predict...). */
  predictedBy?: Inst;
}

/** Row indices of one side of a CV split (`for train_idx, test_idx in kf.split(X)`). */
export interface IndexValue {
  t: 'index';
  split: SplitRecord;
  side: 0 | 1;
}

export type InstKind =
  | 'transformer'
  | 'predictor'
  /** A search or a class with a `cv` parameter: its fit cross-validates. */
  | 'search'
  | 'splitter'
  | 'resampler'
  /** Loaded from disk: what it holds is known only through the workspace index. */
  | 'loaded'
  | 'other';

export interface Inst {
  t: 'inst';
  id: number;
  qname: string;
  kind: InstKind;
  /** Learns nothing from the data (FunctionTransformer, Normalizer...). */
  stateless: boolean;
  /** LabelEncoder & co: learns only the set of labels. */
  labelEncoder: boolean;
  composite: boolean;
  /** Steps of a Pipeline / ColumnTransformer / FeatureUnion and estimators of a meta-estimator. */
  parts: Inst[];
  ctor: Expr;
  scope: ScopeId;
  fits: FitRecord[];
  load?: PersistenceSite;
  /**
   * Not an estimator object: a statistic of the data (`df.mean()`, `np.mean(x)`) that changed rows when
   * applied (`fillna`, arithmetic, `map`), or a function-style fit (`preprocessing.scale(X)`).
   */
  implicit?: 'statistic' | 'function';
  /** An instance of a class of this file: its methods run with `self` bound to it, its fields hold values. */
  userClass?: number;
  fields?: Map<string, Value | undefined>;
  /** A class the knowledge does not know (xgboost, keras, sklearn_pandas...): its kind is guessed from its name. */
  guessed?: boolean;
}

export interface FitRecord {
  inst: Inst;
  call: CallExpr;
  /** The method name as written (fit, fit_transform, fitTransform...). */
  method: string;
  /** The library concept the method stands for (scikit.js `fitTransform` is `fit_transform`): what rules test. */
  concept: string;
  X?: Data;
  y?: Data;
  scope: ScopeId;
  seq: number;
}

/** A statistic of some data, not applied yet: it becomes a fit when it changes rows (`fillna(df.mean())`). */
export interface StatValue {
  t: 'stat';
  inst: Inst;
  call: CallExpr;
  X: Data;
  scope: ScopeId;
  /** The fit record, created on first application. */
  fit?: FitRecord;
}

export interface TransformRecord {
  inst: Inst;
  call: CallExpr;
  X?: Data;
  scope: ScopeId;
  seq: number;
}

export interface PredictRecord {
  inst?: Inst;
  call: CallExpr;
  X?: Data;
  scope: ScopeId;
  seq: number;
}

export interface CvRecord {
  call: CallExpr;
  X: Data;
  scope: ScopeId;
  seq: number;
}

export interface ResampleRecord {
  id: number;
  call: CallExpr;
  X?: Data;
  scope: ScopeId;
  seq: number;
  api: string;
}

export interface SaveRecord {
  site: PersistenceSite;
  value: Value | undefined;
  scope: ScopeId;
  seq: number;
}

export interface LoadRecord {
  site: PersistenceSite;
  inst: Inst;
  scope: ScopeId;
  seq: number;
}

/** A score of a model on some data (`model.score(X_test, y_test)`, `accuracy_score(y_test, pred)`). */
export interface Score {
  t: 'score';
  call: CallExpr;
  data: Data[];
  scope: ScopeId;
  /** Computed inside a loop or comprehension: one of several candidates. */
  inLoop: boolean;
}

/** A collection of scores (`scores.append(s)`, `results[name] = s`, a comprehension of scores). */
export interface ScoreBag {
  t: 'scores';
  scores: Score[];
  /** `max(scores)` without `key=`: the best value, reported; it selects only when it finds its candidate (`scores.index(max(scores))`). */
  extreme?: CallExpr;
}

export interface SelectionRecord {
  /** The `if` comparing scores or the `max(...)` / `argmax(...)` picking the best. */
  site: Range;
  scores: Score[];
  scope: ScopeId;
  seq: number;
}

export interface TupleValue {
  t: 'tuple';
  items: (Value | undefined)[];
}

export interface DictValue {
  t: 'dict';
  entries: { key?: string; value: Value | undefined }[];
}

export interface CvSplits {
  t: 'cvsplits';
  split: SplitRecord;
}

export type Value = Data | IndexValue | Inst | Score | ScoreBag | TupleValue | DictValue | CvSplits | StatValue;

export interface LineageResult {
  fits: FitRecord[];
  transforms: TransformRecord[];
  predicts: PredictRecord[];
  splits: SplitRecord[];
  cvs: CvRecord[];
  resamples: ResampleRecord[];
  saves: SaveRecord[];
  loads: LoadRecord[];
  selections: SelectionRecord[];
  /** Roots of data read from a file or frame named as test / validation data. */
  testRoots: ReadonlySet<number>;
  /** The statement each call belongs to (for fixes that rewrite statements). */
  stmtOf: Map<CallExpr, { stmt: Stmt; scope: ScopeId; block: Stmt[] }>;
}

export function emptyData(base: Base, roots: ReadonlySet<number>): Data {
  return { t: 'data', base, roots, transformedBy: [], via: [], resampledBy: [] };
}

/** Training, test, validation, raw, inference or mixed: a split side resolved against its split. */
export function originOf(d: Data): Origin {
  const part = effectivePart(d);
  if (!part) return d.part ? originOf(d.part.split.input) : d.base;
  const { split, side } = part;
  const trainSide = split.trainSide ?? 0;
  const parent = originOf(split.input);
  // A split of test or inference data leaves it test or inference data, whichever side.
  if (parent === 'test' || parent === 'val' || parent === 'inference') return parent;
  if (side === trainSide) return 'train';
  if (parent === 'train') return 'val';
  return split.heldOut ?? 'test';
}

/** The side of a real split this data is: a lone slice `X[:n]` keeps the part of the data it was taken from. */
export function effectivePart(d: Data): Data['part'] {
  let cur: Data = d;
  for (let i = 0; i < 20 && cur.part; i++) {
    if (isRealSplit(cur.part.split)) return cur.part;
    cur = cur.part.split.input;
  }
  return undefined;
}

/** Whether the split has really separated two sides (a lone `X[:n]` is a subset, not a split). */
export function isRealSplit(s: SplitRecord): boolean {
  return s.kind !== 'slice' && s.kind !== 'sample' ? true : s.sides.size === 2;
}

/** Data combined from several values (concatenation, arithmetic, derivation). */
export function combineData(list: Data[]): Data | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const roots = new Set<number>();
  const transformedBy: Inst[] = [];
  const resampledBy: ResampleRecord[] = [];
  const via: FitRecord[] = [];
  for (const d of list) {
    for (const f of d.via) if (!via.includes(f)) via.push(f);
    for (const r of d.roots) roots.add(r);
    for (const i of d.transformedBy) if (!transformedBy.includes(i)) transformedBy.push(i);
    for (const r of d.resampledBy) if (!resampledBy.includes(r)) resampledBy.push(r);
  }
  const first = list[0];
  const samePart = list.every((d) => d.part?.split === first.part?.split && d.part?.side === first.part?.side);
  const sameBase = list.every((d) => d.base === first.base);
  return {
    t: 'data',
    base:
      samePart && sameBase
        ? first.base
        : first.part || list.some((d) => d.part)
          ? 'mixed'
          : sameBase
            ? first.base
            : 'mixed',
    roots,
    part: samePart ? first.part : undefined,
    transformedBy,
    via,
    resampledBy,
  };
}

/** The variable at the root of `df['a'].str`, `df.loc[:, 'a']`, `self.df['a']` (not through calls). */
export function rootName(e: Expr): string | undefined {
  let cur = e;
  for (let i = 0; i < 10; i++) {
    if (cur.k === 'name') return cur.name;
    if (cur.k === 'subscript') cur = cur.object;
    else if (cur.k === 'attr') cur = cur.object;
    else return undefined;
  }
  return undefined;
}

export function union<T>(a: readonly T[], b: readonly T[]): T[] {
  const out = [...a];
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out;
}

/** Instances among values, looking into tuples, dicts and step lists (`[('scale', s), ('clf', m)]`). */
export function collectInsts(values: (Value | undefined)[], out: Inst[] = [], depth = 0): Inst[] {
  if (depth > 6) return out;
  for (const v of values) {
    if (!v) continue;
    if (v.t === 'inst') {
      if (!out.includes(v)) out.push(v);
    } else if (v.t === 'tuple') collectInsts(v.items, out, depth + 1);
    else if (v.t === 'dict')
      collectInsts(
        v.entries.map((en) => en.value),
        out,
        depth + 1,
      );
  }
  return out;
}

export function collectData(values: (Value | undefined)[]): Data[] {
  const out: Data[] = [];
  for (const v of values) {
    if (v?.t === 'data') out.push(v);
    else if (v?.t === 'tuple') out.push(...collectData(v.items));
  }
  return out;
}

/** Every instance reachable from a value (the value itself, bundle items, pipeline steps, meta-estimator parts). */
export function reachableInsts(v: Value | undefined): Set<Inst> {
  const out = new Set<Inst>();
  const stack: (Value | undefined)[] = [v];
  while (stack.length > 0) {
    const cur = stack.pop();
    if (!cur) continue;
    if (cur.t === 'inst') {
      if (out.has(cur)) continue;
      out.add(cur);
      stack.push(...cur.parts);
    } else if (cur.t === 'tuple') stack.push(...cur.items);
    else if (cur.t === 'dict') stack.push(...cur.entries.map((e) => e.value));
  }
  return out;
}
