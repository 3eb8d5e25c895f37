import type { CallExpr } from '../../model/calls';
import { allArguments, walkConstructions } from '../../model/reach';
import { persistenceSites, savesAsJson } from '../../knowledge/persistence';
import type { ScopedExpr } from '../../model/semantics';
import type { Rule, RuleContext } from '../rule';
import { findCulprits, holderLabel, type Culprit } from './culprits';
import { scikitjsSaveMessage } from './scikitjs';
import { keptResources, resourceRelated, resourcesOfConstruction, type KeptResource } from './unpicklable-attribute';

const DESCRIBE: Record<Culprit['kind'], string> = {
  lambda: 'a lambda',
  'local-function': 'a function defined inside a function',
  'local-class': 'an instance of a class defined inside a function',
  'custom-object': 'a custom step object',
};

/**
 * SKL104 unpicklable-model-saved: the object given to joblib.dump / pickle.dump / skops holds a lambda,
 * local function or local class somewhere in its construction. The save raises PicklingError and leaves
 * a truncated file behind. Related locations point at each culprit.
 */
export const unpicklableModelSaved: Rule = {
  meta: {
    code: 'SKL104',
    name: 'unpicklable-model-saved',
    summary:
      'A model that holds a lambda, local function, local class, or a custom step keeping a file, lock or connection, is saved with pickle or joblib: the save fails.',
    defaultSeverity: 'error',
    fix: 'none',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const culprits = findCulprits(ctx);
    // SKL106: custom steps that keep a file, lock, connection... on self.
    // Open files, locks and connections kept on self break pickle; scikit.js's JSON keeps only data.
    const withResources =
      persistenceSites(ctx.sem).some((s) => s.kind === 'save' && s.pickles && !savesAsJson(s)) &&
      keptResources(ctx).size > 0;
    if (culprits.all.length === 0 && !withResources) return;
    for (const site of persistenceSites(ctx.sem)) {
      if (site.kind !== 'save' || !site.pickles || !site.object) continue;
      const resources: KeptResource[] = [];
      const found = reachableCulprits(
        ctx,
        { expr: site.object, scope: site.scope },
        culprits.byHolder,
        withResources ? resources : undefined,
      ).sort(
        (a, b) =>
          a.use.range.start.line - b.use.range.start.line || a.use.range.start.character - b.use.range.start.character,
      );
      const api = site.api.replace(/^sklearn\.externals\./, '');
      if (found.length === 0) {
        if (resources.length === 0) continue;
        const r = resources[0];
        ctx.report({
          range: site.call.range,
          message: `${api} will fail: the saved object holds an instance of \`${r.cls.name}\` with ${r.what} on \`self.${r.attr}\`, which pickle cannot save (${r.error}).`,
          related: resources.map((x) => resourceRelated(ctx, x)),
        });
        continue;
      }
      const first = found[0];
      const what = [...new Set(found.map((c) => DESCRIBE[c.kind]))].join(', ');
      ctx.report({
        range: site.call.range,
        message: savesAsJson(site)
          ? scikitjsSaveMessage(site.api, found)
          : `${api} will fail: the saved object holds ${what} (in ${holderLabel(first)}), which pickle cannot save.`,
        related: found
          .map((c) => ({
            uri: ctx.module.uri,
            range: c.kind === 'lambda' ? ctx.sem.fn(c.fn).range : c.use.range,
            message: `${DESCRIBE[c.kind]} in ${holderLabel(c)}`,
          }))
          .concat(resources.map((x) => resourceRelated(ctx, x))),
      });
    }
  },
};

/** Culprits held by any construction reachable from `start` (through names, arguments, containers, `.fit()`). */
function reachableCulprits(
  ctx: RuleContext,
  start: ScopedExpr,
  byHolder: Map<CallExpr, Culprit[]>,
  resources?: KeptResource[],
): Culprit[] {
  const out: Culprit[] = [];
  walkConstructions(
    ctx.sem,
    start,
    (call, scope, only) => {
      // `only`: a part of the object is saved (a search's best_estimator_ keeps its grid's values, not its scoring).
      for (const c of byHolder.get(call) ?? [])
        if (!out.includes(c) && (!only || (c.param !== undefined && only.has(c.param)))) out.push(c);
      if (resources && !only)
        for (const r of resourcesOfConstruction(ctx, call, scope)) if (!resources.includes(r)) resources.push(r);
      return allArguments(call, scope);
    },
    { throughAttributes: true },
  );
  return out;
}
