/**
 * Severity by measured effect (issue 14): the leak kinds of SKL301, SKL305 and SKL306 measured with the
 * real scikit-learn (test/system/leakage_effects.py, 10 seeds each), and the rules' severities checked
 * against the measurements. Figures of 2026-11-28, scikit-learn 1.2.1: scaling before the split 0.963 vs
 * 0.965 clean (k-NN, breast cancer); mean fill before the split 0.950 vs 0.949; SelectKBest(k=20) on
 * pure noise 0.82 vs 0.48; oversampling before the split minority recall 1.00 vs 0.32; best of 50
 * candidates picked on the test set 0.61 vs 0.48 on noise.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { allRules } from '../../server/src/rules';

const PYTHON = '/usr/bin/python3';

type Effects = Record<
  | 'scaling_before_split'
  | 'selection_before_split'
  | 'mean_fill_before_split'
  | 'oversampling_before_split'
  | 'selection_on_test_set',
  { leaky: number; clean: number }
>;

describe('leakage effects with real scikit-learn', () => {
  let fx: Effects;
  before(() => {
    const r = spawnSync(PYTHON, [path.join(__dirname, 'leakage_effects.py')], { encoding: 'utf8', timeout: 600_000 });
    assert.equal(r.status, 0, r.stderr);
    fx = JSON.parse(r.stdout) as Effects;
  });
  const severity = (code: string) => allRules.find((r) => r.meta.code === code)!.meta.defaultSeverity;

  test('unsupervised preprocessing before the split moves the score very little: SKL301 without labels is information', () => {
    for (const k of ['scaling_before_split', 'mean_fill_before_split'] as const) {
      assert.ok(Math.abs(fx[k].leaky - fx[k].clean) < 0.02, `${k}: ${JSON.stringify(fx[k])}`);
    }
  });

  test('supervised selection before the split inflates the score far above chance: SKL301 with labels is a warning', () => {
    assert.ok(fx.selection_before_split.clean < 0.6, JSON.stringify(fx.selection_before_split));
    assert.ok(fx.selection_before_split.leaky > 0.7, JSON.stringify(fx.selection_before_split));
    assert.equal(severity('SKL301'), 'warning');
  });

  test('oversampling before the split inflates minority recall: SKL305 is a warning', () => {
    assert.ok(
      fx.oversampling_before_split.leaky - fx.oversampling_before_split.clean > 0.3,
      JSON.stringify(fx.oversampling_before_split),
    );
    assert.equal(severity('SKL305'), 'warning');
  });

  test('selection on the test set inflates the winner: SKL306 is a warning', () => {
    assert.ok(
      fx.selection_on_test_set.leaky - fx.selection_on_test_set.clean > 0.08,
      JSON.stringify(fx.selection_on_test_set),
    );
    assert.equal(severity('SKL306'), 'warning');
  });
});

/**
 * The ASE'22 analyser's overlap no-leak case nb_598984 refits LabelEncoder / OneHotEncoder / StandardScaler
 * on its separate test file: no test row informs training (no leak, so no SKL301/SKL305), but the test
 * predictions are not the trained model's (SKL302, a skew). Measured 2026-11-28 (refit_on_test_file.py,
 * 3,000 training rows, 1,000-row test files): same distribution 12 of 1,000 predictions change (0.785 vs
 * 0.783); a later month shifted by half a deviation 230 change (0.771 vs 0.709); a file without one
 * category (LabelEncoder codes shift) 38 change (0.763 vs 0.735).
 */
describe('refitting on a separate test file is a skew, not a leak (nb_598984)', () => {
  type Case = { rows: number; changed: number; accuracy_kept: number; accuracy_refit: number };
  let fx: Record<'same_distribution' | 'later_month_shifted' | 'batch_without_graduate_school', Case>;
  before(() => {
    const r = spawnSync(PYTHON, [path.join(__dirname, 'refit_on_test_file.py')], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    assert.equal(r.status, 0, r.stderr);
    fx = JSON.parse(r.stdout) as typeof fx;
  });

  test('the refit changes predictions even on a same-distribution file, many on a shifted one or one missing a category', () => {
    assert.ok(fx.same_distribution.changed > 0, JSON.stringify(fx.same_distribution));
    assert.ok(fx.later_month_shifted.changed > 100, JSON.stringify(fx.later_month_shifted));
    assert.ok(
      fx.later_month_shifted.accuracy_refit < fx.later_month_shifted.accuracy_kept - 0.03,
      JSON.stringify(fx.later_month_shifted),
    );
    assert.ok(fx.batch_without_graduate_school.changed > 10, JSON.stringify(fx.batch_without_graduate_school));
    assert.ok(
      fx.batch_without_graduate_school.accuracy_refit < fx.batch_without_graduate_school.accuracy_kept,
      JSON.stringify(fx.batch_without_graduate_school),
    );
  });
});
