import type { CallExpr } from './calls';
import type { Expr } from './ir';
import type { ScopedExpr, Semantics } from './semantics';

export interface ReachOptions {
  /**
   * Follow `search.best_estimator_`, `pipe.named_steps["clf"]`, `pipe.steps[-1][1]`, `pipe[-1]` to the part of
   * the object they come from (the search's estimator, one step), and any other attribute to the whole object.
   */
  throughAttributes?: boolean;
  /** Upper bound on expressions visited (the walk is over user code of any size). */
  budget?: number;
  /** Expressions not to enter (e.g. the outer call whose insides are being searched). */
  exclude?: Iterable<Expr>;
}

/** One attribute or item access on the way from a value to the object it is read from (innermost first). */
type Access = { k: 'attr'; name: string } | { k: 'index'; key: string | number | undefined };

interface Item extends ScopedExpr {
  /** Accesses still to apply to the construction this expression leads to. */
  path: Access[];
}

/**
 * Called for each construction reached. `only`, when given, says that the value keeps only these
 * parameters of the construction (a search's `best_estimator_` keeps what `param_grid` set on it, not
 * its `scoring`); the walk then continues on its own into the part that is kept.
 */
export type OnConstruction = (
  call: CallExpr,
  scope: ScopedExpr['scope'],
  only?: ReadonlySet<string>,
) => Iterable<ScopedExpr> | undefined;

/** Fitted attributes that hold a fitted clone of the wrapped `estimator` (or `base_estimator`). */
const CLONE_OF_ESTIMATOR = new Set(['best_estimator_', 'estimator_', 'base_estimator_']);
/** Parameters of a search whose values are set on the best estimator. */
const GRID_PARAMS = new Set(['param_grid', 'param_distributions']);
const PIPELINE = /(^|\.)(Pipeline|make_pipeline)$/;
const SEARCH = /SearchCV$/;

/**
 * Walks the constructions a value is built from: names to their assigned values (through `.fit()` and the
 * file's own functions), items of lists, tuples and dicts, and, for each construction call reached,
 * whatever `onCall` returns to continue with (its step list, its wrapped estimator, all its arguments...).
 */
export function walkConstructions(
  sem: Semantics,
  start: ScopedExpr,
  onCall: OnConstruction,
  options: ReachOptions = {},
): void {
  const stack: Item[] = [{ ...start, path: [] }];
  // The paths each expression was reached with ('' for the whole object): one string, a set only for a second
  // path (a set per expression was a tenth of a scikit.js keystroke's allocation).
  const seen = new Map<Expr, string | Set<string>>();
  for (const e of options.exclude ?? []) seen.set(e, '');
  let budget = options.budget ?? 5000;
  const push = (expr: Expr, scope: ScopedExpr['scope'], path: Access[]) => stack.push({ expr, scope, path });
  while (stack.length > 0 && budget-- > 0) {
    const cur = stack.pop()!;
    const key = cur.path.length === 0 ? '' : JSON.stringify(cur.path);
    const keys = seen.get(cur.expr);
    if (keys === undefined) seen.set(cur.expr, key);
    else if (typeof keys === 'string') {
      if (keys === key || keys === '') continue;
      seen.set(cur.expr, new Set([keys, key]));
    } else {
      if (keys.has(key) || keys.has('')) continue;
      keys.add(key);
    }
    const e = cur.expr;
    if (e.k === 'seq') {
      // `[a, b][1]` and a ("name", step) tuple read by index keep only that item.
      const added = appendedTo(sem).get(e);
      const index = cur.path[0];
      const picked =
        !added && index?.k === 'index' && typeof index.key === 'number' ? itemAt(e.items, index.key) : undefined;
      if (picked) push(picked, cur.scope, cur.path.slice(1));
      else for (const item of e.items) push(item, cur.scope, []);
      // `estimators = []` then `estimators.append(("svc", SVC()))`: the list holds what is added later.
      for (const a of added ?? []) push(a.expr, a.scope, []);
    } else if (e.k === 'dict') {
      for (const en of e.entries) push(en.value, cur.scope, []);
    } else if (e.k === 'attr' || e.k === 'subscript') {
      // A long chain of accesses (or a cycle like `a = a.b`) is followed as the whole object.
      if (options.throughAttributes) push(e.object, cur.scope, cur.path.length < 6 ? [accessOf(e), ...cur.path] : []);
    } else if (e.k === 'name' || e.k === 'call') {
      for (const v of sem.resolve(e, cur.scope)) {
        if (v.expr !== e) push(v.expr, v.scope, cur.path);
        else if (v.expr.k === 'call') {
          const part = cur.path.length > 0 ? project(sem, v.expr, v.scope, cur.path) : undefined;
          if (!part) {
            for (const next of onCall(v.expr, v.scope) ?? []) push(next.expr, next.scope, []);
            continue;
          }
          if (part.only.size > 0) onCall(v.expr, v.scope, part.only);
          for (const a of v.expr.args) if (a.name && part.only.has(a.name)) push(a.value, v.scope, []);
          for (const next of part.next) push(next.expr, next.scope, next.path);
        }
      }
    }
  }
}

const appendCache = new WeakMap<Semantics, Map<Expr, ScopedExpr[]>>();
const appendKinds = new WeakMap<Semantics, Map<Expr, string>>();

/** The method (`append`, `extend`, `insert`) that added each argument recorded by `appendedTo`. */
function appendCalls(sem: Semantics): Map<Expr, string> {
  appendedTo(sem);
  return appendKinds.get(sem)!;
}

/** For each list literal, what `.append(x)`, `.extend(xs)` or `.insert(i, x)` on a name bound to it adds. */
function appendedTo(sem: Semantics): Map<Expr, ScopedExpr[]> {
  let map = appendCache.get(sem);
  if (map) return map;
  map = new Map();
  const kinds = new Map<Expr, string>();
  appendKinds.set(sem, kinds);
  for (const { call, scope } of sem.calls) {
    const callee = call.callee;
    if (callee.k !== 'attr' || callee.object.k !== 'name' || !/^(append|extend|insert)$/.test(callee.name)) continue;
    const arg = call.args[call.args.length - 1];
    if (!arg || arg.spread || arg.name) continue;
    for (const v of sem.resolve(callee.object, scope)) {
      if (v.expr.k !== 'seq' || v.expr.kind !== 'list') continue;
      let list = map.get(v.expr);
      if (!list) map.set(v.expr, (list = []));
      list.push({ expr: arg.value, scope });
      kinds.set(arg.value, callee.name);
    }
  }
  appendCache.set(sem, map);
  return map;
}

function accessOf(e: Expr & { k: 'attr' | 'subscript' }): Access {
  if (e.k === 'attr') return { k: 'attr', name: e.name };
  const i = e.index;
  if (i.k === 'str' && i.value !== null) return { k: 'index', key: i.value };
  if (i.k === 'num' && Number.isInteger(i.value)) return { k: 'index', key: i.value };
  if (i.k === 'unary' && i.op === '-' && i.operand.k === 'num' && Number.isInteger(i.operand.value))
    return { k: 'index', key: -i.operand.value };
  return { k: 'index', key: undefined };
}

function itemAt<T>(items: T[], i: number): T | undefined {
  return items[i < 0 ? items.length + i : i];
}

/**
 * The part of a construction that `path` reads, when it is a known part: a search's or wrapper's fitted
 * clone of its estimator, a pipeline's step by name or position. `undefined`: the whole object.
 */
function project(
  sem: Semantics,
  call: CallExpr,
  scope: ScopedExpr['scope'],
  path: Access[],
): { next: Item[]; only: ReadonlySet<string> } | undefined {
  const q = sem.qname(call.callee, scope) ?? '';
  const [first, second, third] = path;
  if (first.k === 'attr' && CLONE_OF_ESTIMATOR.has(first.name)) {
    const est =
      call.args.find((a) => a.name === 'estimator' || a.name === 'base_estimator') ??
      call.args.find((a) => !a.name && !a.spread);
    if (!est || est.spread || call.args.some((a) => a.spread)) return undefined;
    // The grid's values are set on the best estimator; when only a step of it is read, they are left out
    // (matching `step__param` keys to steps is not worth it for a rare case).
    return {
      next: [{ expr: est.value, scope, path: path.slice(1) }],
      only: SEARCH.test(q) && path.length === 1 ? GRID_PARAMS : new Set(),
    };
  }
  if (!PIPELINE.test(q)) return undefined;
  const steps = stepsOf(sem, call, scope, q);
  if (!steps) return undefined;
  let step: Expr | undefined;
  let used: number;
  if (first.k === 'attr' && first.name === 'named_steps' && second) {
    step =
      second.k === 'attr'
        ? steps.find((s) => s.name === second.name)?.expr
        : typeof second.key === 'string'
          ? steps.find((s) => s.name === second.key)?.expr
          : undefined;
    used = 2;
  } else if (
    first.k === 'attr' &&
    first.name === 'steps' &&
    second?.k === 'index' &&
    typeof second.key === 'number' &&
    third?.k === 'index' &&
    third.key === 1
  ) {
    step = itemAt(steps, second.key)?.expr;
    used = 3;
  } else if (first.k === 'index' && first.key !== undefined) {
    // pipe[-1], pipe["clf"] (a slice is a sub-pipeline: the whole object is the safe answer).
    step =
      typeof first.key === 'number' ? itemAt(steps, first.key)?.expr : steps.find((s) => s.name === first.key)?.expr;
    used = 1;
  } else return undefined;
  return step ? { next: [{ expr: step, scope: steps.scope, path: path.slice(used) }], only: new Set() } : undefined;
}

/** A pipeline's steps with their names, when the step list is written out (through a variable at most). */
function stepsOf(
  sem: Semantics,
  call: CallExpr,
  scope: ScopedExpr['scope'],
  q: string,
): ({ name: string | undefined; expr: Expr }[] & { scope: ScopedExpr['scope'] }) | undefined {
  if (q.endsWith('make_pipeline')) {
    const positional = call.args.filter((a) => !a.name);
    if (positional.some((a) => a.spread)) return undefined;
    // make_pipeline names each step after its class, lower-cased.
    const out = positional.map((a) => ({ name: lowerClassName(sem, a.value, scope), expr: a.value }));
    // Repeated classes get numbered names ("standardscaler-1"): leave those unnamed.
    for (const o of out) if (out.filter((x) => x.name === o.name).length > 1) o.name = undefined;
    return Object.assign(out, { scope });
  }
  const arg = call.args.find((a) => a.name === 'steps') ?? call.args.find((a) => !a.name);
  if (!arg || arg.spread) return undefined;
  const values = sem.resolve(arg.value, scope);
  if (values.length !== 1 || values[0].expr.k !== 'seq') return undefined;
  const list = values[0].expr;
  const out: { name: string | undefined; expr: Expr }[] = [];
  const items = [...list.items];
  // Steps appended later, in source order (an insert or extend of a non-literal: positions are unknown).
  for (const a of appendedTo(sem).get(list) ?? []) {
    const call = appendCalls(sem).get(a.expr);
    if (call === 'append') items.push(a.expr);
    else if (call === 'extend' && a.expr.k === 'seq') items.push(...a.expr.items);
    else return undefined;
  }
  for (const item of items) {
    if (item.k !== 'seq' || item.items.length < 2) return undefined;
    const [name, expr] = item.items;
    out.push({ name: name.k === 'str' && name.value !== null ? name.value : undefined, expr });
  }
  return Object.assign(out, { scope: values[0].scope });
}

function lowerClassName(sem: Semantics, e: Expr, scope: ScopedExpr['scope']): string | undefined {
  const [v] = sem.resolve(e, scope);
  if (!v || v.expr.k !== 'call') return undefined;
  const callee = v.expr.callee;
  const name = callee.k === 'name' ? callee.name : callee.k === 'attr' ? callee.name : undefined;
  return name?.toLowerCase();
}

/** All arguments of a call, for walks that descend into everything a construction was given. */
export function allArguments(call: CallExpr, scope: ScopedExpr['scope']): ScopedExpr[] {
  return call.args.map((a) => ({ expr: a.value, scope }));
}
