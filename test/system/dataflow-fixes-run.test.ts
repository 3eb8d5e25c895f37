import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Engine } from '../../server/src/analysis/engine';
import { applyEdits } from '../../server/src/fix/apply';
import { listFixtures } from '../helpers/fixtures';

/**
 * SKL302 / SKL303 fixes against real scikit-learn (/usr/bin/python3): every SKL302/SKL303 fixture runs
 * after its fixes (safe and unsafe, applied one at a time as an editor would), the refit-on-test bug is
 * real (the refitted batch's predictions differ from the fixed program's), and the bundled Pipeline that
 * SKL303's fix saves predicts from raw features as well as the model did on scaled ones.
 */
const PYTHON = '/usr/bin/python3';

/** Data files some fixtures read (all-numeric so that scalers and encoders both apply). */
const MAKE_DATA = `
import numpy as np, pandas as pd
rng = np.random.RandomState(0)
n = 300
df = pd.DataFrame(rng.normal(size=(n, 4)) * [1, 10, 100, 0.1] + [0, 5, 50, 1], columns=["f1", "f2", "f3", "f4"])
df["grade"] = rng.randint(0, 4, n)
df["purpose"] = rng.randint(0, 3, n)
df["default"] = (df.f1 + rng.normal(size=n) > 0).astype(int)
df.to_csv("loans.csv", index=False)
t = pd.DataFrame(rng.normal(size=(n, 5)), columns=[f"v{i}" for i in range(5)])
t["fraud"] = (t.v0 - t.v1 + rng.normal(size=n) > 0).astype(int)
t.to_csv("transactions.csv", index=False)
`;

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, args, { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function workdir(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-dataflow-'));
  const r = await run(['-c', MAKE_DATA], dir);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

/** Applies the fixes of `codes` one finding at a time, re-analysing in between (at most 20 rounds). */
function fixAll(engine: Engine, name: string, text: string, codes: string[]): { text: string; applied: number } {
  let current = text;
  let applied = 0;
  for (let round = 0; round < 20; round++) {
    const f = engine.analyze(name, current, 'python').findings.find((x) => codes.includes(x.code) && x.fix);
    if (!f) break;
    const next = applyEdits(current, f.fix!.edits).text;
    if (next === current) break;
    current = next;
    applied++;
  }
  return { text: current, applied };
}

describe('SKL302/SKL303 fixes run with real scikit-learn', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
  });
  const fixtures = listFixtures('python').filter(
    (f) => /^SKL30[23]/.test(f.name) && f.name.endsWith('.py') && !f.name.includes('negative'),
  );
  test('there are fixtures to run', () => assert.ok(fixtures.length >= 6));
  for (const fx of fixtures) {
    test(`${fx.name}: runs after its fixes`, { timeout: 600_000 }, async () => {
      const code = fx.name.slice(0, 6);
      const fixed = fixAll(engine, fx.name, fx.text, [code]);
      const dir = await workdir();
      const file = path.join(dir, fx.name);
      writeFileSync(file, fixed.text);
      const r = await run([file], dir);
      assert.equal(
        r.code,
        0,
        `python failed on the fixed ${fx.name}:\n${r.stderr}\n--- fixed source ---\n${fixed.text}`,
      );
    });
  }

  test(
    'SKL302: the refitted batch predicts differently, the fixed program as trained',
    { timeout: 600_000 },
    async () => {
      const fx = fixtures.find((f) => f.name === 'SKL302_runnable.py')!;
      const fixed = fixAll(engine, fx.name, fx.text, ['SKL302']);
      assert.equal(fixed.applied, 1);
      assert.match(fixed.text, /X_batch = scaler\.transform\(batch\)/);
      const dir = await workdir();
      writeFileSync(path.join(dir, 'before.py'), fx.text);
      writeFileSync(path.join(dir, 'after.py'), fixed.text);
      const before = await run(['before.py'], dir);
      const after = await run(['after.py'], dir);
      assert.equal(before.code, 0, before.stderr);
      assert.equal(after.code, 0, after.stderr);
      const p0: number[] = JSON.parse(before.stdout);
      const p1: number[] = JSON.parse(after.stdout);
      assert.equal(p0.length, 20);
      const changed = p0.filter((v, i) => v !== p1[i]).length;
      assert.ok(changed > 0, 'refitting on the batch changed no prediction');
      // The batch is all class 1: the fixed program (training statistics) gets it right far more often.
      assert.ok(p1.filter((v) => v === 1).length > p0.filter((v) => v === 1).length, `fixed ${p1} vs refitted ${p0}`);
    },
  );

  test(
    'SKL302 in inference code: the refitting predict() and helper change predictions; the fixed predict() does not',
    { timeout: 600_000 },
    async () => {
      const fx = fixtures.find((f) => f.name === 'SKL302_inference.py')!;
      const fixed = fixAll(engine, fx.name, fx.text, ['SKL302']);
      assert.equal(fixed.applied, 1, 'only the class has the training-fitted instance in scope');
      assert.match(fixed.text, /self\.clf\.predict\(self\.scaler\.transform\(X\)\)/);
      const dir = await workdir();
      writeFileSync(path.join(dir, 'before_mod.py'), fx.text);
      writeFileSync(path.join(dir, 'after_mod.py'), fixed.text);
      // A service imports the module and calls its inference code on a one-class batch (20 malignant rows).
      const driver = (mod: string) => `
import json
import ${mod} as m
batch = m.X_test[m.y_test == 0][:20]
model = m.CancerModel().fit(m.X_train, m.y_train)
trained = model.clf.predict(model.scaler.transform(batch)).tolist()  # before predict() can refit the scaler
print(json.dumps({"trained": trained, "cls": model.predict(batch).tolist(),
                  "helper": m.classify(batch).tolist(), "knn": m.knn.predict(m.minmax.transform(batch)).tolist()}))
`;
      writeFileSync(path.join(dir, 'before.py'), driver('before_mod'));
      writeFileSync(path.join(dir, 'after.py'), driver('after_mod'));
      const before = await run(['before.py'], dir);
      const after = await run(['after.py'], dir);
      assert.equal(before.code, 0, before.stderr);
      assert.equal(after.code, 0, after.stderr);
      const b = JSON.parse(before.stdout) as Record<string, number[]>;
      const a = JSON.parse(after.stdout) as Record<string, number[]>;
      const diff = (x: number[], y: number[]) => x.filter((v, i) => v !== y[i]).length;
      assert.ok(diff(b.cls, b.trained) > 0, `predict() refitting on the batch changed nothing: ${b.cls}`);
      assert.equal(diff(a.cls, a.trained), 0, 'the fixed predict() uses the training statistics');
      assert.ok(diff(b.helper, b.knn) > 0, `the helper's fresh scaler changed nothing: ${b.helper}`);
      // The batch is all class 0: training statistics get it right far more often.
      assert.ok(
        a.cls.filter((v) => v === 0).length > b.cls.filter((v) => v === 0).length,
        `fixed ${a.cls} vs refitted ${b.cls}`,
      );
    },
  );

  test(
    'SKL303: the saved Pipeline predicts from raw features; the bare model did not',
    { timeout: 600_000 },
    async () => {
      const fx = fixtures.find((f) => f.name === 'SKL303_runnable.py')!;
      const fixed = fixAll(engine, fx.name, fx.text, ['SKL303']);
      assert.equal(fixed.applied, 1);
      assert.equal(
        engine.analyze(fx.name, fixed.text, 'python').findings.filter((f) => f.code === 'SKL303').length,
        0,
        'the fix removes the finding',
      );
      const dir = await workdir();
      const score = `
import joblib
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
m = joblib.load("model.joblib")
print(type(m).__name__, round(float((m.predict(X_test) == y_test).mean()), 3))
`;
      writeFileSync(path.join(dir, 'before.py'), fx.text);
      writeFileSync(path.join(dir, 'after.py'), fixed.text);
      writeFileSync(path.join(dir, 'score.py'), score);
      assert.equal((await run(['before.py'], dir)).code, 0);
      const bare = await run(['score.py'], dir);
      const trained = (await run(['after.py'], dir)).stdout;
      const bundled = await run(['score.py'], dir);
      assert.equal(bare.code, 0, bare.stderr);
      assert.equal(bundled.code, 0, bundled.stderr);
      const [bareType, bareAcc] = bare.stdout.trim().split(' ');
      const [bundledType, bundledAcc] = bundled.stdout.trim().split(' ');
      assert.equal(bareType, 'LogisticRegression');
      assert.equal(bundledType, 'Pipeline');
      const trainedAcc = Number(/test accuracy ([\d.]+)/.exec(trained)![1]);
      assert.ok(
        Math.abs(Number(bundledAcc) - trainedAcc) < 1e-3,
        `pipeline ${bundledAcc} vs model on scaled features ${trainedAcc}`,
      );
      assert.ok(
        Number(bareAcc) < Number(bundledAcc),
        `bare model on raw features ${bareAcc} should do worse than ${bundledAcc}`,
      );
    },
  );
});
