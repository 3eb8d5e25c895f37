/**
 * The premises of the production rules (SKL402, SKL601, ...) against the real scikit-learn (Debian's
 * python3-sklearn under /usr/bin/python3): each case runs in Python and the rule must report exactly
 * the cases that the library shows to be wrong.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Engine } from '../../server/src/analysis/engine';

const PYTHON = '/usr/bin/python3';

function runPython(script: string, arg: unknown): any {
  const r = spawnSync(PYTHON, ['-c', script, JSON.stringify(arg)], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' },
  });
  assert.equal(r.status, 0, `python failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

// ---------------------------------------------------------------------------------------------
// SKL402: n_jobs that runs no parallel work. Each construction is fitted (and used) on a 3-class
// problem with n_jobs=2 while joblib.Parallel calls are counted: parallel work means a Parallel call
// with n_jobs other than 1 that received two or more tasks.
// ---------------------------------------------------------------------------------------------

const NJOBS_HARNESS = String.raw`
import json, sys, warnings
import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.cluster import SpectralClustering
from sklearn.datasets import make_blobs, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

calls = []
original = joblib.Parallel.__call__
def probe(self, iterable):
    tasks = list(iterable)
    calls.append((self.n_jobs, len(tasks)))
    return original(self, tasks)
joblib.Parallel.__call__ = probe

X, y = make_classification(n_samples=300, n_features=10, n_informative=5, n_classes=3, random_state=0)
Xb, _ = make_blobs(n_samples=300, centers=3, random_state=0)
prefit = LinearSVC(random_state=0).fit(X[:200], y[:200])
out = []
for src in json.loads(sys.argv[1]):
    del calls[:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = eval(src)
        if isinstance(est, SpectralClustering):
            est.fit(Xb)
        else:
            est.fit(X[200:], y[200:]) if "prefit" in src else est.fit(X, y)
            est.predict(X)
    parallel = any(n not in (None, 1) and t >= 2 for n, t in calls)
    out.append({"src": src, "parallel": parallel, "warnings": [str(w.message) for w in caught if "n_jobs" in str(w.message)]})
print(json.dumps(out))
`;

const NJOBS_CASES = [
  'LogisticRegression(max_iter=1000, n_jobs=2)',
  'LogisticRegression(solver="liblinear", random_state=0, n_jobs=2)',
  'LogisticRegression(solver="liblinear", multi_class="ovr", random_state=0, n_jobs=2)',
  'LogisticRegression(multi_class="multinomial", solver="saga", random_state=0, n_jobs=2)',
  'LogisticRegression(multi_class="ovr", max_iter=1000, n_jobs=2)',
  'LogisticRegression(multi_class="ovr", solver="saga", random_state=0, n_jobs=2)',
  'CalibratedClassifierCV(prefit, cv="prefit", n_jobs=2)',
  'CalibratedClassifierCV(LinearSVC(random_state=0), cv=3, n_jobs=2)',
  'SpectralClustering(n_clusters=3, random_state=0, n_jobs=2)',
  'SpectralClustering(n_clusters=3, affinity="nearest_neighbors", random_state=0, n_jobs=2)',
  'RandomForestClassifier(n_estimators=10, random_state=0, n_jobs=2)',
];

describe('SKL402 n-jobs-without-effect vs real scikit-learn', { timeout: 600_000 }, () => {
  let measured: { src: string; parallel: boolean; warnings: string[] }[];
  let engine: Engine;
  before(async () => {
    measured = runPython(NJOBS_HARNESS, NJOBS_CASES);
    engine = await Engine.create();
  });

  test('the premise holds: the reported settings dispatch no parallel work, the others do', () => {
    const parallel = Object.fromEntries(measured.map((m) => [m.src, m.parallel]));
    assert.deepEqual(
      NJOBS_CASES.filter((c) => !parallel[c]),
      NJOBS_CASES.slice(0, 4).concat(NJOBS_CASES[6], NJOBS_CASES[8]),
    );
  });

  test('liblinear says so itself at fit time', () => {
    const w = measured.find((m) => m.src.includes('liblinear') && !m.src.includes('ovr'))!.warnings;
    assert.ok(
      w.some((m) => /does not have any effect/.test(m)),
      JSON.stringify(w),
    );
  });

  for (const [i, src] of NJOBS_CASES.entries()) {
    test(`SKL402 on ${src}: reported iff no parallel work`, () => {
      const code = [
        'from sklearn.calibration import CalibratedClassifierCV',
        'from sklearn.cluster import SpectralClustering',
        'from sklearn.ensemble import RandomForestClassifier',
        'from sklearn.linear_model import LogisticRegression',
        'from sklearn.svm import LinearSVC',
        `model = ${src}`,
        '',
      ].join('\n');
      const found = engine.analyze('case.py', code, 'python').findings.filter((f) => f.code === 'SKL402');
      assert.equal(found.length, measured[i].parallel ? 0 : 1, `${src}: measured parallel=${measured[i].parallel}`);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// SKL601: fit in a loop over chunks. The same loop, run as written and after the rule's fix.
// ---------------------------------------------------------------------------------------------

const CHUNK_LOOP = `import json
import numpy as np
from sklearn.datasets import make_classification
from sklearn.naive_bayes import GaussianNB

X, y = make_classification(n_samples=6000, n_features=20, n_informative=10, random_state=0)
X_test, y_test = X[5000:], y[5000:]
X, y = X[:5000], y[:5000]
order = np.argsort(X[:, 0])
X, y = X[order], y[order]
classes = np.unique(y)

clf = GaussianNB()
for X_part, y_part in zip(np.array_split(X, 10), np.array_split(y, 10)):
    clf.fit(X_part, y_part)

last_only = GaussianNB().fit(X_part, y_part)
print(json.dumps({
    "same_as_last_chunk": bool((clf.predict(X_test) == last_only.predict(X_test)).all()),
    "score": clf.score(X_test, y_test),
    "all_data_score": GaussianNB().fit(X, y).score(X_test, y_test),
}))
`;

function runScript(text: string): any {
  const r = spawnSync(PYTHON, ['-c', text], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' },
  });
  assert.equal(r.status, 0, `python failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('SKL601 fit-in-chunk-loop vs real scikit-learn', { timeout: 300_000 }, () => {
  test('the loop-fitted model is the last-chunk model; the fixed loop learns every chunk', async () => {
    const engine = await Engine.create();
    const [finding, ...rest] = engine
      .analyze('chunks.py', CHUNK_LOOP, 'python')
      .findings.filter((f) => f.code === 'SKL601');
    assert.ok(finding && rest.length === 0, 'one SKL601 finding on the chunk loop');
    assert.equal(finding.fix?.safety, 'unsafe');
    const before = runScript(CHUNK_LOOP);
    assert.equal(
      before.same_as_last_chunk,
      true,
      'as written, the model predicts exactly like one fitted on the last chunk',
    );
    assert.ok(
      before.score < before.all_data_score - 0.05,
      `last-chunk score ${before.score} vs all data ${before.all_data_score}`,
    );
    // Apply the unsafe fix by hand (fix-all applies only safe ones).
    const { applyEdits } = await import('../../server/src/fix/apply');
    const fixed = applyEdits(CHUNK_LOOP, finding.fix.edits).text;
    assert.match(fixed, /clf\.partial_fit\(X_part, y_part, classes=classes\)/);
    assert.equal(engine.analyze('chunks.py', fixed, 'python').findings.filter((f) => f.code === 'SKL601').length, 0);
    const after = runScript(fixed);
    assert.equal(after.same_as_last_chunk, false);
    assert.ok(
      Math.abs(after.score - after.all_data_score) < 1e-9,
      `partial_fit over the chunks scores like a fit on all data: ${after.score} vs ${after.all_data_score}`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// SKL502: unpickling runs code. A "model" file whose pickle asks to call a function: joblib.load
// and pickle.loads call it before any model is returned.
// ---------------------------------------------------------------------------------------------

const PAYLOAD = String.raw`
import io, json, os, pickle, sys, tempfile
import joblib
from sklearn.linear_model import LogisticRegression

marker = os.path.join(tempfile.mkdtemp(), "owned")

class Payload:
    def __reduce__(self):
        return (open, (marker, "w"))

blob = pickle.dumps({"model": LogisticRegression(), "extra": Payload()})
ran = {}
joblib.load(io.BytesIO(blob))
ran["joblib.load"] = os.path.exists(marker)
os.remove(marker)
pickle.loads(blob)
ran["pickle.loads"] = os.path.exists(marker)
print(json.dumps(ran))
`;

describe('SKL502 untrusted-model-load vs real joblib/pickle', () => {
  test('loading a crafted model file runs its code (joblib.load and pickle.loads)', () => {
    const ran = runScript(PAYLOAD);
    assert.deepEqual(ran, { 'joblib.load': true, 'pickle.loads': true });
  });
});

// ---------------------------------------------------------------------------------------------
// SKL403: Python-level steps under the threading backend. The custom step records, per call, its
// thread, its CPU time (time.thread_time) and its wall-clock span. Under threads the calls run in
// several threads at once, yet their CPU time adds up to no more than the wall time of the whole
// run: the GIL lets one of them execute at a time, so the threads bring no speed-up to the step.
// ---------------------------------------------------------------------------------------------

const GIL_HARNESS = String.raw`
import json, threading, time
import numpy as np
from joblib import parallel_backend
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

calls = []
lock = threading.Lock()

class RowClipper(BaseEstimator, TransformerMixin):
    def fit(self, X, y=None):
        return self
    def transform(self, X):
        t0, c0 = time.perf_counter(), time.thread_time()
        out = []
        for row in X.tolist():
            s = 0.0
            for v in row:
                s += v * v
            out.append([min(max(v, -2.0), 2.0) for v in row] + [s])
        with lock:
            calls.append((threading.get_ident(), t0, time.perf_counter(), time.thread_time() - c0))
        return np.array(out)

X, y = make_classification(n_samples=6000, n_features=20, random_state=0)
pipe = make_pipeline(RowClipper(), DummyClassifier())
start = time.perf_counter()
with parallel_backend("threading", n_jobs=4):
    cross_val_score(pipe, X, y, cv=4)
wall = time.perf_counter() - start
print(json.dumps({
    "threads": len({c[0] for c in calls}),
    "calls": len(calls),
    "cpu": sum(c[3] for c in calls),
    "wall": wall,
}))
`;

describe('SKL403 threading-backend-python-step vs real scikit-learn', { timeout: 300_000 }, () => {
  test('a Python-level step under the threading backend: several threads, but their CPU time fits in one core', () => {
    const m = runScript(GIL_HARNESS);
    assert.ok(m.threads >= 2, `the step ran in ${m.threads} threads`);
    assert.ok(
      m.cpu <= m.wall * 1.1,
      `CPU time of the step ${m.cpu.toFixed(2)} s vs wall ${m.wall.toFixed(2)} s: at most one core`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// SKL501: a model saved while scikit-learn is not pinned. Only 1.2.1 is installed here, so a pickle
// "from another version" is simulated: (1) the version string scikit-learn records in the pickle
// (\`_sklearn_version\`) is replaced by another of the same length, which is all that differs in the
// check scikit-learn runs at load; (2) a decision tree is pickled with the node layout scikit-learn
// 1.3 writes (one more field per node, \`missing_go_to_left\`), as a 1.3 training box would.
// ---------------------------------------------------------------------------------------------

const VERSION_PROBE = String.raw`
import io, json, pickle, copyreg, warnings
import numpy as np
import sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.tree._tree import Tree

X, y = load_iris(return_X_y=True)
pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
blob = pickle.dumps(pipe)
out = {"installed": sklearn.__version__, "recorded": pipe.__getstate__().get("_sklearn_version")}
def load(b):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = pickle.loads(b)
    return m, [f"{w.category.__name__}: {w.message}" for w in caught if "version" in str(w.message)]
m, same = load(blob)
out["same_version_warnings"] = same
# Another version recorded in the pickle: the installed version string replaced by one of the same length.
other = blob.replace(sklearn.__version__.encode(), b"1.0.2")
out["replaced"] = blob.count(sklearn.__version__.encode())
m2, warned = load(other)
out["other_version_warnings"] = warned
out["predictions_equal"] = bool((m2.predict(X) == pipe.predict(X)).all())
# A tree pickled by scikit-learn 1.3+ has one more field per node (missing_go_to_left).
tree = DecisionTreeClassifier(random_state=0).fit(X, y)
def newer_tree(t):
    state = t.__getstate__()
    nodes = state["nodes"]
    dtype = np.dtype(nodes.dtype.descr + [("missing_go_to_left", "u1")])
    new = np.zeros(nodes.shape, dtype=dtype)
    for name in nodes.dtype.names:
        new[name] = nodes[name]
    state["nodes"] = new
    return (Tree, (t.n_features, t.n_classes, t.n_outputs), state)
buf = io.BytesIO()
p = pickle.Pickler(buf)
p.dispatch_table = copyreg.dispatch_table.copy()
p.dispatch_table[Tree] = newer_tree
p.dump(tree)
try:
    pickle.loads(buf.getvalue().replace(sklearn.__version__.encode(), b"1.3.0"))
    out["newer_tree"] = "loaded"
except Exception as e:
    out["newer_tree"] = f"{type(e).__name__}: {e}"
print(json.dumps(out))
`;

const TRAIN = `import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

X, y = load_iris(return_X_y=True)
pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
joblib.dump(pipe, "model.joblib")
`;

describe('SKL501 model-saved-unpinned-sklearn vs real scikit-learn', { timeout: 300_000 }, () => {
  test('a model pickled under another version: a warning at load for each estimator; a newer tree layout fails to load', () => {
    const m = runScript(VERSION_PROBE);
    assert.equal(m.recorded, m.installed, 'scikit-learn records its version in the pickle');
    assert.deepEqual(m.same_version_warnings, [], 'the same version loads silently');
    assert.equal(
      m.other_version_warnings.length,
      3,
      `one warning per estimator of the pipeline: ${JSON.stringify(m.other_version_warnings)}`,
    );
    for (const w of m.other_version_warnings)
      assert.match(
        w,
        /^UserWarning: Trying to unpickle estimator \w+ from version 1\.0\.2 when using version 1\.2\.1\. This might lead to breaking code or invalid results/,
      );
    assert.match(m.newer_tree, /^ValueError: node array from the pickle has an incompatible dtype/);
  });

  test('the CLI reports the save when requirements.txt leaves the version open, and not once it is pinned', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pipelint-skl501-'));
    try {
      mkdirSync(path.join(dir, '.git'));
      mkdirSync(path.join(dir, 'src'));
      writeFileSync(path.join(dir, 'src', 'train.py'), TRAIN);
      const check = () => {
        const r = spawnSync(
          process.execPath,
          [
            path.join(__dirname, '..', '..', 'bin', 'pipelint.js'),
            'check',
            '--format',
            'json',
            '--select',
            'SKL501',
            'src',
          ],
          { cwd: dir, encoding: 'utf8' },
        );
        return JSON.parse(r.stdout).findings as {
          code: string;
          related: { path: string; range: { start: { line: number } } }[];
        }[];
      };
      assert.deepEqual(check(), [], 'no requirement file: not reported');
      writeFileSync(path.join(dir, 'requirements.txt'), 'numpy==1.24.2\nscikit-learn>=1.0\n');
      const [f, ...rest] = check();
      assert.ok(f && rest.length === 0, 'one finding');
      assert.equal(f.related[0].path, 'requirements.txt');
      assert.equal(f.related[0].range.start.line, 2);
      writeFileSync(path.join(dir, 'requirements.txt'), 'numpy==1.24.2\nscikit-learn==1.2.1\n');
      assert.deepEqual(check(), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
