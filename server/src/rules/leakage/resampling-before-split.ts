import { lineLabel } from '../../model/text';
import { isRealSplit, type ResampleRecord, type LineageResult } from '../../dataflow/values';
import type { Range } from '../../model/ir';
import type { Rule } from '../rule';
import { lineage, once, shortName } from './shared';

/**
 * SKL305 resampling-before-split: oversampling (SMOTE, RandomOverSampler, `resample(replace=True)`...)
 * before the data is split or cross-validated. Copies (or interpolations) of a row land on both sides,
 * and the test score measures memorisation.
 */
export const resamplingBeforeSplit: Rule = {
  meta: {
    code: 'SKL305',
    name: 'resampling-before-split',
    summary: 'Oversampling before the train/test split or cross-validation puts copies of the same rows on both sides.',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python'],
  },
  check(ctx) {
    const L = lineage(ctx);
    const first = once(ctx, 'SKL305');
    for (const r of L.resamples) {
      const use = laterSplit(L, r);
      if (!use || !first(r.call.range)) continue;
      const what = shortName(r.api);
      ctx.report({
        range: r.call.range,
        message: `${what === 'resample' ? 'Oversampling with `resample`' : `\`${what}\``} runs before the data is ${use.cv ? 'cross-validated' : 'split into train and test'} (${lineLabel(ctx.module, use.range.start.line)}): copies of the same rows end up on both sides and the test score is optimistic. Resample the training split only (imblearn's Pipeline does it per fold).`,
        related: [{ uri: ctx.module.uri, range: use.range, message: use.cv ? 'cross-validated here' : 'split here' }],
      });
    }
  },
};

function laterSplit(L: LineageResult, r: ResampleRecord): { range: Range; cv: boolean } | undefined {
  for (const s of L.splits)
    if (isRealSplit(s) && s.input.resampledBy.includes(r)) return { range: s.site.range, cv: s.kind === 'cv' };
  for (const c of L.cvs) if (c.X.resampledBy.includes(r)) return { range: c.call.range, cv: true };
  return undefined;
}
