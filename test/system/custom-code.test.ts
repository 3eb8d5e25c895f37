import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fixText } from '../../server/src/cli/check';
import { Engine } from '../../server/src/analysis/engine';
import { FIXTURES } from '../helpers/fixtures';

/**
 * The premises of the custom-code rules (SKL105, SKL106, SKL202, SKL701, SKL702) with real scikit-learn under
 * /usr/bin/python3: each positive fixture fails the way its message says, each negative does not.
 */
const PYTHON = '/usr/bin/python3';
const HARNESS = path.join(__dirname, 'custom_code_harness.py');
const fixture = (name: string) => path.join(FIXTURES, 'python', name);

function harness(mode: string, file?: string, ...rest: string[]): Promise<any> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'pipelint-custom-'));
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [HARNESS, mode, ...(file ? [file] : []), ...rest],
      { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`harness ${mode} ${file ?? ''} failed:\n${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout.trim().split('\n').pop()!));
      },
    );
  });
}

describe('SKL701/SKL702: the estimator API with real scikit-learn', { timeout: 600_000 }, () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
  });

  test('SKL701 facts: renamed, changed, *args and **kwargs parameters break clone and searches', async () => {
    const { facts } = await harness('facts');
    assert.match(facts.renamed_clone.error, /AttributeError: .* has no attribute 'n_components'/);
    assert.match(facts.lowered_clone.error, /RuntimeError: Cannot clone object .* modifies parameter method/);
    assert.deepEqual(facts.abs_clone, { ok: true, value: 3 }, 'abs() of a small int passes clone() itself');
    assert.match(
      facts.abs_search.error,
      /RuntimeError: Cannot clone object .* modifies parameter limit/,
      'but GridSearchCV fails at refit',
    );
    assert.match(facts.varargs_get_params.error, /RuntimeError: .*no varargs/);
    assert.deepEqual(facts.kwargs_clone, { ok: true, value: {} }, 'clone() drops the keywords **kwargs caught');
    assert.deepEqual(facts.prefitted_check, { ok: true, value: true }, 'check_is_fitted passes before fit');
    assert.deepEqual(facts.good_clone, { ok: true, value: -3 });
  });

  test('SKL701.py fails in GridSearchCV; SKL701_negative.py runs', async () => {
    const bad = await harness('run', fixture('SKL701.py'));
    assert.equal(bad.ok, false);
    assert.match(bad.error, /AttributeError|RuntimeError/);
    assert.deepEqual(await harness('run', fixture('SKL701_negative.py')), { ok: true, error: null });
  });

  test('SKL702.py fails in Pipeline.fit; after the safe fix it runs; SKL702_negative.py runs', async () => {
    const bad = await harness('run', fixture('SKL702.py'));
    assert.equal(bad.ok, false);
    assert.match(bad.error, /'NoneType' object has no attribute 'transform'/);
    const { readFileSync } = await import('node:fs');
    const fixed = fixText(engine, 'SKL702.py', readFileSync(fixture('SKL702.py'), 'utf8'), 'python', {});
    assert.ok(fixed.fixed >= 2, 'the two fixable fits were fixed');
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-fixed-'));
    writeFileSync(path.join(dir, 'SKL702.py'), fixed.text);
    assert.deepEqual(await harness('run', path.join(dir, 'SKL702.py')), { ok: true, error: null });
    assert.deepEqual(await harness('run', fixture('SKL702_negative.py')), { ok: true, error: null });
  });
});

describe('SKL202: randomness in a custom step with real scikit-learn', { timeout: 600_000 }, () => {
  test('every pipeline of SKL202.py predicts differently twice on the same rows', async () => {
    const { models } = await harness('predict-twice', fixture('SKL202.py'));
    const names = models.map((m: { name: string }) => m.name);
    for (const n of ['noise_pipe', 'dropout_pipe', 'jitter_pipe', 'shuffle_pipe', 'coin'])
      assert.ok(names.includes(n), `${n} was checked`);
    assert.deepEqual(
      models.filter((m: { same: boolean }) => m.same),
      [],
      'no pipeline of the positive fixture is deterministic',
    );
  });
  test('every pipeline of SKL202_negative.py predicts the same twice', async () => {
    const { models } = await harness('predict-twice', fixture('SKL202_negative.py'));
    assert.equal(models.length, 4);
    assert.ok(
      models.every((m: { same: boolean }) => m.same),
      JSON.stringify(models),
    );
  });
});

describe('SKL106: resources kept on self with real scikit-learn', { timeout: 600_000 }, () => {
  const PICKLE_HARNESS = path.join(__dirname, 'pickle_harness.py');
  const saves = (file: string): Promise<{ api: string; ok: boolean; error: string | null }[]> =>
    new Promise((resolve, reject) => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'pipelint-custom-'));
      execFile(PYTHON, [PICKLE_HARNESS, file], { cwd, encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) => {
        if (err) {
          reject(new Error(stderr));
          return;
        }
        resolve(JSON.parse(stdout.trim().split('\n').pop()!).saves);
      });
    });
  test('each save in SKL106.py fails with the error the finding names', async () => {
    const result = await saves(fixture('SKL106.py'));
    assert.deepEqual(
      result.map((s) => s.error),
      ["TypeError: cannot pickle '_io.TextIOWrapper' object", "TypeError: cannot pickle 'sqlite3.Connection' object"],
    );
  });
  test('the saves in SKL106_negative.py (resource opened in the method; __getstate__) pickle and load', async () => {
    const result = await saves(fixture('SKL106_negative.py'));
    assert.equal(result.length, 2);
    assert.ok(
      result.every((s) => s.ok),
      JSON.stringify(result),
    );
  });
});

describe('SKL105: classes of __main__ pickled, with real scikit-learn', { timeout: 600_000 }, () => {
  test('SKL105.py run as a script saves; loading from another process (that imports it) fails', async () => {
    const { loads } = await harness('load-elsewhere', fixture('SKL105.py'));
    assert.equal(loads.length, 1);
    assert.equal(loads[0].ok, false);
    assert.match(loads[0].error, /AttributeError: Can't get attribute 'Winsorizer' on <module '__main__'/);
  });
  test('SKL105_negative.py imported as a module saves a model that another process loads', async () => {
    assert.deepEqual(await harness('import-save-load', fixture('SKL105_negative.py'), 'train_and_save'), {
      loads: [{ file: 'model.joblib', ok: true, error: null }],
    });
  });
  test('SKL105_cloudpickle.py: cloudpickle saves the class by value, another process loads it', async () => {
    const { loads } = await harness('load-elsewhere', fixture('SKL105_cloudpickle.py'));
    assert.deepEqual(loads, [{ file: 'churn_model.pkl', ok: true, error: null }]);
  });
});
