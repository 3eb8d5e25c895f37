import { lineLabel } from '../../model/text';
import { effectivePart, originOf } from '../../dataflow/values';
import type { Rule } from '../rule';
import { lineage, once } from './shared';

/**
 * SKL306 test-set-reused-for-selection: several candidate models or settings are scored on the same test
 * data and the best one is picked on that score. The test score of the winner is then biased upwards;
 * select on a validation split or with cross-validation and keep the test set for the final estimate.
 */
export const testSetReusedForSelection: Rule = {
  meta: {
    code: 'SKL306',
    name: 'test-set-reused-for-selection',
    summary: 'Several candidates are scored on the test set and the best is picked on it.',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const L = lineage(ctx);
    const first = once(ctx, 'SKL306');
    for (const sel of L.selections) {
      for (const s of sel.scores) {
        if (!s.inLoop) continue;
        if (!s.data.some((d) => originOf(d) === 'test') || s.data.some((d) => originOf(d) !== 'test')) continue;
        // The held-out fold of a cross-validation is validation data: tuning a threshold on it is not test-set selection.
        if (s.data.some((d) => effectivePart(d)?.split.kind === 'cv')) continue;
        if (!first(s.call.range)) continue;
        ctx.report({
          range: s.call.range,
          message: `Candidates are scored on the test set and the best is picked on this score (${lineLabel(ctx.module, sel.site.start.line)}): the winner's test score is optimistic. Select on a validation split or with cross-validation, and score only the chosen model on the test set.`,
          related: [{ uri: ctx.module.uri, range: sel.site, message: 'best candidate picked here' }],
        });
      }
    }
  },
};
