import { stmtParts, walkExpr, walkStmts, type Expr, type FunctionIR, type Stmt } from '../model/ir';
import type { ScopedExpr } from '../model/semantics';
import type { RuleContext } from './rule';

/**
 * The file's own classes that take part in a scikit-learn model: derived from a library class
 * (`BaseEstimator`, `TransformerMixin`, a scikit-learn estimator, an imbalanced-learn sampler), or
 * handed to a library object (a pipeline step, a search's estimator, `cross_val_score(MyModel(), ...)`).
 * Shared by SKL105/106 (what pickle does with them), SKL202 (randomness at predict time) and
 * SKL701/702 (the estimator API that `clone` and `Pipeline` rely on).
 */
export interface CustomClass {
  fn: FunctionIR;
  /** Methods by name: its own, then those of the file's own base classes (own first). */
  methods: Map<string, FunctionIR>;
  /** A library base, when one is reached (directly or through the file's own bases). */
  libraryBase?: string;
  /** `get_params` comes from a library base (not a mixin alone): `clone`, `repr` and searches read `__init__`. */
  hasGetParams: boolean;
  /** Constructions `Cls(...)` that reach a library call's arguments. */
  usedIn: Expr[];
}

/** Libraries whose base classes give the scikit-learn estimator API. */
const LIBRARY_PREFIX = /^(sklearn|imblearn|lightgbm|xgboost|catboost)\./;

export function customClasses(ctx: RuleContext): Map<number, CustomClass> {
  return ctx.memo('custom-steps', () => compute(ctx));
}

/** Custom classes that take part in a model (derived from a library class, or used by one). */
export function customSteps(ctx: RuleContext): CustomClass[] {
  return [...customClasses(ctx).values()].filter((c) => c.libraryBase !== undefined || c.usedIn.length > 0);
}

function compute(ctx: RuleContext): Map<number, CustomClass> {
  const { sem, module } = ctx;
  const out = new Map<number, CustomClass>();
  const classes = module.functions.filter((f) => f.kind === 'class');
  if (classes.length === 0) return out;

  const ownMethods = (cls: FunctionIR) => {
    const m = new Map<string, FunctionIR>();
    for (const s of cls.body)
      if (s.k === 'def' && module.functions[s.fn].kind !== 'class')
        m.set(module.functions[s.fn].name, module.functions[s.fn]);
    return m;
  };
  // Library base and in-file bases, followed a few levels (a cycle cannot happen in valid code; guard anyway).
  const info = (
    cls: FunctionIR,
    depth: number,
  ): { base?: string; getParams: boolean; methods: Map<string, FunctionIR> } => {
    const methods = ownMethods(cls);
    let base: string | undefined;
    let getParams = false;
    for (const b of cls.bases) {
      const q = sem.qname(b, cls.parent);
      if (q && LIBRARY_PREFIX.test(q)) {
        base ??= q;
        if (!/Mixin$/.test(q)) getParams = true;
        continue;
      }
      const local = b.k === 'name' ? sem.userClass(b, cls.parent) : undefined;
      if (local !== undefined && depth < 8) {
        const inner = info(module.functions[local], depth + 1);
        base ??= inner.base;
        getParams ||= inner.getParams;
        for (const [k, v] of inner.methods) if (!methods.has(k)) methods.set(k, v);
      }
    }
    return { base, getParams, methods };
  };
  for (const cls of classes) {
    const i = info(cls, 0);
    out.set(cls.id, { fn: cls, methods: i.methods, libraryBase: i.base, hasGetParams: i.getParams, usedIn: [] });
  }

  // Constructions of these classes that end up in a library call's arguments (steps, wrapped estimators, CV helpers).
  // Only a call `Cls(...)` naming one of them is recorded, and every call is in sem.calls: without one, nothing is to
  // be found (the search below resolves every argument of every library call, on each keystroke).
  const classNames = new Set(classes.map((c) => c.name));
  const constructed = sem.calls.some(({ call }) => call.callee.k === 'name' && classNames.has(call.callee.name));
  if (!constructed) return out;
  for (const { call, scope, q } of sem.namedCalls) {
    if (!q || !ctx.lookup(q)) continue;
    const stack: ScopedExpr[] = call.args.map((a) => ({ expr: a.value, scope }));
    const seen = new Set<Expr>();
    let budget = 200;
    while (stack.length > 0 && budget-- > 0) {
      const { expr, scope: s } = stack.pop()!;
      if (seen.has(expr)) continue;
      seen.add(expr);
      if (expr.k === 'seq') for (const item of expr.items) stack.push({ expr: item, scope: s });
      else if (expr.k === 'dict') for (const en of expr.entries) stack.push({ expr: en.value, scope: s });
      else if (expr.k === 'name' || expr.k === 'call') {
        for (const v of sem.resolve(expr, s)) {
          if (v.expr !== expr) stack.push(v);
          else if (v.expr.k === 'call') {
            const cls = sem.userClass(v.expr.callee, v.scope);
            const entry = cls !== undefined ? out.get(cls) : undefined;
            if (entry && !entry.usedIn.includes(v.expr)) entry.usedIn.push(v.expr);
          }
        }
      }
    }
  }
  return out;
}

/** The name of a method's first parameter (`self`), when it has one. */
export function selfName(fn: FunctionIR): string | undefined {
  const p = fn.params[0];
  return p && p.kind === 'positional' ? p.name : undefined;
}

/** `self.attr = value` assignments anywhere in a method's body (not in nested functions). */
export function selfAssignments(fn: FunctionIR): { attr: string; value: Expr; target: Expr; stmt: Stmt }[] {
  const self = selfName(fn);
  if (!self) return [];
  const out: { attr: string; value: Expr; target: Expr; stmt: Stmt }[] = [];
  walkStmts(fn.body, (s) => {
    if (s.k !== 'assign' && s.k !== 'with') return;
    const pairs: { target: Expr; value: Expr }[] =
      s.k === 'assign'
        ? s.targets.map((t) => ({ target: t, value: s.value }))
        : s.items.flatMap((i) => (i.target ? [{ target: i.target, value: i.value }] : []));
    for (const { target, value } of pairs) {
      if (target.k === 'attr' && target.object.k === 'name' && target.object.name === self)
        out.push({ attr: target.name, value, target, stmt: s });
      else if (target.k === 'seq' && value.k === 'seq' && target.items.length === value.items.length) {
        target.items.forEach((t, i) => {
          if (t.k === 'attr' && t.object.k === 'name' && t.object.name === self)
            out.push({ attr: t.name, value: value.items[i], target: t, stmt: s });
        });
      }
    }
  });
  return out;
}

/** Every call in a function's own body (not in nested functions), with the function as scope. */
export function callsIn(fn: FunctionIR): Extract<Expr, { k: 'call' }>[] {
  const out: Extract<Expr, { k: 'call' }>[] = [];
  walkStmts(fn.body, (s) => {
    for (const root of stmtParts(s).exprs) walkExpr(root, (e) => e.k === 'call' && out.push(e));
  });
  return out;
}
