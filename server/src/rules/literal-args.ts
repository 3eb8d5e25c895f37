import type { ArgValue, EntityInfo, LiteralValue } from '../knowledge';
import { argFor, type CallExpr } from '../model/calls';
import type { ArgIR, Expr, ScopeId } from '../model/ir';
import type { Semantics } from '../model/semantics';

/** The literal written in place: a string, number, boolean or None, or a negated number; 'unknown' otherwise. */
export function writtenLiteral(e: Expr): LiteralValue | 'unknown' {
  switch (e.k) {
    case 'str':
      return e.value === null ? 'unknown' : e.value;
    case 'num':
      return e.value;
    case 'const':
      return e.value === undefined ? null : e.value;
    case 'unary':
      return e.op === '-' && e.operand.k === 'num' ? -e.operand.value : 'unknown';
    default:
      return 'unknown';
  }
}

/**
 * The literal value of an expression: a string, number, boolean or None written in place, negated
 * numbers, or a name whose every visible assignment is that same literal (`SOLVER = "saga"`).
 * 'unknown' for anything else: loop variables, parameters, calls, f-strings.
 */
export function literalOf(sem: Semantics, e: Expr, scope: ScopeId, depth = 0): LiteralValue | 'unknown' {
  switch (e.k) {
    case 'str':
    case 'num':
    case 'const':
      return writtenLiteral(e);
    case 'unary': {
      if (e.op !== '-' && e.op !== '+') return 'unknown';
      const v = literalOf(sem, e.operand, scope, depth + 1);
      return typeof v === 'number' ? (e.op === '-' ? -v : v) : 'unknown';
    }
    case 'name': {
      if (depth > 8) return 'unknown';
      const values = sem.resolve(e, scope);
      if (values.length === 0) return 'unknown';
      let out: LiteralValue | 'unknown' | undefined;
      for (const v of values) {
        if (v.expr.k === 'name') return 'unknown';
        const lit = literalOf(sem, v.expr, v.scope, depth + 1);
        if (lit === 'unknown' || (out !== undefined && out !== lit)) return 'unknown';
        out = lit;
      }
      return out ?? 'unknown';
    }
    default:
      return 'unknown';
  }
}

/** `getArg` for `randomnessActs`/`conditionHolds`: the literal argument of `param`, 'absent' or 'unknown'. */
export function argValueGetter(
  sem: Semantics,
  call: CallExpr,
  scope: ScopeId,
  entity: EntityInfo,
): (param: string) => ArgValue {
  return (param) => {
    const arg = argFor(call, entity, param);
    if (!arg) return 'absent';
    if (arg.spread) return 'unknown';
    return literalOf(sem, arg.value, scope);
  };
}

/** The argument for `param`, with its literal value ('unknown' when not a literal). */
export function literalArg(
  sem: Semantics,
  call: CallExpr,
  scope: ScopeId,
  entity: EntityInfo,
  param: string,
): { arg: ArgIR; value: LiteralValue | 'unknown' } | undefined {
  const arg = argFor(call, entity, param);
  if (!arg) return undefined;
  return { arg, value: arg.spread ? 'unknown' : literalOf(sem, arg.value, scope) };
}
