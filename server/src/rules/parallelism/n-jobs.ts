import type { EntityInfo } from '../../knowledge/types';
import type { CallExpr } from '../../model/calls';
import type { ArgIR, ScopeId } from '../../model/ir';
import type { Semantics } from '../../model/semantics';
import { literalArg } from '../literal-args';

/**
 * The call's `n_jobs` (or the entity's n_jobs-like parameter) when it asks for parallel work: a literal
 * number other than 1 (-1, 2, ...). Absent, None, 1 and values not known are undefined. Shared by SKL401
 * and SKL402, which must agree on what "parallel" means.
 */
export function parallelJobsArg(
  sem: Semantics,
  call: CallExpr,
  scope: ScopeId,
  entity: EntityInfo,
): { arg: ArgIR; value: number } | undefined {
  if (!entity.nJobs) return undefined;
  const found = literalArg(sem, call, scope, entity, entity.nJobs);
  if (!found || typeof found.value !== 'number' || found.value === 1) return undefined;
  return { arg: found.arg, value: found.value };
}
