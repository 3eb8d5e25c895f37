import type { CallExpr } from '../model/calls';
import type { Expr, FunctionIR, ModuleIR, ScopeId, Stmt } from '../model/ir';
import type { PersistenceSite } from './values';
import type { Semantics } from '../model/semantics';
import { offsetAt, textOf } from '../model/text';
import { holdsState, restoreState, savedValue, saveState, type Mutable, type SavedState } from './checkpoint';
import {
  collectData,
  combineData,
  emptyData,
  rootName,
  union,
  type Base,
  type Data,
  type Inst,
  type InstKind,
  type LineageResult,
  type Score,
  type ScoreBag,
  type SplitRecord,
  type StatValue,
  type TupleValue,
  type Value,
} from './values';

/**
 * Data lineage and fitted state, by abstract interpretation of each scope's statements in order.
 *
 * Data values remember their raw sources, which side of which split they are, which fitted
 * transformers produced them and whether they were oversampled; instances remember each fit with the
 * data it saw. Calls to the file's own functions are followed with the arguments' values (so that
 * `train(X_train)` fits on training data); functions never called in the file are analysed on their
 * own, with the parameters of inference entry points (`predict(...)`) as inference data.
 *
 * Data is data whatever its origin: an unknown call on data returns data derived from its arguments
 * (a "may" fact: the rows are kept, the split side too), a value first used as `X`/`y` of a fit or a
 * split is born as data there, and statistics of the data (`df.mean()`) become fits when they are used
 * to change rows. What stays unknown is what no data flows into.
 *
 * This interpreter knows the languages (statements, names, the file's own functions and classes,
 * tuples, subscripts, branches); what library calls do is asked of a `LibraryModel`
 * (`knowledge/calls.ts`), so the interpreter holds no library names.
 */

/** The interpreter's state the library models read and extend. */
export interface Machine {
  readonly result: LineageResult;
  /** Loops (and comprehensions) around the current expression: a score inside one is a candidate. */
  readonly loopDepth: number;
  /** The statement being run (names on its left side name new data). */
  readonly currentStmt: { stmt: Stmt; scope: ScopeId; block: Stmt[] } | undefined;
  nextSeq(): number;
  nextId(): number;
  nextRoot(): number;
  /** The value of an expression in a frame (the interpreter's `eval` method). */
  eval: (e: Expr, frame: Frame) => Value | undefined;
  asData(v: Value | undefined, expr: Expr | undefined, frame: Frame): Data | undefined;
  setName(frame: Frame, name: string, v: Value | undefined): void;
  /** Calls the file's own function with these positional values (`df.apply(f)` runs `f(df)`). */
  callUserWith(fnId: number, values: (Value | undefined)[], frame: Frame): Value | undefined;
  /** Remembers the statement of a fit or save call (for fixes that move it). */
  noteStmt(e: CallExpr): void;
  /** A new instance, split or statistic: what it holds may change later (open documents save and restore it). */
  track<T extends Mutable>(v: T): T;
}

/** What library calls do: the models in `knowledge/calls.ts`. */
export interface LibraryModel {
  attach(m: Machine): void;
  /** The base of data the file reads (inference data for a script that loads a model). */
  readonly newBase: Base;
  isInferenceEntry(fn: FunctionIR): boolean;
  entryParam(name: string, inference: boolean): Value | undefined;
  isInferenceFunction(name: string): boolean;
  inferenceParam(name: string): Value | undefined;
  userClassKind(classId: number): InstKind;
  attribute(obj: Inst | Data, name: string): Value | undefined;
  persistenceSite(e: CallExpr): PersistenceSite | undefined;
  persist(site: PersistenceSite, e: CallExpr, frame: Frame): Value | undefined;
  loadedAsData(inst: Inst, method: string): boolean;
  instMethod(inst: Inst, method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined;
  dataMethod(d: Data, method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined;
  scoresMethod(recv: ScoreBag, method: string, e: CallExpr, args: (Value | undefined)[], scope: ScopeId): Value;
  globalMethod(
    object: string,
    method: string,
    e: CallExpr,
    args: (Value | undefined)[],
    scope: ScopeId,
  ): { value: Value | undefined } | undefined;
  unknownReceiver(method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined;
  builtinCall(name: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined;
  libraryCall(q: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined;
  unknownCall(name: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined;
  newData(e: CallExpr | undefined, base: Base, nameHint?: string): Data;
  newInst(q: string, kind: InstKind, ctor: Expr, scope: ScopeId): Inst;
  /** Data changed with statistics (`(df - df.mean()) / df.std()`): the first application records the statistic's fit. */
  applyStats(d: Data, stats: StatValue[]): Data;
  /** The saves and loads of the module, in source order. */
  readonly persistenceSites: readonly PersistenceSite[];
}

export class Frame {
  readonly vars = new Map<string, Value | undefined>();
  constructor(
    readonly scope: ScopeId,
    readonly parent: Frame | undefined,
  ) {}
  get(name: string): Value | undefined {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walking up the frame chain from this one
    for (let f: Frame | undefined = this; f; f = f.parent) {
      // One map lookup when the name is bound to a value (the usual case), a second only for undefined.
      const v = f.vars.get(name);
      if (v !== undefined || f.vars.has(name)) return v;
    }
    return undefined;
  }
  has(name: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walking up the frame chain from this one
    for (let f: Frame | undefined = this; f; f = f.parent) if (f.vars.has(name)) return true;
    return false;
  }
}

const MAX_CALL_DEPTH = 4;
const MAX_STEPS = 400_000;

/**
 * A function analysed on its own numbers its records, instances and data roots from its own band (its id + 1
 * times this), so that what it found keeps its numbers when the next version of an open document reuses it,
 * and the numbers keep the order of the functions (the module's own code numbers from band 0).
 */
const BAND = 2 ** 32;

/** The lists of `LineageResult` that an analysis appends to. */
const RECORD_LISTS = [
  'fits',
  'transforms',
  'predicts',
  'splits',
  'cvs',
  'resamples',
  'saves',
  'loads',
  'selections',
] as const satisfies readonly (keyof LineageResult)[];
type RecordList = (typeof RECORD_LISTS)[number];

/**
 * What the analysis of a top-level function nobody in the file calls added to the result, kept for the next
 * version of an open document: reused when the function is the same object (its text unchanged and unmoved), no
 * name it or the module's own code mentions is bound differently at module level, and the module's values and
 * the library's view of the file are as they were. Kept only when the analysis stayed inside the function (no
 * other function entered, no other class built, nothing written at module level).
 */
interface OwnAnalysis {
  /** The Semantics version that made it or last reused it. */
  mark: number;
  id: number;
  newBase: Base;
  steps: number;
  records: { [K in RecordList]: LineageResult[K] };
  /** Each split's held-out side as the function's analysis left it (the run's end may mark it validation data). */
  heldOut: SplitRecord['heldOut'][];
  testRoots: number[];
  stmtOf: [CallExpr, { stmt: Stmt; scope: ScopeId; block: Stmt[] }][];
}

const ownAnalyses = new WeakMap<FunctionIR, OwnAnalysis>();

/**
 * The analysis state of an open document's module code before its top-level statement `index`, kept for the next
 * version: typing into a statement runs the module code again from there, not from the top. Made before the first
 * statement that changed since the previous version; reused while the statements before it are the same objects
 * and nothing they depend on can have changed (`stillHolds`).
 */
interface ModuleCheckpoint {
  index: number;
  /** The module body of the version that made it (statements noted before the checkpoint name it as their block). */
  body: readonly Stmt[];
  newBase: Base;
  /** The functions and classes the code before it entered, as they were. */
  entered: Map<number, FunctionIR>;
  /** The saves and loads of that code, as they were. */
  sites: PersistenceSite[];
  seq: number;
  id: number;
  root: number;
  steps: number;
  moduleWrites: number;
  records: { [K in RecordList]: LineageResult[K] };
  testRoots: number[];
  stmtOf: [CallExpr, { stmt: Stmt; scope: ScopeId; block: Stmt[] }][];
  frame: [string, Value | undefined][];
  loadedData: [Inst, Data][];
  sliceSplits: [string, SplitRecord][];
  selves: [number, Inst][];
  values: SavedState[];
}

/** An open document's module run, kept for its next version. */
interface ModuleRun {
  sem: Semantics;
  body: readonly Stmt[];
  /** The steps the module code took (a module of definitions takes one a statement). */
  steps: number;
  checkpoint: ModuleCheckpoint | undefined;
  /**
   * The state after the checkpoint's statement and at the end of the module code: when the next version's
   * statement there leaves the state `after` held, the code after it would do what it did, and `end` is its state.
   */
  after?: ModuleCheckpoint;
  end?: ModuleCheckpoint;
  /**
   * The state once the functions nobody calls (`alone`) were analysed on their own after `end`: when the module
   * code ends in `end` again, the same functions would find the same.
   */
  final?: { state: ModuleCheckpoint; alone: FunctionIR[] };
}

/** The last open document's module run (one document, as Semantics keeps one). */
let lastModuleRun: ModuleRun | undefined;

const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u;

/** Whether the body has changed only at `index` since `before` (as many statements, the others the same objects). */
function onlyOneChanged(body: readonly Stmt[], before: readonly Stmt[], index: number): boolean {
  if (body.length !== before.length) return false;
  for (let i = index + 1; i < body.length; i++) if (body[i] !== before[i]) return false;
  return true;
}

function sameItems<T>(now: Iterable<T>, saved: readonly T[]): boolean {
  let i = 0;
  for (const x of now) if (i >= saved.length || x !== saved[i++]) return false;
  return i === saved.length;
}

function sameEntries<K, V>(now: Map<K, V>, saved: readonly [K, V][]): boolean {
  if (now.size !== saved.length) return false;
  let i = 0;
  for (const [k, v] of now) {
    const [k0, v0] = saved[i++];
    if (k !== k0 || v !== v0) return false;
  }
  return true;
}

/** The same saves and loads, found at the same calls with the same objects and destinations. */
function sameSites(now: PersistenceSite[], saved: PersistenceSite[]): boolean {
  return (
    now.length === saved.length &&
    now.every((a, i) => {
      const b = saved[i];
      return (
        a.call === b.call &&
        a.kind === b.kind &&
        a.api === b.api &&
        a.pickles === b.pickles &&
        a.object === b.object &&
        a.destination === b.destination &&
        a.scope === b.scope
      );
    })
  );
}

/** Whether `name` occurs in `text` as a whole identifier (an empty name, from broken code, anywhere). */
function mentions(text: string, name: string): boolean {
  if (name === '') return true;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = at > 0 ? text[at - 1] : '';
    const after = text[at + name.length] ?? '';
    if (!IDENTIFIER_CHAR.test(before) && !IDENTIFIER_CHAR.test(after)) return true;
  }
  return false;
}

export class Interpreter implements Machine {
  private seq = 0;
  private root = 1;
  private id = 1;
  private steps = 0;
  loopDepth = 0;
  private readonly callStack: number[] = [];
  readonly result: LineageResult = {
    fits: [],
    transforms: [],
    predicts: [],
    splits: [],
    cvs: [],
    resamples: [],
    saves: [],
    loads: [],
    selections: [],
    testRoots: new Set(),
    stmtOf: new Map(),
  };
  private readonly testRoots = this.result.testRoots as Set<number>;
  /** Data values standing for objects loaded from disk and then used as data (`X = joblib.load(...)`). */
  private readonly loadedData = new Map<Inst, Data>();
  private readonly calledFunctions = new Set<number>();
  /** scikit.js: methods bind `this`, not a first parameter; constructors are `constructor`. */
  private readonly isTs: boolean;
  private readonly sliceSplits = new Map<string, SplitRecord>();
  currentStmt: { stmt: Stmt; scope: ScopeId; block: Stmt[] } | undefined;
  private moduleFrame!: Frame;
  /** The top-level function being analysed on its own, and whether its analysis went outside it. */
  private analysing: number | undefined;
  private crossed = false;
  /** The statements of the calls `noteStmt` met while `analysing`. */
  private noted: [CallExpr, { stmt: Stmt; scope: ScopeId; block: Stmt[] }][] = [];
  /** Writes at module level from a function (`global x`): the module's values are no longer the module code's. */
  private moduleWrites = 0;
  /** Open documents: the instances, splits and statistics made so far, and the functions and classes entered. */
  private tracked: Mutable[] | undefined;
  private entered: Map<number, FunctionIR> | undefined;

  constructor(
    private readonly sem: Semantics,
    private readonly lib: LibraryModel,
  ) {
    // The language decides how methods see their instance and what a constructor is called, not the library.
    this.isTs = sem.module.language === 'typescript';
    for (const { fn } of sem.namedCalls) if (fn !== undefined) this.calledFunctions.add(fn);
    lib.attach(this);
  }

  nextSeq(): number {
    return this.seq++;
  }

  nextId(): number {
    return this.id++;
  }

  nextRoot(): number {
    return this.root++;
  }

  track<T extends Mutable>(v: T): T {
    this.tracked?.push(v);
    return v;
  }

  run(): LineageResult {
    this.moduleFrame = new Frame(null, undefined);
    const moduleRun = this.runModule();
    // Open documents keep what each top-level function's own analysis found, for the next version.
    const keep = this.sem.version !== 0 && this.moduleFrameEmpty();
    const rebound = keep ? this.reusableSince() : undefined;
    // Functions and methods nobody in the file calls: analysed on their own (nested ones with their parent's call).
    const alone = this.sem.module.functions.filter(
      (fn) =>
        fn.kind === 'def' &&
        !this.calledFunctions.has(fn.id) &&
        (fn.parent === null || this.sem.fn(fn.parent).kind !== 'def'),
    );
    // The module code ended as in the previous version, whose functions' own analyses read its values.
    const final = moduleRun?.tailSteps !== undefined && !keep ? moduleRun.run.final : undefined;
    if (final && this.finalHolds(final, alone, moduleRun!.tailSteps!)) {
      this.restore(final.state, moduleRun!.tailSteps);
      return this.result;
    }
    for (const fn of alone) {
      const parent = fn.parent === null ? null : this.sem.fn(fn.parent);
      this.seq = this.id = this.root = (fn.id + 1) * BAND;
      const own = keep && parent === null;
      if (own && rebound && this.moduleWrites === 0 && this.reuse(fn, rebound)) continue;
      const before = own ? this.marks() : undefined;
      this.analysing = own ? fn.id : undefined;
      this.crossed = false;
      this.noted = [];
      const frame = new Frame(fn.id, this.moduleFrame);
      const inference = this.lib.isInferenceEntry(fn);
      // Methods share one `self` per class, so `fit` sets `self.scaler` that `predict` reads.
      // TypeScript methods see the instance as `this`, Python ones as their first parameter.
      if (parent?.kind === 'class' && this.isTs) frame.vars.set('this', this.classSelf(parent.id));
      else if (parent?.kind === 'class' && fn.params[0]) frame.vars.set(fn.params[0].name, this.classSelf(parent.id));
      for (const p of fn.params) {
        if (p.name === 'self' || p.name === 'cls') continue;
        frame.vars.set(p.name, this.lib.entryParam(p.name, inference));
      }
      this.callStack.push(fn.id);
      this.block(fn.body, frame);
      this.callStack.pop();
      this.analysing = undefined;
      if (before && !this.crossed && this.moduleWrites === 0 && this.steps <= MAX_STEPS) this.keepOwn(fn, before);
    }
    this.resolveSlices();
    this.resolveHeldOut();
    if (moduleRun?.run.end && !keep) moduleRun.run.final = { state: this.save(this.sem.module.body.length), alone };
    return this.result;
  }

  /**
   * Whether the functions analysed on their own would find what they found in the version that left `final`, the
   * module code having ended as it did then: the same functions, those they entered the same objects, and the step
   * budget not spent. (The names they read were checked with the code around the edited statement: a function is
   * in that code's text or is a new object.)
   */
  private finalHolds(final: NonNullable<ModuleRun['final']>, alone: FunctionIR[], moreSteps: number): boolean {
    if (alone.length !== final.alone.length || alone.some((fn, i) => fn !== final.alone[i])) return false;
    const state = final.state;
    if (state.newBase !== this.lib.newBase || state.steps > MAX_STEPS || state.steps + moreSteps > MAX_STEPS)
      return false;
    if (!this.sameFunctions(state.entered)) return false;
    return true;
  }

  /**
   * The module's own code, statement by statement. For an open document, from the checkpoint of the previous
   * version when it still holds, and a checkpoint is made before the first statement that changed.
   */
  private runModule(): { run: ModuleRun; tailSteps?: number } | undefined {
    const body = this.sem.module.body;
    if (this.sem.version === 0) {
      this.block(body, this.moduleFrame);
      return undefined;
    }
    const last = lastModuleRun?.sem.version === this.sem.previousVersion ? lastModuleRun : undefined;
    lastModuleRun = undefined;
    // Module code of definitions (a step a statement, none evaluated) is run again rather than put back: keeping and
    // checking its state cost more than running it (the 2,000-line scikit.js file, 81 statements: SKL301 0.24-0.38 ->
    // 0.39-0.50 ms a keystroke with the checkpoints).
    if (last && last.steps < 2 * last.body.length) {
      this.block(body, this.moduleFrame);
      lastModuleRun = { sem: this.sem, body, steps: this.steps, checkpoint: undefined };
      return { run: lastModuleRun };
    }
    this.tracked = [];
    this.entered = new Map();
    let changed = 0;
    if (last) {
      const n = Math.min(body.length, last.body.length);
      while (changed < n && body[changed] === last.body[changed]) changed++;
    }
    let checkpoint = last?.checkpoint;
    let start = 0;
    if (checkpoint && checkpoint.index <= changed && this.stillHolds(checkpoint, last!.sem)) {
      this.restore(checkpoint);
      start = checkpoint.index;
    } else checkpoint = undefined;
    // Typing into the checkpoint's statement, the only one that changed: the code after it may be reused.
    const tail =
      checkpoint && changed === start && last!.after && last!.end && onlyOneChanged(body, last!.body, changed)
        ? { after: last!.after, end: last!.end }
        : undefined;
    let after: ModuleCheckpoint | undefined;
    let end: ModuleCheckpoint | undefined;
    let tailSteps: number | undefined;
    // What the edited statement made: the next version's, if it makes anything, will be other objects, so the state
    // after it can serve the next version only when it made nothing.
    let made = -1;
    let i = start;
    for (; i < body.length; i++) {
      if (i === changed && i > start) checkpoint = this.save(i);
      if (i === changed) made = this.made();
      if (i === changed + 1 && checkpoint && made === this.made()) after = this.save(i);
      if (!this.blockStmt(body[i], body, this.moduleFrame)) break;
      if (tail && i === changed && this.holds(tail.after) && this.tailHolds(tail.after, tail.end, last!.sem)) {
        // The statement left the state as before: the rest would run as before.
        tailSteps = this.steps - tail.after.steps;
        this.restore(tail.end, tailSteps);
        ({ after, end } = tail);
        i = body.length;
        break;
      }
    }
    if (i === body.length && changed === i && i > start) checkpoint = this.save(i);
    if (
      i === body.length &&
      checkpoint &&
      !end &&
      changed < i &&
      (after || (changed === i - 1 && made === this.made()))
    ) {
      end = this.save(i);
      after ??= end;
    }
    lastModuleRun = { sem: this.sem, body, steps: this.steps, checkpoint, after, end };
    if (tailSteps !== undefined) lastModuleRun.final = last!.final;
    return { run: lastModuleRun, tailSteps };
  }

  /** How many data roots, instances, splits, records and numbers were made so far. */
  private made(): number {
    let n = this.seq + this.id + this.root + this.tracked!.length;
    for (const k of RECORD_LISTS) n += this.result[k].length;
    return n;
  }

  /** Whether the interpreter's state is the one `cp` saved (the same values, holding what they held). */
  private holds(cp: ModuleCheckpoint): boolean {
    if (this.seq !== cp.seq || this.id !== cp.id || this.root !== cp.root || this.moduleWrites !== cp.moduleWrites)
      return false;
    for (const k of RECORD_LISTS) if (!sameItems<unknown>(this.result[k], cp.records[k])) return false;
    if (!sameItems(this.testRoots, cp.testRoots)) return false;
    if (!sameEntries(this.moduleFrame.vars, cp.frame)) return false;
    if (!sameEntries(this.loadedData, cp.loadedData) || !sameEntries(this.sliceSplits, cp.sliceSplits)) return false;
    if (!sameEntries(this.selves, cp.selves)) return false;
    if (!sameItems(this.entered!.keys(), [...cp.entered.keys()])) return false;
    const tracked = this.tracked!;
    if (tracked.length !== cp.values.length) return false;
    for (let i = 0; i < tracked.length; i++)
      if (tracked[i] !== savedValue(cp.values[i]) || !holdsState(cp.values[i])) return false;
    // Statements are noted by the calls they hold; a top-level one names its version's module body.
    const body = this.sem.module.body;
    if (this.result.stmtOf.size !== cp.stmtOf.length) return false;
    let i = 0;
    for (const [call, at] of this.result.stmtOf) {
      const [call0, at0] = cp.stmtOf[i++];
      if (call !== call0 || at.stmt !== at0.stmt || at.scope !== at0.scope) return false;
      if (at.block !== at0.block && !(at.block === body && at0.block === cp.body)) return false;
    }
    return true;
  }

  /**
   * Whether the code after the edited statement would run as it did in the version that left `end`: the functions
   * and classes it entered the same objects, no name that binds otherwise mentioned in it or in them, the same saves
   * and loads, the same view of the file, and the step budget not spent.
   */
  private tailHolds(after: ModuleCheckpoint, end: ModuleCheckpoint, previous: Semantics): boolean {
    // Within the step budget then and now: a run that spent it left values unknown from there on.
    const steps = end.steps + (this.steps - after.steps);
    if (end.newBase !== this.lib.newBase || end.steps > MAX_STEPS || steps > MAX_STEPS) return false;
    if (!this.sameFunctions(end.entered)) return false;
    const m = this.sem.module;
    const texts = [m.text.slice(this.startOf(after.index))];
    for (const fn of end.entered.values()) texts.push(textOf(m.text, m.lineStarts, fn.range));
    if (!this.readsNoneRebound(previous, texts)) return false;
    return sameSites(this.sitesBefore(m.text.length, end.entered), end.sites);
  }

  /** Whether the functions and classes `entered` saw are this version's (the same objects under the same ids). */
  private sameFunctions(entered: Map<number, FunctionIR>): boolean {
    for (const [id, fn] of entered) if (this.sem.module.functions[id] !== fn) return false;
    return true;
  }

  /** The names bound at module level otherwise than in the previous version (asked before and after the edit). */
  private reboundNames: string[] | undefined;

  /** Whether none of `texts` mentions a name bound at module level otherwise than in `previous`. */
  private readsNoneRebound(previous: Semantics, texts: string[]): boolean {
    // A statement typed into binds its names again: those that bind as before answer as before.
    const rebound = (this.reboundNames ??= this.sem.reboundAtModule().filter((n) => !this.sem.bindsAsIn(previous, n)));
    return !rebound.some((n) => texts.some((t) => mentions(t, n)));
  }

  /** The state before top-level statement `index`, for the next version. */
  private save(index: number): ModuleCheckpoint {
    const m = this.sem.module;
    const end = this.startOf(index);
    const records = {} as ModuleCheckpoint['records'];
    for (const k of RECORD_LISTS) (records as Record<RecordList, unknown[]>)[k] = this.result[k].slice();
    const entered = new Map(this.entered);
    return {
      index,
      body: m.body,
      newBase: this.lib.newBase,
      entered,
      sites: this.sitesBefore(end, entered),
      seq: this.seq,
      id: this.id,
      root: this.root,
      steps: this.steps,
      moduleWrites: this.moduleWrites,
      records,
      testRoots: [...this.testRoots],
      stmtOf: [...this.result.stmtOf],
      frame: [...this.moduleFrame.vars],
      loadedData: [...this.loadedData],
      sliceSplits: [...this.sliceSplits],
      selves: [...this.selves],
      values: this.tracked!.map(saveState),
    };
  }

  /** The state `save` kept, in place of this interpreter's (`moreSteps` than it had taken then). */
  private restore(cp: ModuleCheckpoint, moreSteps = 0): void {
    const body = this.sem.module.body;
    this.seq = cp.seq;
    this.id = cp.id;
    this.root = cp.root;
    this.steps = cp.steps + moreSteps;
    this.moduleWrites = cp.moduleWrites;
    for (const k of RECORD_LISTS) {
      const list = this.result[k] as unknown[];
      list.length = 0;
      list.push(...cp.records[k]);
    }
    this.testRoots.clear();
    this.result.stmtOf.clear();
    this.moduleFrame.vars.clear();
    this.loadedData.clear();
    this.sliceSplits.clear();
    this.selves.clear();
    for (const r of cp.testRoots) this.testRoots.add(r);
    // Top-level statements are noted with the module's body as their block: this version's (one copy for the calls
    // of a statement, as they share one when they run).
    const copies = new Map<object, { stmt: Stmt; scope: ScopeId; block: Stmt[] }>();
    for (const [call, at] of cp.stmtOf) {
      let now = at;
      if (at.block === cp.body) {
        now = copies.get(at) ?? { ...at, block: body };
        copies.set(at, now);
      }
      this.result.stmtOf.set(call, now);
    }
    for (const [k, v] of cp.frame) this.moduleFrame.vars.set(k, v);
    for (const [k, v] of cp.loadedData) this.loadedData.set(k, v);
    for (const [k, v] of cp.sliceSplits) this.sliceSplits.set(k, v);
    for (const [k, v] of cp.selves) this.selves.set(k, v);
    this.tracked = cp.values.map(restoreState);
    this.entered = new Map(cp.entered);
  }

  /**
   * Whether the code before the checkpoint would run as it did: the same view of the file (inference script or
   * not), the functions and classes it entered the same objects, no name bound differently at module level than in
   * the previous version mentioned in it or in them (Semantics would answer differently), and its saves and loads
   * the same.
   */
  private stillHolds(cp: ModuleCheckpoint, previous: Semantics): boolean {
    if (cp.newBase !== this.lib.newBase) return false;
    if (!this.sameFunctions(cp.entered)) return false;
    const m = this.sem.module;
    const end = this.startOf(cp.index);
    const texts = [m.text.slice(0, end)];
    for (const fn of cp.entered.values())
      if (offsetAt(m.lineStarts, m.text.length, fn.range.start) >= end)
        texts.push(textOf(m.text, m.lineStarts, fn.range));
    if (!this.readsNoneRebound(previous, texts)) return false;
    return sameSites(this.sitesBefore(end, cp.entered), cp.sites);
  }

  /** Where top-level statement `index` starts in this version's text (its end after the last statement). */
  private startOf(index: number): number {
    const m = this.sem.module;
    return index < m.body.length ? offsetAt(m.lineStarts, m.text.length, m.body[index].range.start) : m.text.length;
  }

  /** The module's saves and loads in its text before `end` or in one of the `entered` functions. */
  private sitesBefore(end: number, entered: Map<number, FunctionIR>): PersistenceSite[] {
    const m = this.sem.module;
    const at = (p: { line: number; character: number }) => offsetAt(m.lineStarts, m.text.length, p);
    return this.lib.persistenceSites.filter((site) => {
      const start = at(site.call.range.start);
      if (start < end) return true;
      for (const fn of entered.values()) if (start >= at(fn.range.start) && start < at(fn.range.end)) return true;
      return false;
    });
  }

  /**
   * The names bound differently at module level since the previous version, when the functions' own analyses
   * of that version may serve again: none of them may appear in the module's own code that did not change (an
   * alias such as `KM = sk.KMeans` passes a rebound `sk` on to the functions that say `KM`; a statement that
   * changed rebinds what it binds, which the functions are checked for).
   */
  private reusableSince(): string[] | undefined {
    if (this.sem.previousVersion === undefined) return undefined;
    const names = this.sem.reboundAtModule();
    if (names.length === 0) return names;
    const m = this.sem.module;
    for (const st of m.body) {
      if (st.k === 'def' || this.sem.visitedAgain(st)) continue;
      const text = textOf(m.text, m.lineStarts, st.range);
      if (names.some((n) => mentions(text, n))) return undefined;
    }
    return names;
  }

  /** Whether the module's own code left no value in its frame (functions then see nothing of it but names). */
  private moduleFrameEmpty(): boolean {
    for (const v of this.moduleFrame.vars.values()) if (v !== undefined) return false;
    return true;
  }

  /** Where the result's lists end now: what a function's analysis adds comes after. */
  private marks(): { lists: number[]; testRoots: number; steps: number } {
    return {
      lists: RECORD_LISTS.map((k) => this.result[k].length),
      testRoots: this.testRoots.size,
      steps: this.steps,
    };
  }

  /** Keeps what the analysis of `fn` added since `before`, for the next version. */
  private keepOwn(fn: FunctionIR, before: ReturnType<Interpreter['marks']>): void {
    const records = {} as OwnAnalysis['records'];
    RECORD_LISTS.forEach((k, i) => {
      (records as Record<RecordList, unknown[]>)[k] = this.result[k].slice(before.lists[i]);
    });
    ownAnalyses.set(fn, {
      mark: this.sem.version,
      id: fn.id,
      newBase: this.lib.newBase,
      steps: this.steps - before.steps,
      records,
      heldOut: records.splits.map((sp) => sp.heldOut),
      testRoots: this.testRoots.size > before.testRoots ? [...this.testRoots].slice(before.testRoots) : [],
      stmtOf: this.noted,
    });
  }

  /** Adds what the previous version's analysis of `fn` found, when nothing it depended on can have changed. */
  private reuse(fn: FunctionIR, rebound: string[]): boolean {
    const own = ownAnalyses.get(fn);
    if (!own || own.mark !== this.sem.previousVersion || own.id !== fn.id || own.newBase !== this.lib.newBase)
      return false;
    if (this.steps + own.steps > MAX_STEPS) return false;
    if (rebound.length > 0) {
      const text = textOf(this.sem.module.text, this.sem.module.lineStarts, fn.range);
      if (rebound.some((n) => mentions(text, n))) return false;
    }
    // Saves and loads name their site: the file's other code may have moved a file name it writes to or reads.
    for (const r of [...own.records.saves, ...own.records.loads]) {
      const now = this.lib.persistenceSite(r.site.call);
      if (
        !now ||
        now.kind !== r.site.kind ||
        now.api !== r.site.api ||
        now.pickles !== r.site.pickles ||
        now.object !== r.site.object ||
        now.destination !== r.site.destination
      )
        return false;
    }
    for (const k of RECORD_LISTS) (this.result[k] as unknown[]).push(...own.records[k]);
    own.records.splits.forEach((sp, i) => (sp.heldOut = own.heldOut[i]));
    for (const r of own.testRoots) this.testRoots.add(r);
    for (const [call, at] of own.stmtOf) this.result.stmtOf.set(call, at);
    this.steps += own.steps;
    own.mark = this.sem.version;
    return true;
  }

  /** A function entered during the analysis of a top-level function on its own: outside it, that analysis depends on more. */
  private enter(fnId: number): void {
    if (this.entered && !this.entered.has(fnId)) this.entered.set(fnId, this.sem.fn(fnId));
    if (this.analysing === undefined) return;
    for (let id: ScopeId = fnId; id !== null; id = this.sem.fn(id).parent) if (id === this.analysing) return;
    this.crossed = true;
  }

  private readonly selves = new Map<number, Inst>();

  /** The `self` that methods of a class analysed on their own share. */
  private classSelf(classId: number): Inst {
    let inst = this.selves.get(classId);
    if (!inst) {
      const cls = this.sem.fn(classId);
      inst = this.lib.newInst(
        cls.name,
        this.lib.userClassKind(classId),
        { k: 'name', name: cls.name, range: cls.nameRange },
        classId,
      );
      inst.userClass = classId;
      inst.fields = new Map();
      this.selves.set(classId, inst);
      this.initFields(classId, inst);
    }
    return inst;
  }

  /**
   * Field initializers of the class body (`private scaler = new StandardScaler()` in TypeScript). They run on
   * the call stack, as a call does: a field that constructs its own class (`a = new A()`, endless at run
   * time) is left unknown instead of recursing until the stack overflows.
   */
  private initFields(classId: number, inst: Inst): void {
    if (!this.isTs) return;
    this.enter(classId);
    if (this.callStack.includes(classId) || this.callStack.length >= MAX_CALL_DEPTH) return;
    const frame = new Frame(classId, this.moduleFrame);
    this.callStack.push(classId);
    try {
      for (const st of this.sem.fn(classId).body) {
        if (st.k !== 'assign' || st.op || st.targets.length !== 1 || st.targets[0].k !== 'name') continue;
        inst.fields!.set(st.targets[0].name, this.eval(st.value, frame));
      }
    } finally {
      this.callStack.pop();
    }
  }

  private methodOf(classId: number, name: string): number | undefined {
    return this.sem.module.functions.find((f) => f.parent === classId && f.kind === 'def' && f.name === name)?.id;
  }

  /** With a separate test file, a split of other data holds out validation data, not the test set. */
  private resolveHeldOut(): void {
    if (this.testRoots.size === 0) return;
    for (const s of this.result.splits) {
      let hasTest = false;
      for (const r of s.input.roots) if (this.testRoots.has(r)) hasTest = true;
      if (!hasTest) s.heldOut = 'val';
    }
  }

  /**
   * A value used as `X`/`y` of a fit or split: data, whatever it was. An unknown name is born as data
   * here (and keeps that identity); an object loaded from disk is data too.
   */
  asData(v: Value | undefined, expr: Expr | undefined, frame: Frame): Data | undefined {
    if (v?.t === 'data') return v;
    if (v?.t === 'inst' && v.kind === 'loaded') {
      let d = this.loadedData.get(v);
      if (!d) {
        d = this.lib.newData(undefined, this.lib.newBase, expr?.k === 'name' ? expr.name : undefined);
        this.loadedData.set(v, d);
      }
      return d;
    }
    if (v !== undefined || !expr || expr.k !== 'name') return undefined;
    if (frame.has(expr.name) && frame.get(expr.name) !== undefined) return undefined;
    const d = this.lib.newData(undefined, this.lib.newBase, expr.name);
    this.setName(frame, expr.name, d);
    return d;
  }

  /** Slices: the training side is where predictors were fitted; by default the first part (`X[:n]`). */
  private resolveSlices(): void {
    for (const s of this.result.splits) {
      if (s.kind !== 'slice') continue;
      s.trainSide = s.fitVotes[1] > s.fitVotes[0] ? 1 : 0;
    }
  }

  // ---------------------------------------------------------------- statements

  private block(body: Stmt[], frame: Frame): void {
    for (const s of body) if (!this.blockStmt(s, body, frame)) return;
  }

  /** One statement of a block; false once the step budget is spent. */
  private blockStmt(s: Stmt, body: Stmt[], frame: Frame): boolean {
    if (++this.steps > MAX_STEPS) return false;
    const saved = this.currentStmt;
    this.currentStmt = { stmt: s, scope: frame.scope, block: body };
    try {
      this.stmt(s, frame);
    } finally {
      this.currentStmt = saved;
    }
    return true;
  }

  private stmt(s: Stmt, frame: Frame): Value | undefined {
    switch (s.k) {
      case 'assign': {
        const value = this.eval(s.value, frame);
        if (s.op) {
          // `X += ...`: the target keeps its lineage, mixed with the right-hand side.
          const t = s.targets[0];
          if (t.k === 'name') {
            const old = frame.get(t.name);
            if (old?.t === 'data' && value?.t === 'data') this.setName(frame, t.name, combineData([old, value]));
          }
          return undefined;
        }
        for (const t of s.targets) this.bind(t, value, frame);
        return undefined;
      }
      case 'expr':
        this.eval(s.expr, frame);
        return undefined;
      case 'return':
        return s.value ? this.eval(s.value, frame) : undefined;
      case 'if': {
        this.eval(s.test, frame);
        this.selectionInIf(s, frame);
        if (s.orelse.length === 0) {
          const size = frame.vars.size;
          this.block(s.body, frame);
          this.keepBodyOnly(frame, size);
          return undefined;
        }
        const before = new Map(frame.vars);
        this.block(s.body, frame);
        const afterBody = new Map(frame.vars);
        frame.vars.clear();
        for (const [k, v] of before) frame.vars.set(k, v);
        this.block(s.orelse, frame);
        this.mergeBranches(frame, before, afterBody);
        return undefined;
      }
      case 'loop': {
        const iter = s.iter ? this.eval(s.iter, frame) : undefined;
        if (s.target) this.bind(s.target, this.elementOf(iter, s.iter, frame), frame);
        this.loopDepth++;
        try {
          this.block(s.body, frame);
        } finally {
          this.loopDepth--;
        }
        this.block(s.orelse, frame);
        return undefined;
      }
      case 'with':
        for (const item of s.items) {
          const v = this.eval(item.value, frame);
          if (item.target) this.bind(item.target, v, frame);
        }
        this.block(s.body, frame);
        return undefined;
      case 'try':
        this.block(s.body, frame);
        for (const h of s.handlers) this.block(h, frame);
        this.block(s.orelse, frame);
        this.block(s.finalbody, frame);
        return undefined;
      default:
        return undefined;
    }
  }

  /**
   * After an `if` without `else`, what `mergeBranches` gives without copying the frame twice (a module frame
   * holds hundreds of names): the body's values, less the names the body bound first and to nothing known.
   * The names bound before the `if` stay the first `size` entries of the frame (nothing deletes them, and a nested
   * `if` puts them back in order), so the names the body bound first are the ones after them.
   */
  private keepBodyOnly(frame: Frame, size: number): void {
    if (frame.vars.size === size) return;
    let i = 0;
    for (const [k, v] of frame.vars) if (i++ >= size && v === undefined) frame.vars.delete(k);
  }

  /** After an if/else: a name both branches changed differently becomes unknown. */
  private mergeBranches(
    frame: Frame,
    before: Map<string, Value | undefined>,
    afterBody: Map<string, Value | undefined>,
  ): void {
    const afterElse = frame.vars;
    for (const [k, vBody] of afterBody) {
      const vElse = afterElse.get(k);
      const bodyChanged = before.get(k) !== vBody;
      // A name only the body binds keeps the body's value (may): the else branch did not touch it.
      const elseChanged = afterElse.has(k) && before.get(k) !== vElse;
      if (bodyChanged && !elseChanged) afterElse.set(k, vBody);
      else if (bodyChanged && elseChanged && vBody !== vElse) {
        // Data from either branch: the fits of both may have shaped it (`if standardize: X = scale(X)`).
        if (
          vBody?.t === 'data' &&
          vElse?.t === 'data' &&
          vBody.part?.split === vElse.part?.split &&
          vBody.part?.side === vElse.part?.side
        ) {
          afterElse.set(k, {
            ...vElse,
            transformedBy: union(vElse.transformedBy, vBody.transformedBy),
            via: union(vElse.via, vBody.via),
            resampledBy: union(vElse.resampledBy, vBody.resampledBy),
          });
        } else afterElse.set(k, compatible(vBody, vElse) ? vBody : undefined);
      }
    }
  }

  setName(frame: Frame, name: string, v: Value | undefined): void {
    const info = this.sem.scopes.get(frame.scope);
    if (info?.globals.has(name)) {
      if (frame !== this.moduleFrame) this.moduleWrites++;
      this.moduleFrame.vars.set(name, v);
    } else frame.vars.set(name, v);
  }

  private bind(t: Expr, v: Value | undefined, frame: Frame): void {
    switch (t.k) {
      case 'name':
        this.setName(frame, t.name, v);
        return;
      case 'seq': {
        const n = t.items.length;
        t.items.forEach((item, i) => {
          if (item.k === 'spread') {
            this.bind(item.value, undefined, frame);
            return;
          }
          let iv: Value | undefined;
          if (v?.t === 'tuple') iv = v.items.length === n ? v.items[i] : undefined;
          else if (v?.t === 'data') iv = v; // X, y = load_xy(...): each part has the data's lineage
          this.bind(item, iv, frame);
        });
        return;
      }
      case 'attr': {
        // self.scaler = StandardScaler(): a field of an instance of the file's own class.
        const obj = this.eval(t.object, frame);
        if (obj?.t === 'inst' && obj.fields) obj.fields.set(t.name, v);
        // df.col = df.col.fillna(df.col.mean()): the frame holds the changed column.
        const root = rootName(t.object);
        if (obj?.t === 'data' && v?.t === 'data' && root) {
          const old = frame.get(root);
          if (old?.t === 'data')
            this.setName(frame, root, {
              ...old,
              transformedBy: union(old.transformedBy, v.transformedBy),
              via: union(old.via, v.via),
              resampledBy: union(old.resampledBy, v.resampledBy),
            });
        }
        return;
      }
      case 'subscript': {
        // df[col] = le.fit_transform(df[col]): df now holds transformed columns.
        const obj = indexedName(t.object);
        if (!obj) return;
        const old = frame.get(obj);
        if (old?.t === 'data' && v?.t === 'data') {
          this.setName(frame, obj, {
            ...old,
            transformedBy: union(old.transformedBy, v.transformedBy),
            via: union(old.via, v.via),
            resampledBy: union(old.resampledBy, v.resampledBy),
          });
        } else if (v?.t === 'score') {
          this.setName(frame, obj, { t: 'scores', scores: old?.t === 'scores' ? [...old.scores, v] : [v] });
        }
        return;
      }
      default:
        return;
    }
  }

  private elementOf(iter: Value | undefined, iterExpr: Expr | undefined, frame: Frame): Value | undefined {
    if (!iter) {
      // enumerate(kf.split(X)) / zip(a, b)
      if (
        iterExpr?.k === 'call' &&
        iterExpr.callee.k === 'name' &&
        !this.sem.isBound(iterExpr.callee.name, frame.scope)
      ) {
        const args = iterExpr.args.map((a) => this.eval(a.value, frame));
        if (iterExpr.callee.name === 'enumerate' && args.length >= 1)
          return { t: 'tuple', items: [undefined, this.elementOf(args[0], iterExpr.args[0].value, frame)] };
        if (iterExpr.callee.name === 'zip')
          return { t: 'tuple', items: args.map((a, i) => this.elementOf(a, iterExpr.args[i].value, frame)) };
      }
      return undefined;
    }
    if (iter.t === 'cvsplits')
      return {
        t: 'tuple',
        items: [
          { t: 'index', split: iter.split, side: 0 },
          { t: 'index', split: iter.split, side: 1 },
        ],
      };
    if (iter.t === 'inst' && iter.kind === 'splitter') {
      // Old-style splitters are iterated directly (`for tr, te in StratifiedKFold(y, n_folds=4)`): the data
      // they split is the first one indexed with their indices.
      const split: SplitRecord = this.track({
        id: this.nextId(),
        kind: 'cv',
        site: iter.ctor,
        scope: frame.scope,
        seq: this.nextSeq(),
        input: emptyData('mixed', new Set()),
        sides: new Set([0, 1]),
        trainSide: 0,
        fitVotes: [0, 0],
      });
      return {
        t: 'tuple',
        items: [
          { t: 'index', split, side: 0 },
          { t: 'index', split, side: 1 },
        ],
      };
    }
    if (iter.t === 'data') return iter;
    if (iter.t === 'tuple') {
      // A list of data sets (or of (X, y) pairs): each iteration sees one of them.
      const items = iter.items;
      if (items.length === 1) return items[0];
      if (items.length > 0 && items.every((i) => i?.t === 'data')) return combineData(items);
      if (
        items.length > 0 &&
        items.every(
          (i) =>
            i?.t === 'tuple' &&
            i.items.length === (items[0] as TupleValue).items.length &&
            i.items.every((x) => x?.t === 'data'),
        )
      ) {
        const n = (items[0] as TupleValue).items.length;
        return {
          t: 'tuple',
          items: Array.from({ length: n }, (_, k) => combineData(items.map((i) => (i as TupleValue).items[k] as Data))),
        };
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------- selection (SKL306)

  private selectionInIf(s: Extract<Stmt, { k: 'if' }>, frame: Frame): void {
    if (s.test.k !== 'other' || s.body.length === 0) return;
    if (!s.body.some((b) => b.k === 'assign')) return;
    const scores: Score[] = [];
    for (const c of s.test.children) {
      const v = c.k === 'name' ? frame.get(c.name) : undefined;
      if (v?.t === 'score') scores.push(v);
    }
    if (scores.length > 0)
      this.result.selections.push({ site: s.test.range, scores, scope: frame.scope, seq: this.nextSeq() });
  }

  // ---------------------------------------------------------------- expressions

  eval(e: Expr, frame: Frame): Value | undefined {
    if (++this.steps > MAX_STEPS) return undefined;
    switch (e.k) {
      case 'name':
        return frame.get(e.name);
      case 'attr': {
        const obj = this.eval(e.object, frame);
        if (!obj) return undefined;
        if (obj.t === 'inst') return obj.fields?.has(e.name) ? obj.fields.get(e.name) : this.lib.attribute(obj, e.name);
        if (obj.t === 'data') return this.lib.attribute(obj, e.name);
        if (obj.t === 'scores' || obj.t === 'stat') return obj;
        return undefined;
      }
      case 'call':
        return this.call(e, frame);
      case 'subscript':
        return this.subscript(e, frame);
      case 'seq': {
        const items = e.items.map((i) =>
          i.k === 'spread' ? (this.eval(i.value, frame), undefined) : this.eval(i, frame),
        );
        return { t: 'tuple', items };
      }
      case 'dict':
        return {
          t: 'dict',
          entries: e.entries.map((en) => {
            if (en.key) this.eval(en.key, frame);
            return {
              key: en.key?.k === 'str' ? (en.key.value ?? undefined) : undefined,
              value: this.eval(en.value, frame),
            };
          }),
        };
      case 'binop': {
        const l = this.eval(e.left, frame);
        const r = this.eval(e.right, frame);
        // Arithmetic on plain numbers (most of it): nothing to combine.
        if (l === undefined && r === undefined) return undefined;
        const data = [l, r].filter((v): v is Data => v?.t === 'data');
        const stats = [l, r].filter((v): v is StatValue => v?.t === 'stat');
        // `(df - df.mean()) / df.std()`: the statistics change the rows.
        if (data.length > 0) return this.lib.applyStats(combineData(data)!, stats);
        if (stats.length > 0) return stats[0];
        if (l?.t === 'scores' || r?.t === 'scores') return l?.t === 'scores' ? l : r;
        if (l?.t === 'score' || r?.t === 'score') return l?.t === 'score' ? l : r;
        return undefined;
      }
      case 'unary': {
        const v = this.eval(e.operand, frame);
        return v?.t === 'data' ? v : undefined;
      }
      case 'other': {
        // Comprehensions, conditionals...: evaluated for their calls; scores inside make a bag.
        this.loopDepth++;
        let scores: Score[] = [];
        const data: Data[] = [];
        const stats: StatValue[] = [];
        try {
          for (const c of e.children) {
            const v = this.eval(c, frame);
            if (v?.t === 'score') scores.push(v);
            else if (v?.t === 'scores') scores = scores.concat(v.scores);
            else if (v?.t === 'data') data.push(v);
            else if (v?.t === 'stat') stats.push(v);
          }
        } finally {
          this.loopDepth--;
        }
        if (scores.length > 0) return { t: 'scores', scores };
        // `y_pred == y_valid`, `df.x != df.x.max()`: an equality test checks or selects, it changes no row.
        if (data.length > 0 && stats.length > 0 && this.isEquality(e)) return combineData(data);
        // `1 if x > df.mean() else 0`: rows compared with a statistic are changed by it.
        if (data.length > 0) return this.lib.applyStats(combineData(data)!, stats);
        return undefined;
      }
      case 'str':
        for (const p of e.parts ?? []) if (typeof p !== 'string') this.eval(p, frame);
        return undefined;
      default:
        return undefined;
    }
  }

  private subscript(e: Extract<Expr, { k: 'subscript' }>, frame: Frame): Value | undefined {
    const obj = this.eval(e.object, frame);
    const idx = e.index.k === 'slice' ? undefined : this.eval(e.index, frame);
    if (e.index.k === 'slice') {
      for (const p of [e.index.lower, e.index.upper, e.index.step]) if (p) this.eval(p, frame);
    }
    if (!obj) return undefined;
    if (obj.t === 'tuple') {
      if (e.index.k === 'num' && Number.isInteger(e.index.value)) {
        const i = e.index.value < 0 ? obj.items.length + e.index.value : e.index.value;
        return obj.items[i];
      }
      return undefined;
    }
    if (obj.t === 'dict') {
      const key = e.index.k === 'str' ? e.index.value : null;
      return key !== null ? obj.entries.find((en) => en.key === key)?.value : undefined;
    }
    if (obj.t === 'inst') return obj; // pipe['scaler'], search.cv_results_[...]
    if (obj.t === 'scores' || obj.t === 'stat') return obj;
    if (obj.t !== 'data') return undefined;
    const index =
      idx?.t === 'index' ? idx : idx?.t === 'tuple' && idx.items[0]?.t === 'index' ? idx.items[0] : undefined;
    if (index) {
      if (index.split.input.roots.size === 0 && !this.result.splits.includes(index.split)) {
        index.split.input = obj;
        this.result.splits.push(index.split);
      }
      return { ...obj, part: { split: index.split, side: index.side } };
    }
    const slice =
      e.index.k === 'slice'
        ? e.index
        : e.index.k === 'seq' && e.index.items[0]?.k === 'slice'
          ? e.index.items[0]
          : undefined;
    if (slice && !slice.step && !!slice.lower !== !!slice.upper) return this.sliceSplit(obj, slice, e, frame);
    return obj;
  }

  /** `X[:n]` and `X[n:]` of the same data and bound: the two sides of a split. */
  private sliceSplit(obj: Data, slice: Extract<Expr, { k: 'slice' }>, site: Expr, frame: Frame): Data {
    const bound = (slice.lower ?? slice.upper)!;
    const m = this.sem.module;
    const text = m.text.slice(offset(m, bound.range.start), offset(m, bound.range.end)).replace(/\s+/g, '');
    // `x[:-lag]` / `x[-lag:]`: a shift of a sequence by a computed lag, not two sides of the rows
    // (`X[:-20]` / `X[-20:]` with a literal stays a hold-out split, as in scikit-learn's own examples).
    if (text.startsWith('-') && !/^-\d+$/.test(text)) return obj;
    const key = `${frame.scope}|${[...obj.roots].join(',')}|${obj.part ? `${obj.part.split.id}:${obj.part.side}` : obj.base}|${text}`;
    let split = this.sliceSplits.get(key);
    if (!split) {
      split = this.track<SplitRecord>({
        id: this.nextId(),
        kind: 'slice',
        site,
        scope: frame.scope,
        seq: this.nextSeq(),
        input: obj,
        sides: new Set(),
        fitVotes: [0, 0],
      });
      this.sliceSplits.set(key, split);
      this.result.splits.push(split);
    }
    const side: 0 | 1 = slice.upper ? 0 : 1;
    split.sides.add(side);
    return { ...obj, part: { split, side } };
  }

  private call(e: CallExpr, frame: Frame): Value | undefined {
    const scope = frame.scope;
    const site = this.lib.persistenceSite(e);
    if (site) return this.lib.persist(site, e, frame);
    // Method calls on known values.
    if (e.callee.k === 'attr') {
      const recv = this.eval(e.callee.object, frame);
      const args = e.args.map((a) => this.eval(a.value, frame));
      const method = e.callee.name;
      if (recv?.t === 'inst') {
        // An object loaded from disk and used as data (`arr = np.load(...)` / `df = pickle.load(f)`).
        if (this.lib.loadedAsData(recv, method)) {
          const d = this.asData(recv, undefined, frame);
          return d ? this.lib.dataMethod(d, method, e, args, frame) : undefined;
        }
        if (recv.userClass !== undefined) {
          const m = this.methodOf(recv.userClass, method);
          if (m !== undefined) return this.callUser(m, e, args, frame, recv);
        }
        return this.lib.instMethod(recv, method, e, args, frame);
      }
      // `X = []; for r in rows: X.append([r.a, r.b])` / `X.push(...)`: a list of rows built from data is that data.
      if (
        (method === 'append' || method === 'push' || method === 'extend') &&
        e.callee.object.k === 'name' &&
        (recv === undefined || recv.t === 'data' || (recv.t === 'tuple' && recv.items.length === 0))
      ) {
        const item = args[0];
        const rows = item?.t === 'data' ? item : item?.t === 'tuple' ? combineData(collectData(item.items)) : undefined;
        if (rows) {
          this.setName(frame, e.callee.object.name, recv?.t === 'data' ? combineData([recv, rows]) : rows);
          return undefined;
        }
      }
      if (recv?.t === 'data') return this.lib.dataMethod(recv, method, e, args, frame);
      if (recv?.t === 'stat') return recv; // df.mean().round(), stats of stats
      const q = recv === undefined ? this.sem.qname(e.callee, scope) : undefined;
      if (q) return this.lib.libraryCall(q, e, args, frame);
      if (
        recv?.t === 'scores' ||
        ((recv === undefined || (recv.t === 'tuple' && recv.items.length === 0)) && e.callee.object.k === 'name')
      ) {
        if (method === 'append' || method === 'extend' || method === 'add' || method === 'push') {
          const s = args[0];
          if (s?.t === 'score' && e.callee.object.k === 'name') {
            const name = e.callee.object.name;
            const old = frame.get(name);
            this.setName(frame, name, { t: 'scores', scores: old?.t === 'scores' ? [...old.scores, s] : [s] });
          }
          return undefined;
        }
        if (recv?.t === 'scores') return this.lib.scoresMethod(recv, method, e, args, scope);
      }
      // A global object the file does not define (`Math.max(...scores)`, `JSON.parse(...)`).
      if (recv === undefined && e.callee.object.k === 'name' && !this.sem.isBound(e.callee.object.name, scope)) {
        const r = this.lib.globalMethod(e.callee.object.name, method, e, args, scope);
        if (r) return r.value;
      }
      // A method of an unknown object: predict/score still say what they were given.
      if (recv === undefined) return this.lib.unknownReceiver(method, e, args, frame);
      return undefined;
    }
    const args = e.args.map((a) => this.eval(a.value, frame));
    // The callee as Semantics resolved it for every call (one lookup for its function and its qualified name).
    const named = this.sem.namedCall(e, scope);
    const fnId = named ? named.fn : this.sem.userFunction(e.callee, scope);
    if (fnId !== undefined) return this.callUser(fnId, e, args, frame);
    if (e.callee.k === 'name' && !this.sem.isBound(e.callee.name, scope)) {
      // Builtins, and functions the file does not define (another cell, a star import).
      return this.lib.builtinCall(e.callee.name, e, args, frame);
    }
    const q = named ? named.q : this.sem.qname(e.callee, scope);
    if (!q) {
      const v = e.callee.k === 'name' ? frame.get(e.callee.name) : undefined;
      if (v?.t === 'inst') return v;
      const classId = this.sem.userClass(e.callee, scope);
      if (classId !== undefined) {
        this.enter(classId);
        const inst = this.lib.newInst(this.sem.fn(classId).name, this.lib.userClassKind(classId), e, scope);
        inst.userClass = classId;
        inst.fields = new Map();
        this.initFields(classId, inst);
        const init = this.methodOf(classId, this.isTs ? 'constructor' : '__init__');
        if (init !== undefined) this.callUser(init, e, args, frame, inst);
        return inst;
      }
      return this.lib.unknownCall(e.callee.k === 'name' ? e.callee.name : '', e, args, frame);
    }
    return this.lib.libraryCall(q, e, args, frame);
  }

  /** A two-operand `==` / `!=` comparison (read from the source between the operands). */
  private isEquality(e: Extract<Expr, { k: 'other' }>): boolean {
    if (e.children.length !== 2) return false;
    const { text, lineStarts } = this.sem.module;
    const at = (p: { line: number; character: number }) => (lineStarts[p.line] ?? 0) + p.character;
    const between = text.slice(at(e.children[0].range.end), at(e.children[1].range.start)).trim();
    return between === '==' || between === '!=' || between === '===' || between === '!==';
  }

  noteStmt(e: CallExpr): void {
    if (!this.currentStmt) return;
    this.result.stmtOf.set(e, this.currentStmt);
    if (this.analysing !== undefined) this.noted.push([e, this.currentStmt]);
  }

  private callUser(
    fnId: number,
    e: CallExpr,
    args: (Value | undefined)[],
    frame: Frame,
    self?: Inst,
  ): Value | undefined {
    if (this.callStack.includes(fnId) || this.callStack.length >= MAX_CALL_DEPTH) return undefined;
    this.enter(fnId);
    const fn = this.sem.fn(fnId);
    const callee = new Frame(fnId, this.closureFrame(fn.parent, frame));
    const positional = e.args.map((a, i) => ({ a, v: args[i] })).filter(({ a }) => !a.name && !a.spread);
    const inference = this.lib.isInferenceFunction(fn.name);
    let pi = 0;
    if (self && this.isTs) callee.vars.set('this', self);
    for (const [i, p] of fn.params.entries()) {
      if (self && i === 0 && !this.isTs) {
        callee.vars.set(p.name, self);
        continue;
      }
      if (p.kind === 'varargs' || p.kind === 'kwargs') continue;
      let v: Value | undefined;
      const kw = e.args.findIndex((a) => a.name === p.name);
      if (kw >= 0) v = args[kw];
      else if (p.kind === 'positional' && pi < positional.length) v = positional[pi++]?.v;
      else if (p.default) v = this.eval(p.default, callee);
      if (v === undefined && inference) v = this.lib.inferenceParam(p.name);
      callee.vars.set(p.name, v);
    }
    this.callStack.push(fnId);
    const savedLoop = this.loopDepth;
    this.loopDepth = 0;
    const returns: (Value | undefined)[] = [];
    try {
      this.fnBody(fn.body, callee, returns);
    } finally {
      this.loopDepth = savedLoop;
      this.callStack.pop();
    }
    return mergeReturns(returns);
  }

  /** Calls the file's own function with these positional values (`df.apply(f)` runs `f(df)`). */
  callUserWith(fnId: number, values: (Value | undefined)[], frame: Frame): Value | undefined {
    if (this.callStack.includes(fnId) || this.callStack.length >= MAX_CALL_DEPTH) return undefined;
    this.enter(fnId);
    const fn = this.sem.fn(fnId);
    const callee = new Frame(fnId, this.closureFrame(fn.parent, frame));
    let i = 0;
    for (const p of fn.params) {
      if (p.kind === 'varargs' || p.kind === 'kwargs') continue;
      callee.vars.set(p.name, i < values.length ? values[i++] : p.default ? this.eval(p.default, callee) : undefined);
    }
    this.callStack.push(fnId);
    const returns: (Value | undefined)[] = [];
    try {
      this.fnBody(fn.body, callee, returns);
    } finally {
      this.callStack.pop();
    }
    return mergeReturns(returns);
  }

  /** Runs a function body, collecting the values of its return statements. */
  private fnBody(body: Stmt[], frame: Frame, returns: (Value | undefined)[]): void {
    for (const s of body) {
      if (++this.steps > MAX_STEPS) return;
      const saved = this.currentStmt;
      this.currentStmt = { stmt: s, scope: frame.scope, block: body };
      try {
        if (s.k === 'return') returns.push(s.value ? this.eval(s.value, frame) : undefined);
        else if (s.k === 'if') {
          this.eval(s.test, frame);
          this.selectionInIf(s, frame);
          if (s.orelse.length === 0) {
            const size = frame.vars.size;
            this.fnBody(s.body, frame, returns);
            this.keepBodyOnly(frame, size);
            continue;
          }
          const before = new Map(frame.vars);
          this.fnBody(s.body, frame, returns);
          const afterBody = new Map(frame.vars);
          frame.vars.clear();
          for (const [k, v] of before) frame.vars.set(k, v);
          this.fnBody(s.orelse, frame, returns);
          this.mergeBranches(frame, before, afterBody);
        } else if (s.k === 'loop') {
          const iter = s.iter ? this.eval(s.iter, frame) : undefined;
          if (s.target) this.bind(s.target, this.elementOf(iter, s.iter, frame), frame);
          this.loopDepth++;
          try {
            this.fnBody(s.body, frame, returns);
          } finally {
            this.loopDepth--;
          }
          this.fnBody(s.orelse, frame, returns);
        } else if (s.k === 'with') {
          for (const item of s.items) {
            const v = this.eval(item.value, frame);
            if (item.target) this.bind(item.target, v, frame);
          }
          this.fnBody(s.body, frame, returns);
        } else if (s.k === 'try') {
          this.fnBody(s.body, frame, returns);
          for (const h of s.handlers) this.fnBody(h, frame, returns);
          this.fnBody(s.orelse, frame, returns);
          this.fnBody(s.finalbody, frame, returns);
        } else this.stmt(s, frame);
      } finally {
        this.currentStmt = saved;
      }
    }
  }

  /** The frame a function's free names resolve in: the module, or the caller when it is the parent. */
  private closureFrame(parent: ScopeId, caller: Frame): Frame {
    for (let f: Frame | undefined = caller; f; f = f.parent) if (f.scope === parent) return f;
    return this.moduleFrame;
  }
}

function offset(m: ModuleIR, p: { line: number; character: number }): number {
  return (m.lineStarts[p.line] ?? m.text.length) + p.character;
}

function indexedName(e: Expr): string | undefined {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr' && (e.name === 'loc' || e.name === 'iloc') && e.object.k === 'name') return e.object.name;
  return undefined;
}

/** What a call of a function returns: the last known return, with every data return's fits (may). */
function mergeReturns(returns: (Value | undefined)[]): Value | undefined {
  const known = returns.filter((r) => r !== undefined);
  const last = known[known.length - 1];
  if (last?.t !== 'data') return last;
  let out: Data = last;
  for (const r of known) {
    if (r === last || r?.t !== 'data') continue;
    out = {
      ...out,
      transformedBy: union(out.transformedBy, r.transformedBy),
      via: union(out.via, r.via),
      resampledBy: union(out.resampledBy, r.resampledBy),
    };
  }
  return out;
}

function compatible(a: Value | undefined, b: Value | undefined): boolean {
  if (!a || !b || a.t !== b.t) return false;
  if (a.t === 'data' && b.t === 'data')
    return a.base === b.base && a.part?.split === b.part?.split && a.part?.side === b.part?.side;
  return a.t !== 'inst';
}
