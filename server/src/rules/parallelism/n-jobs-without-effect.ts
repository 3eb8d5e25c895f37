import { conditionHolds, defaultOf, type EntityInfo, type ParamCondition } from '../../knowledge';
import { hasOpenArguments, type CallExpr } from '../../model/calls';
import type { ScopeId } from '../../model/ir';
import { removeArgument } from '../../fix/remove-argument';
import { argValueGetter } from '../literal-args';
import { parallelJobsArg } from './n-jobs';
import type { Rule, RuleContext } from '../rule';

/**
 * SKL402 n-jobs-without-effect: `n_jobs` (other than None/1) on an estimator whose settings make
 * scikit-learn run no parallel work, so the argument promises a speed-up that never comes. The
 * settings come from the knowledge base (`nJobsEffect`: docstring conditions each confirmed by
 * counting the tasks the estimator hands to joblib): `LogisticRegression(n_jobs=-1)` without
 * `multi_class='ovr'` or with `solver='liblinear'`, `CalibratedClassifierCV(cv='prefit', n_jobs=4)`,
 * `SpectralClustering(n_jobs=-1)` with an affinity other than the nearest-neighbour ones.
 */
export const nJobsWithoutEffect: Rule = {
  meta: {
    code: 'SKL402',
    name: 'n-jobs-without-effect',
    summary: 'n_jobs set where scikit-learn runs no parallel work in that configuration: the argument does nothing.',
    defaultSeverity: 'information',
    fix: 'safe',
    // scikit.js estimators take no n_jobs.
    languages: ['python'],
  },
  check(ctx) {
    const { sem } = ctx;
    for (const { call, scope, q } of sem.namedCalls) {
      const entity = ctx.lookup(q);
      if (!entity?.nJobs || !entity.nJobsEffect) continue;
      const jobs = parallelJobsArg(sem, call, scope, entity);
      if (!jobs) continue;
      if (hasOpenArguments(call)) continue;
      const why = unusedBecause(ctx, call, scope, entity);
      if (!why) continue;
      const name = entity.qname.split('.').pop() ?? entity.qname;
      const edit = removeArgument(ctx.module, call, jobs.arg);
      ctx.report({
        range: jobs.arg.range,
        message: `\`${name}(${entity.nJobs}=${ctx.syntax.literal(jobs.value)})\` runs no parallel work: ${why}, so ${entity.nJobs} is unused and the fit runs on one core.`,
        fix: edit
          ? {
              title: `Remove ${entity.nJobs}=${ctx.syntax.literal(jobs.value)} (it has no effect here)`,
              safety: 'safe',
              edits: [edit],
            }
          : null,
      });
    }
  },
};

/** Why n_jobs is unused in this call, or undefined when it may be used (or the settings are not known). */
function unusedBecause(ctx: RuleContext, call: CallExpr, scope: ScopeId, entity: EntityInfo): string | undefined {
  const effect = entity.nJobsEffect!;
  const getArg = argValueGetter(ctx.sem, call, scope, entity);
  const show = (c: ParamCondition) => c.values.map((v) => `${c.param}=${ctx.syntax.literal(v)}`).join(' or ');
  const actual = (param: string) => {
    const v = getArg(param);
    if (v !== 'absent') return `${param}=${ctx.syntax.literal(v === 'unknown' ? null : v)}`;
    const d = defaultOf(entity, param);
    return d === undefined ? `the default ${param}` : `${param}=${d} (the default)`;
  };
  for (const c of effect.ignoredWhen ?? []) {
    if (conditionHolds(entity, c, getArg) === 'yes') return `with ${actual(c.param)} scikit-learn ignores it`;
  }
  const needs = effect.needs ?? [];
  if (needs.length > 0 && needs.every((c) => conditionHolds(entity, c, getArg) === 'no')) {
    return `it is used only with ${needs.map(show).join(' or ')}, and this call has ${needs.map((c) => actual(c.param)).join(', ')}`;
  }
  return undefined;
}
