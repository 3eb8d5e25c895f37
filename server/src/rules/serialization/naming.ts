import type { CallExpr } from '../../model/calls';
import { walkExpr, type Expr } from '../../model/ir';
import type { RuleContext } from '../rule';

/**
 * The role of a construction in the code, used to name extracted helpers: its step name in
 * `('clip', FunctionTransformer(...))`, else the variable it is assigned to.
 */
export function roleNames(ctx: RuleContext): Map<CallExpr, string> {
  return ctx.memo('serialization.roleNames', () => {
    const { sem } = ctx;
    const roles = new Map<CallExpr, string>();
    for (const { stmt, scope } of sem.statements) {
      if (stmt.k === 'assign' && stmt.targets.length === 1 && stmt.targets[0].k === 'name' && stmt.value.k === 'call') {
        roles.set(stmt.value, stmt.targets[0].name);
      }
      const exprs: Expr[] =
        stmt.k === 'assign'
          ? [stmt.value]
          : stmt.k === 'expr'
            ? [stmt.expr]
            : stmt.k === 'return' && stmt.value
              ? [stmt.value]
              : [];
      for (const root of exprs) {
        walkExpr(root, (e) => {
          if (e.k !== 'seq' || e.items.length < 2) return;
          const [first, second] = e.items;
          if (first.k !== 'str' || !first.value) return;
          for (const v of sem.resolve(second, scope)) if (v.expr.k === 'call') roles.set(v.expr, first.value);
        });
      }
    }
    return roles;
  });
}
