"""Generates tags.json: scikit-learn transformers that learn nothing from the data they are fitted on
(`stateless` / `requires_fit=False` tags) and label encoders (`X_types` == ['1dlabels'] or ['2dlabels']).
Run with the real library: /usr/bin/python3 server/src/knowledge/generate_tags.py > server/src/knowledge/tags.json
"""
import json
import warnings

import sklearn
from sklearn.utils import all_estimators

warnings.filterwarnings("ignore")
stateless, labels = [], []
for name, cls in all_estimators():
    try:
        est = cls()
    except Exception:
        continue
    try:
        tags = est._get_tags()
    except Exception:
        continue
    public = cls.__module__.split("._")[0] + "." + name
    if tags.get("stateless") or not tags.get("requires_fit", True):
        stateless.append(public)
    if any(t in ("1dlabels", "2dlabels") for t in tags.get("X_types", [])):
        labels.append(public)
print(json.dumps({"generatedBy": "server/src/knowledge/generate_tags.py", "sklearn": sklearn.__version__,
                  "stateless": sorted(stateless), "labelEncoders": sorted(labels)}, indent=1))
