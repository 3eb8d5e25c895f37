import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { Engine } from '../../server/src/analysis/engine';
import { PROBA_SCORERS } from '../../server/src/rules/reproducibility/output-uses';

/**
 * SKL201's precision traps against the real scikit-learn (/usr/bin/python3): each case is run with
 * random_state = 0..9 and the outputs it reads are compared. A case whose outputs never change must get no
 * SKL201 finding; a case whose outputs change must get one. The same code is the Python run and the linted text.
 */
const PYTHON = '/usr/bin/python3';

const PRELUDE = `import warnings
warnings.filterwarnings("ignore")
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.svm import SVC, NuSVC

X, y = make_classification(n_samples=300, n_features=10, n_informative=5, n_classes=3, random_state=0)
Xb, yb = make_classification(n_samples=200, n_features=8, random_state=1)
blobs, _ = make_blobs(n_samples=300, centers=4, n_features=3, random_state=0)
centres = blobs[[0, 50, 100, 150]]
y_partial = y.copy()
y_partial[::2] = -1
`;

interface Case {
  name: string;
  /** Python lines computing \`result\`; the construction under test has no random_state (the harness adds it). */
  code: string;
  differs: boolean;
}

const CASES: Case[] = [
  {
    name: 'liblinear, default l2 and dual=False',
    code: `model = LogisticRegression(solver="liblinear").fit(X, y)\nresult = model.predict_proba(X)`,
    differs: false,
  },
  {
    name: 'liblinear, explicit l2 primal',
    code: `model = LogisticRegression(solver="liblinear", penalty="l2", dual=False).fit(Xb, yb)\nresult = model.coef_`,
    differs: false,
  },
  {
    name: 'liblinear with penalty=l1',
    code: `model = LogisticRegression(solver="liblinear", penalty="l1").fit(X, y)\nresult = model.coef_`,
    differs: true,
  },
  {
    name: 'liblinear with dual=True',
    code: `model = LogisticRegression(solver="liblinear", dual=True).fit(Xb, yb)\nresult = model.coef_`,
    differs: true,
  },
  {
    name: 'KMeans with an array of initial centres',
    code: `km = KMeans(n_clusters=4, init=centres, n_init=1).fit(blobs)\nresult = km.cluster_centers_`,
    differs: false,
  },
  {
    name: 'KMeans with init="random"',
    code: `km = KMeans(n_clusters=4, init="random", n_init=1).fit(blobs)\nresult = km.cluster_centers_`,
    differs: true,
  },
  {
    name: 'SVC without probability',
    code: `svc = SVC().fit(X, y)\nresult = [svc.predict(X), svc.decision_function(X)]`,
    differs: false,
  },
  {
    name: 'SVC(probability=True), predict and decision_function',
    code: `svc = SVC(probability=True).fit(X, y)\nresult = [svc.predict(X), svc.decision_function(X), svc.score(X, y)]`,
    differs: false,
  },
  {
    name: 'SVC(probability=True), predict_proba',
    code: `svc = SVC(probability=True).fit(X, y)\nresult = svc.predict_proba(X)`,
    differs: true,
  },
  {
    name: 'NuSVC(probability=True), predict',
    code: `nu = NuSVC(probability=True).fit(X, y)\nresult = nu.predict(X)`,
    differs: false,
  },
  {
    name: 'NuSVC(probability=True), predict_log_proba',
    code: `nu = NuSVC(probability=True).fit(X, y)\nresult = nu.predict_log_proba(X)`,
    differs: true,
  },
  {
    name: 'SVC(probability=True) in SelfTrainingClassifier (pseudo-labels by predict_proba), predict',
    code: `st = SelfTrainingClassifier(SVC(probability=True)).fit(X, y_partial)\nresult = st.predict(X)`,
    differs: true,
  },
  {
    name: 'SVC(probability=True) scored with roc_auc (decision_function)',
    code: `result = cross_val_score(SVC(probability=True), Xb, yb, cv=3, scoring="roc_auc")`,
    differs: false,
  },
  {
    name: 'SVC(probability=True) scored with neg_log_loss',
    code: `result = cross_val_score(SVC(probability=True), Xb, yb, cv=3, scoring="neg_log_loss")`,
    differs: true,
  },
];

/** Adds `random_state=SEED` to every construction of the classes under test, for the measurement only. */
function seeded(code: string): string {
  return code.replace(/\b(LogisticRegression|KMeans|SVC|NuSVC)\(/g, '$1(random_state=SEED, ');
}

const HARNESS = String.raw`
import json, sys
import numpy as np
cases = json.loads(sys.argv[1])
prelude = sys.argv[2]
out = []
for c in cases:
    results = []
    for seed in range(10):
        ns = {"SEED": seed}
        exec(prelude + "\n" + c, ns)
        r = ns["result"]
        results.append([np.asarray(x, float) for x in (r if isinstance(r, list) else [r])])
    differs = any(any(a.shape != b.shape or not np.allclose(a, b, rtol=1e-7, atol=1e-9) for a, b in zip(results[0], r)) for r in results[1:])
    out.append(bool(differs))
from sklearn.metrics import _scorer
proba = sorted(k for k, v in _scorer._SCORERS.items() if type(v).__name__ == "_ProbaScorer")
print(json.dumps({"differs": out, "proba_scorers": proba}))
`;

describe('SKL201 traps with real scikit-learn (10 seeds each)', { timeout: 600_000 }, () => {
  let measured: { differs: boolean[]; proba_scorers: string[] };
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
    const r = spawnSync(PYTHON, ['-c', HARNESS, JSON.stringify(CASES.map((c) => seeded(c.code))), PRELUDE], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    });
    assert.equal(r.status, 0, `python failed:\n${r.stderr}`);
    measured = JSON.parse(r.stdout.trim().split('\n').pop()!);
  });

  for (const [i, c] of CASES.entries()) {
    test(`${c.name}: outputs ${c.differs ? 'change' : 'do not change'} with the seed, and SKL201 ${c.differs ? 'reports it' : 'is silent'}`, () => {
      assert.equal(measured.differs[i], c.differs, 'measured with scikit-learn');
      const text = `${PRELUDE}\n${c.code}\n`;
      const found = engine.analyze('case.py', text, 'python', {}).findings.filter((f) => f.code === 'SKL201');
      const line = PRELUDE.split('\n').length + 1; // the construction's line
      assert.equal(
        found.some((f) => f.range.start.line + 1 === line),
        c.differs,
        JSON.stringify(found.map((f) => f.message)),
      );
    });
  }

  test("the scorers that read predict_proba are the library's _ProbaScorer names", () => {
    assert.deepEqual([...PROBA_SCORERS].sort(), measured.proba_scorers);
  });
});
