"""Runs a fixture under real scikit-learn and reports what happened, for test/system/custom-code.test.ts.

Modes (each prints one JSON object on its last line):
  run FILE          run FILE as __main__; {"ok", "error"}
  predict-twice FILE  run FILE as __main__, then call predict / transform twice on the same rows for every fitted
                    model in its globals (`X` or `X_test` as rows); {"models": [{"name", "same"}]}
  load-elsewhere FILE  run FILE as __main__ (its saves really write files), then load every written
                    .pkl/.joblib/.sav file from another process; {"loads": [{"file", "ok", "error"}]}
  import-save-load FILE FUNCTION  import FILE as a module, call FUNCTION("model.joblib"), load it elsewhere
  facts             SKL701 facts about clone(); {"facts": {...}}
Run in a scratch directory: the script may write files.
"""
import glob
import json
import os
import runpy
import subprocess
import sys


def _error(exc):
    return f"{type(exc).__name__}: {exc}"


def run(path):
    try:
        runpy.run_path(path, run_name="__main__")
        return {"ok": True, "error": None}
    except Exception as exc:  # noqa: BLE001 - the outcome is the point
        return {"ok": False, "error": _error(exc)}


def predict_twice(path):
    import numpy as np

    g = runpy.run_path(path, run_name="__main__")
    rows = g.get("X_test", g.get("X"))
    out = []
    for name, obj in sorted(g.items()):
        method = getattr(obj, "predict", None) or getattr(obj, "transform", None)
        if name.startswith("_") or isinstance(obj, type) or not callable(method) or not hasattr(obj, "get_params"):
            continue
        try:
            a, b = method(rows), method(rows)
        except Exception:  # noqa: BLE001 - unfitted or not applicable: not a model of the fixture
            continue
        out.append({"name": name, "same": bool(np.array_equal(np.asarray(a), np.asarray(b)))})
    return {"models": out}


# The loading process imports the training file as a module first (as a serving app that imports the
# project's code would), then loads: pickle still looks the classes up on its own `__main__`.
LOADER = """import importlib, joblib, pickle, sys
sys.path.insert(0, sys.argv[2])
importlib.import_module(sys.argv[3])
try:
    joblib.load(sys.argv[1])
except Exception:
    with open(sys.argv[1], 'rb') as fh:
        pickle.load(fh)
"""


def _load_all(written, path):
    loads = []
    where, module = os.path.dirname(os.path.abspath(path)), os.path.splitext(os.path.basename(path))[0]
    for f in written:
        r = subprocess.run([sys.executable, "-c", LOADER, f, where, module], capture_output=True, text=True)
        err = r.stderr.strip().splitlines()[-1] if r.returncode else None
        loads.append({"file": f, "ok": r.returncode == 0, "error": err})
    return {"loads": loads}


def load_elsewhere(path):
    before = set(os.listdir("."))
    runpy.run_path(path, run_name="__main__")
    written = sorted(f for f in set(os.listdir(".")) - before if f.endswith((".pkl", ".joblib", ".sav", ".pickle")))
    return _load_all(written, path)


def import_save_load(path, function):
    """Import FILE as a module (not __main__), call FUNCTION("model.joblib"), load it from another process."""
    import importlib

    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    module = importlib.import_module(os.path.splitext(os.path.basename(path))[0])
    getattr(module, function)("model.joblib")
    return _load_all(["model.joblib"], path)


def facts():
    import numpy as np
    from sklearn.base import BaseEstimator, TransformerMixin, clone
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    X, y = make_classification(n_samples=120, random_state=0)
    out = {}

    def attempt(key, fn):
        try:
            out[key] = {"ok": True, "value": fn()}
        except Exception as exc:  # noqa: BLE001
            out[key] = {"ok": False, "error": _error(exc)}

    class Renamed(BaseEstimator):
        def __init__(self, n_components=2):
            self.k = n_components

    class Lowered(BaseEstimator):
        def __init__(self, method="Clip"):
            self.method = method.lower()

    class Abs(BaseEstimator, TransformerMixin):
        def __init__(self, limit=3):
            self.limit = abs(limit)

        def fit(self, X, y=None):
            return self

        def transform(self, X):
            return np.clip(X, -self.limit, self.limit)

    class VarArgs(BaseEstimator):
        def __init__(self, *estimators):
            self.estimators = estimators

    class KwArgs(BaseEstimator):
        def __init__(self, C=1.0, **kwargs):
            self.C = C
            self.kwargs = kwargs

    class Prefitted(BaseEstimator):
        def __init__(self, a=1):
            self.a = a
            self.coef_ = None

        def fit(self, X, y=None):
            self.coef_ = np.zeros(X.shape[1])
            return self

    class Good(BaseEstimator):
        def __init__(self, limit=3):
            self.limit = limit

    attempt("renamed_clone", lambda: repr(clone(Renamed())))
    attempt("lowered_clone", lambda: repr(clone(Lowered())))
    attempt("abs_clone", lambda: clone(Abs(-3)).limit)
    attempt("abs_search", lambda: GridSearchCV(Pipeline([("c", Abs()), ("m", LogisticRegression())]), {"c__limit": [-1, -2]}, cv=3).fit(X, y).best_params_)
    attempt("varargs_get_params", lambda: VarArgs(1).get_params())
    attempt("kwargs_clone", lambda: clone(KwArgs(C=2.0, max_iter=5)).kwargs)
    attempt("prefitted_check", lambda: check_is_fitted(Prefitted()) is None)
    attempt("good_clone", lambda: clone(Good(-3)).limit)
    return {"facts": out}


if __name__ == "__main__":
    mode = sys.argv[1]
    result = {"run": lambda: run(sys.argv[2]), "predict-twice": lambda: predict_twice(sys.argv[2]), "load-elsewhere": lambda: load_elsewhere(sys.argv[2]), "import-save-load": lambda: import_save_load(sys.argv[2], sys.argv[3]), "facts": facts}[mode]()
    print(json.dumps(result))
