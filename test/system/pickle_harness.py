"""Runs a Python file as __main__ with every joblib/pickle save replaced by a checked round trip.

Each save is attempted for real (pickle.dumps, then pickle.loads of the bytes); the outcome is recorded instead
of raising, so one run reports every save. Prints one JSON object: {"saves": [{"api", "ok", "error", "line"}]} (line: where the script saves).
Usage: python3 pickle_harness.py SCRIPT (run in a scratch directory: the script may write files).
"""
import io
import json
import pickle
import runpy
import sys

import joblib

saves = []


def _check(api, obj):
    try:
        data = pickle.dumps(obj)
        pickle.loads(data)
        saves.append({"api": api, "ok": True, "error": None})
    except Exception as exc:  # noqa: BLE001 - the outcome is the point
        saves.append({"api": api, "ok": False, "error": f"{type(exc).__name__}: {exc}"})


def _joblib_dump(value, filename, *args, **kwargs):
    _check("joblib.dump", value)
    return [str(filename)]


def _pickle_dump(obj, file, *args, **kwargs):
    _check("pickle.dump", obj)


def _pickle_dumps(obj, *args, **kwargs):
    _check("pickle.dumps", obj)
    return b""


joblib.dump = _joblib_dump
pickle.dump = _pickle_dump
pickle.dumps_real = pickle.dumps
real_dumps = pickle.dumps


def _line():
    """Line of the script that called the save (1-based), or None."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename != SCRIPT:
        f = f.f_back
    return f.f_lineno if f is not None else None


def _check_real(api, obj):
    line = _line()
    try:
        pickle.loads(real_dumps(obj))
        saves.append({"api": api, "ok": True, "error": None, "line": line})
    except Exception as exc:  # noqa: BLE001
        saves.append({"api": api, "ok": False, "error": f"{type(exc).__name__}: {exc}", "line": line})


_check = _check_real  # noqa: F811 - keep the real dumps after patching
pickle.dumps = _pickle_dumps

SCRIPT = sys.argv[1]
out = sys.stdout
sys.stdout = io.StringIO()
try:
    runpy.run_path(sys.argv[1], run_name="__main__")
finally:
    sys.stdout = out
print(json.dumps({"saves": saves}))
