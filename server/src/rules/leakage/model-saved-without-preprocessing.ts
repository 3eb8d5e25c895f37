import { unbundledModels, type UnbundledModel } from '../../dataflow/bundles';
import { FIT_METHODS, FIT_TRANSFORM_METHODS, TRANSFORM_METHODS } from '../../knowledge/methods';
import { freshName, TakenNames } from '../../fix/names';
import type { Fix, TextEdit } from '../../model/finding';
import type { Expr, ScopeId } from '../../model/ir';
import { eolOf } from '../../model/text';
import type { Rule, RuleContext } from '../rule';
import { lineage, once, shortName, source } from './shared';

/**
 * SKL303 model-saved-without-preprocessing: a model fitted on features produced by fitted transformers
 * is saved on its own. Whoever loads it must rebuild the exact fitted preprocessing, and usually refits
 * it on the new data instead (SKL304): predictions silently change.
 */
export const modelSavedWithoutPreprocessing: Rule = {
  meta: {
    code: 'SKL303',
    name: 'model-saved-without-preprocessing',
    summary: 'A model fitted on transformed features is saved without the fitted transformers.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const first = once(ctx, 'SKL303');
    for (const u of unbundledModels(lineage(ctx))) {
      if (!first(u.save.site.call.range)) continue;
      const names = u.missing.map((f) => `\`${shortName(f.inst.qname)}\``).join(', ');
      ctx.report({
        range: u.save.site.call.range,
        message: `The saved \`${shortName(u.model.qname)}\` was fitted on features transformed by ${names}, which ${u.missing.length > 1 ? 'are' : 'is'} not saved with it: inference code cannot reproduce the preprocessing. Save one Pipeline of preprocessing and model.`,
        fix: bundleFix(ctx, u),
        related: [
          { uri: ctx.module.uri, range: u.fit.call.range, message: 'model fitted on transformed features here' },
          ...u.missing.map((f) => ({
            uri: ctx.module.uri,
            range: f.call.range,
            message: `${shortName(f.inst.qname)} fitted here, not saved`,
          })),
        ],
      });
    }
  },
};

/**
 * Rewrites the model's fit into a Pipeline fit on the untransformed data and saves the pipeline, when the
 * model and its preprocessing are fitted in the scope of the save; else saves `make_pipeline(T..., model)`
 * built from the fitted objects (a Pipeline of fitted steps predicts without being refitted).
 */
function bundleFix(ctx: RuleContext, u: UnbundledModel): Fix | null {
  const { module, sem } = ctx;
  // Language check kept: the fix writes scikit-learn code (a Pipeline import and fit); no scikit.js form is implemented.
  if (module.language !== 'python' || module.hasErrors) return null;
  const object = u.save.site.object;
  if (!object || object.k !== 'name') return null;
  const saveScope = u.save.scope;
  const at = u.save.site.call.range.start;
  const taken = new TakenNames(sem.allNames());
  const imp = importFor(ctx);
  const edits: TextEdit[] = imp.edit ? [imp.edit] : [];

  // The transformers by name, in the order they were applied; each name must hold the fitted instance at the save.
  const steps: string[] = [];
  for (const f of u.fit.X?.via ?? []) {
    if (!u.missing.includes(f)) continue;
    const recv = f.call.callee.k === 'attr' ? f.call.callee.object : undefined;
    if (!recv || recv.k !== 'name') return null;
    const [b1] = sem.lookup(recv.name, f.scope, f.call.range.start);
    const [b2] = sem.lookup(recv.name, saveScope, at);
    if (!b1 || b1 !== b2) return null;
    steps.push(recv.name);
  }
  if (steps.length !== u.missing.length) return null;

  const rewrite = rewriteFit(ctx, u, steps);
  if (rewrite) {
    const pipe = freshName('pipeline', taken);
    edits.push({
      range: rewrite.stmtRange,
      newText: `${pipe} = ${imp.name}(${steps.join(', ')}, ${object.name}).fit(${rewrite.argsText})`,
    });
    edits.push({ range: object.range, newText: pipe });
  } else {
    edits.push({ range: object.range, newText: `${imp.name}(${steps.join(', ')}, ${object.name})` });
  }
  return { title: 'Bundle preprocessing and model into a Pipeline', safety: 'unsafe', edits };
}

/** `model.fit(X_s, y)` as a statement of the save's scope, where X_s = T.fit_transform(X) chains back to a name that still holds the raw X. */
function rewriteFit(
  ctx: RuleContext,
  u: UnbundledModel,
  steps: string[],
): { stmtRange: Expr['range']; argsText: string } | undefined {
  const { sem } = ctx;
  const fit = u.fit;
  if (!FIT_METHODS.has(fit.concept) || fit.scope !== u.save.scope) return undefined;
  const where = lineage(ctx).stmtOf.get(fit.call);
  if (!where || where.stmt.k !== 'expr' || where.stmt.expr !== fit.call) return undefined;
  const positional = fit.call.args.filter((a) => !a.name && !a.spread);
  const xArg = positional[0];
  if (!xArg || fit.call.args[0] !== xArg || xArg.value.k !== 'name') return undefined;
  // Follow X_s back through the transforms.
  let cur: Expr = xArg.value;
  let scope: ScopeId = fit.scope;
  const seen: string[] = [];
  for (let i = 0; i < 8 && cur.k === 'name'; i++) {
    const [b] = sem.lookup(cur.name, scope, cur.range.start);
    if (!b || b.kind !== 'assign' || !b.value || b.value.k !== 'call' || b.value.callee.k !== 'attr') break;
    const m = ctx.canonical(b.value.callee.name);
    if (!FIT_TRANSFORM_METHODS.has(m) && !TRANSFORM_METHODS.has(m)) break;
    const recv = b.value.callee.object;
    if (recv.k !== 'name') return undefined;
    seen.unshift(recv.name);
    const inner = b.value.args[0];
    if (!inner || inner.name || inner.spread) return undefined;
    cur = inner.value;
    scope = b.scope;
  }
  if (cur.k !== 'name' || seen.join(',') !== steps.join(',')) return undefined;
  // The raw name must mean the same data at the model's fit as where the chain started.
  const [start] = sem.lookup(cur.name, scope, cur.range.start);
  const [atFit] = sem.lookup(cur.name, fit.scope, fit.call.range.start);
  if (!start || start !== atFit) return undefined;
  const rest = fit.call.args.slice(1).map((a) => source(ctx, a.range));
  return { stmtRange: where.stmt.range, argsText: [cur.name, ...rest].join(', ') };
}

/** The local name of `sklearn.pipeline.make_pipeline`, and the import to add when the module has none. */
function importFor(ctx: RuleContext): { name: string; edit?: TextEdit } {
  const existing = ctx.module.imports.find((i) => i.qname === 'sklearn.pipeline.make_pipeline' && i.scope === null);
  if (existing) return { name: existing.local };
  const eol = eolOf(ctx.module.text);
  const atTop = ctx.module.importsEnd.line === 0 && ctx.module.importsEnd.character === 0;
  const line = 'from sklearn.pipeline import make_pipeline';
  return {
    name: 'make_pipeline',
    edit: {
      range: { start: ctx.module.importsEnd, end: ctx.module.importsEnd },
      newText: atTop ? `${line}${eol}` : `${eol}${line}`,
    },
  };
}
