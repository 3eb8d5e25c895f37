import type { EntityInfo } from '../../knowledge';
import { paramOfArg, type CallExpr } from '../../model/calls';
import type { Fix, TextEdit } from '../../model/finding';
import type { ArgIR, Expr, ScopeId } from '../../model/ir';
import type { ScopedExpr } from '../../model/semantics';
import { parallelJobsArg } from './n-jobs';
import { walkConstructions } from '../../model/reach';
import type { Rule, RuleContext } from '../rule';

/** Parameter names that hand an estimator (or a list of them) to a wrapper, when the knowledge has no flag. */
const ESTIMATOR_PARAMS = new Set([
  'estimator',
  'base_estimator',
  'estimators',
  'final_estimator',
  'steps',
  'transformers',
  'transformer_list',
]);

interface Inner {
  call: CallExpr;
  entity: EntityInfo;
  arg: ArgIR;
  value: number;
}

/**
 * SKL401 nested-parallelism: a parallel outer construct (a search, a CV helper, a Bagging / Voting /
 * Stacking / OneVsRest / MultiOutput wrapper, permutation_importance...) with `n_jobs` other than
 * None/1, around an estimator that also has `n_jobs` other than None/1, passed directly, through a
 * variable or inside a pipeline. joblib runs the inner estimator's jobs as threads inside each outer
 * worker process, so outer x inner workers compete for the cores.
 */
export const nestedParallelism: Rule = {
  meta: {
    code: 'SKL401',
    name: 'nested-parallelism',
    summary:
      'n_jobs set both on a search, CV helper or ensemble wrapper and on an estimator inside it: the CPU is oversubscribed.',
    defaultSeverity: 'warning',
    fix: 'safe',
    // scikit.js estimators take no n_jobs.
    languages: ['python'],
  },
  check(ctx) {
    const { sem } = ctx;
    for (const { call, scope, q } of sem.namedCalls) {
      const entity = ctx.lookup(q);
      if (!entity || !isOuter(entity)) continue;
      const outerJobs = parallelJobs(ctx, call, scope, entity);
      if (outerJobs === undefined) continue;
      const inners: Inner[] = [];
      for (const arg of call.args) {
        if (!isEstimatorArg(call, entity, arg)) continue;
        collectInner(ctx, { expr: arg.value, scope }, inners, call);
      }
      if (inners.length === 0) continue;
      const outerName = shortName(entity);
      const first = inners[0];
      const innerText = inners.map(
        (i) => `\`${shortName(i.entity)}(${i.entity.nJobs}=${ctx.syntax.literal(i.value)})\``,
      );
      const list = [...new Set(innerText)].join(', ');
      ctx.report({
        range: call.callee.range,
        message:
          `Nested parallelism: \`${outerName}(${entity.nJobs}=${ctx.syntax.literal(outerJobs)})\` runs ${list} inside each of its workers, ` +
          `so outer x inner jobs compete for the cores and the whole is usually slower. Parallelise one level: set the inner ${first.entity.nJobs}=1.`,
        related: inners.map((i) => ({
          uri: ctx.module.uri,
          range: i.arg.range,
          message: `inner \`${shortName(i.entity)}\` runs its own ${i.entity.nJobs}=${ctx.syntax.literal(i.value)} jobs here`,
        })),
        fix: innerFix(inners),
      });
    }
  },
};

/** A wrapper that runs its estimator(s) in parallel: a meta-estimator or a helper taking an estimator, with n_jobs. Pipelines, unions and column transformers parallelise over their own steps and are not outer constructs here. */
function isOuter(entity: EntityInfo): boolean {
  if (!entity.nJobs || entity.roles.composite) return false;
  return entity.roles.meta || (entity.kind === 'function' && entity.params.some((p) => p.estimator));
}

/** The outer's n_jobs when it is a literal other than None/1 (-1, 2, ...); undefined otherwise (absent, None, 1, unknown). */
function parallelJobs(ctx: RuleContext, call: CallExpr, scope: ScopeId, entity: EntityInfo): number | undefined {
  return parallelJobsArg(ctx.sem, call, scope, entity)?.value;
}

function isEstimatorArg(call: CallExpr, entity: EntityInfo, arg: ArgIR): boolean {
  if (arg.spread) return false;
  const param = paramOfArg(call, entity, arg);
  if (!param) return false;
  const info = entity.params.find((p) => p.name === param);
  return info?.estimator === true || ESTIMATOR_PARAMS.has(param);
}

/**
 * Estimators with parallel n_jobs reachable from an estimator argument: the object itself, through
 * variables, steps of pipelines and column transformers, and estimators wrapped by non-parallel
 * wrappers. A parallel inner wrapper is reported, not entered (its own finding covers what it holds).
 */
function collectInner(ctx: RuleContext, start: ScopedExpr, out: Inner[], outer: CallExpr): void {
  const { sem } = ctx;
  walkConstructions(
    sem,
    start,
    (call, scope) => {
      const entity = ctx.lookup(sem.qname(call.callee, scope));
      if (!entity) return;
      const found = parallelJobsArg(sem, call, scope, entity);
      if (found) {
        if (!out.some((i) => i.arg === found.arg)) out.push({ call, entity, arg: found.arg, value: found.value });
        if (isOuter(entity)) return;
      }
      if (!entity.roles.composite && !entity.roles.meta) return;
      return call.args
        .filter((a) => (entity.roles.composite ? !a.spread : isEstimatorArg(call, entity, a)))
        .map((a) => ({ expr: a.value, scope }));
    },
    { budget: 2000, exclude: [outer] },
  );
}

function innerFix(inners: Inner[]): Fix | null {
  const edits: TextEdit[] = [];
  for (const i of inners) {
    const value: Expr = i.arg.value;
    edits.push({ range: value.range, newText: '1' });
  }
  const names = [...new Set(inners.map((i) => shortName(i.entity)))].join(', ');
  return { title: `Set ${inners[0].entity.nJobs}=1 on the inner ${names}`, safety: 'safe', edits };
}

function shortName(entity: EntityInfo): string {
  return entity.qname.split('.').pop() ?? entity.qname;
}
