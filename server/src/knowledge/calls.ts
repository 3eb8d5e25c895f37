import type { Frame, Machine, LibraryModel } from '../dataflow/interpreter';
import { canonicalOf } from '../fix/syntax';
import {
  collectData,
  collectInsts,
  combineData,
  emptyData,
  rootName,
  union,
  type Base,
  type Data,
  type FitRecord,
  type Inst,
  type InstKind,
  type ResampleRecord,
  type Score,
  type ScoreBag,
  type SplitRecord,
  type StatValue,
  type TupleValue,
  type Value,
} from '../dataflow/values';
import { argFor, type CallExpr } from '../model/calls';
import { type Expr, type FunctionIR, type ScopeId, type Stmt } from '../model/ir';
import { persistenceSites, type PersistenceSite } from './persistence';
import type { Semantics } from '../model/semantics';
import {
  APPLY_METHODS,
  CV_FUNCTIONS,
  DATA_SOURCES,
  DERIVING_MODULES,
  DESCRIBING_BUILTINS,
  FIT_FUNCTIONS,
  FIT_METHODS,
  FIT_PREDICT_METHODS,
  FIT_RESAMPLE_METHODS,
  FIT_TRANSFORM_METHODS,
  FUNCTION_TAKING_METHODS,
  GUESS_LOADER,
  GUESS_PREDICTOR,
  GUESS_TRANSFORMER,
  INFERENCE_FUNCTION,
  META_ATTRS,
  META_METHODS,
  PICK_FUNCTIONS,
  PICK_METHODS,
  PREDICT_METHODS,
  SCORE_METHODS,
  SEARCH_CLASSES,
  SELF_ATTRS,
  SELF_METHODS,
  SPLIT_FUNCTION_ARRAYS,
  SPLIT_FUNCTIONS,
  SPLIT_METHODS,
  STAT_FUNCTIONS,
  STAT_METHODS,
  TEST_NAME,
  TRANSFORM_METHODS,
  VAL_NAME,
} from './methods';
import tags from './tags.json';
import { COMPOSITE_FUNCTIONS, compositeSpec } from './composites';
import type { EntityInfo } from './types';

/**
 * Models of library calls for the lineage interpreter (`dataflow/interpreter.ts`): what scikit-learn,
 * imbalanced-learn, scikit.js, pandas/numpy statistics, persistence, metrics and the languages' builtins
 * do to data and fitted state. The interpreter runs the file's own code and asks these models about
 * every call it does not define.
 */

/** Stateless per the library's tags, plus transformers whose fit learns only the input's shape (no row statistics). */
const STATELESS = new Set<string>([...tags.stateless, 'sklearn.preprocessing.PolynomialFeatures']);
const LABEL_ENCODERS = new Set<string>(tags.labelEncoders);

export class LibraryCalls implements LibraryModel {
  private readonly persistence = new Map<CallExpr, PersistenceSite>();
  readonly persistenceSites: readonly PersistenceSite[];
  /** The module loads a saved model: data it reads is inference data. */
  readonly loadsModel: boolean;
  private m!: Machine;
  /** The library concept of a method name of the module's language (`fitTransform` -> `fit_transform`). */
  private readonly canonical: (name: string) => string;

  constructor(
    private readonly sem: Semantics,
    private readonly lookup: (q: string | undefined) => EntityInfo | undefined,
  ) {
    this.canonical = canonicalOf(sem.module.language);
    this.persistenceSites = persistenceSites(sem);
    for (const site of this.persistenceSites) this.persistence.set(site.call, site);
    // A file that loads a model (and saves none) is an inference script: the data it reads is new data.
    const sites = [...this.persistence.values()];
    // A file that fits a model with labels (`fit(X, y)`) trains: what it loads is data or a starting point.
    let trains = false;
    for (const { call } of sem.calls) {
      if (
        call.callee.k === 'attr' &&
        FIT_METHODS.has(this.canonical(call.callee.name)) &&
        call.args.filter((a) => !a.name && !a.spread).length >= 2
      ) {
        trains = true;
        break;
      }
    }
    this.loadsModel = sites.some((s) => s.kind === 'load') && !sites.some((s) => s.kind === 'save') && !trains;
  }

  attach(m: Machine): void {
    this.m = m;
  }

  // ---------------------------------------------------------------- hooks of the interpreter

  /** Where new data of the file comes from: new data for an inference script, raw data otherwise. */
  get newBase(): Base {
    return this.loadsModel ? 'inference' : 'raw';
  }

  /** A function nobody calls, analysed on its own: its data parameters are inference data when it predicts. */
  isInferenceEntry(fn: FunctionIR): boolean {
    return INFERENCE_FUNCTION.test(fn.name) || (this.loadsModel && this.callsPredict(fn.body));
  }

  /** The value of a parameter of a function analysed on its own: data unless its name says otherwise. */
  entryParam(name: string, inference: boolean): Value | undefined {
    const dataLike =
      !/model|clf|estimator|pipe|regressor|classifier|scaler|encoder|transformer|path|file|dir|name|config|param|kwargs|args/i.test(
        name,
      );
    return dataLike ? emptyData(inference ? 'inference' : 'unknown', new Set([this.m.nextRoot()])) : undefined;
  }

  /** A call of the file's own inference function (`predict(...)`): its missing data arguments are new data. */
  isInferenceFunction(name: string): boolean {
    return INFERENCE_FUNCTION.test(name);
  }

  inferenceParam(name: string): Value | undefined {
    return /model|clf|estimator|pipe|path|file|dir/i.test(name)
      ? undefined
      : emptyData('inference', new Set([this.m.nextRoot()]));
  }

  /** What the file's own class is, by the methods it defines. */
  userClassKind(classId: number): InstKind {
    const methods = new Set(
      this.sem.module.functions.filter((f) => f.parent === classId && f.kind === 'def').map((f) => f.name),
    );
    if (methods.has('predict') || methods.has('predict_proba')) return 'predictor';
    if (methods.has('transform')) return 'transformer';
    return 'other';
  }

  /** `obj.name` of a library instance or of data. */
  attribute(obj: Inst | Data, name: string): Value | undefined {
    if (obj.t === 'inst') return SELF_ATTRS.has(name) ? obj : undefined;
    return META_ATTRS.has(name) ? undefined : obj;
  }

  /** A save or load of a model (`joblib.dump`, `pickle.load`), when this call is one. */
  persistenceSite(e: CallExpr): PersistenceSite | undefined {
    return this.persistence.get(e);
  }

  /** An object loaded from disk used as data (`arr = np.load(...)` / `df = pickle.load(f)`): any method but a model's. */
  loadedAsData(inst: Inst, name: string): boolean {
    const method = this.canonical(name);
    return (
      inst.kind === 'loaded' &&
      !PREDICT_METHODS.has(method) &&
      !SCORE_METHODS.has(method) &&
      !TRANSFORM_METHODS.has(method) &&
      !FIT_METHODS.has(method) &&
      !FIT_TRANSFORM_METHODS.has(method)
    );
  }

  /** A method of a bag of scores: picking the best one selects a candidate. */
  scoresMethod(recv: ScoreBag, method: string, e: CallExpr, args: (Value | undefined)[], scope: ScopeId): Value {
    if (PICK_METHODS.has(method)) this.pick(e, recv.scores, scope);
    // scores.index(max(scores)): the best value finds its candidate.
    const a0 = args[0];
    if ((method === 'index' || method === 'indexOf') && a0?.t === 'scores' && a0.extreme)
      this.pick(a0.extreme, a0.scores, scope);
    return recv;
  }

  /**
   * A method of a JavaScript global object the file does not shadow (`Math.max(...scores)`,
   * `JSON.parse(...)`): `{ value }` when modelled.
   */
  globalMethod(
    object: string,
    method: string,
    e: CallExpr,
    args: (Value | undefined)[],
    scope: ScopeId,
  ): { value: Value | undefined } | undefined {
    // JavaScript's `Math.max(...scores)`: a global object's function that picks the best score.
    if (PICK_FUNCTIONS.has(`${object}.${method}`))
      return { value: this.pickCall(`${object}.${method}`, e, args, scope) };
    // JavaScript's `JSON.parse(readFileSync(path, 'utf8'))`: rows read from a file (named by the inner call's path).
    if (method === 'parse' && object === 'JSON' && e.args.length > 0) {
      const inner = e.args[0].value;
      return { value: this.newData(inner.k === 'call' ? inner : e, this.newBase) };
    }
    return undefined;
  }

  /** A builtin function of the language (`max`, `list`, `len`), or one defined nowhere in the file. */
  builtinCall(name: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    if (PICK_FUNCTIONS.has(name)) return this.pickCall(name, e, args, frame.scope);
    if (name === 'list' || name === 'tuple' || name === 'iter' || name === 'sorted' || name === 'reversed')
      return args[0];
    if (DESCRIBING_BUILTINS.has(name)) return undefined;
    // A function the file does not define (another cell, a star import): data in, data out.
    return this.unknownCall(name, e, args, frame);
  }

  /** A new piece of data: test or validation data when its path or the name it is bound to says so. */
  newData(e: CallExpr | undefined, base: Base, nameHint?: string): Data {
    const root = this.m.nextRoot();
    let b = base;
    if (base === 'raw' || base === 'unknown') {
      const texts: string[] = [];
      const current = this.m.currentStmt;
      if (nameHint) texts.push(nameHint);
      else if (current?.stmt.k === 'assign') {
        const t = current.stmt.targets[0];
        if (t?.k === 'name') texts.push(t.name);
      }
      const path = e?.args.find((a) => !a.name && a.value.k === 'str')?.value;
      if (path?.k === 'str' && path.value) texts.push(path.value.split(/[\\/]/).pop() ?? path.value);
      if (texts.some((t) => TEST_NAME.test(t))) b = 'test';
      else if (texts.some((t) => VAL_NAME.test(t))) b = 'val';
      if (b === 'test' || b === 'val') (this.m.result.testRoots as Set<number>).add(root);
    }
    return emptyData(b, new Set([root]));
  }

  private callsPredict(body: Stmt[]): boolean {
    let found = false;
    const visit = (e: Expr) => {
      if (e.k === 'call' && e.callee.k === 'attr' && PREDICT_METHODS.has(this.canonical(e.callee.name))) found = true;
    };
    const stack = [...body];
    while (stack.length > 0 && !found) {
      const s = stack.pop()!;
      const exprs =
        s.k === 'assign' ? [s.value] : s.k === 'expr' ? [s.expr] : s.k === 'return' && s.value ? [s.value] : [];
      for (const e of exprs) walk(e, visit);
      if (s.k === 'if' || s.k === 'loop') stack.push(...s.body, ...s.orelse);
      if (s.k === 'with') stack.push(...s.body);
      if (s.k === 'try') stack.push(...s.body, ...s.orelse, ...s.finalbody, ...s.handlers.flat());
    }
    return found;
  }

  // ---------------------------------------------------------------- calls

  /**
   * A call nothing is known about: its result derives from the data it is given (may), an unknown class
   * is guessed from its name (`XGBClassifier`, `DataFrameMapper`), a loader-like function reads new data.
   */
  unknownCall(name: string, e: CallExpr, args: (Value | undefined)[], frame: Frame, qname = name): Value | undefined {
    const data = collectData(args);
    const guess = guessFromName(name);
    if (guess.capitalized) {
      const { predictor, transformer } = guess;
      if (predictor || transformer) {
        const inst = this.newInst(qname, predictor ? 'predictor' : 'transformer', e, frame.scope);
        inst.guessed = true;
        inst.parts = collectInsts(args);
        if (inst.parts.length > 0) inst.composite = true;
        return inst;
      }
      if (data.length === 0) return undefined;
    }
    if (data.length > 0) return combineData(data);
    const stats = args.filter((a): a is StatValue => a?.t === 'stat');
    if (stats.length > 0) return stats[0];
    if (guess.loader) return this.newData(e, this.loadsModel ? 'inference' : 'raw');
    return undefined;
  }

  persist(site: PersistenceSite, e: CallExpr, frame: Frame): Value | undefined {
    const scope = frame.scope;
    const args = e.args.map((a) => this.m.eval(a.value, frame));
    if (site.kind === 'save') {
      const i = site.object ? e.args.findIndex((a) => a.value === site.object) : -1;
      const value = i >= 0 ? args[i] : site.object ? this.m.eval(site.object, frame) : undefined;
      this.m.result.saves.push({ site, value, scope, seq: this.m.nextSeq() });
      this.m.noteStmt(e);
      return undefined;
    }
    const inst = this.newInst(site.api, 'loaded', e, scope);
    inst.load = site;
    this.m.result.loads.push({ site, inst, scope, seq: this.m.nextSeq() });
    return inst;
  }

  /**
   * `argmax(scores)`, `max(candidates, key=score)`, `sorted(..., key=)`: picks the best candidate. A bare
   * `max(scores)` reports the best value (`print(max(fold_scores))`); it selects only when used to find
   * the candidate (`scores.index(max(scores))`).
   */
  pickCall(name: string, e: CallExpr, args: (Value | undefined)[], scope: ScopeId): Value | undefined {
    const scores = args.flatMap((a) => (a?.t === 'scores' ? a.scores : a?.t === 'score' ? [a] : []));
    if (scores.length === 0) return undefined;
    // `sorted(...)` (with or without key) ranks for display; max/min without key report the best value.
    const extreme =
      /^(sorted|numpy\.sort)$/.test(name) ||
      (/^(max|min|numpy\.(max|min|amax|amin)|Math\.(max|min))$/.test(name) && !e.args.some((a) => a.name === 'key'));
    if (extreme) return { t: 'scores', scores, extreme: e };
    this.pick(e, scores, scope);
    return undefined;
  }

  pick(e: CallExpr, scores: Score[], scope: ScopeId): void {
    this.m.result.selections.push({ site: e.range, scores, scope, seq: this.m.nextSeq() });
  }

  unknownReceiver(method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    const concept = this.canonical(method);
    if (PREDICT_METHODS.has(concept) && args[0]?.t === 'data') {
      this.m.result.predicts.push({ call: e, X: args[0], scope: frame.scope, seq: this.m.nextSeq() });
      return { ...args[0], predictedBy: undefined };
    }
    if (SCORE_METHODS.has(concept)) {
      const data = args.filter((a): a is Data => a?.t === 'data');
      if (data.length > 0) return this.score(e, data, frame);
    }
    // `model.fit(X, y)` on an object nothing is known about (a keras model built elsewhere): a model fit.
    if (FIT_METHODS.has(concept) && e.args.filter((a) => !a.name && !a.spread).length >= 2 && e.callee.k === 'attr') {
      const positional = e.args.map((a, j) => ({ a, v: args[j] })).filter(({ a }) => !a.name && !a.spread);
      const X = positional[0].v?.t === 'data' ? positional[0].v : undefined;
      const y = positional[1].v?.t === 'data' ? positional[1].v : undefined;
      if (X) {
        const inst = this.newInst(
          e.callee.object.k === 'name' ? e.callee.object.name : 'model',
          'predictor',
          e,
          frame.scope,
        );
        inst.guessed = true;
        this.fitRecord(inst, e, method, X, y, frame.scope);
        if (X.part && X.part.split.kind === 'slice') X.part.split.fitVotes[X.part.side]++;
        if (e.callee.object.k === 'name') this.m.setName(frame, e.callee.object.name, inst);
        return inst;
      }
    }
    // Any other method of an unknown object given data (`tokenizer.texts_to_sequences(X)`): derived data (may).
    const data = collectData(args);
    return data.length > 0 ? combineData(data) : undefined;
  }

  score(e: CallExpr, data: Data[], frame: Frame): Score {
    return { t: 'score', call: e, data, scope: frame.scope, inLoop: this.m.loopDepth > 0 };
  }

  libraryCall(q: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    const scope = frame.scope;
    if (PICK_FUNCTIONS.has(q)) {
      const r = this.pickCall(q, e, args, scope);
      if (r || args.some((a) => a?.t === 'score' || a?.t === 'scores')) return r;
    }
    if (SPLIT_FUNCTIONS.has(q)) return this.trainTestSplit(e, args, frame, SPLIT_FUNCTION_ARRAYS.get(q));
    const entity = this.lookup(q);
    if (CV_FUNCTIONS.has(q)) {
      const x = argFor(e, entity, 'X');
      const xv0 = x ? (args[e.args.indexOf(x)] ?? this.m.eval(x.value, frame)) : args[1];
      const xv = this.m.asData(xv0, x?.value, frame);
      if (xv) this.m.result.cvs.push({ call: e, X: xv, scope, seq: this.m.nextSeq() });
      return undefined;
    }
    const facts = qnameFacts(q);
    if (facts.dataSource) {
      const d = this.newData(e, this.loadsModel ? 'inference' : 'raw');
      const returnXy = e.args.some(
        (a) => (a.name === 'return_X_y' || a.name === 'return_x_y') && a.value.k === 'const' && a.value.value === true,
      );
      if (returnXy || /\.make_\w+$/.test(q)) return { t: 'tuple', items: [d, d] };
      return d;
    }
    if (q === 'sklearn.utils.resample' || q === 'sklearn.utils.shuffle') {
      const replace = e.args.find((a) => a.name === 'replace');
      const over =
        q === 'sklearn.utils.resample' && !(replace && replace.value.k === 'const' && replace.value.value === false);
      const data = args.filter((a): a is Data => a?.t === 'data');
      let rec: ResampleRecord | undefined;
      if (over) {
        rec = { id: this.m.nextId(), call: e, X: data[0], scope, seq: this.m.nextSeq(), api: q };
        this.m.result.resamples.push(rec);
      }
      const out = data.map((d) => (rec ? { ...d, resampledBy: [...d.resampledBy, rec] } : d));
      return out.length === 1 ? out[0] : out.length > 1 ? { t: 'tuple', items: out } : undefined;
    }
    if (q.startsWith('sklearn.metrics.') || q.startsWith('scikitjs.metrics')) {
      const data = args.filter((a): a is Data => a?.t === 'data');
      if (
        data.length > 0 &&
        /(_score|_error|_loss|_deviance|^score|[a-z0-9](Score|Error|Loss))$/.test(q.split('.').pop() ?? '')
      )
        return this.score(e, data, frame);
      return undefined;
    }
    if (facts.composite) {
      const inst = this.newInst(q, 'other', e, scope);
      inst.composite = true;
      inst.parts = collectInsts(args);
      inst.kind = compositeKind(inst.parts);
      return inst;
    }
    if (entity?.kind === 'class') return this.construct(q, entity, e, args, scope);
    if (facts.fitFunction) {
      // preprocessing.scale(X): a fit and a transform in one call.
      const X = this.m.asData(args[0], e.args[0]?.value, frame);
      if (!X) return undefined;
      const inst = this.newInst(q, 'transformer', e, scope);
      inst.implicit = 'function';
      this.fitRecord(inst, e, q.split('.').pop()!, X, undefined, scope);
      return this.transformed(X, inst);
    }
    if (facts.deriving) {
      const data = collectData(args);
      if (STAT_FUNCTIONS.test(q) && data.length > 0)
        return this.stat(q.split('.').pop()!, e, combineData(data)!, frame);
      const stats = args.filter((a): a is StatValue => a?.t === 'stat');
      if (data.length > 0) return this.applyStats(combineData(data)!, stats);
      if (stats.length > 0) return stats[0];
      // np.sqrt(mean_squared_error(...)): still the score.
      const score = args.find((a) => a?.t === 'score' || a?.t === 'scores');
      if (score) return score;
      // pd.DataFrame({...}) / np.array([[...]]): data built from literals.
      if (/^(pandas\.(DataFrame|Series)|numpy\.(array|asarray|random\.\w+))$/.test(q) && e.args.length > 0)
        return this.newData(e, this.loadsModel ? 'inference' : 'raw');
      return undefined;
    }
    if (!entity && !q.startsWith('sklearn.') && !q.startsWith('scikitjs.'))
      return this.unknownCall(facts.lastName, e, args, frame, q);
    return undefined;
  }

  /** A statistic of `X`, computed by `call`: a fit only once it is applied to rows. */
  stat(name: string, e: CallExpr, X: Data, frame: Frame): StatValue {
    const inst = this.newInst(`statistic:${name}`, 'transformer', e, frame.scope);
    inst.implicit = 'statistic';
    return this.m.track({ t: 'stat', inst, call: e, X, scope: frame.scope });
  }

  /** Data changed with statistics: the first application records the statistic's fit. */
  applyStats(d: Data, stats: StatValue[]): Data {
    let out = d;
    for (const st of stats) {
      if (!st.fit) {
        st.fit = this.fitRecord(st.inst, st.call, st.inst.qname.slice('statistic:'.length), st.X, undefined, st.scope);
      }
      out = this.transformed(out, st.inst);
    }
    return out;
  }

  fitRecord(
    inst: Inst,
    e: CallExpr,
    method: string,
    X: Data | undefined,
    y: Data | undefined,
    scope: ScopeId,
  ): FitRecord {
    const rec: FitRecord = {
      inst,
      call: e,
      method,
      concept: this.canonical(method),
      X,
      y,
      scope,
      seq: this.m.nextSeq(),
    };
    inst.fits.push(rec);
    this.m.result.fits.push(rec);
    this.m.noteStmt(e);
    return rec;
  }

  construct(q: string, entity: EntityInfo, e: CallExpr, args: (Value | undefined)[], scope: ScopeId): Inst {
    const r = entity.roles;
    let kind: InstKind = 'other';
    if (r.splitter) kind = 'splitter';
    else if (r.resampler) kind = 'resampler';
    else if (entity.params.some((p) => p.name === 'cv') && (r.meta || r.predictor)) kind = 'search';
    else if (r.predictor || r.meta) kind = 'predictor';
    else if (r.transformer) kind = 'transformer';
    const inst = this.newInst(q, kind, e, scope);
    if (r.composite || r.meta) {
      inst.composite = r.composite;
      inst.parts = collectInsts(args);
      if (r.composite && inst.parts.length > 0) {
        // A sequence (Pipeline) is what its last step is.
        const sequence = compositeSpec(q.slice(q.lastIndexOf('.') + 1), this.canonical)?.arrangement === 'sequence';
        const k = compositeKind(sequence ? inst.parts : []);
        if (sequence) inst.kind = k;
      }
    }
    return inst;
  }

  newInst(q: string, kind: InstKind, ctor: Expr, scope: ScopeId): Inst {
    return this.m.track({
      t: 'inst',
      id: this.m.nextId(),
      qname: q,
      kind,
      stateless: STATELESS.has(q),
      labelEncoder: LABEL_ENCODERS.has(q),
      composite: false,
      parts: [],
      ctor,
      scope,
      fits: [],
    });
  }

  trainTestSplit(e: CallExpr, args: (Value | undefined)[], frame: Frame, maxArrays = Infinity): Value {
    const arrays = e.args
      .map((a, i) => ({ a, v: args[i] }))
      .filter(({ a }) => !a.name && !a.spread)
      .slice(0, maxArrays)
      .map(({ a, v }) => ({ a, v: this.m.asData(v, a.value, frame) ?? fieldsData(v) ?? v }));
    let k = 0;
    const items: (Value | undefined)[] = [];
    const first = arrays.find(({ v }) => v?.t === 'data')?.v as Data | undefined;
    // `X_sub, _, y_sub, _ = train_test_split(...)`: the held-out side is thrown away, a subsample, not a split.
    const t = this.m.currentStmt?.stmt.k === 'assign' ? this.m.currentStmt.stmt.targets[0] : undefined;
    const discarded =
      t?.k === 'seq' &&
      t.items.length >= 2 &&
      t.items.every((x, i) => i % 2 === 0 || (x.k === 'name' && x.name === '_'));
    const split: SplitRecord = this.m.track({
      id: this.m.nextId(),
      kind: discarded ? 'sample' : 'train_test_split',
      site: e,
      scope: frame.scope,
      seq: this.m.nextSeq(),
      input: first ?? emptyData('mixed', new Set()),
      sides: new Set(discarded ? [0] : [0, 1]),
      trainSide: 0,
      fitVotes: [0, 0],
    });
    // `X_train, X_val, ... = train_test_split(...)`: held-out sides named as validation data are not the test set.
    if (t?.k === 'seq' && !discarded) {
      const held = t.items.filter((_, i) => i % 2 === 1).map((x) => (x.k === 'name' ? x.name : ''));
      if (held.some((n) => VAL_NAME.test(n)) && !held.some((n) => TEST_NAME.test(n))) split.heldOut = 'val';
    }
    if (first) {
      split.input = combineData(arrays.map(({ v }) => v).filter((v): v is Data => v?.t === 'data'))!;
      this.m.result.splits.push(split);
    }
    for (const { v } of arrays) {
      if (v?.t === 'data') {
        items.push({ ...v, part: { split, side: 0, arg: k } }, { ...v, part: { split, side: 1, arg: k } });
      } else items.push(undefined, undefined);
      k++;
    }
    return { t: 'tuple', items } satisfies TupleValue;
  }

  instMethod(inst: Inst, method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    const concept = this.canonical(method);
    const scope = frame.scope;
    const dataArg = (i: number): Data | undefined => {
      const positional = e.args.map((a, j) => ({ a, v: args[j] })).filter(({ a }) => !a.name && !a.spread);
      const kw = e.args.findIndex((a) => a.name === (i === 0 ? 'X' : 'y'));
      const arg = positional[i]?.a ?? (kw >= 0 ? e.args[kw] : undefined);
      const v = positional[i]?.v ?? (kw >= 0 ? args[kw] : undefined);
      return this.m.asData(v, arg?.value, frame);
    };
    const isFit =
      FIT_METHODS.has(concept) ||
      FIT_TRANSFORM_METHODS.has(concept) ||
      FIT_PREDICT_METHODS.has(concept) ||
      FIT_RESAMPLE_METHODS.has(concept);
    if (isFit) {
      const X = dataArg(0);
      const y = dataArg(1);
      this.fitRecord(inst, e, method, X, y, scope);
      if (X?.part && X.part.split.kind === 'slice' && (inst.kind === 'predictor' || inst.kind === 'search'))
        X.part.split.fitVotes[X.part.side]++;
      if (inst.kind === 'search' && X && SEARCH_CLASSES.test(inst.qname))
        this.m.result.cvs.push({ call: e, X, scope, seq: this.m.nextSeq() });
      if (FIT_METHODS.has(concept)) return inst;
      if (FIT_TRANSFORM_METHODS.has(concept)) return X ? this.transformed(X, inst) : undefined;
      if (FIT_PREDICT_METHODS.has(concept)) return X ? { ...X, predictedBy: inst } : undefined;
      // fit_resample
      const over = inst.kind === 'resampler' && /^imblearn\.(over_sampling|combine)\./.test(inst.qname);
      let rec2: ResampleRecord | undefined;
      if (over) {
        rec2 = { id: this.m.nextId(), call: e, X, scope, seq: this.m.nextSeq(), api: inst.qname };
        this.m.result.resamples.push(rec2);
      }
      const out = (d: Data | undefined) => (d && rec2 ? { ...d, resampledBy: [...d.resampledBy, rec2] } : d);
      return { t: 'tuple', items: [out(X), out(y)] };
    }
    if (TRANSFORM_METHODS.has(concept)) {
      const X = dataArg(0);
      this.m.result.transforms.push({ inst, call: e, X, scope, seq: this.m.nextSeq() });
      return X ? this.transformed(X, inst) : undefined;
    }
    if (PREDICT_METHODS.has(concept)) {
      const X = dataArg(0);
      this.m.result.predicts.push({ inst, call: e, X, scope, seq: this.m.nextSeq() });
      return X ? { ...X, predictedBy: inst } : undefined;
    }
    if (SCORE_METHODS.has(concept)) {
      const data = [dataArg(0), dataArg(1)].filter((d): d is Data => !!d);
      if (data[0]) this.m.result.predicts.push({ inst, call: e, X: data[0], scope, seq: this.m.nextSeq() });
      return data.length > 0 ? this.score(e, data, frame) : undefined;
    }
    if (SPLIT_METHODS.has(concept) && inst.kind === 'splitter') {
      const X = dataArg(0);
      if (!X) return undefined;
      const split: SplitRecord = this.m.track({
        id: this.m.nextId(),
        kind: 'cv',
        site: e,
        scope,
        seq: this.m.nextSeq(),
        input: X,
        sides: new Set([0, 1]),
        trainSide: 0,
        fitVotes: [0, 0],
      });
      this.m.result.splits.push(split);
      return { t: 'cvsplits', split };
    }
    if (SELF_METHODS.has(concept)) return inst;
    // Other methods of a class the knowledge does not cover (`tokenizer.texts_to_sequences(X)`): data in, data out.
    if (inst.guessed) {
      const data = collectData(args);
      return data.length > 0 ? combineData(data) : undefined;
    }
    return undefined;
  }

  transformed(X: Data, inst: Inst): Data {
    if (inst.stateless) return X;
    // A loaded object's state is unknown here: remember that it transformed the data (SKL304's double scaling).
    if (inst.kind === 'loaded')
      return X.transformedBy.includes(inst)
        ? X
        : { ...X, transformedBy: [...X.transformedBy, inst], predictedBy: undefined };
    const fit = inst.fits[inst.fits.length - 1];
    return {
      ...X,
      transformedBy: X.transformedBy.includes(inst) ? X.transformedBy : [...X.transformedBy, inst],
      via: fit && !X.via.includes(fit) ? [...X.via, fit] : X.via,
      predictedBy: undefined,
    };
  }

  dataMethod(d: Data, method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    const out = this.dataMethodResult(d, method, e, args, frame);
    // `df['Age'].fillna(df['Age'].mean(), inplace=True)`: the frame itself changes.
    if (
      out?.t === 'data' &&
      out !== d &&
      e.args.some((a) => a.name === 'inplace' && a.value.k === 'const' && a.value.value === true) &&
      e.callee.k === 'attr'
    ) {
      const root = rootName(e.callee.object);
      const old = root ? frame.get(root) : undefined;
      if (root && old?.t === 'data')
        this.m.setName(frame, root, {
          ...old,
          transformedBy: union(old.transformedBy, out.transformedBy),
          via: union(old.via, out.via),
          resampledBy: union(old.resampledBy, out.resampledBy),
        });
    }
    return out;
  }

  dataMethodResult(d: Data, method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    if (META_METHODS.has(method)) return undefined;
    if (STAT_METHODS.has(method)) return this.stat(method, e, d, frame);
    if (FUNCTION_TAKING_METHODS.has(method)) {
      // df.apply(f): the file's own f runs on the data (its fits see these rows).
      const fnArg = e.args[0]?.value;
      const fnId =
        fnArg?.k === 'name'
          ? this.sem.userFunction(fnArg, frame.scope)
          : fnArg?.k === 'function'
            ? fnArg.fn
            : undefined;
      if (fnId !== undefined) {
        const r = this.m.callUserWith(fnId, [d], frame);
        if (r?.t === 'data')
          return {
            ...d,
            transformedBy: union(d.transformedBy, r.transformedBy),
            via: union(d.via, r.via),
            resampledBy: union(d.resampledBy, r.resampledBy),
          };
        return d;
      }
    }
    if (APPLY_METHODS.has(method)) {
      const stats = args.filter((a): a is StatValue => a?.t === 'stat');
      // df.fillna(df.mean()) / df[c].map(df.groupby(c)[t].mean()) / df.sub(df.mean())
      if (stats.length > 0) return this.applyStats(d, stats);
    }
    if (method === 'sample') {
      const split: SplitRecord = this.m.track({
        id: this.m.nextId(),
        kind: 'sample',
        site: e,
        scope: frame.scope,
        seq: this.m.nextSeq(),
        input: d,
        sides: new Set([0]),
        trainSide: 0,
        fitVotes: [0, 0],
      });
      this.m.result.splits.push(split);
      return { ...d, part: { split, side: 0 } };
    }
    if (method === 'drop') {
      // test = df.drop(train.index): the complement of a sample.
      const a = e.args[0] ?? e.args.find((x) => x.name === 'index');
      if (a && a.value.k === 'attr' && a.value.name === 'index') {
        const other = this.m.eval(a.value.object, frame);
        if (other?.t === 'data' && other.part?.split.kind === 'sample' && sameRoots(other.part.split.input, d)) {
          other.part.split.sides.add(1);
          return { ...d, part: { split: other.part.split, side: 1 } };
        }
      }
      return d;
    }
    if (method === 'split') return undefined;
    const others = args.filter((a): a is Data => a?.t === 'data');
    return others.length > 0 && (method === 'append' || method === 'join' || method === 'merge')
      ? combineData([d, ...others])
      : d;
  }
}

function walk(e: Expr, visit: (e: Expr) => void): void {
  const stack = [e];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    visit(cur);
    switch (cur.k) {
      case 'attr':
        stack.push(cur.object);
        break;
      case 'call':
        stack.push(cur.callee, ...cur.args.map((a) => a.value));
        break;
      case 'seq':
        stack.push(...cur.items);
        break;
      case 'subscript':
        stack.push(cur.object, cur.index);
        break;
      case 'binop':
        stack.push(cur.left, cur.right);
        break;
      case 'other':
        stack.push(...cur.children);
        break;
      default:
        break;
    }
  }
}

/** The data an instance of the file's own class holds (`random_split(self, ...)` of a Dataset). */
function fieldsData(v: Value | undefined): Data | undefined {
  if (v?.t !== 'inst' || !v.fields) return undefined;
  return combineData([...v.fields.values()].filter((x): x is Data => x?.t === 'data'));
}

function sameRoots(a: Data, b: Data): boolean {
  if (a.roots.size !== b.roots.size) return false;
  for (const r of a.roots) if (!b.roots.has(r)) return false;
  return true;
}

/** A pipeline is a predictor when its last step is one, else a transformer. */
function compositeKind(parts: Inst[]): InstKind {
  const last = parts[parts.length - 1];
  if (!last) return 'transformer';
  return last.kind === 'predictor' || last.kind === 'search'
    ? 'predictor'
    : last.kind === 'transformer'
      ? 'transformer'
      : 'other';
}

interface NameGuess {
  capitalized: boolean;
  predictor: boolean;
  transformer: boolean;
  loader: boolean;
}

/**
 * What an unknown callable's name suggests. Five regular expressions per unknown call (a third of the calls
 * of scikit-learn's examples: plotting, numpy) ran on every keystroke; the answers depend on the name alone,
 * so they are kept per name (a few thousand names at most; the map is emptied past that).
 */
const nameGuesses = new Map<string, NameGuess>();

function guessFromName(name: string): NameGuess {
  let g = nameGuesses.get(name);
  if (!g) {
    const capitalized = /^[A-Z]/.test(name);
    const predictor = capitalized && GUESS_PREDICTOR.test(name);
    g = {
      capitalized,
      predictor,
      transformer: capitalized && !predictor && GUESS_TRANSFORMER.test(name),
      loader:
        name !== '' &&
        GUESS_LOADER.test(name) &&
        !/model|clf|estimator|pipe|scaler|encoder|param|config|path|dir|file|name/i.test(name),
    };
    if (nameGuesses.size >= 5000) nameGuesses.clear();
    nameGuesses.set(name, g);
  }
  return g;
}

interface QnameFacts {
  dataSource: boolean;
  composite: boolean;
  fitFunction: boolean;
  deriving: boolean;
  /** The last dotted part (`subplots` of `matplotlib.pyplot.subplots`). */
  lastName: string;
}

/** `libraryCall`'s tests of a qualified name, which depend on the name alone: kept per name, as `guessFromName`. */
const qnameFactsCache = new Map<string, QnameFacts>();

function qnameFacts(q: string): QnameFacts {
  let f = qnameFactsCache.get(q);
  if (!f) {
    f = {
      dataSource: DATA_SOURCES.test(q),
      composite: COMPOSITE_FUNCTIONS.test(q),
      fitFunction: FIT_FUNCTIONS.test(q),
      deriving: DERIVING_MODULES.test(q),
      lastName: q.split('.').pop() ?? '',
    };
    if (qnameFactsCache.size >= 5000) qnameFactsCache.clear();
    qnameFactsCache.set(q, f);
  }
  return f;
}
