import type { EntityInfo } from '../knowledge/types';
import { argFor, type CallExpr } from '../model/calls';
import type { Expr, ModuleIR, ScopeId, Stmt } from '../model/ir';
import { persistenceSites, type PersistenceSite } from '../model/persistence';
import type { Semantics } from '../model/semantics';
import {
  APPLY_METHODS,
  COMPOSITE_FUNCTIONS,
  CV_FUNCTIONS,
  DATA_SOURCES,
  DERIVING_MODULES,
  DESCRIBING_BUILTINS,
  FIT_FUNCTIONS,
  FUNCTION_TAKING_METHODS,
  GUESS_LOADER,
  GUESS_PREDICTOR,
  GUESS_TRANSFORMER,
  SEARCH_CLASSES,
  STAT_FUNCTIONS,
  STAT_METHODS,
  TEST_NAME,
  VAL_NAME,
  FIT_METHODS,
  FIT_PREDICT_METHODS,
  FIT_RESAMPLE_METHODS,
  FIT_TRANSFORM_METHODS,
  INFERENCE_FUNCTION,
  META_ATTRS,
  META_METHODS,
  PICK_FUNCTIONS,
  PICK_METHODS,
  PREDICT_METHODS,
  SCORE_METHODS,
  SELF_ATTRS,
  SELF_METHODS,
  SPLIT_FUNCTION_ARRAYS,
  SPLIT_FUNCTIONS,
  SPLIT_METHODS,
  TRANSFORM_METHODS,
} from './methods';
import tags from './tags.json';
import {
  combineData,
  emptyData,
  type Data,
  type FitRecord,
  type Inst,
  type InstKind,
  type LineageResult,
  type ResampleRecord,
  type Score,
  type SplitRecord,
  type StatValue,
  type TupleValue,
  type Value,
  type Base,
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
 */

/** Stateless per the library's tags, plus transformers whose fit learns only the input's shape (no row statistics). */
const STATELESS = new Set<string>([...tags.stateless, 'sklearn.preprocessing.PolynomialFeatures']);
const LABEL_ENCODERS = new Set<string>(tags.labelEncoders);

const cache = new WeakMap<ModuleIR, LineageResult>();

/** The lineage of a module, computed once per lowered module (shared by the rules and the workspace index). */
export function lineageOf(sem: Semantics, lookup: (q: string | undefined) => EntityInfo | undefined): LineageResult {
  let r = cache.get(sem.module);
  if (!r) {
    r = new Interpreter(sem, lookup).run();
    cache.set(sem.module, r);
  }
  return r;
}

class Frame {
  readonly vars = new Map<string, Value | undefined>();
  constructor(
    readonly scope: ScopeId,
    readonly parent: Frame | undefined,
  ) {}
  get(name: string): Value | undefined {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walking up the frame chain from this one
    for (let f: Frame | undefined = this; f; f = f.parent) if (f.vars.has(name)) return f.vars.get(name);
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

class Interpreter {
  private seq = 0;
  private nextRoot = 1;
  private nextId = 1;
  private steps = 0;
  private loopDepth = 0;
  private readonly callStack: number[] = [];
  private readonly result: LineageResult = {
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
  private readonly persistence = new Map<CallExpr, PersistenceSite>();
  /** The module loads a saved model: data it reads is inference data. */
  private readonly loadsModel: boolean;
  private readonly calledFunctions = new Set<number>();
  /** scikit.js: methods bind `this`, not a first parameter; constructors are `constructor`. */
  private readonly isTs: boolean;
  private readonly sliceSplits = new Map<string, SplitRecord>();
  private readonly qnameCache = new Map<Expr, string | undefined>();
  private currentStmt: { stmt: Stmt; scope: ScopeId; block: Stmt[] } | undefined;
  private moduleFrame!: Frame;

  constructor(
    private readonly sem: Semantics,
    private readonly lookup: (q: string | undefined) => EntityInfo | undefined,
  ) {
    this.isTs = sem.module.language === 'typescript';
    for (const site of persistenceSites(sem)) this.persistence.set(site.call, site);
    // A file that loads a model (and saves none) is an inference script: the data it reads is new data.
    const sites = [...this.persistence.values()];
    // A file that fits a model with labels (`fit(X, y)`) trains: what it loads is data or a starting point.
    let trains = false;
    for (const { call, scope } of sem.calls) {
      const fn = sem.userFunction(call.callee, scope);
      if (fn !== undefined) this.calledFunctions.add(fn);
      if (
        call.callee.k === 'attr' &&
        FIT_METHODS.has(call.callee.name) &&
        call.args.filter((a) => !a.name && !a.spread).length >= 2
      )
        trains = true;
    }
    this.loadsModel = sites.some((s) => s.kind === 'load') && !sites.some((s) => s.kind === 'save') && !trains;
  }

  run(): LineageResult {
    this.moduleFrame = new Frame(null, undefined);
    this.block(this.sem.module.body, this.moduleFrame);
    // Functions and methods nobody in the file calls: analysed on their own.
    for (const fn of this.sem.module.functions) {
      if (fn.kind !== 'def' || this.calledFunctions.has(fn.id)) continue;
      const parent = fn.parent === null ? null : this.sem.fn(fn.parent);
      if (parent && parent.kind === 'def') continue; // nested: analysed with its parent's call
      const frame = new Frame(fn.id, this.moduleFrame);
      const inference = INFERENCE_FUNCTION.test(fn.name) || (this.loadsModel && this.callsPredict(fn.body));
      // Methods share one `self` per class, so `fit` sets `self.scaler` that `predict` reads.
      // TypeScript methods see the instance as `this`, Python ones as their first parameter.
      if (parent?.kind === 'class' && this.isTs) frame.vars.set('this', this.classSelf(parent.id));
      else if (parent?.kind === 'class' && fn.params[0]) frame.vars.set(fn.params[0].name, this.classSelf(parent.id));
      for (const p of fn.params) {
        if (p.name === 'self' || p.name === 'cls') continue;
        const dataLike =
          !/model|clf|estimator|pipe|regressor|classifier|scaler|encoder|transformer|path|file|dir|name|config|param|kwargs|args/i.test(
            p.name,
          );
        frame.vars.set(
          p.name,
          dataLike ? emptyData(inference ? 'inference' : 'unknown', new Set([this.nextRoot++])) : undefined,
        );
      }
      this.callStack.push(fn.id);
      this.block(fn.body, frame);
      this.callStack.pop();
    }
    this.resolveSlices();
    this.resolveHeldOut();
    return this.result;
  }

  private readonly selves = new Map<number, Inst>();

  /** The `self` that methods of a class analysed on their own share. */
  private classSelf(classId: number): Inst {
    let inst = this.selves.get(classId);
    if (!inst) {
      const cls = this.sem.fn(classId);
      inst = this.newInst(
        cls.name,
        this.userClassKind(classId),
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

  /** Field initializers of the class body (`private scaler = new StandardScaler()` in TypeScript). */
  private initFields(classId: number, inst: Inst): void {
    if (!this.isTs) return;
    const frame = new Frame(classId, this.moduleFrame);
    for (const st of this.sem.fn(classId).body) {
      if (st.k !== 'assign' || st.op || st.targets.length !== 1 || st.targets[0].k !== 'name') continue;
      inst.fields!.set(st.targets[0].name, this.eval(st.value, frame));
    }
  }

  private userClassKind(classId: number): InstKind {
    const methods = new Set(
      this.sem.module.functions.filter((f) => f.parent === classId && f.kind === 'def').map((f) => f.name),
    );
    if (methods.has('predict') || methods.has('predict_proba')) return 'predictor';
    if (methods.has('transform')) return 'transformer';
    return 'other';
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

  /** A new piece of data: test or validation data when its path or the name it is bound to says so. */
  private newData(e: CallExpr | undefined, base: Base, nameHint?: string): Data {
    const root = this.nextRoot++;
    let b = base;
    if (base === 'raw' || base === 'unknown') {
      const texts: string[] = [];
      if (nameHint) texts.push(nameHint);
      else if (this.currentStmt?.stmt.k === 'assign') {
        const t = this.currentStmt.stmt.targets[0];
        if (t?.k === 'name') texts.push(t.name);
      }
      const path = e?.args.find((a) => !a.name && a.value.k === 'str')?.value;
      if (path?.k === 'str' && path.value) texts.push(path.value.split(/[\\/]/).pop() ?? path.value);
      if (texts.some((t) => TEST_NAME.test(t))) b = 'test';
      else if (texts.some((t) => VAL_NAME.test(t))) b = 'val';
      if (b === 'test' || b === 'val') this.testRoots.add(root);
    }
    return emptyData(b, new Set([root]));
  }

  /**
   * A value used as `X`/`y` of a fit or split: data, whatever it was. An unknown name is born as data
   * here (and keeps that identity); an object loaded from disk is data too.
   */
  private asData(v: Value | undefined, expr: Expr | undefined, frame: Frame): Data | undefined {
    if (v?.t === 'data') return v;
    if (v?.t === 'inst' && v.kind === 'loaded') {
      let d = this.loadedData.get(v);
      if (!d) {
        d = this.newData(undefined, this.loadsModel ? 'inference' : 'raw', expr?.k === 'name' ? expr.name : undefined);
        this.loadedData.set(v, d);
      }
      return d;
    }
    if (v !== undefined || !expr || expr.k !== 'name') return undefined;
    if (frame.has(expr.name) && frame.get(expr.name) !== undefined) return undefined;
    const d = this.newData(undefined, this.loadsModel ? 'inference' : 'raw', expr.name);
    this.setName(frame, expr.name, d);
    return d;
  }

  private callsPredict(body: Stmt[]): boolean {
    let found = false;
    const visit = (e: Expr) => {
      if (e.k === 'call' && e.callee.k === 'attr' && PREDICT_METHODS.has(e.callee.name)) found = true;
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

  /** Slices: the training side is where predictors were fitted; by default the first part (`X[:n]`). */
  private resolveSlices(): void {
    for (const s of this.result.splits) {
      if (s.kind !== 'slice') continue;
      s.trainSide = s.fitVotes[1] > s.fitVotes[0] ? 1 : 0;
    }
  }

  // ---------------------------------------------------------------- statements

  private block(body: Stmt[], frame: Frame): void {
    for (const s of body) {
      if (++this.steps > MAX_STEPS) return;
      const saved = this.currentStmt;
      this.currentStmt = { stmt: s, scope: frame.scope, block: body };
      try {
        this.stmt(s, frame);
      } finally {
        this.currentStmt = saved;
      }
    }
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

  private setName(frame: Frame, name: string, v: Value | undefined): void {
    const info = this.sem.scopes.get(frame.scope);
    if (info?.globals.has(name)) this.moduleFrame.vars.set(name, v);
    else frame.vars.set(name, v);
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
        !this.sem.lookup(iterExpr.callee.name, frame.scope, iterExpr.range.start).length
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
      const split: SplitRecord = {
        id: this.nextId++,
        kind: 'cv',
        site: iter.ctor,
        scope: frame.scope,
        seq: this.seq++,
        input: emptyData('mixed', new Set()),
        sides: new Set([0, 1]),
        trainSide: 0,
        fitVotes: [0, 0],
      };
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
      this.result.selections.push({ site: s.test.range, scores, scope: frame.scope, seq: this.seq++ });
  }

  // ---------------------------------------------------------------- expressions

  private qname(e: Expr, scope: ScopeId): string | undefined {
    if (this.qnameCache.has(e)) return this.qnameCache.get(e);
    const q = this.sem.qname(e, scope);
    this.qnameCache.set(e, q);
    return q;
  }

  eval(e: Expr, frame: Frame): Value | undefined {
    if (++this.steps > MAX_STEPS) return undefined;
    switch (e.k) {
      case 'name':
        return frame.get(e.name);
      case 'attr': {
        const obj = this.eval(e.object, frame);
        if (!obj) return undefined;
        if (obj.t === 'inst')
          return obj.fields?.has(e.name) ? obj.fields.get(e.name) : SELF_ATTRS.has(e.name) ? obj : undefined;
        if (obj.t === 'data') return META_ATTRS.has(e.name) ? undefined : obj;
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
        const data = [l, r].filter((v): v is Data => v?.t === 'data');
        const stats = [l, r].filter((v): v is StatValue => v?.t === 'stat');
        // `(df - df.mean()) / df.std()`: the statistics change the rows.
        if (data.length > 0) return this.applyStats(combineData(data)!, stats);
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
        if (data.length > 0) return this.applyStats(combineData(data)!, stats);
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
      split = {
        id: this.nextId++,
        kind: 'slice',
        site,
        scope: frame.scope,
        seq: this.seq++,
        input: obj,
        sides: new Set(),
        fitVotes: [0, 0],
      };
      this.sliceSplits.set(key, split);
      this.result.splits.push(split);
    }
    const side: 0 | 1 = slice.upper ? 0 : 1;
    split.sides.add(side);
    return { ...obj, part: { split, side } };
  }

  private call(e: CallExpr, frame: Frame): Value | undefined {
    const scope = frame.scope;
    const site = this.persistence.get(e);
    if (site) return this.persist(site, e, frame);
    // Method calls on known values.
    if (e.callee.k === 'attr') {
      const recv = this.eval(e.callee.object, frame);
      const args = e.args.map((a) => this.eval(a.value, frame));
      const method = e.callee.name;
      if (recv?.t === 'inst') {
        // An object loaded from disk and used as data (`arr = np.load(...)` / `df = pickle.load(f)`).
        if (
          recv.kind === 'loaded' &&
          !PREDICT_METHODS.has(method) &&
          !SCORE_METHODS.has(method) &&
          !TRANSFORM_METHODS.has(method) &&
          !FIT_METHODS.has(method) &&
          !FIT_TRANSFORM_METHODS.has(method)
        ) {
          const d = this.asData(recv, undefined, frame);
          return d ? this.dataMethod(d, method, e, args, frame) : undefined;
        }
        if (recv.userClass !== undefined) {
          const m = this.methodOf(recv.userClass, method);
          if (m !== undefined) return this.callUser(m, e, args, frame, recv);
        }
        return this.instMethod(recv, method, e, args, frame);
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
      if (recv?.t === 'data') return this.dataMethod(recv, method, e, args, frame);
      if (recv?.t === 'stat') return recv; // df.mean().round(), stats of stats
      const q = recv === undefined ? this.qname(e.callee, scope) : undefined;
      if (q) return this.libraryCall(q, e, args, frame);
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
        if (recv?.t === 'scores') {
          if (PICK_METHODS.has(method)) this.pick(e, recv.scores, scope);
          // scores.index(max(scores)): the best value finds its candidate.
          const a0 = args[0];
          if ((method === 'index' || method === 'indexOf') && a0?.t === 'scores' && a0.extreme)
            this.pick(a0.extreme, a0.scores, scope);
          return recv;
        }
      }
      // JavaScript's `Math.max(...scores)`: a global object's function that picks the best score.
      if (
        recv === undefined &&
        e.callee.object.k === 'name' &&
        PICK_FUNCTIONS.has(`${e.callee.object.name}.${method}`) &&
        this.sem.lookup(e.callee.object.name, scope, e.range.start).length === 0
      ) {
        return this.pickCall(`${e.callee.object.name}.${method}`, e, args, scope);
      }
      // JavaScript's `JSON.parse(readFileSync(path, 'utf8'))`: rows read from a file (named by the inner call's path).
      if (
        recv === undefined &&
        method === 'parse' &&
        e.callee.object.k === 'name' &&
        e.callee.object.name === 'JSON' &&
        e.args.length > 0 &&
        this.sem.lookup('JSON', scope, e.range.start).length === 0
      ) {
        const inner = e.args[0].value;
        return this.newData(inner.k === 'call' ? inner : e, this.loadsModel ? 'inference' : 'raw');
      }
      // A method of an unknown object: predict/score still say what they were given.
      if (recv === undefined) return this.unknownReceiver(method, e, args, frame);
      return undefined;
    }
    const args = e.args.map((a) => this.eval(a.value, frame));
    const fnId = this.sem.userFunction(e.callee, scope);
    if (fnId !== undefined) return this.callUser(fnId, e, args, frame);
    if (e.callee.k === 'name' && this.sem.lookup(e.callee.name, scope, e.range.start).length === 0) {
      // Builtins.
      const name = e.callee.name;
      if (PICK_FUNCTIONS.has(name)) return this.pickCall(name, e, args, scope);
      if (name === 'list' || name === 'tuple' || name === 'iter' || name === 'sorted' || name === 'reversed')
        return args[0];
      if (DESCRIBING_BUILTINS.has(name)) return undefined;
      // A function the file does not define (another cell, a star import): data in, data out.
      return this.unknownCall(name, e, args, frame);
    }
    const q = this.qname(e.callee, scope);
    if (!q) {
      const v = e.callee.k === 'name' ? frame.get(e.callee.name) : undefined;
      if (v?.t === 'inst') return v;
      const classId = this.sem.userClass(e.callee, scope);
      if (classId !== undefined) {
        const inst = this.newInst(this.sem.fn(classId).name, this.userClassKind(classId), e, scope);
        inst.userClass = classId;
        inst.fields = new Map();
        this.initFields(classId, inst);
        const init = this.methodOf(classId, this.isTs ? 'constructor' : '__init__');
        if (init !== undefined) this.callUser(init, e, args, frame, inst);
        return inst;
      }
      return this.unknownCall(e.callee.k === 'name' ? e.callee.name : '', e, args, frame);
    }
    return this.libraryCall(q, e, args, frame);
  }

  /**
   * A call nothing is known about: its result derives from the data it is given (may), an unknown class
   * is guessed from its name (`XGBClassifier`, `DataFrameMapper`), a loader-like function reads new data.
   */
  private unknownCall(
    name: string,
    e: CallExpr,
    args: (Value | undefined)[],
    frame: Frame,
    qname = name,
  ): Value | undefined {
    const data = collectData(args);
    if (/^[A-Z]/.test(name)) {
      const predictor = GUESS_PREDICTOR.test(name);
      const transformer = !predictor && GUESS_TRANSFORMER.test(name);
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
    if (
      name &&
      GUESS_LOADER.test(name) &&
      !/model|clf|estimator|pipe|scaler|encoder|param|config|path|dir|file|name/i.test(name)
    )
      return this.newData(e, this.loadsModel ? 'inference' : 'raw');
    return undefined;
  }

  private persist(site: PersistenceSite, e: CallExpr, frame: Frame): Value | undefined {
    const scope = frame.scope;
    const args = e.args.map((a) => this.eval(a.value, frame));
    if (site.kind === 'save') {
      const i = site.object ? e.args.findIndex((a) => a.value === site.object) : -1;
      const value = i >= 0 ? args[i] : site.object ? this.eval(site.object, frame) : undefined;
      this.result.saves.push({ site, value, scope, seq: this.seq++ });
      this.noteStmt(e);
      return undefined;
    }
    const inst = this.newInst(site.api, 'loaded', e, scope);
    inst.load = site;
    this.result.loads.push({ site, inst, scope, seq: this.seq++ });
    return inst;
  }

  /**
   * `argmax(scores)`, `max(candidates, key=score)`, `sorted(..., key=)`: picks the best candidate. A bare
   * `max(scores)` reports the best value (`print(max(fold_scores))`); it selects only when used to find
   * the candidate (`scores.index(max(scores))`).
   */
  private pickCall(name: string, e: CallExpr, args: (Value | undefined)[], scope: ScopeId): Value | undefined {
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

  private pick(e: CallExpr, scores: Score[], scope: ScopeId): void {
    this.result.selections.push({ site: e.range, scores, scope, seq: this.seq++ });
  }

  private unknownReceiver(method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    if (PREDICT_METHODS.has(method) && args[0]?.t === 'data') {
      this.result.predicts.push({ call: e, X: args[0], scope: frame.scope, seq: this.seq++ });
      return { ...args[0], predictedBy: undefined };
    }
    if (SCORE_METHODS.has(method)) {
      const data = args.filter((a): a is Data => a?.t === 'data');
      if (data.length > 0) return this.score(e, data, frame);
    }
    // `model.fit(X, y)` on an object nothing is known about (a keras model built elsewhere): a model fit.
    if (FIT_METHODS.has(method) && e.args.filter((a) => !a.name && !a.spread).length >= 2 && e.callee.k === 'attr') {
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
        if (e.callee.object.k === 'name') this.setName(frame, e.callee.object.name, inst);
        return inst;
      }
    }
    // Any other method of an unknown object given data (`tokenizer.texts_to_sequences(X)`): derived data (may).
    const data = collectData(args);
    return data.length > 0 ? combineData(data) : undefined;
  }

  private score(e: CallExpr, data: Data[], frame: Frame): Score {
    return { t: 'score', call: e, data, scope: frame.scope, inLoop: this.loopDepth > 0 };
  }

  private libraryCall(q: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    const scope = frame.scope;
    if (PICK_FUNCTIONS.has(q)) {
      const r = this.pickCall(q, e, args, scope);
      if (r || args.some((a) => a?.t === 'score' || a?.t === 'scores')) return r;
    }
    if (SPLIT_FUNCTIONS.has(q)) return this.trainTestSplit(e, args, frame, SPLIT_FUNCTION_ARRAYS.get(q));
    const entity = this.lookup(q);
    if (CV_FUNCTIONS.has(q)) {
      const x = argFor(e, entity, 'X');
      const xv0 = x ? (args[e.args.indexOf(x)] ?? this.eval(x.value, frame)) : args[1];
      const xv = this.asData(xv0, x?.value, frame);
      if (xv) this.result.cvs.push({ call: e, X: xv, scope, seq: this.seq++ });
      return undefined;
    }
    if (DATA_SOURCES.test(q)) {
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
        rec = { id: this.nextId++, call: e, X: data[0], scope, seq: this.seq++, api: q };
        this.result.resamples.push(rec);
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
    if (COMPOSITE_FUNCTIONS.test(q)) {
      const inst = this.newInst(q, 'other', e, scope);
      inst.composite = true;
      inst.parts = collectInsts(args);
      inst.kind = compositeKind(inst.parts);
      return inst;
    }
    if (entity?.kind === 'class') return this.construct(q, entity, e, args, scope);
    if (FIT_FUNCTIONS.test(q)) {
      // preprocessing.scale(X): a fit and a transform in one call.
      const X = this.asData(args[0], e.args[0]?.value, frame);
      if (!X) return undefined;
      const inst = this.newInst(q, 'transformer', e, scope);
      inst.implicit = 'function';
      this.fitRecord(inst, e, q.split('.').pop()!, X, undefined, scope);
      return this.transformed(X, inst);
    }
    if (DERIVING_MODULES.test(q)) {
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
      return this.unknownCall(q.split('.').pop() ?? '', e, args, frame, q);
    return undefined;
  }

  /** A statistic of `X`, computed by `call`: a fit only once it is applied to rows. */
  private stat(name: string, e: CallExpr, X: Data, frame: Frame): StatValue {
    const inst = this.newInst(`statistic:${name}`, 'transformer', e, frame.scope);
    inst.implicit = 'statistic';
    return { t: 'stat', inst, call: e, X, scope: frame.scope };
  }

  /** Data changed with statistics: the first application records the statistic's fit. */
  private applyStats(d: Data, stats: StatValue[]): Data {
    let out = d;
    for (const st of stats) {
      if (!st.fit) {
        st.fit = this.fitRecord(st.inst, st.call, st.inst.qname.slice('statistic:'.length), st.X, undefined, st.scope);
      }
      out = this.transformed(out, st.inst);
    }
    return out;
  }

  private fitRecord(
    inst: Inst,
    e: CallExpr,
    method: string,
    X: Data | undefined,
    y: Data | undefined,
    scope: ScopeId,
  ): FitRecord {
    const rec: FitRecord = { inst, call: e, method, X, y, scope, seq: this.seq++ };
    inst.fits.push(rec);
    this.result.fits.push(rec);
    this.noteStmt(e);
    return rec;
  }

  private construct(q: string, entity: EntityInfo, e: CallExpr, args: (Value | undefined)[], scope: ScopeId): Inst {
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
        const k = compositeKind(q.endsWith('Pipeline') ? inst.parts : []);
        if (q.endsWith('Pipeline')) inst.kind = k;
      }
    }
    return inst;
  }

  private newInst(q: string, kind: InstKind, ctor: Expr, scope: ScopeId): Inst {
    return {
      t: 'inst',
      id: this.nextId++,
      qname: q,
      kind,
      stateless: STATELESS.has(q),
      labelEncoder: LABEL_ENCODERS.has(q),
      composite: false,
      parts: [],
      ctor,
      scope,
      fits: [],
    };
  }

  private trainTestSplit(e: CallExpr, args: (Value | undefined)[], frame: Frame, maxArrays = Infinity): Value {
    const arrays = e.args
      .map((a, i) => ({ a, v: args[i] }))
      .filter(({ a }) => !a.name && !a.spread)
      .slice(0, maxArrays)
      .map(({ a, v }) => ({ a, v: this.asData(v, a.value, frame) ?? fieldsData(v) ?? v }));
    let k = 0;
    const items: (Value | undefined)[] = [];
    const first = arrays.find(({ v }) => v?.t === 'data')?.v as Data | undefined;
    // `X_sub, _, y_sub, _ = train_test_split(...)`: the held-out side is thrown away, a subsample, not a split.
    const t = this.currentStmt?.stmt.k === 'assign' ? this.currentStmt.stmt.targets[0] : undefined;
    const discarded =
      t?.k === 'seq' &&
      t.items.length >= 2 &&
      t.items.every((x, i) => i % 2 === 0 || (x.k === 'name' && x.name === '_'));
    const split: SplitRecord = {
      id: this.nextId++,
      kind: discarded ? 'sample' : 'train_test_split',
      site: e,
      scope: frame.scope,
      seq: this.seq++,
      input: first ?? emptyData('mixed', new Set()),
      sides: new Set(discarded ? [0] : [0, 1]),
      trainSide: 0,
      fitVotes: [0, 0],
    };
    // `X_train, X_val, ... = train_test_split(...)`: held-out sides named as validation data are not the test set.
    if (t?.k === 'seq' && !discarded) {
      const held = t.items.filter((_, i) => i % 2 === 1).map((x) => (x.k === 'name' ? x.name : ''));
      if (held.some((n) => VAL_NAME.test(n)) && !held.some((n) => TEST_NAME.test(n))) split.heldOut = 'val';
    }
    if (first) {
      split.input = combineData(arrays.map(({ v }) => v).filter((v): v is Data => v?.t === 'data'))!;
      this.result.splits.push(split);
    }
    for (const { v } of arrays) {
      if (v?.t === 'data') {
        items.push({ ...v, part: { split, side: 0, arg: k } }, { ...v, part: { split, side: 1, arg: k } });
      } else items.push(undefined, undefined);
      k++;
    }
    return { t: 'tuple', items } satisfies TupleValue;
  }

  /** A two-operand `==` / `!=` comparison (read from the source between the operands). */
  private isEquality(e: Extract<Expr, { k: 'other' }>): boolean {
    if (e.children.length !== 2) return false;
    const { text, lineStarts } = this.sem.module;
    const at = (p: { line: number; character: number }) => (lineStarts[p.line] ?? 0) + p.character;
    const between = text.slice(at(e.children[0].range.end), at(e.children[1].range.start)).trim();
    return between === '==' || between === '!=' || between === '===' || between === '!==';
  }

  private noteStmt(e: CallExpr): void {
    if (this.currentStmt) this.result.stmtOf.set(e, this.currentStmt);
  }

  private instMethod(
    inst: Inst,
    method: string,
    e: CallExpr,
    args: (Value | undefined)[],
    frame: Frame,
  ): Value | undefined {
    const scope = frame.scope;
    const dataArg = (i: number): Data | undefined => {
      const positional = e.args.map((a, j) => ({ a, v: args[j] })).filter(({ a }) => !a.name && !a.spread);
      const kw = e.args.findIndex((a) => a.name === (i === 0 ? 'X' : 'y'));
      const arg = positional[i]?.a ?? (kw >= 0 ? e.args[kw] : undefined);
      const v = positional[i]?.v ?? (kw >= 0 ? args[kw] : undefined);
      return this.asData(v, arg?.value, frame);
    };
    const isFit =
      FIT_METHODS.has(method) ||
      FIT_TRANSFORM_METHODS.has(method) ||
      FIT_PREDICT_METHODS.has(method) ||
      FIT_RESAMPLE_METHODS.has(method);
    if (isFit) {
      const X = dataArg(0);
      const y = dataArg(1);
      this.fitRecord(inst, e, method, X, y, scope);
      if (X?.part && X.part.split.kind === 'slice' && (inst.kind === 'predictor' || inst.kind === 'search'))
        X.part.split.fitVotes[X.part.side]++;
      if (inst.kind === 'search' && X && SEARCH_CLASSES.test(inst.qname))
        this.result.cvs.push({ call: e, X, scope, seq: this.seq++ });
      if (FIT_METHODS.has(method)) return inst;
      if (FIT_TRANSFORM_METHODS.has(method)) return X ? this.transformed(X, inst) : undefined;
      if (FIT_PREDICT_METHODS.has(method)) return X ? { ...X, predictedBy: inst } : undefined;
      // fit_resample
      const over = inst.kind === 'resampler' && /^imblearn\.(over_sampling|combine)\./.test(inst.qname);
      let rec2: ResampleRecord | undefined;
      if (over) {
        rec2 = { id: this.nextId++, call: e, X, scope, seq: this.seq++, api: inst.qname };
        this.result.resamples.push(rec2);
      }
      const out = (d: Data | undefined) => (d && rec2 ? { ...d, resampledBy: [...d.resampledBy, rec2] } : d);
      return { t: 'tuple', items: [out(X), out(y)] };
    }
    if (TRANSFORM_METHODS.has(method)) {
      const X = dataArg(0);
      this.result.transforms.push({ inst, call: e, X, scope, seq: this.seq++ });
      return X ? this.transformed(X, inst) : undefined;
    }
    if (PREDICT_METHODS.has(method)) {
      const X = dataArg(0);
      this.result.predicts.push({ inst, call: e, X, scope, seq: this.seq++ });
      return X ? { ...X, predictedBy: inst } : undefined;
    }
    if (SCORE_METHODS.has(method)) {
      const data = [dataArg(0), dataArg(1)].filter((d): d is Data => !!d);
      if (data[0]) this.result.predicts.push({ inst, call: e, X: data[0], scope, seq: this.seq++ });
      return data.length > 0 ? this.score(e, data, frame) : undefined;
    }
    if (SPLIT_METHODS.has(method) && inst.kind === 'splitter') {
      const X = dataArg(0);
      if (!X) return undefined;
      const split: SplitRecord = {
        id: this.nextId++,
        kind: 'cv',
        site: e,
        scope,
        seq: this.seq++,
        input: X,
        sides: new Set([0, 1]),
        trainSide: 0,
        fitVotes: [0, 0],
      };
      this.result.splits.push(split);
      return { t: 'cvsplits', split };
    }
    if (SELF_METHODS.has(method)) return inst;
    // Other methods of a class the knowledge does not cover (`tokenizer.texts_to_sequences(X)`): data in, data out.
    if (inst.guessed) {
      const data = collectData(args);
      return data.length > 0 ? combineData(data) : undefined;
    }
    return undefined;
  }

  private transformed(X: Data, inst: Inst): Data {
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

  private dataMethod(
    d: Data,
    method: string,
    e: CallExpr,
    args: (Value | undefined)[],
    frame: Frame,
  ): Value | undefined {
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
        this.setName(frame, root, {
          ...old,
          transformedBy: union(old.transformedBy, out.transformedBy),
          via: union(old.via, out.via),
          resampledBy: union(old.resampledBy, out.resampledBy),
        });
    }
    return out;
  }

  private dataMethodResult(
    d: Data,
    method: string,
    e: CallExpr,
    args: (Value | undefined)[],
    frame: Frame,
  ): Value | undefined {
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
        const r = this.callUserWith(fnId, [d], frame);
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
      const split: SplitRecord = {
        id: this.nextId++,
        kind: 'sample',
        site: e,
        scope: frame.scope,
        seq: this.seq++,
        input: d,
        sides: new Set([0]),
        trainSide: 0,
        fitVotes: [0, 0],
      };
      this.result.splits.push(split);
      return { ...d, part: { split, side: 0 } };
    }
    if (method === 'drop') {
      // test = df.drop(train.index): the complement of a sample.
      const a = e.args[0] ?? e.args.find((x) => x.name === 'index');
      if (a && a.value.k === 'attr' && a.value.name === 'index') {
        const other = this.eval(a.value.object, frame);
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

  private callUser(
    fnId: number,
    e: CallExpr,
    args: (Value | undefined)[],
    frame: Frame,
    self?: Inst,
  ): Value | undefined {
    if (this.callStack.includes(fnId) || this.callStack.length >= MAX_CALL_DEPTH) return undefined;
    const fn = this.sem.fn(fnId);
    const callee = new Frame(fnId, this.closureFrame(fn.parent, frame));
    const positional = e.args.map((a, i) => ({ a, v: args[i] })).filter(({ a }) => !a.name && !a.spread);
    const inference = INFERENCE_FUNCTION.test(fn.name);
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
      if (v === undefined && inference && !/model|clf|estimator|pipe|path|file|dir/i.test(p.name))
        v = emptyData('inference', new Set([this.nextRoot++]));
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
  private callUserWith(fnId: number, values: (Value | undefined)[], frame: Frame): Value | undefined {
    if (this.callStack.includes(fnId) || this.callStack.length >= MAX_CALL_DEPTH) return undefined;
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

function offset(m: ModuleIR, p: { line: number; character: number }): number {
  return (m.lineStarts[p.line] ?? m.text.length) + p.character;
}

function indexedName(e: Expr): string | undefined {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr' && (e.name === 'loc' || e.name === 'iloc') && e.object.k === 'name') return e.object.name;
  return undefined;
}

/** The data an instance of the file's own class holds (`random_split(self, ...)` of a Dataset). */
function fieldsData(v: Value | undefined): Data | undefined {
  if (v?.t !== 'inst' || !v.fields) return undefined;
  return combineData([...v.fields.values()].filter((x): x is Data => x?.t === 'data'));
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

/** The variable at the root of `df['a'].str`, `df.loc[:, 'a']`, `self.df['a']` (not through calls). */
function rootName(e: Expr): string | undefined {
  let cur = e;
  for (let i = 0; i < 10; i++) {
    if (cur.k === 'name') return cur.name;
    if (cur.k === 'subscript') cur = cur.object;
    else if (cur.k === 'attr') cur = cur.object;
    else return undefined;
  }
  return undefined;
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  const out = [...a];
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out;
}

function sameRoots(a: Data, b: Data): boolean {
  if (a.roots.size !== b.roots.size) return false;
  for (const r of a.roots) if (!b.roots.has(r)) return false;
  return true;
}

function compatible(a: Value | undefined, b: Value | undefined): boolean {
  if (!a || !b || a.t !== b.t) return false;
  if (a.t === 'data' && b.t === 'data')
    return a.base === b.base && a.part?.split === b.part?.split && a.part?.side === b.part?.side;
  return a.t !== 'inst';
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

function collectData(values: (Value | undefined)[]): Data[] {
  const out: Data[] = [];
  for (const v of values) {
    if (v?.t === 'data') out.push(v);
    else if (v?.t === 'tuple') out.push(...collectData(v.items));
  }
  return out;
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
