#!/usr/bin/python3
"""Generate pipelint's knowledge base from the real scikit-learn (and imbalanced-learn when present).

Usage:
    /usr/bin/python3 server/src/knowledge/generate_sklearn.py [OUT_DIR] [--log LOGFILE]

Writes OUT_DIR/sklearn.json (and OUT_DIR/imblearn.json when ``imblearn`` imports), matching
``KnowledgeFile`` in ``types.ts``. OUT_DIR defaults to this script's directory.

Everything comes from the installed libraries:
  * entities: ``sklearn.utils.all_estimators()``, the splitters and helper functions of
    ``sklearn.model_selection``, ``sklearn.datasets.make_*`` and a few named public helpers;
  * qname: the shortest public module path exposing the object (via the modules' ``__all__``);
    aliases: the other public paths and the defining (private) module path;
  * params: ``inspect.signature``; ``callable``/``estimator`` from the numpydoc type line;
  * ``randomState``: the numpydoc ``random_state`` entry, parsed for conditions ("Used when
    ``solver`` == 'sag', 'saga' or 'liblinear'", "Ignored when `probability` is False", ...), and
    settled by measurement: the object is fitted / called several times with ``random_state=None``
    under its default parameters on a small dataset and the outputs are compared.

Output is deterministic (sorted, measurement single-threaded and repeated), so a regeneration
can be diffed against the committed JSON.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_v] = "1"

import importlib
import inspect
import json
import pkgutil
import platform
import re
import signal
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import sklearn.experimental.enable_halving_search_cv  # noqa: E402,F401
import sklearn.experimental.enable_iterative_imputer  # noqa: E402,F401
from sklearn.base import ClassifierMixin, ClusterMixin, RegressorMixin  # noqa: E402
from sklearn.utils import all_estimators  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LOG = []


def log(msg):
    LOG.append(msg)


# --------------------------------------------------------------------------------------------
# numpydoc "Parameters" section
# --------------------------------------------------------------------------------------------

SECTION_UNDERLINE = re.compile(r"^-{3,}$")


def parse_params_doc(doc):
    """{name: (type line, description)} from the numpydoc ``Parameters`` section."""
    if not doc:
        return {}
    lines = inspect.cleandoc(doc).splitlines()
    i = 0
    while i < len(lines) - 1:
        if lines[i].strip() == "Parameters" and SECTION_UNDERLINE.match(lines[i + 1].strip()):
            break
        i += 1
    else:
        return {}
    i += 2
    out = {}
    cur = None
    while i < len(lines):
        ln = lines[i]
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if ln.strip() and not ln.startswith(" ") and SECTION_UNDERLINE.match(nxt):
            break  # next section
        if ln.strip() and not ln.startswith(" "):
            m = re.match(r"^([\*\w, ]+?)\s*:\s*(.*)$", ln)
            head, typ = (m.group(1), m.group(2)) if m else (ln, "")
            cur = [n.strip().lstrip("*") for n in head.split(",") if n.strip()]
            for n in cur:
                out[n] = [typ.strip(), []]
        elif cur:
            for n in cur:
                out[n][1].append(ln.strip())
        i += 1
    return {k: (v[0], re.sub(r"\s+", " ", " ".join(v[1])).strip()) for k, v in out.items()}


# --------------------------------------------------------------------------------------------
# random_state conditions from the docstring
# --------------------------------------------------------------------------------------------

LIT = r"(?:'[^']*'|\"[^\"]*\"|True|False|None|-?\d+(?:\.\d+)?)"
VALUES = rf"{LIT}(?:\s*(?:,\s*(?:or\s+)?|\s+or\s+){LIT})*"
COND_RE = re.compile(
    rf"\b([A-Za-z_]\w*)\s*(==|=|\bis set to\b|\bequals\b|\bis not\b|\bis\b)\s*({VALUES})"
)
SOLVERS_RE = re.compile(rf"\bthe\s+({VALUES})\s+(?:solvers?|methods?)\b")
EARLY_STOP_RE = re.compile(r"\bearly stopping is (?:enabled|used)\b")
NEG_GATE_RE = re.compile(r"^\s*ignored\b|\bhas no effect\b|\bis not random\b", re.I)
POS_GATE_RE = re.compile(r"^\s*(?:only used when|used only when|used when|when|if)\b", re.I)
CLAUSE_RE = re.compile(r"\b(?:if|when)\b", re.I)
BOILERPLATE_RE = re.compile(
    r"^\s*(?:pass an int|use an int|see\b|see the|\.\. |note that|otherwise|integer values must|"
    r"if int\b|if randomstate instance|if none\b|to obtain a deterministic|please see|"
    r"this parameter was previously|for further information|a pseudo random number generator object)",
    re.I,
)


def parse_literal(s):
    s = s.strip()
    if s in ("True", "False"):
        return s == "True"
    if s == "None":
        return None
    if s[:1] in ("'", '"'):
        return s[1:-1]
    try:
        return int(s)
    except ValueError:
        return float(s)


def split_values(vs):
    return [parse_literal(v) for v in re.findall(LIT, vs)]


def sentences(text):
    text = re.sub(r"https?://\S+", "URL", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z`.:])|\s+-\s+(?=[a-z])|:\s+-\s+", text)
    return [p.strip() for p in parts if p.strip()]


def clean(text):
    return text.replace("``", "").replace("`", "")


def extract_conds(text, params, params_doc):
    """Conditions named in ``text``: [(param, values, negated)]."""
    t = clean(text)
    conds = []
    for m in COND_RE.finditer(t):
        name, op, vs = m.group(1), m.group(2), m.group(3)
        if name not in params or name == "random_state":
            continue
        conds.append((name, split_values(vs), op == "is not"))
    for m in SOLVERS_RE.finditer(t):
        vals = split_values(m.group(1))
        if not all(isinstance(v, str) for v in vals):
            continue
        for p in sorted(params):
            typ = params_doc.get(p, ("", ""))[0]
            if p != "random_state" and all(f"'{v}'" in typ for v in vals):
                conds.append((p, vals, False))
                break
    if EARLY_STOP_RE.search(t) and "early_stopping" in params:
        conds.append(("early_stopping", [True], False))
    return conds


def negate(cond):
    name, vals, neg = cond
    if len(vals) == 1 and isinstance(vals[0], bool) and not neg:
        return (name, [not vals[0]], False)
    return (name, vals, not neg)


def doc_conditions(desc, params, params_doc):
    """Parse the random_state description.

    Returns (conds, complete, evidence): ``conds`` is a list of (param, values, negated) that
    gate the randomness (any of them), ``complete`` says whether every source of randomness the
    docstring describes is gated by one of them.
    """
    gate, gate_ev = [], []
    conds, evidence = [], []
    unconditioned = False
    for s in sentences(desc):
        if BOILERPLATE_RE.match(clean(s)) and not NEG_GATE_RE.search(s):
            continue
        cs = extract_conds(s, params, params_doc)
        if NEG_GATE_RE.search(s) and cs:
            gate += [negate(c) for c in cs]
            gate_ev.append(s)
            continue
        if POS_GATE_RE.match(clean(s)) and cs:
            conds += cs
            evidence.append(s)
            continue
        # split the sentence into the sources of randomness it lists
        pieces = re.split(r",\s+(?:and\s+)?|\s+and\s+(?:the\s+|in\s+)?|\s+-\s+", s)
        items = []
        for p in pieces:
            if items and re.match(r"^\(?\s*(?:when|if|or|which|thus)\b|^['\"`]", p, re.I):
                items[-1] += ", " + p
            else:
                items.append(p)
        for it in items:
            ics = extract_conds(it, params, params_doc)
            if ics:
                conds += ics
                evidence.append(s)
            else:
                unconditioned = True
    if gate:
        return gate, True, " ".join(gate_ev)
    seen, uniq = set(), []
    for c in conds:
        key = (c[0], json.dumps(c[1]), c[2])
        if key not in seen:
            seen.add(key)
            uniq.append(c)
    ev = " ".join(dict.fromkeys(evidence))
    return uniq, bool(uniq) and not unconditioned, ev


def holds(cond, defaults):
    name, vals, neg = cond
    if name not in defaults:
        return False
    d = defaults[name]
    inside = any(d is v or (type(d) is type(v) and d == v) for v in vals)
    return inside != neg


# --------------------------------------------------------------------------------------------
# measurement
# --------------------------------------------------------------------------------------------


MEASURE_SEED = 20240601


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


signal.signal(signal.SIGALRM, _alarm)


def data():
    from sklearn.datasets import make_blobs, make_classification, make_regression

    Xc, yc = make_classification(n_samples=200, n_features=8, n_informative=4, n_classes=3, random_state=0)
    Xct, _ = make_classification(n_samples=50, n_features=8, n_informative=4, n_classes=3, random_state=1)
    Xr, yr = make_regression(n_samples=200, n_features=8, noise=5.0, random_state=0)
    Xb, yb = make_blobs(n_samples=200, n_features=4, centers=3, random_state=0)
    Xi, yi = make_classification(n_samples=200, n_features=8, weights=[0.75, 0.25], random_state=0)
    return dict(Xi=Xi, yi=yi, Xc=Xc, yc=yc, Xct=Xct, Xr=Xr, yr=yr, Xb=Xb, yb=yb)


def flatten_outputs(obj, X):
    outs = []
    for meth in ("predict_proba", "decision_function", "predict", "transform", "score_samples"):
        f = getattr(obj, meth, None)
        if f is None:
            continue
        try:
            r = f(X)
            outs.append(np.asarray(r.toarray() if hasattr(r, "toarray") else r, dtype=float))
        except Exception:
            pass
    for attr in ("labels_", "embedding_", "row_labels_", "coef_", "components_", "cluster_centers_",
                 "covariance_", "location_"):
        if hasattr(obj, attr):
            try:
                outs.append(np.asarray(getattr(obj, attr), dtype=float))
            except Exception:
                pass
    return outs


def same_outputs(a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x.shape != y.shape:
            return False
        if not np.allclose(x, y, rtol=1e-7, atol=1e-9, equal_nan=True):
            return False
    return True


def default_inner(role):
    from sklearn.linear_model import LogisticRegression, Ridge

    return LogisticRegression() if role != "regressor" else Ridge()


def required_kwargs(cls, role):
    """Values for required constructor parameters, or None when the class needs special input."""
    kw = {}
    sig = inspect.signature(cls)
    for p in sig.parameters.values():
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        n = p.name
        if n in ("estimator", "base_estimator"):
            kw[n] = default_inner(role)
        elif n == "estimators":
            kw[n] = [("a", default_inner(role)), ("b", default_inner(role))]
        elif n == "param_grid":
            kw[n] = {"C": [0.5, 1.0]} if role != "regressor" else {"alpha": [0.5, 1.0]}
        elif n == "param_distributions":
            from scipy.stats import uniform

            kw[n] = {"C": uniform(0.01, 10.0)} if role != "regressor" else {"alpha": uniform(0.01, 10.0)}
        else:
            return None, f"required parameter {n!r}"
    return kw, None


def role_of(cls):
    if issubclass(cls, ClassifierMixin):
        return "classifier"
    if issubclass(cls, RegressorMixin):
        return "regressor"
    if issubclass(cls, ClusterMixin):
        return "clusterer"
    return "other"


def measure_estimator(cls, D, runs=6, overrides=None):
    """'differ' | 'same' | ('skipped', reason) for fits with random_state=None under defaults
    (and ``overrides``)."""
    # random_state=None draws from numpy's global generator: seed it so that the measurement (not
    # the estimator) is reproducible and a regeneration gives the same JSON.
    np.random.seed(MEASURE_SEED)
    role = role_of(cls)
    kw, why = required_kwargs(cls, role)
    if kw is None:
        return ("skipped", why)
    kw.update(overrides or {})
    if hasattr(cls, "fit_resample"):
        inputs = [(D["Xi"], D["yi"], None)]
    elif role == "classifier":
        inputs = [(D["Xc"], D["yc"], D["Xct"]), (D["Xc"], np.c_[D["yc"], D["yc"][::-1]], D["Xct"])]
    elif role == "regressor":
        inputs = [(D["Xr"], D["yr"], D["Xr"][:50] + 0.37),
                  (D["Xr"], np.c_[D["yr"], D["yr"] * 0.5], D["Xr"][:50] + 0.37)]
    elif role == "clusterer":
        inputs = [(D["Xb"], None, D["Xb"][:50] + 0.37)]
    else:
        Xs, ys = D["Xc"][:80], D["yc"][:80]
        inputs = [(Xs, ys, D["Xct"]), (np.abs(Xs), ys, np.abs(D["Xct"]))]
    last = None
    for X, y, Xt in inputs:
        signal.alarm(60)
        try:
            results = []
            for _ in range(runs):
                est = cls(**kw)
                est.set_params(random_state=None)
                if hasattr(est, "fit_resample"):
                    Xs, ys = est.fit_resample(X, y)
                    outs = [np.asarray(Xs, dtype=float), np.asarray(ys, dtype=float)]
                elif y is None:
                    est.fit(X)
                    outs = flatten_outputs(est, Xt)
                else:
                    est.fit(X, y)
                    outs = flatten_outputs(est, Xt)
                if not outs and hasattr(est, "fit_transform"):
                    e2 = cls(**kw)
                    e2.set_params(random_state=None)
                    r = e2.fit_transform(X, y)
                    outs = [np.asarray(r.toarray() if hasattr(r, "toarray") else r, dtype=float)]
                if not outs:
                    raise RuntimeError("no output to compare")
                results.append(outs)
                if not same_outputs(results[0], outs):
                    signal.alarm(0)
                    return "differ"
            signal.alarm(0)
            return "same"
        except Timeout:
            last = "timeout"
        except Exception as e:  # noqa: BLE001
            signal.alarm(0)
            last = f"{type(e).__name__}: {str(e)[:80]}"
        finally:
            signal.alarm(0)
    return ("skipped", last)


OUTPUT_METHODS = ("predict", "decision_function", "predict_proba", "predict_log_proba", "score")


def measure_outputs(cls, D, overrides, runs=10):
    """The methods whose results differ between fits with random_state=None, and those compared
    (classifiers only)."""
    np.random.seed(MEASURE_SEED)
    kw, _ = required_kwargs(cls, "classifier")
    kw.update(overrides)
    X, y, Xt = D["Xc"], D["yc"], D["Xct"]
    results = {}
    for _ in range(runs):
        est = cls(**kw).set_params(random_state=None).fit(X, y)
        for m in OUTPUT_METHODS:
            f = getattr(est, m, None)
            if f is not None:
                results.setdefault(m, []).append(np.asarray(f(X, y) if m == "score" else f(Xt), float))
    differ = sorted(m for m, outs in results.items() if not all(same_outputs([outs[0]], [o]) for o in outs[1:]))
    return differ, sorted(results)


# Where the docstring's condition is wider than the randomness. Each entry is a hypothesis that is
# measured (10 fits with random_state=None) and replaces the docstring's condition only when every
# measurement agrees; a disagreement is logged and the docstring's condition stays.
#
# (param, value, [(other param, values)]): with param=value, randomness acts only when one of the
# other conditions holds too. liblinear solves the l2-penalised primal problem (dual=False) with a
# deterministic trust-region Newton method; its coordinate-descent solvers (penalty='l1', dual=True)
# visit the features in a random order.
NARROWER = {
    "LogisticRegression": [("solver", "liblinear", [("penalty", ["l1"]), ("dual", [True])])],
    "LogisticRegressionCV": [("solver", "liblinear", [("penalty", ["l1"]), ("dual", [True])])],
}
# Parameters that take either a named random method or the values themselves; with values nothing is
# drawn (KMeans(init=<array of centres>)). The builder makes a value of the right shape for the
# measurement data (make_blobs, 4 features; n_clusters=8 by default).
VALUES_INSTEAD = {
    "KMeans": ("init", lambda D: D["Xb"][:8]),
}
# Randomness that reaches only some outputs: SVC's probability=True fits Platt scaling on an internal,
# shuffled 5-fold cross-validation, which only predict_proba reads (predict and decision_function use
# the SVM itself). Measured per method under these settings.
OUTPUT_PROBES = {
    "SVC": {"probability": True},
    "NuSVC": {"probability": True},
}


def refine_random_state(cls, name, info, pdoc, D):
    """Narrow ``info`` (a class estimator's RandomStateInfo) by the measured hypotheses above."""
    for param, value, extra in NARROWER.get(name, []):
        when = info.get("when", [])
        base = next((c for c in when if c["param"] == param and value in c["values"] and not c.get("negate")), None)
        if base is None:
            log(f"NARROWER {name}: no docstring condition on {param}={value!r}")
            continue
        alone = measure_estimator(cls, D, runs=10, overrides={param: value})
        withs = [measure_estimator(cls, D, runs=10, overrides={param: value, p: vs[0]}) for p, vs in extra]
        if alone != "same" or any(w != "differ" for w in withs):
            log(f"NARROWER {name}: not confirmed ({param}={value!r}: {alone}; with {extra}: {withs})")
            continue
        rest = [v for v in base["values"] if v != value]
        new = [c for c in when if c is not base]
        if rest:
            new.insert(when.index(base), dict(base, values=rest))
        new += [{"param": param, "values": [value], "and": [{"param": p, "values": vs}]} for p, vs in extra]
        info["when"] = new
        info["evidence"] += (f" [measured: with {param}={value!r} outputs are identical under the defaults and "
                             f"differ with {' or '.join(f'{p}={vs[0]!r}' for p, vs in extra)}]")
    if name in VALUES_INSTEAD and info["acts"] == "always":
        param, build = VALUES_INSTEAD[name]
        names = list(dict.fromkeys(re.findall(r"'([^']+)'", pdoc.get(param, ("", ""))[0])))
        given = measure_estimator(cls, D, runs=10, overrides={param: build(D)})
        if given == "same" and names:
            info["acts"] = "conditional"
            info["when"] = [{"param": param, "values": names}]
            info["evidence"] += f" [measured: identical outputs when {param} is given as an array]"
        else:
            log(f"VALUES_INSTEAD {name}: not confirmed ({given}, names {names})")
    if name in OUTPUT_PROBES:
        differ, compared = measure_outputs(cls, D, OUTPUT_PROBES[name])
        if differ and len(differ) < len(compared):
            info["outputs"] = differ
            setting = ", ".join(f"{k}={v!r}" for k, v in OUTPUT_PROBES[name].items())
            info["evidence"] += f" [measured with {setting}: only {', '.join(differ)} differ(s); {', '.join(m for m in compared if m not in differ)} do not]"
        else:
            log(f"OUTPUT_PROBES {name}: all or no outputs differ ({differ} of {compared})")
    order = ["param", "position", "acts", "when", "outputs", "seededByDefault", "evidence"]
    return {k: info[k] for k in order if k in info}


def measure_splitter(cls, D, overrides=None, runs=4):
    np.random.seed(MEASURE_SEED)
    kw = {"random_state": None}
    kw.update(overrides or {})
    X, y = D["Xc"], D["yc"]
    groups = np.arange(len(y)) % 10
    try:
        results = []
        for _ in range(runs):
            sp = cls(**kw)
            results.append([np.concatenate([a, b]) for a, b in sp.split(X, y, groups)])
        same = all(same_outputs([np.asarray(r, float) for r in results[0]],
                                [np.asarray(r, float) for r in rr]) for rr in results[1:])
        return "same" if same else "differ"
    except Exception as e:  # noqa: BLE001
        return ("skipped", f"{type(e).__name__}: {str(e)[:80]}")


def function_callers(D):
    from sklearn.linear_model import LogisticRegression

    X, y = D["Xc"], D["yc"]
    fitted = LogisticRegression().fit(X, y)
    return {
        "train_test_split": lambda **k: np.concatenate([np.ravel(a) for a in
                                                         __import__("sklearn.model_selection").model_selection.train_test_split(X, y, **k)]),
        "learning_curve": lambda **k: np.concatenate([np.ravel(a) for a in
                                                       __import__("sklearn.model_selection").model_selection.learning_curve(
                                                           LogisticRegression(), X, y, train_sizes=[0.3, 0.6], cv=3, **k)]),
        "permutation_test_score": lambda **k: np.ravel(
            __import__("sklearn.model_selection").model_selection.permutation_test_score(
                LogisticRegression(), X, y, n_permutations=5, cv=3, **k)[1]),
        "permutation_importance": lambda **k: np.ravel(
            __import__("sklearn.inspection").inspection.permutation_importance(fitted, X, y, n_repeats=2, **k).importances),
        "shuffle": lambda **k: np.ravel(__import__("sklearn.utils").utils.shuffle(X, **k)),
        "resample": lambda **k: np.ravel(__import__("sklearn.utils").utils.resample(X, **k)),
    }


DATASET_ARGS = dict(dim=10, shape=(30, 30), n_clusters=3, n_dim=5, n_samples=30, n_components=5, n_features=10,
                    n_nonzero_coefs=3)


def measure_function(name, func, D, overrides=None, runs=4):
    np.random.seed(MEASURE_SEED)
    kw = {"random_state": None}
    kw.update(overrides or {})
    callers = function_callers(D)
    try:
        if name in callers:
            call = lambda: [np.asarray(callers[name](**kw), float)]  # noqa: E731
        elif name.startswith("make_"):
            sig = inspect.signature(func)
            req = {p.name: DATASET_ARGS[p.name] for p in sig.parameters.values()
                   if (p.default is inspect.Parameter.empty or p.name == "dim")
                   and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}

            def call():
                r = func(**req, **kw)
                r = r if isinstance(r, tuple) else (r,)
                r = [list(a) if isinstance(a, map) else a for a in r]
                return [np.asarray(a.toarray() if hasattr(a, "toarray") else a, float) for a in r]
        else:
            return ("skipped", "no caller")
        results = [call() for _ in range(runs)]
        return "same" if all(same_outputs(results[0], r) for r in results[1:]) else "differ"
    except Exception as e:  # noqa: BLE001
        return ("skipped", f"{type(e).__name__}: {str(e)[:80]}")


# --------------------------------------------------------------------------------------------
# n_jobs: where the parallelism really happens (measured)
# --------------------------------------------------------------------------------------------

# joblib.Parallel calls made while an estimator is fitted and used: (n_jobs, number of tasks).
# The patched __call__ records them and then runs the tasks in this process (n_jobs=1), so the
# measurement starts no worker and is fast and deterministic.
_PARALLEL_CALLS = []


def _install_parallel_probe():
    import joblib

    if getattr(joblib.Parallel, "_pipelint_probe", False):
        return
    original = joblib.Parallel.__call__

    def probe(self, iterable):
        tasks = list(iterable)
        _PARALLEL_CALLS.append((self.n_jobs, len(tasks)))
        self.n_jobs = 1
        return original(self, tasks)

    joblib.Parallel.__call__ = probe
    joblib.Parallel._pipelint_probe = True


def njobs_inputs(D, role):
    """Data sets for the n_jobs measurement: narrow and wide, binary and multiclass (or 1-D and 2-D
    targets), dense and sparse, so that a data-dependent parallel path (tree vs brute neighbour search,
    one-vs-rest over classes, multi-target solvers) is exercised by at least one of them."""
    import scipy.sparse as sp
    from sklearn.datasets import make_blobs, make_classification, make_regression

    out = []
    for nf in (8, 30):
        if role == "regressor":
            X, y = make_regression(n_samples=120, n_features=nf, noise=5.0, random_state=0)
            out += [(X, y), (X, np.c_[y, y * 0.5])]
        elif role == "clusterer":
            X, _ = make_blobs(n_samples=120, n_features=nf, centers=3, random_state=0)
            out += [(X, None)]
        else:
            for k in (2, 3):
                X, y = make_classification(n_samples=120, n_features=nf, n_informative=4, n_classes=k,
                                           random_state=0)
                out += [(np.abs(X), y)]
    out += [(sp.csr_matrix(np.where(np.abs(X) > 1.0, np.abs(X), 0.0)), y) for X, y in list(out)]
    return out


def parallel_work(cls, kw, X, y):
    """True when fitting and using the estimator dispatched two or more tasks to a Parallel call with
    n_jobs=2; False when it did not; None when the configuration failed on this input."""
    from sklearn.base import clone
    from sklearn.metrics import pairwise_distances

    kw = dict(kw)
    precomputed = any(isinstance(v, str) and "precomputed" in v for v in kw.values())
    if precomputed:
        if hasattr(X, "toarray"):
            return None
        X = pairwise_distances(X)
        if kw.get("affinity") == "precomputed":
            X = np.exp(-X / X.std())
    if "prefit" in kw.values():
        # cv="prefit" takes an already fitted estimator.
        names = [n for n in ("estimator", "base_estimator") if n in inspect.signature(cls).parameters]
        if names:
            kw[names[0]] = clone(kw.get(names[0]) or default_inner(role_of(cls))).fit(X, y)
    del _PARALLEL_CALLS[:]
    signal.alarm(30)
    try:
        est = cls(**kw)
        est.set_params(n_jobs=2)
        if y is None:
            est.fit(X)
        else:
            est.fit(X, y)
        flatten_outputs(est, X[:40])
        for meth in ("kneighbors", "radius_neighbors"):
            f = getattr(est, meth, None)
            if f is not None:
                try:
                    f(X[:40])
                except Exception:  # noqa: BLE001
                    pass
    except Timeout:
        return None
    except Exception:  # noqa: BLE001
        return None
    finally:
        signal.alarm(0)
    return any(n not in (None, 1) and tasks >= 2 for n, tasks in _PARALLEL_CALLS)


def measure_parallel(cls, kw, inputs):
    """'yes' (parallel work on some input), 'no' (none on any input that ran) or 'failed'."""
    seen = False
    for X, y in inputs:
        r = parallel_work(cls, kw, X, y)
        if r:
            return "yes"
        if r is False:
            seen = True
    return "no" if seen else "failed"


NJOBS_NEG_RE = re.compile(r"\bignored\b|\bhas no (?:effect|impact)\b|\bno impact\b|\bdoes not have any effect\b", re.I)
NJOBS_POS_RE = re.compile(r"\b(?:if|when|only)\b", re.I)
NOT_EQUAL_RE = re.compile(rf"\b([A-Za-z_]\w*)\s*!=\s*({VALUES})")


def njobs_doc_conditions(desc, params, pdoc):
    """(needs, ignored, evidence) named by the n_jobs docstring: "used when parallelizing over classes
    if multi_class='ovr'" (needs), "ignored when the solver is set to 'liblinear'" (ignored),
    "only when cv != 'prefit'" (ignored). Conjunctions in parentheses ("(metric='euclidean' and
    method='exact')") cannot be expressed as one condition and are left out."""
    needs, ignored, ev = [], [], []
    for sent in sentences(desc):
        t = re.sub(r"\([^()]*\band\b[^()]*\)", "", clean(sent))
        for m in NOT_EQUAL_RE.finditer(t):
            if m.group(1) in params:
                ignored += [(m.group(1), v) for v in split_values(m.group(2))]
                ev.append(sent)
        t = NOT_EQUAL_RE.sub("", t)
        cs = [c for c in extract_conds(t, params, pdoc) if not c[2]]
        if not cs:
            continue
        if NJOBS_NEG_RE.search(t):
            ignored += [(p, v) for p, vs, _ in cs for v in vs]
            ev.append(sent)
        elif NJOBS_POS_RE.search(t):
            needs += [(p, v) for p, vs, _ in cs for v in vs]
            ev.append(sent)
    return needs, ignored, " ".join(dict.fromkeys(ev))


def njobs_info(cls, name, pdoc):
    """NJobsEffect: the settings under which the docstring says `n_jobs` is unused, each confirmed by
    measurement. The estimator is fitted and used with n_jobs=2 on narrow/wide, binary/multiclass (or
    1-D/2-D target), dense/sparse data while the joblib.Parallel calls are counted:
      * a `needs` condition is kept when the defaults dispatch no parallel work on any input (and the
        docstring says n_jobs is used only under the condition);
      * an `ignoredWhen` condition is kept when, from every setting that does dispatch parallel work
        (the defaults, or the defaults plus a `needs` condition), adding it leaves none on any input.
    Anything the measurement cannot confirm is dropped: the rule stays silent rather than guess."""
    try:
        params = set(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        return None
    needs, ignored, doc_ev = njobs_doc_conditions(pdoc.get("n_jobs", ("", ""))[1], params, pdoc)
    if not needs and not ignored:
        return None
    _install_parallel_probe()
    role = role_of(cls)
    kw, why = required_kwargs(cls, role)
    if kw is None:
        log(f"n_jobs {name}: not measured ({why})")
        return None
    inputs = njobs_inputs(None, role)
    base = measure_parallel(cls, kw, inputs)
    measured = []
    if base == "failed":
        log(f"n_jobs {name}: defaults failed to run")
        return None
    parallel_bases = []
    if needs:
        if base == "yes":
            log(f"n_jobs {name}: the docstring names conditions but the defaults already run parallel work")
            needs = []
        else:
            measured.append("defaults: no parallel work")
            for p, v in needs:
                r = measure_parallel(cls, dict(kw, **{p: v}), inputs)
                measured.append(f"{p}={v!r}: {'parallel work' if r == 'yes' else r}")
                if r == "yes":
                    parallel_bases.append({p: v})
    if base == "yes":
        parallel_bases.append({})
        measured.append("defaults: parallel work")
    kept = []
    for p, v in ignored:
        rs = [measure_parallel(cls, dict(kw, **b, **{p: v}), inputs) for b in parallel_bases]
        ok = bool(rs) and all(r == "no" for r in rs)
        measured.append(f"+ {p}={v!r}: {'no parallel work' if ok else 'not confirmed'}")
        if ok:
            kept.append((p, v))
        else:
            log(f"n_jobs {name}: {p}={v!r} not confirmed as ignored")
    if not needs and not kept:
        return None
    info = {}
    if needs:
        info["needs"] = merge_conditions(needs)
    if kept:
        info["ignoredWhen"] = merge_conditions(kept)
    info["evidence"] = re.sub(r"\s+", " ", f"{doc_ev} [measured with n_jobs=2, tasks dispatched to joblib: {'; '.join(measured)}]").strip()
    return info


def merge_conditions(pairs):
    merged = {}
    for p, v in pairs:
        merged.setdefault(p, [])
        if v not in merged[p]:
            merged[p].append(v)
    return [{"param": p, "values": vs} for p, vs in merged.items()]


# --------------------------------------------------------------------------------------------
# entities
# --------------------------------------------------------------------------------------------

ESTIMATOR_PARAM_NAMES = {"estimator", "base_estimator", "estimators", "final_estimator", "steps",
                         "transformers", "transformer_list", "regressor", "transformer", "classifier",
                         "sampler"}
META_PARAM_NAMES = {"estimator", "base_estimator", "estimators", "final_estimator", "regressor",
                    "classifier"}
COMPOSITE_NAMES = {"Pipeline", "FeatureUnion", "ColumnTransformer", "make_pipeline", "make_union",
                   "make_column_transformer"}
CALLABLE_TYPE_RE = re.compile(r"\bcallables?\b|\bfunctions?\b", re.I)
ESTIMATOR_TYPE_RE = re.compile(r"\bestimators?\b|\btransformers?\b|\bclassifier\b|\bregressor\b", re.I)


def py_repr(v):
    if v is inspect.Parameter.empty:
        return None
    r = repr(v)
    # objects with addresses would make the output non-deterministic
    r = re.sub(r" at 0x[0-9a-f]+", "", r)
    return r


def params_of(obj, pdoc):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    out = []
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        kind = {p.POSITIONAL_ONLY: "positional", p.POSITIONAL_OR_KEYWORD: "positional",
                p.KEYWORD_ONLY: "keyword", p.VAR_POSITIONAL: "varargs", p.VAR_KEYWORD: "kwargs"}[p.kind]
        info = {"name": p.name, "kind": kind}
        d = py_repr(p.default)
        if d is not None:
            info["default"] = d
        typ = pdoc.get(p.name, ("", ""))[0]
        if CALLABLE_TYPE_RE.search(typ):
            info["callable"] = True
        if p.name in ESTIMATOR_PARAM_NAMES or (ESTIMATOR_TYPE_RE.search(typ) and p.name not in ("cv",)):
            if not re.match(r"^(n_|max_|min_)", p.name):
                info["estimator"] = True
        out.append(info)
    return out


def defaults_of(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in sig.parameters.values() if p.default is not inspect.Parameter.empty}


def roles_of(obj, name, params):
    isclass = inspect.isclass(obj)
    pnames = {p["name"] for p in params if p.get("estimator")}
    composite = name in COMPOSITE_NAMES or (isclass and name == "Pipeline")
    r = {
        "transformer": isclass and (hasattr(obj, "transform") or hasattr(obj, "fit_transform")),
        "predictor": isclass and hasattr(obj, "predict"),
        "classifier": isclass and issubclass(obj, ClassifierMixin),
        "regressor": isclass and issubclass(obj, RegressorMixin),
        "clusterer": isclass and issubclass(obj, ClusterMixin),
        "splitter": isclass and hasattr(obj, "split") and hasattr(obj, "get_n_splits"),
        "meta": not composite and bool(pnames & META_PARAM_NAMES) and isclass,
        "composite": composite,
        "resampler": (isclass and hasattr(obj, "fit_resample") and name not in ("Pipeline",))
        or name == "resample",
    }
    return r


def random_state_info(obj, name, kind, pdoc, D, measure):
    """Build RandomStateInfo, or None when the object takes no random_state."""
    defaults = defaults_of(obj)
    try:
        pnames = list(inspect.signature(obj).parameters)
    except (TypeError, ValueError):
        return None
    if "random_state" not in pnames:
        return None
    info = {"param": "random_state"}
    pos = [p for p in params_list(obj) if p.kind == p.POSITIONAL_OR_KEYWORD]
    if kind == "function" and "random_state" in [p.name for p in pos]:
        info["position"] = [p.name for p in pos].index("random_state")
    desc = pdoc.get("random_state", ("", ""))[1]
    conds, complete, ev = doc_conditions(desc, set(pnames), pdoc)
    measured = measure()
    flip = None
    if measured == "differ" and not conds and kind != "class-estimator" and not name.startswith("make_"):
        # which boolean switch turns the randomness off? (train_test_split(shuffle=False))
        for p in pnames:
            d = defaults.get(p)
            if isinstance(d, bool):
                if measure({p: not d}) == "same":
                    flip = (p, [d], False)
                    break
    elif measured == "same" and kind != "class-estimator" and not conds:
        for p in pnames:
            d = defaults.get(p)
            if isinstance(d, bool) and measure({p: not d}) == "differ":
                flip = (p, [not d], False)
                break
    mtxt = measured if isinstance(measured, str) else f"skipped ({measured[1]})"
    defaults_hold = any(holds(c, defaults) for c in conds)
    if flip:
        conds, complete = [flip], True
        acts = "conditional"
        ev = (ev + " " if ev else "") + (
            f"measured: outputs differ under defaults and not with {flip[0]}={not flip[1][0]!r}"
            if measured == "differ" else
            f"measured: outputs identical under defaults, differ with {flip[0]}={flip[1][0]!r}")
    elif conds and complete:
        if measured == "differ" and not defaults_hold:
            acts = "always"
            ev = f"measured: outputs differ under defaults although the docstring condition is not met ({ev})"
            log(f"CONTRADICTION {name}: {ev}")
        else:
            acts = "conditional"
            ev = f"{ev} [measured under defaults: {mtxt}]"
    else:
        if measured == "differ":
            acts = "always"
            ev = f"measured: outputs differ between runs under default parameters. Doc: {desc}"
        elif measured == "same":
            if conds:
                acts = "conditional"
                ev = f"{ev} [measured under defaults: same]"
            else:
                acts = "never"
                ev = (f"measured: outputs identical between runs under default parameters on a small "
                      f"dataset. Doc: {desc}")
        else:
            acts = "always"
            ev = f"{mtxt}; docstring names no complete condition: {desc}"
    if acts == "conditional":
        merged = {}
        for c in conds:
            key = (c[0], c[2])
            merged.setdefault(key, [])
            merged[key] += [v for v in c[1] if v not in merged[key]]
        conds = [(k[0], v, k[1]) for k, v in merged.items()]
        info["when"] = [
            dict({"param": c[0], "values": c[1]}, **({"negate": True} if c[2] else {})) for c in conds
        ]
    info["acts"] = acts
    if defaults.get("random_state", None) is not None:
        info["seededByDefault"] = True
    info["evidence"] = re.sub(r"\s+", " ", ev).strip()
    order = ["param", "position", "acts", "when", "seededByDefault", "evidence"]
    info = {k: info[k] for k in order if k in info}
    if measured != "differ" and measured != "same":
        log(f"skip-measure {name}: {measured[1]}")
    return info


def params_list(obj):
    try:
        return list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return []


# --------------------------------------------------------------------------------------------
# public names
# --------------------------------------------------------------------------------------------


def public_modules(pkg):
    mods = [pkg]
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        parts = m.name.split(".")
        if any(p.startswith("_") or p in ("tests", "externals", "conftest", "testing") for p in parts):
            continue
        try:
            mods.append(importlib.import_module(m.name))
        except Exception:  # noqa: BLE001
            pass
    return mods


def name_index(pkg):
    idx = {}
    for mod in public_modules(pkg):
        names = getattr(mod, "__all__", None)
        if names is None:
            continue
        for n in names:
            obj = getattr(mod, n, None)
            if obj is None or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            idx.setdefault(id(obj), (obj, set()))[1].add(f"{mod.__name__}.{n}")
    return idx


def qnames(obj, idx):
    paths = set(idx.get(id(obj), (obj, set()))[1])
    defining = f"{obj.__module__}.{obj.__qualname__}"
    paths.add(defining)
    public = sorted([p for p in paths if not any(s.startswith("_") for s in p.split("."))],
                    key=lambda p: (p.count("."), p))
    primary = public[0] if public else defining
    return primary, sorted(p for p in paths if p != primary)


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------

SKLEARN_FUNCTIONS = [
    ("sklearn.model_selection", None),  # every public function in its __all__
    ("sklearn.inspection", ["permutation_importance"]),
    ("sklearn.utils", ["shuffle", "resample"]),
    ("sklearn.datasets", "make_"),
    ("sklearn.pipeline", ["make_pipeline", "make_union"]),
    ("sklearn.compose", ["make_column_transformer", "make_column_selector"]),
    ("sklearn.metrics", ["make_scorer", "check_scoring", "get_scorer"]),
    ("sklearn.base", ["clone"]),
]


def entity(obj, name, library, idx, D, kind_hint):
    pdoc = parse_params_doc(obj.__doc__)
    qname, aliases = qnames(obj, idx)
    kind = "class" if inspect.isclass(obj) else "function"
    params = params_of(obj, pdoc)
    e = {"qname": qname}
    if aliases:
        e["aliases"] = aliases
    e["library"] = library
    e["kind"] = kind
    e["roles"] = roles_of(obj, name, params)
    e["params"] = params
    if kind_hint == "class-estimator":
        measure = lambda o=None: measure_estimator(obj, D)  # noqa: E731
    elif kind_hint == "splitter":
        measure = lambda o=None: measure_splitter(obj, D, o)  # noqa: E731
    elif kind == "function":
        measure = lambda o=None: measure_function(name, obj, D, o)  # noqa: E731
    else:
        measure = lambda o=None: ("skipped", "not measurable")  # noqa: E731
    rs = random_state_info(obj, name, kind_hint, pdoc, D, measure)
    if rs and kind_hint == "class-estimator":
        rs = refine_random_state(obj, name, rs, pdoc, D)
    if rs:
        e["randomState"] = rs
    if any(p["name"] == "n_jobs" for p in params):
        e["nJobs"] = "n_jobs"
        if kind_hint == "class-estimator":
            nj = njobs_info(obj, name, pdoc)
            if nj:
                e["nJobsEffect"] = nj
    if kind == "class" and callable(getattr(obj, "partial_fit", None)):
        pf = {"classes": "classes" in [p.name for p in params_list(obj.partial_fit)]}
        e["partialFit"] = pf
    return e


def gen_sklearn(D):
    idx = name_index(sklearn)
    ents = {}
    for name, cls in all_estimators():
        e = entity(cls, name, "sklearn", idx, D, "class-estimator")
        ents[e["qname"]] = e
    import sklearn.model_selection as ms

    for n in ms.__all__:
        obj = getattr(ms, n)
        if inspect.isclass(obj) and hasattr(obj, "split") and hasattr(obj, "get_n_splits") \
                and not inspect.isabstract(obj) and not n.startswith("Base"):
            e = entity(obj, n, "sklearn", idx, D, "splitter")
            ents.setdefault(e["qname"], e)
    for modname, sel in SKLEARN_FUNCTIONS:
        mod = importlib.import_module(modname)
        if sel is None:
            names = [n for n in mod.__all__ if inspect.isfunction(getattr(mod, n))]
        elif isinstance(sel, str):
            names = [n for n in mod.__all__ if n.startswith(sel)]
        else:
            names = sel
        for n in names:
            obj = getattr(mod, n)
            e = entity(obj, n, "sklearn", idx, D, "function" if inspect.isfunction(obj) else "class")
            ents.setdefault(e["qname"], e)
    return ents


def gen_imblearn(D):
    import imblearn
    from imblearn.utils.testing import all_estimators as imb_all

    idx = name_index(imblearn)
    ents = {}
    for name, cls in imb_all():
        if name == "ValueDifferenceMetric":
            continue
        e = entity(cls, name, "imblearn", idx, D, "class-estimator")
        ents[e["qname"]] = e
    import imblearn.pipeline as ip

    e = entity(ip.make_pipeline, "make_pipeline", "imblearn", idx, D, "function")
    ents[e["qname"]] = e
    return ents


def write(path, library, version, ents):
    out = {
        "library": library,
        "version": version,
        "generatedBy": (f"server/src/knowledge/generate_sklearn.py with /usr/bin/python3 "
                        f"{platform.python_version()}, numpy {np.__version__}, scikit-learn {sklearn.__version__}"),
        "entities": [ents[k] for k in sorted(ents)],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=False, ensure_ascii=False)
        f.write("\n")


def main(argv):
    t0 = time.time()
    args = [a for a in argv if not a.startswith("--")]
    logfile = None
    if "--log" in argv:
        logfile = argv[argv.index("--log") + 1]
        args = [a for a in args if a != logfile]
    outdir = args[0] if args else HERE
    os.makedirs(outdir, exist_ok=True)
    D = data()
    ents = gen_sklearn(D)
    write(os.path.join(outdir, "sklearn.json"), "sklearn", sklearn.__version__, ents)
    n_imb = 0
    try:
        import imblearn

        imb = gen_imblearn(D)
        write(os.path.join(outdir, "imblearn.json"), "imblearn", imblearn.__version__, imb)
        n_imb = len(imb)
    except ImportError:
        log("imblearn not installed: imblearn.json not written")
    counts = {}
    for e in ents.values():
        a = e.get("randomState", {}).get("acts", "-")
        counts[a] = counts.get(a, 0) + 1
    log(f"sklearn entities: {len(ents)}, randomState acts: {json.dumps(counts, sort_keys=True)}; "
        f"imblearn entities: {n_imb}; took {time.time() - t0:.1f}s")
    text = "\n".join(LOG) + "\n"
    if logfile:
        with open(logfile, "w") as f:
            f.write(text)
    sys.stderr.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
