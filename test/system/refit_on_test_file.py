"""Does refitting preprocessing on a separate test file change predictions? (the pattern of the ASE'22
analyser's overlap no-leak case nb_598984: train file encoded and scaled, test file encoded and scaled again
with new LabelEncoder / OneHotEncoder / StandardScaler fits). Prints one JSON object; run by
test/system/leakage-severity.test.ts. The test file does not inform training (no leak): the question is
whether the test predictions are those of the trained model (train/serve skew).
"""
import json
import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import LabelEncoder, StandardScaler

warnings.filterwarnings("ignore")
rng = np.random.RandomState(0)
EDUCATION = ["graduate school", "high school", "others", "university"]


def frame(n, shift=0.0, education=EDUCATION):
    df = pd.DataFrame({
        "EDUCATION": rng.choice(education, n),
        "LIMIT": rng.normal(50 + shift, 20, n),
        "BILL": rng.normal(30 + shift, 10, n),
    })
    risk = df.EDUCATION.map({"graduate school": -1.0, "high school": 1.0, "others": 0.5, "university": 0.0})
    df["DEFAULT"] = (risk - (df.LIMIT - 50) / 20 + rng.normal(0, 0.5, n) > 0).astype(int)
    return df


def features(df, le, sc, refit):
    X = df[["EDUCATION", "LIMIT", "BILL"]].copy()
    X["EDUCATION"] = le.fit_transform(X.EDUCATION) if refit else le.transform(X.EDUCATION)
    return sc.fit_transform(X) if refit else sc.transform(X)


train = frame(3000)
le, sc = LabelEncoder(), StandardScaler()
model = LogisticRegression().fit(features(train, le, sc, refit=True), train.DEFAULT)
out = {}
cases = {
    "same_distribution": frame(1000),
    "later_month_shifted": frame(1000, shift=10.0),
    "batch_without_graduate_school": frame(1000, education=EDUCATION[1:]),
}
for name, test in cases.items():
    kept = model.predict(features(test, le, sc, refit=False))
    refit = model.predict(features(test, LabelEncoder(), StandardScaler(), refit=True))
    out[name] = {
        "rows": len(test),
        "changed": int((kept != refit).sum()),
        "accuracy_kept": float((kept == test.DEFAULT).mean()),
        "accuracy_refit": float((refit == test.DEFAULT).mean()),
    }
print(json.dumps(out))
