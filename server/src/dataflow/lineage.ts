import type { EntityInfo } from '../knowledge/types';
import { argFor, type CallExpr } from '../model/calls';
import type { Expr, ModuleIR, ScopeId, Stmt } from '../model/ir';
import { persistenceSites, type PersistenceSite } from '../model/persistence';
import type { Semantics } from '../model/semantics';
import {
  COMPOSITE_FUNCTIONS,
  CV_FUNCTIONS,
  DATA_SOURCES,
  DERIVING_MODULES,
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
 * own, with the parameters of inference entry points (`predict(...)`) as inference data. Anything the
 * analysis cannot follow is unknown, and rules stay silent on unknown values.
 */

const STATELESS = new Set<string>(tags.stateless);
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
    for (let f: Frame | undefined = this; f; f = f.parent) if (f.vars.has(name)) return f.vars.get(name);
    return undefined;
  }
  has(name: string): boolean {
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
    stmtOf: new Map(),
  };
  private readonly persistence = new Map<CallExpr, PersistenceSite>();
  /** The module loads a saved model: data it reads is inference data. */
  private readonly loadsModel: boolean;
  private readonly calledFunctions = new Set<number>();
  private readonly sliceSplits = new Map<string, SplitRecord>();
  private readonly qnameCache = new Map<Expr, string | undefined>();
  private currentStmt: { stmt: Stmt; scope: ScopeId; block: Stmt[] } | undefined;
  private moduleFrame!: Frame;

  constructor(
    private readonly sem: Semantics,
    private readonly lookup: (q: string | undefined) => EntityInfo | undefined,
  ) {
    for (const site of persistenceSites(sem)) this.persistence.set(site.call, site);
    // A file that loads a model (and saves none) is an inference script: the data it reads is new data.
    const sites = [...this.persistence.values()];
    this.loadsModel = sites.some((s) => s.kind === 'load') && !sites.some((s) => s.kind === 'save');
    for (const { call, scope } of sem.calls) {
      const fn = sem.userFunction(call.callee, scope);
      if (fn !== undefined) this.calledFunctions.add(fn);
    }
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
      for (const p of fn.params) {
        if (p.name === 'self' || p.name === 'cls') continue;
        const dataLike = !/model|clf|estimator|pipe|regressor|classifier|scaler|encoder|transformer|path|file|dir|name|config|param|kwargs|args/i.test(p.name);
        frame.vars.set(p.name, dataLike ? emptyData(inference ? 'inference' : 'unknown', new Set([this.nextRoot++])) : undefined);
      }
      this.callStack.push(fn.id);
      this.block(fn.body, frame);
      this.callStack.pop();
    }
    this.resolveSlices();
    return this.result;
  }

  private callsPredict(body: Stmt[]): boolean {
    let found = false;
    const visit = (e: Expr) => {
      if (e.k === 'call' && e.callee.k === 'attr' && PREDICT_METHODS.has(e.callee.name)) found = true;
    };
    const stack = [...body];
    while (stack.length > 0 && !found) {
      const s = stack.pop()!;
      const exprs = s.k === 'assign' ? [s.value] : s.k === 'expr' ? [s.expr] : s.k === 'return' && s.value ? [s.value] : [];
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
  private mergeBranches(frame: Frame, before: Map<string, Value | undefined>, afterBody: Map<string, Value | undefined>): void {
    const afterElse = frame.vars;
    for (const [k, vBody] of afterBody) {
      const vElse = afterElse.get(k);
      const bodyChanged = before.get(k) !== vBody;
      const elseChanged = before.get(k) !== vElse || !afterElse.has(k);
      if (bodyChanged && !elseChanged) afterElse.set(k, vBody);
      else if (bodyChanged && elseChanged && vBody !== vElse) afterElse.set(k, compatible(vBody, vElse) ? vBody : undefined);
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
      case 'subscript': {
        // df[col] = le.fit_transform(df[col]): df now holds transformed columns.
        const obj = indexedName(t.object);
        if (!obj) return;
        const old = frame.get(obj);
        if (old?.t === 'data' && v?.t === 'data') {
          this.setName(frame, obj, { ...old, transformedBy: union(old.transformedBy, v.transformedBy), via: union(old.via, v.via), resampledBy: union(old.resampledBy, v.resampledBy) });
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
      if (iterExpr?.k === 'call' && iterExpr.callee.k === 'name' && !this.sem.lookup(iterExpr.callee.name, frame.scope, iterExpr.range.start).length) {
        const args = iterExpr.args.map((a) => this.eval(a.value, frame));
        if (iterExpr.callee.name === 'enumerate' && args.length >= 1) return { t: 'tuple', items: [undefined, this.elementOf(args[0], iterExpr.args[0].value, frame)] };
        if (iterExpr.callee.name === 'zip') return { t: 'tuple', items: args.map((a, i) => this.elementOf(a, iterExpr.args[i].value, frame)) };
      }
      return undefined;
    }
    if (iter.t === 'cvsplits') return { t: 'tuple', items: [{ t: 'index', split: iter.split, side: 0 }, { t: 'index', split: iter.split, side: 1 }] };
    if (iter.t === 'data') return iter;
    if (iter.t === 'tuple') {
      // A list of data sets (or of (X, y) pairs): each iteration sees one of them.
      const items = iter.items;
      if (items.length === 1) return items[0];
      if (items.length > 0 && items.every((i) => i?.t === 'data')) return combineData(items as Data[]);
      if (items.length > 0 && items.every((i) => i?.t === 'tuple' && i.items.length === (items[0] as TupleValue).items.length && i.items.every((x) => x?.t === 'data'))) {
        const n = (items[0] as TupleValue).items.length;
        return { t: 'tuple', items: Array.from({ length: n }, (_, k) => combineData(items.map((i) => (i as TupleValue).items[k] as Data))) };
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
    if (scores.length > 0) this.result.selections.push({ site: s.test.range, scores, scope: frame.scope, seq: this.seq++ });
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
        if (obj.t === 'inst') return SELF_ATTRS.has(e.name) ? obj : undefined;
        if (obj.t === 'data') return META_ATTRS.has(e.name) ? undefined : obj;
        if (obj.t === 'scores') return obj;
        return undefined;
      }
      case 'call':
        return this.call(e, frame);
      case 'subscript':
        return this.subscript(e, frame);
      case 'seq': {
        const items = e.items.map((i) => (i.k === 'spread' ? (this.eval(i.value, frame), undefined) : this.eval(i, frame)));
        return { t: 'tuple', items };
      }
      case 'dict':
        return {
          t: 'dict',
          entries: e.entries.map((en) => {
            if (en.key) this.eval(en.key, frame);
            return { key: en.key?.k === 'str' ? (en.key.value ?? undefined) : undefined, value: this.eval(en.value, frame) };
          }),
        };
      case 'binop': {
        const l = this.eval(e.left, frame);
        const r = this.eval(e.right, frame);
        const data = [l, r].filter((v): v is Data => v?.t === 'data');
        if (data.length > 0) return combineData(data);
        if (l?.t === 'scores' || r?.t === 'scores') return l?.t === 'scores' ? l : r;
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
        try {
          for (const c of e.children) {
            const v = this.eval(c, frame);
            if (v?.t === 'score') scores.push(v);
            else if (v?.t === 'scores') scores = scores.concat(v.scores);
            else if (v?.t === 'data') data.push(v);
          }
        } finally {
          this.loopDepth--;
        }
        if (scores.length > 0) return { t: 'scores', scores };
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
    if (obj.t === 'scores') return obj;
    if (obj.t !== 'data') return undefined;
    if (idx?.t === 'index') return { ...obj, part: { split: idx.split, side: idx.side } };
    if (idx?.t === 'tuple' && idx.items[0]?.t === 'index') {
      const i = idx.items[0];
      return { ...obj, part: { split: i.split, side: i.side } };
    }
    const slice = e.index.k === 'slice' ? e.index : e.index.k === 'seq' && e.index.items[0]?.k === 'slice' ? e.index.items[0] : undefined;
    if (slice && !slice.step && (!!slice.lower !== !!slice.upper)) return this.sliceSplit(obj, slice, e, frame);
    return obj;
  }

  /** `X[:n]` and `X[n:]` of the same data and bound: the two sides of a split. */
  private sliceSplit(obj: Data, slice: Extract<Expr, { k: 'slice' }>, site: Expr, frame: Frame): Data {
    const bound = (slice.lower ?? slice.upper)!;
    const m = this.sem.module;
    const text = m.text.slice(offset(m, bound.range.start), offset(m, bound.range.end)).replace(/\s+/g, '');
    const key = `${frame.scope}|${[...obj.roots].join(',')}|${obj.part ? `${obj.part.split.id}:${obj.part.side}` : obj.base}|${text}`;
    let split = this.sliceSplits.get(key);
    if (!split) {
      split = { id: this.nextId++, kind: 'slice', site, scope: frame.scope, seq: this.seq++, input: obj, sides: new Set(), fitVotes: [0, 0] };
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
      if (recv?.t === 'inst') return this.instMethod(recv, method, e, args, frame);
      if (recv?.t === 'data') return this.dataMethod(recv, method, e, args, frame);
      const q = recv === undefined ? this.qname(e.callee, scope) : undefined;
      if (q) return this.libraryCall(q, e, args, frame);
      if (recv?.t === 'scores' || ((recv === undefined || (recv.t === 'tuple' && recv.items.length === 0)) && e.callee.object.k === 'name')) {
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
          return recv;
        }
      }
      // JavaScript's `Math.max(...scores)`: a global object's function that picks the best score.
      if (recv === undefined && e.callee.object.k === 'name' && PICK_FUNCTIONS.has(`${e.callee.object.name}.${method}`) && this.sem.lookup(e.callee.object.name, scope, e.range.start).length === 0) {
        const scores = args.flatMap((a) => (a?.t === 'scores' ? a.scores : a?.t === 'score' ? [a] : []));
        if (scores.length > 0) this.pick(e, scores, scope);
        return undefined;
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
      if (PICK_FUNCTIONS.has(name)) {
        const scores = args.flatMap((a) => (a?.t === 'scores' ? a.scores : a?.t === 'score' ? [a] : []));
        if (scores.length > 0) this.pick(e, scores, scope);
        return undefined;
      }
      if (name === 'list' || name === 'tuple' || name === 'iter') return args[0];
      if (name === 'open') return undefined;
      return undefined;
    }
    const q = this.qname(e.callee, scope);
    if (!q) {
      const v = e.callee.k === 'name' ? frame.get(e.callee.name) : undefined;
      return v?.t === 'inst' ? v : undefined;
    }
    return this.libraryCall(q, e, args, frame);
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
    return undefined;
  }

  private score(e: CallExpr, data: Data[], frame: Frame): Score {
    return { t: 'score', call: e, data, scope: frame.scope, inLoop: this.loopDepth > 0 };
  }

  private libraryCall(q: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    const scope = frame.scope;
    if (SPLIT_FUNCTIONS.has(q)) return this.trainTestSplit(e, args, frame, SPLIT_FUNCTION_ARRAYS.get(q));
    const entity = this.lookup(q);
    if (CV_FUNCTIONS.has(q)) {
      const x = argFor(e, entity, 'X');
      const xv = x ? args[e.args.indexOf(x)] ?? this.eval(x.value, frame) : args[1];
      if (xv?.t === 'data') this.result.cvs.push({ call: e, X: xv, scope, seq: this.seq++ });
      return undefined;
    }
    if (DATA_SOURCES.test(q)) {
      const root = new Set([this.nextRoot++]);
      const d = emptyData(this.loadsModel ? 'inference' : 'raw', root);
      const returnXy = e.args.some((a) => (a.name === 'return_X_y' || a.name === 'return_x_y') && a.value.k === 'const' && a.value.value === true);
      if (returnXy || /\.make_\w+$/.test(q)) return { t: 'tuple', items: [d, d] };
      return d;
    }
    if (q === 'sklearn.utils.resample' || q === 'sklearn.utils.shuffle') {
      const replace = e.args.find((a) => a.name === 'replace');
      const over = q === 'sklearn.utils.resample' && !(replace && replace.value.k === 'const' && replace.value.value === false);
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
      if (data.length > 0 && /(_score|_error|_loss|_deviance|^score|[a-z0-9](Score|Error|Loss))$/.test(q.split('.').pop() ?? '')) return this.score(e, data, frame);
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
    if (DERIVING_MODULES.test(q)) {
      const data = collectData(args);
      const d = combineData(data);
      if (d && /(concat|hstack|vstack|column_stack|concatenate|append)$/.test(q)) return d;
      return d;
    }
    return undefined;
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
    const arrays = e.args.map((a, i) => ({ a, v: args[i] })).filter(({ a }) => !a.name && !a.spread).slice(0, maxArrays);
    const items: (Value | undefined)[] = [];
    const first = arrays.find(({ v }) => v?.t === 'data')?.v as Data | undefined;
    const split: SplitRecord = {
      id: this.nextId++,
      kind: 'train_test_split',
      site: e,
      scope: frame.scope,
      seq: this.seq++,
      input: first ?? emptyData('mixed', new Set()),
      sides: new Set([0, 1]),
      trainSide: 0,
      fitVotes: [0, 0],
    };
    if (first) {
      split.input = combineData(arrays.map(({ v }) => v).filter((v): v is Data => v?.t === 'data'))!;
      this.result.splits.push(split);
    }
    for (const { v } of arrays) {
      if (v?.t === 'data') {
        items.push({ ...v, part: { split, side: 0 } }, { ...v, part: { split, side: 1 } });
      } else items.push(undefined, undefined);
    }
    return { t: 'tuple', items } satisfies TupleValue;
  }

  private noteStmt(e: CallExpr): void {
    if (this.currentStmt) this.result.stmtOf.set(e, this.currentStmt);
  }

  private instMethod(inst: Inst, method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    const scope = frame.scope;
    const dataArg = (i: number): Data | undefined => {
      const positional = e.args.map((a, j) => ({ a, v: args[j] })).filter(({ a }) => !a.name && !a.spread);
      const v = positional[i]?.v ?? (i === 0 ? args[e.args.findIndex((a) => a.name === 'X')] : args[e.args.findIndex((a) => a.name === 'y')]);
      return v?.t === 'data' ? v : undefined;
    };
    const isFit = FIT_METHODS.has(method) || FIT_TRANSFORM_METHODS.has(method) || FIT_PREDICT_METHODS.has(method) || FIT_RESAMPLE_METHODS.has(method);
    if (isFit) {
      const X = dataArg(0);
      const y = dataArg(1);
      const rec: FitRecord = { inst, call: e, method, X, y, scope, seq: this.seq++ };
      inst.fits.push(rec);
      this.result.fits.push(rec);
      this.noteStmt(e);
      if (X?.part && X.part.split.kind === 'slice' && (inst.kind === 'predictor' || inst.kind === 'search')) X.part.split.fitVotes[X.part.side]++;
      if (inst.kind === 'search' && X) this.result.cvs.push({ call: e, X, scope, seq: this.seq++ });
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
      return data.length > 0 ? this.score(e, data, frame) : undefined;
    }
    if (SPLIT_METHODS.has(method) && inst.kind === 'splitter') {
      const X = dataArg(0);
      if (!X) return undefined;
      const split: SplitRecord = { id: this.nextId++, kind: 'cv', site: e, scope, seq: this.seq++, input: X, sides: new Set([0, 1]), trainSide: 0, fitVotes: [0, 0] };
      this.result.splits.push(split);
      return { t: 'cvsplits', split };
    }
    if (SELF_METHODS.has(method)) return inst;
    return undefined;
  }

  private transformed(X: Data, inst: Inst): Data {
    if (inst.kind === 'loaded' || inst.stateless) return X;
    const fit = inst.fits[inst.fits.length - 1];
    return {
      ...X,
      transformedBy: X.transformedBy.includes(inst) ? X.transformedBy : [...X.transformedBy, inst],
      via: fit && !X.via.includes(fit) ? [...X.via, fit] : X.via,
      predictedBy: undefined,
    };
  }

  private dataMethod(d: Data, method: string, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    if (META_METHODS.has(method)) return undefined;
    if (method === 'sample') {
      const split: SplitRecord = { id: this.nextId++, kind: 'sample', site: e, scope: frame.scope, seq: this.seq++, input: d, sides: new Set([0]), trainSide: 0, fitVotes: [0, 0] };
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
    if (method === 'split' || method === 'groupby') return undefined;
    const others = args.filter((a): a is Data => a?.t === 'data');
    return others.length > 0 && (method === 'append' || method === 'join' || method === 'merge') ? combineData([d, ...others]) : d;
  }

  private callUser(fnId: number, e: CallExpr, args: (Value | undefined)[], frame: Frame): Value | undefined {
    if (this.callStack.includes(fnId) || this.callStack.length >= MAX_CALL_DEPTH) return undefined;
    const fn = this.sem.fn(fnId);
    const callee = new Frame(fnId, this.closureFrame(fn.parent, frame));
    const positional = e.args.map((a, i) => ({ a, v: args[i] })).filter(({ a }) => !a.name && !a.spread);
    const inference = INFERENCE_FUNCTION.test(fn.name);
    let pi = 0;
    for (const p of fn.params) {
      if (p.kind === 'varargs' || p.kind === 'kwargs') continue;
      let v: Value | undefined;
      const kw = e.args.findIndex((a) => a.name === p.name);
      if (kw >= 0) v = args[kw];
      else if (p.kind === 'positional' && pi < positional.length) v = positional[pi++]?.v;
      else if (p.default) v = this.eval(p.default, callee);
      if (v === undefined && inference && !/model|clf|estimator|pipe|path|file|dir/i.test(p.name)) v = emptyData('inference', new Set([this.nextRoot++]));
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
    const known = returns.filter((r) => r !== undefined);
    return known.length > 0 ? known[known.length - 1] : undefined;
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
          this.fnBody(s.body, frame, returns);
          this.fnBody(s.orelse, frame, returns);
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
  if (a.t === 'data' && b.t === 'data') return a.base === b.base && a.part?.split === b.part?.split && a.part?.side === b.part?.side;
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
    else if (v.t === 'dict') collectInsts(v.entries.map((en) => en.value), out, depth + 1);
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
  return last.kind === 'predictor' || last.kind === 'search' ? 'predictor' : last.kind === 'transformer' ? 'transformer' : 'other';
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
