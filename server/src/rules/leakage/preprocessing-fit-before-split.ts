import { effectivePart, isRealSplit, originOf, type Data, type FitRecord, type LineageResult } from '../../dataflow/values';
import type { Range } from '../../model/ir';
import type { Rule } from '../rule';
import { isStatefulTransformer, lineage, once, shortName } from './shared';

/**
 * SKL301 preprocessing-fit-before-split: a transformer is fitted on the whole data set, and that data
 * is then split into train and test (or cross-validated). The transformer's statistics include the test
 * rows, so the evaluation is optimistic.
 */
export const preprocessingFitBeforeSplit: Rule = {
  meta: {
    code: 'SKL301',
    name: 'preprocessing-fit-before-split',
    summary: 'A transformer is fitted on the whole data set before it is split into train and test or cross-validated.',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const L = lineage(ctx);
    const first = once(ctx, 'SKL301');
    for (const f of L.fits) {
      if (!isStatefulTransformer(f.inst) || f.inst.labelEncoder || !f.X || !wholeData(f.X) || f.X.roots.size === 0) continue;
      const leak = leakingUse(L, f);
      if (!leak || !first(f.call.range)) continue;
      const cls = shortName(f.inst.qname);
      ctx.report({
        range: f.call.range,
        message:
          leak.kind === 'cv'
            ? `\`${cls}\` is fitted on the whole data set, which is then cross-validated (line ${leak.range.start.line + 1}): each fold's test rows leaked into the ${cls}. Put it in a Pipeline with the model so that it is fitted on each training fold.`
            : `\`${cls}\` is fitted on the whole data set before it is split into train and test (line ${leak.range.start.line + 1}): statistics of the test rows leak into training. Fit it on the training split only (or put it in a Pipeline with the model).`,
        related: [{ uri: ctx.module.uri, range: leak.range, message: leak.kind === 'cv' ? 'cross-validated here' : 'split here' }],
      });
    }
  },
};

/**
 * Data not yet split: loaded in this file, or a parameter of a function nobody in the file calls (the usual
 * layout of scikit.js code, `async function train(X, y)`): whatever it is, splitting it after the fit leaks.
 */
function wholeData(d: Data): boolean {
  const o = originOf(d);
  return o === 'raw' || o === 'unknown';
}

function intersects(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

function usesFit(d: Data, f: FitRecord): boolean {
  return d.via.includes(f) && intersects(d.roots, f.X!.roots);
}

/** A split or cross-validation of data that went through this fit, or a later transform of split data with this fit's state. */
function leakingUse(L: LineageResult, f: FitRecord): { kind: 'split' | 'cv'; range: Range } | undefined {
  for (const s of L.splits) {
    if (!isRealSplit(s)) continue;
    if (usesFit(s.input, f)) return { kind: s.kind === 'cv' ? 'cv' : 'split', range: s.site.range };
  }
  for (const c of L.cvs) if (usesFit(c.X, f)) return { kind: 'cv', range: c.call.range };
  for (const t of L.transforms) {
    const part = t.X ? effectivePart(t.X) : undefined;
    if (t.inst !== f.inst || !part || t.seq < f.seq) continue;
    const split = part.split;
    if (!isRealSplit(split) || !intersects(split.input.roots, f.X!.roots) || !wholeData(split.input)) continue;
    const active = t.inst.fits.filter((g) => g.seq < t.seq).pop();
    if (active === f) return { kind: split.kind === 'cv' ? 'cv' : 'split', range: split.site.range };
  }
  return undefined;
}
