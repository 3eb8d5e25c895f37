/**
 * The knowledge base against the real scikit-learn (Debian's python3-sklearn under /usr/bin/python3):
 *  - regenerating it gives the committed JSON, so the committed files are provably generated;
 *  - the randomness facts of DESIGN.md hold in the library, and the JSON agrees with them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { lookupEntity, randomnessActs, type ArgValue, type EntityInfo } from '../../server/src/knowledge';

const PYTHON = '/usr/bin/python3';
const ROOT = path.join(__dirname, '..', '..');
const KNOWLEDGE = path.join(ROOT, 'server', 'src', 'knowledge');
const GENERATOR = path.join(KNOWLEDGE, 'generate_sklearn.py');

/**
 * Each fact: a Python expression building the object or calling the function twice with no
 * random_state, and whether the two outputs should differ. `args` are the non-default arguments,
 * used to ask the knowledge base the same question.
 */
interface Fact {
  qname: string;
  args: Record<string, string | boolean>;
  differs: boolean;
}

const FACTS: Fact[] = [
  { qname: 'sklearn.ensemble.RandomForestClassifier', args: {}, differs: true },
  { qname: 'sklearn.ensemble.ExtraTreesClassifier', args: {}, differs: true },
  { qname: 'sklearn.tree.DecisionTreeClassifier', args: {}, differs: true },
  { qname: 'sklearn.ensemble.GradientBoostingClassifier', args: {}, differs: true },
  { qname: 'sklearn.linear_model.SGDClassifier', args: {}, differs: true },
  { qname: 'sklearn.neural_network.MLPClassifier', args: {}, differs: true },
  { qname: 'sklearn.cluster.KMeans', args: {}, differs: true },
  { qname: 'sklearn.svm.LinearSVC', args: {}, differs: true },
  { qname: 'sklearn.linear_model.LogisticRegression', args: { solver: 'saga' }, differs: true },
  { qname: 'sklearn.linear_model.LogisticRegression', args: { solver: 'sag' }, differs: true },
  { qname: 'sklearn.linear_model.LogisticRegression', args: {}, differs: false },
  { qname: 'sklearn.svm.SVC', args: {}, differs: false },
  { qname: 'sklearn.svm.SVC', args: { probability: true }, differs: true },
  { qname: 'sklearn.ensemble.HistGradientBoostingClassifier', args: {}, differs: false },
  { qname: 'sklearn.model_selection.KFold', args: {}, differs: false },
  { qname: 'sklearn.model_selection.KFold', args: { shuffle: true }, differs: true },
  { qname: 'sklearn.model_selection.StratifiedKFold', args: {}, differs: false },
  { qname: 'sklearn.model_selection.StratifiedKFold', args: { shuffle: true }, differs: true },
  { qname: 'sklearn.model_selection.ShuffleSplit', args: {}, differs: true },
  { qname: 'sklearn.model_selection.StratifiedShuffleSplit', args: {}, differs: true },
  { qname: 'sklearn.model_selection.RepeatedKFold', args: {}, differs: true },
  { qname: 'sklearn.model_selection.train_test_split', args: {}, differs: true },
  { qname: 'sklearn.model_selection.train_test_split', args: { shuffle: false }, differs: false },
  { qname: 'sklearn.model_selection.learning_curve', args: {}, differs: false },
  { qname: 'sklearn.model_selection.learning_curve', args: { shuffle: true }, differs: true },
];

const HARNESS = String.raw`
import json, sys, warnings, importlib
warnings.filterwarnings("ignore")
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

X, y = make_classification(n_samples=200, n_features=8, random_state=0)
Xt, _ = make_classification(n_samples=50, n_features=8, random_state=1)
facts = json.loads(sys.argv[1])

def resolve(qname):
    mod, name = qname.rsplit(".", 1)
    return getattr(importlib.import_module(mod), name)

def output(qname, args):
    obj = resolve(qname)
    name = qname.rsplit(".", 1)[1]
    if name == "train_test_split":
        return np.concatenate([np.ravel(a) for a in obj(X, y, **args)])
    if name == "learning_curve":
        return np.concatenate([np.ravel(a) for a in obj(LogisticRegression(), X, y, cv=3,
                                                         train_sizes=[0.3, 0.6], **args)])
    inst = obj(**args)
    if hasattr(inst, "split"):
        return np.concatenate([np.concatenate([a, b]) for a, b in inst.split(X, y)])
    if name == "KMeans":
        inst.fit(X)
        return inst.predict(Xt)
    inst.fit(X, y)
    if hasattr(inst, "predict_proba"):
        return inst.predict_proba(Xt)
    return inst.decision_function(Xt)

results = []
for f in facts:
    outs = [np.asarray(output(f["qname"], f["args"]), float) for _ in range(4)]
    differs = any(o.shape != outs[0].shape or not np.allclose(o, outs[0], rtol=1e-7, atol=1e-9) for o in outs[1:])
    results.append({"qname": f["qname"], "args": f["args"], "differs": bool(differs)})

from sklearn.model_selection import KFold
try:
    KFold(5, random_state=0)
    kfold_error = None
except ValueError as e:
    kfold_error = str(e)
print(json.dumps({"results": results, "kfold_error": kfold_error}))
`;

function entity(qname: string): EntityInfo {
  const e = lookupEntity(qname);
  assert.ok(e, `${qname} is in the knowledge base`);
  return e;
}

function actsFor(f: Fact): 'yes' | 'no' | 'unknown' {
  return randomnessActs(entity(f.qname), (p): ArgValue => (p in f.args ? f.args[p] : 'absent'));
}

describe('knowledge base vs real scikit-learn', { timeout: 600_000 }, () => {
  let measured: {
    results: { qname: string; args: Record<string, unknown>; differs: boolean }[];
    kfold_error: string | null;
  };

  before(() => {
    const r = spawnSync(PYTHON, ['-c', HARNESS, JSON.stringify(FACTS)], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    });
    assert.equal(r.status, 0, `python failed:\n${r.stderr}`);
    measured = JSON.parse(r.stdout.trim().split('\n').pop()!);
  });

  test('KFold(5, random_state=0) without shuffle raises ValueError', () => {
    assert.ok(measured.kfold_error, 'expected a ValueError');
    assert.match(measured.kfold_error, /shuffle/);
  });

  for (const [i, f] of FACTS.entries()) {
    const label = `${f.qname.split('.').pop()}(${Object.entries(f.args)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ')})`;
    test(`${label}: two runs without random_state ${f.differs ? 'differ' : 'agree'}, and the JSON says so`, () => {
      const m = measured.results[i];
      assert.equal(m.qname, f.qname);
      assert.equal(m.differs, f.differs, `DESIGN.md fact for ${label}`);
      assert.equal(actsFor(f), f.differs ? 'yes' : 'no', `knowledge base for ${label}`);
    });
  }

  test('regenerating the knowledge base gives the committed JSON', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'pipelint-knowledge-'));
    const r = spawnSync(PYTHON, [GENERATOR, out], { encoding: 'utf8', timeout: 480_000 });
    assert.equal(r.status, 0, `generator failed:\n${r.stderr}`);
    for (const name of ['sklearn.json', 'imblearn.json']) {
      const committed = path.join(KNOWLEDGE, name);
      if (!existsSync(committed)) continue;
      const fresh = readFileSync(path.join(out, name), 'utf8');
      if (fresh !== readFileSync(committed, 'utf8')) {
        // name the first differing entities before failing on the whole file
        const a = JSON.parse(readFileSync(committed, 'utf8')).entities as EntityInfo[];
        const b = JSON.parse(fresh).entities as EntityInfo[];
        const diff = a.filter((e, k) => JSON.stringify(e) !== JSON.stringify(b[k])).map((e) => e.qname);
        assert.fail(`${name} differs from a fresh generation (entities: ${diff.slice(0, 10).join(', ') || 'header'})`);
      }
    }
  });
});
