import { SUPERVISED_TRANSFORMERS } from '../../knowledge/methods';
import { lineLabel } from '../../model/text';
import {
  effectivePart,
  isRealSplit,
  originOf,
  type Data,
  type FitRecord,
  type LineageResult,
} from '../../dataflow/values';
import type { Range } from '../../model/ir';
import type { Severity } from '../../model/finding';
import type { Rule } from '../rule';
import { isStatefulTransformer, lineage, once, shortName } from './shared';

/**
 * SKL301 preprocessing-fit-before-split: a transformer (or a statistic of the data used to change it,
 * or a function-style fit) sees rows that the model is later evaluated on: it is fitted on the whole
 * data set, which is then split or cross-validated, or its output feeds the training side of a split of
 * the rows it saw, or it is fitted on training and test files concatenated.
 *
 * Needs "may" facts only for the data's identity (unknown calls keep the rows they are given), and a
 * real split or cross-validation of those rows, or a model fitted on their training side.
 */
export const preprocessingFitBeforeSplit: Rule = {
  meta: {
    code: 'SKL301',
    name: 'preprocessing-fit-before-split',
    summary:
      'A transformer is fitted on rows that are later held out for evaluation (fitted before the split, or on train and test together).',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const L = lineage(ctx);
    const first = once(ctx, 'SKL301');
    // `(df - df.mean()) / df.std()`: one finding for the statement that applies the statistics.
    const firstApplication = once(ctx, 'SKL301.statistic');
    for (const f of L.fits) {
      if (!isStatefulTransformer(f.inst) || f.inst.labelEncoder || !f.X || f.X.roots.size === 0) continue;
      // A statistic of a parameter of a function nobody calls may be of one sample (`signal - np.mean(signal)`).
      if (f.inst.implicit === 'statistic' && originOf(f.X) === 'unknown') continue;
      const leak = leakingUse(L, f);
      if (!leak || !first(f.call.range)) continue;
      const applied = f.inst.implicit === 'statistic' ? L.stmtOf.get(f.call)?.stmt.range : undefined;
      if (applied && !firstApplication(applied)) continue;
      const what = describeFit(f);
      const supervised = usesLabels(f);
      const effect = supervised
        ? " It was fitted with the labels: the selection/encoding learnt from the test rows' labels inflates the score badly (measured: 0.82 accuracy on pure noise instead of 0.48)."
        : ' Unsupervised statistics usually move the score little, but the evaluation is no longer on unseen data.';
      const whole =
        originOf(f.X) === 'train'
          ? 'the training split'
          : originOf(f.X) === 'val'
            ? 'the validation split'
            : 'the whole data set';
      const where =
        leak.kind === 'cv'
          ? `on ${whole}, which is then cross-validated (${lineLabel(ctx.module, leak.range.start.line)}): each fold's test rows leaked into it.`
          : leak.kind === 'split'
            ? `on ${whole} before it is split ${whole === 'the whole data set' ? 'into train and test' : 'again'} (${lineLabel(ctx.module, leak.range.start.line)}): statistics of the held-out rows leak into training.`
            : leak.kind === 'testfile'
              ? `on training and test data together (the model is fitted at ${lineLabel(ctx.module, leak.range.start.line)}): statistics of the test rows leak into training.`
              : `on all rows, and its output is the training side of a split (the model is fitted at ${lineLabel(ctx.module, leak.range.start.line)}): statistics of the held-out rows leak into training.`;
      const model = leak.kind === 'cv' || leak.kind === 'split' ? modelFitReached(L, f) : undefined;
      const severity: Severity = supervised ? 'warning' : 'information';
      ctx.report({
        range: f.call.range,
        message: `${what} is fitted ${where}${effect} Fit it on the training split only (or put it in a Pipeline with the model).`,
        severity,
        related: [
          {
            uri: ctx.module.uri,
            range: leak.range,
            message:
              leak.kind === 'cv'
                ? 'cross-validated here'
                : leak.kind === 'split'
                  ? 'split here'
                  : 'the leak reaches this model fit',
          },
          ...(model
            ? [{ uri: ctx.module.uri, range: model.call.range, message: 'the leak reaches this model fit' }]
            : []),
        ],
      });
    }
  },
};

function describeFit(f: FitRecord): string {
  if (f.inst.implicit === 'statistic') return `A statistic of the data (\`${f.method}\`) used to change it`;
  if (f.inst.implicit === 'function') return `\`${shortName(f.inst.qname)}\` (fit and transform in one call)`;
  return `\`${shortName(f.inst.qname)}\``;
}

/** Supervised transformers fitted with `y`: feature selection, target encoding. */
function usesLabels(f: FitRecord): boolean {
  return !!f.y && SUPERVISED_TRANSFORMERS.test(f.inst.qname);
}

/**
 * Data whose rows may later be held out: not yet split (loaded here, built, or a parameter of a function
 * nobody calls, the usual layout of scikit.js code), or training and test data together.
 */
function seesHeldOutRows(L: LineageResult, d: Data): boolean {
  const o = originOf(d);
  if (o === 'raw' || o === 'unknown') return true;
  return o === 'mixed' && hasTestRows(L, d);
}

function hasTestRows(L: LineageResult, d: Data): boolean {
  for (const r of d.roots) if (L.testRoots.has(r)) return true;
  return false;
}

function intersects(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

function usesFit(d: Data, f: FitRecord): boolean {
  return d.via.includes(f) && intersects(d.roots, f.X!.roots);
}

function isModelFit(g: FitRecord): boolean {
  return g.inst.kind === 'predictor' || g.inst.kind === 'search';
}

/** The first model fitted on data that went through this fit. */
function modelFitReached(L: LineageResult, f: FitRecord): FitRecord | undefined {
  return L.fits.find((g) => g.seq > f.seq && isModelFit(g) && g.X && usesFit(g.X, f));
}

type Leak = { kind: 'split' | 'cv' | 'model' | 'testfile'; range: Range };

/**
 * A split or cross-validation of data that went through this fit; a later transform of split data with
 * this fit's state; a model fitted on the training side of rows this fit saw whole; a model fitted on
 * data from train and test files together that went through this fit.
 */
function leakingUse(L: LineageResult, f: FitRecord): Leak | undefined {
  const whole = originOf(f.X!) !== 'mixed';
  // A fit on test, validation or inference rows alone (a test file filled with its own mode) is SKL302's matter.
  const o = originOf(f.X!);
  if (o === 'test' || o === 'val' || o === 'inference') return undefined;
  // Any split or CV of rows this fit saw, nested ones included (a CV of the training split after a fit on it).
  for (const s of L.splits) {
    if (!isRealSplit(s) || s.seq < f.seq) continue;
    if (usesFit(s.input, f)) return { kind: s.kind === 'cv' ? 'cv' : 'split', range: s.site.range };
  }
  for (const c of L.cvs) if (c.seq > f.seq && usesFit(c.X, f)) return { kind: 'cv', range: c.call.range };
  if (!seesHeldOutRows(L, f.X!)) return undefined;
  if (whole) {
    for (const t of L.transforms) {
      const part = t.X ? effectivePart(t.X) : undefined;
      if (t.inst !== f.inst || !part || t.seq < f.seq) continue;
      const split = part.split;
      if (!isRealSplit(split) || !intersects(split.input.roots, f.X!.roots) || !seesHeldOutRows(L, split.input))
        continue;
      const active = t.inst.fits.filter((g) => g.seq < t.seq).pop();
      if (active === f) return { kind: split.kind === 'cv' ? 'cv' : 'split', range: split.site.range };
    }
  }
  for (const g of L.fits) {
    if (g.seq < f.seq || !isModelFit(g) || !g.X || !usesFit(g.X, f)) continue;
    // X_train['Fare'].fillna(df['Fare'].mean()): the training side carries a statistic of all rows.
    if (whole && originOf(g.X) === 'train') return { kind: 'model', range: g.call.range };
    // concat(train, test) -> fit -> back to train: the test file's rows shaped the training features.
    if (!whole && hasTestRows(L, f.X!)) return { kind: 'testfile', range: g.call.range };
  }
  return undefined;
}
