import type { CallExpr } from '../../model/calls';
import type { Expr } from '../../model/ir';
import { allArguments, walkConstructions } from '../../model/reach';
import type { ScopedExpr } from '../../model/semantics';
import { literalOf } from '../literal-args';
import type { RuleContext } from '../rule';

/**
 * Scorer names that call `predict_proba` (scikit-learn 1.2.1's `_ProbaScorer`s; `roc_auc`,
 * `average_precision` and `top_k_accuracy` try `decision_function` first). A system test checks the list
 * against the library.
 */
export const PROBA_SCORERS = new Set([
  'neg_brier_score',
  'neg_log_loss',
  'roc_auc_ovo',
  'roc_auc_ovo_weighted',
  'roc_auc_ovr',
  'roc_auc_ovr_weighted',
]);

/** `*Display.from_estimator(...)` whose `response_method='auto'` default tries `predict_proba` first. */
const DISPLAY_FROM_ESTIMATOR =
  /\.(RocCurveDisplay|PrecisionRecallDisplay|DetCurveDisplay|CalibrationDisplay)\.from_estimator$|\.plot_(roc|precision_recall|det)_curve$/;

/**
 * Library wrappers that read only the `predict`/`decision_function` of what they hold (or take the method
 * from an argument that is checked on its own: `scoring`, `method`, `voting`). Any other meta-estimator or
 * composite may call `predict_proba` inside (`SelfTrainingClassifier`, `StackingClassifier`, `Bagging`,
 * `AdaBoost` with SAMME.R), so it counts as reading it.
 */
const PROBA_FREE_HOLDERS =
  /\.(Pipeline|make_pipeline|ColumnTransformer|make_column_transformer|FeatureUnion|make_union|GridSearchCV|RandomizedSearchCV|HalvingGridSearchCV|HalvingRandomSearchCV|VotingClassifier|OneVsRestClassifier|OneVsOneClassifier|OutputCodeClassifier|MultiOutputClassifier|ClassifierChain|CalibratedClassifierCV|RFE|RFECV|SelectFromModel|SequentialFeatureSelector)$/;

export interface OutputUses {
  /** Per output method, the constructions it is read from. */
  readFrom: Map<string, Set<CallExpr>>;
  /** Methods also called on something whose construction is unknown (a parameter, a loop variable): it may be any of them. */
  unknownReceivers: Set<string>;
}

/**
 * For each output method (`predict_proba`...), the constructions whose result that method reads somewhere
 * in the module: called on the object, on a pipeline or search holding it, or asked for by a scorer,
 * `cross_val_predict(method=...)`, soft voting, a curve display or a wrapper that may call it.
 */
export function outputUses(ctx: RuleContext): OutputUses {
  return ctx.memo('reproducibility.outputUses', () => {
    const { sem } = ctx;
    const out = new Map<string, Set<CallExpr>>();
    const unknownReceivers = new Set<string>();
    const mark = (method: string, starts: ScopedExpr[]): number => {
      let set = out.get(method);
      if (!set) out.set(method, (set = new Set()));
      let reached = 0;
      for (const start of starts) {
        walkConstructions(
          sem,
          start,
          (call, scope) => {
            reached++;
            set.add(call);
            return allArguments(call, scope);
          },
          { throughAttributes: true, budget: 2000 },
        );
      }
      return reached;
    };
    for (const { call, scope } of sem.calls) {
      const callee = call.callee;
      if (callee.k === 'attr' && /^predict_(log_)?proba$|^predictProba$/.test(callee.name)) {
        if (mark(callee.name, [{ expr: callee.object, scope }]) === 0) unknownReceivers.add(callee.name);
        continue;
      }
      const args = allArguments(call, scope);
      for (const a of call.args) {
        if (a.spread || !a.name) continue;
        const names =
          a.name === 'scoring'
            ? literalStrings(ctx, a.value, scope)
            : a.name === 'method' || a.name === 'response_method' || a.name === 'voting'
              ? literalStrings(ctx, a.value, scope)
              : [];
        if (a.name === 'scoring' && names.some((n) => PROBA_SCORERS.has(n))) mark('predict_proba', args);
        if (a.name === 'voting' && names.includes('soft')) mark('predict_proba', args);
        if (
          (a.name === 'method' || a.name === 'response_method') &&
          names.some((n) => /^predict_(log_)?proba$/.test(n))
        )
          mark(
            names.find((n) => n.startsWith('predict_'))!,
            args,
          );
      }
      const q = sem.qname(callee, scope);
      if (q && DISPLAY_FROM_ESTIMATOR.test(q)) {
        const rm = call.args.find((a) => a.name === 'response_method');
        const rmv = rm && !rm.spread ? literalOf(sem, rm.value, scope) : 'auto';
        if (rmv === 'auto' || rmv === 'predict_proba' || rmv === 'unknown') mark('predict_proba', args);
        continue;
      }
      const entity = ctx.lookup(q);
      if (
        entity?.kind === 'class' &&
        (entity.roles.meta || entity.roles.composite) &&
        !PROBA_FREE_HOLDERS.test(entity.qname)
      )
        mark('predict_proba', args);
    }
    return { readFrom: out, unknownReceivers };
  });
}

/** String literals in a scoring argument: `'neg_log_loss'`, a list or dict of them, through names. */
function literalStrings(ctx: RuleContext, e: Expr, scope: ScopedExpr['scope']): string[] {
  const found: string[] = [];
  const stack: ScopedExpr[] = [{ expr: e, scope }];
  const seen = new Set<Expr>();
  while (stack.length > 0 && seen.size < 200) {
    const cur = stack.pop()!;
    if (seen.has(cur.expr)) continue;
    seen.add(cur.expr);
    const x = cur.expr;
    if (x.k === 'str' && x.value !== null) found.push(x.value);
    else if (x.k === 'seq') for (const item of x.items) stack.push({ expr: item, scope: cur.scope });
    else if (x.k === 'dict') for (const en of x.entries) stack.push({ expr: en.value, scope: cur.scope });
    else if (x.k === 'name') for (const v of ctx.sem.resolve(x, cur.scope)) if (v.expr !== x) stack.push(v);
  }
  return found;
}
