import type { CallExpr } from './calls';
import type { Expr } from './ir';
import type { ScopedExpr, Semantics } from './semantics';

export interface ReachOptions {
  /** Follow `search.best_estimator_`, `pipe.named_steps["clf"]`, `pipe[-1]` to the object they come from. */
  throughAttributes?: boolean;
  /** Upper bound on expressions visited (the walk is over user code of any size). */
  budget?: number;
  /** Expressions not to enter (e.g. the outer call whose insides are being searched). */
  exclude?: Iterable<Expr>;
}

/**
 * Walks the constructions a value is built from: names to their assigned values (through `.fit()` and the
 * file's own functions), items of lists, tuples and dicts, and, for each construction call reached,
 * whatever `onCall` returns to continue with (its step list, its wrapped estimator, all its arguments...).
 */
export function walkConstructions(sem: Semantics, start: ScopedExpr, onCall: (call: CallExpr, scope: ScopedExpr['scope']) => Iterable<ScopedExpr> | void, options: ReachOptions = {}): void {
  const stack: ScopedExpr[] = [start];
  const seen = new Set<Expr>(options.exclude);
  let budget = options.budget ?? 5000;
  while (stack.length > 0 && budget-- > 0) {
    const cur = stack.pop()!;
    if (seen.has(cur.expr)) continue;
    seen.add(cur.expr);
    const e = cur.expr;
    if (e.k === 'seq') {
      for (const item of e.items) stack.push({ expr: item, scope: cur.scope });
    } else if (e.k === 'dict') {
      for (const en of e.entries) stack.push({ expr: en.value, scope: cur.scope });
    } else if (e.k === 'attr' || e.k === 'subscript') {
      if (options.throughAttributes) stack.push({ expr: e.object, scope: cur.scope });
    } else if (e.k === 'name' || e.k === 'call') {
      for (const v of sem.resolve(e, cur.scope)) {
        if (v.expr !== e) stack.push(v);
        else if (v.expr.k === 'call') for (const next of onCall(v.expr, v.scope) ?? []) stack.push(next);
      }
    }
  }
}

/** All arguments of a call, for walks that descend into everything a construction was given. */
export function allArguments(call: CallExpr, scope: ScopedExpr['scope']): ScopedExpr[] {
  return call.args.map((a) => ({ expr: a.value, scope }));
}
