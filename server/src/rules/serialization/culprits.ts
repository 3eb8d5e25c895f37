import { KEEPING_FUNCTIONS, PARTIAL } from '../../knowledge/methods';
import type { EntityInfo } from '../../knowledge/types';
import { paramOfArg, type CallExpr } from '../../model/calls';
import type { Expr, ScopeId } from '../../model/ir';
import type { ScopedExpr } from '../../model/semantics';
import type { RuleContext } from '../rule';

/**
 * Callables that pickle cannot save, found where a library object keeps them: lambdas (SKL101),
 * functions defined inside functions (SKL102) and instances of classes defined inside functions
 * (SKL103). Shared by those rules and by SKL104, which follows a saved object to them.
 */
export interface Culprit {
  /**
   * 'custom-object' (scikit.js): an object literal with methods or an instance of the file's own class
   * used as a step; `toJSON` keeps only its data and `fromJSON` gives back a plain object.
   */
  kind: 'lambda' | 'local-function' | 'local-class' | 'custom-object';
  /** The lambda, def or class (a custom object literal: its first method). */
  fn: number;
  /** The expression that hands it to the library object (the lambda itself, a name, a construction). */
  use: Expr;
  useScope: ScopeId;
  /** The library construction call that keeps it. */
  holder: CallExpr;
  holderEntity: EntityInfo;
  /** Parameter of the holder that receives it, when known. */
  param?: string;
}

export interface CulpritIndex {
  all: Culprit[];
  byHolder: Map<CallExpr, Culprit[]>;
}

export function findCulprits(ctx: RuleContext): CulpritIndex {
  return ctx.memo('serialization.culprits', () => compute(ctx));
}

function compute(ctx: RuleContext): CulpritIndex {
  const { sem } = ctx;
  const all: Culprit[] = [];
  const byHolder = new Map<CallExpr, Culprit[]>();
  // In Python only a lambda, or a def or class inside a function, can be a culprit: a file without one (260 of
  // scikit-learn's 285 examples) needs no walk of every library call's arguments.
  if (
    ctx.module.language === 'python' &&
    !ctx.module.functions.some((fn) => fn.kind === 'lambda' || sem.isLocal(fn.id))
  )
    return { all, byHolder };
  const add = (c: Culprit) => {
    all.push(c);
    let list = byHolder.get(c.holder);
    if (!list) byHolder.set(c.holder, (list = []));
    list.push(c);
  };

  for (const { call, scope, q } of sem.namedCalls) {
    const entity = ctx.lookup(q);
    if (!entity) continue;
    if (entity.kind === 'function' && !KEEPING_FUNCTIONS.test(entity.qname)) continue;
    // The holder's library decides what cannot be saved: scikit.js (JSON) loses every function and custom step.
    const scikitjs = entity.library === 'scikitjs';
    for (const arg of call.args) {
      // A literal keeps no callable (most arguments of plotting and numpy calls): no walk, no set.
      if (isLiteral(arg.value)) continue;
      const param = paramOfArg(call, entity, arg);
      const seen = new Set<Expr>();
      // Walk the argument: the value itself, and the items of step lists, tuples and dicts.
      const stack: ScopedExpr[] = [{ expr: arg.value, scope }];
      while (stack.length > 0) {
        const { expr, scope: s } = stack.pop()!;
        if (seen.has(expr)) continue;
        seen.add(expr);
        if (expr.k === 'seq') {
          for (const item of expr.items) if (!isLiteral(item)) stack.push({ expr: item, scope: s });
          continue;
        }
        if (expr.k === 'dict') {
          // scikit.js: the options object (`{steps: [...]}`) is walked; a nested object with methods is a custom step.
          const custom =
            scikitjs && (expr !== arg.value || entity.kind === 'function')
              ? customObject(ctx, { expr, scope: s }, expr, s)
              : undefined;
          if (custom) add({ ...custom, holder: call, holderEntity: entity, param });
          else for (const en of expr.entries) if (!isLiteral(en.value)) stack.push({ expr: en.value, scope: s });
          continue;
        }
        for (const v of sem.resolve(expr, s)) {
          const culprit = scikitjs
            ? (customObject(ctx, v, expr, s) ?? classifyScikitjs(ctx, v, expr, s))
            : classify(ctx, v, expr, s);
          if (culprit) add({ ...culprit, holder: call, holderEntity: entity, param });
          else if (v.expr !== expr && (v.expr.k === 'seq' || v.expr.k === 'dict')) stack.push(v);
          else if (v.expr.k === 'call') {
            // functools.partial(f, ...) keeps f.
            const q = sem.qname(v.expr.callee, v.scope);
            if (q && PARTIAL.has(q) && v.expr.args[0]) stack.push({ expr: v.expr.args[0].value, scope: v.scope });
          }
        }
      }
    }
  }
  return { all, byHolder };
}

function isLiteral(e: Expr): boolean {
  return e.k === 'str' || e.k === 'num' || e.k === 'const';
}

function classify(
  ctx: RuleContext,
  v: ScopedExpr,
  use: Expr,
  useScope: ScopeId,
): Omit<Culprit, 'holder' | 'holderEntity' | 'param'> | undefined {
  const { sem } = ctx;
  const e = v.expr;
  if (e.k === 'function') {
    const fn = sem.fn(e.fn);
    if (fn.kind === 'lambda') return { kind: 'lambda', fn: fn.id, use, useScope };
    if (fn.kind === 'def' && sem.isLocal(fn.id)) return { kind: 'local-function', fn: fn.id, use, useScope };
    if (fn.kind === 'class' && sem.isLocal(fn.id)) return { kind: 'local-class', fn: fn.id, use, useScope };
    return undefined;
  }
  if (e.k === 'call') {
    const cls = sem.userClass(e.callee, v.scope);
    if (cls !== undefined && sem.isLocal(cls)) return { kind: 'local-class', fn: cls, use: e, useScope: v.scope };
  }
  return undefined;
}

/**
 * scikit.js keeps no code: any function (arrow, function expression or declaration, local or not) given
 * to a scikit.js object is lost by `toJSON`.
 */
function classifyScikitjs(
  ctx: RuleContext,
  v: ScopedExpr,
  use: Expr,
  useScope: ScopeId,
): Omit<Culprit, 'holder' | 'holderEntity' | 'param'> | undefined {
  const e = v.expr;
  if (e.k === 'function' && ctx.sem.fn(e.fn).kind !== 'class') return { kind: 'lambda', fn: e.fn, use, useScope };
  return undefined;
}

/** An object literal with methods, or `new MyStep()` of the file's own class: a custom step scikit.js cannot restore. */
function customObject(
  ctx: RuleContext,
  v: ScopedExpr,
  use: Expr,
  useScope: ScopeId,
): Omit<Culprit, 'holder' | 'holderEntity' | 'param'> | undefined {
  const e = v.expr;
  if (e.k === 'dict') {
    const method = e.entries.find((en) => en.value.k === 'function');
    if (method && method.value.k === 'function')
      return { kind: 'custom-object', fn: method.value.fn, use: e === use ? e : use, useScope };
    return undefined;
  }
  if (e.k === 'call' && e.isNew) {
    const cls = ctx.sem.userClass(e.callee, v.scope);
    if (cls !== undefined) return { kind: 'custom-object', fn: cls, use: e === use ? e : use, useScope };
  }
  return undefined;
}

/** "FunctionTransformer(func=...)" style description of where a culprit goes. */
export function holderLabel(c: Culprit): string {
  const cls = c.holderEntity.qname.split('.').pop() ?? c.holderEntity.qname;
  return c.param ? `${cls}(${c.param}=...)` : `${cls}(...)`;
}
