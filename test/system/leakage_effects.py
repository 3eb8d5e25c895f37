"""Measures how much each kind of leakage inflates a held-out score, with real scikit-learn.

Prints one JSON object: for each kind, the score measured the leaky way and the clean way, averaged
over seeds. Run by test/system/leakage-severity.test.ts (the severities of SKL301/SKL305/SKL306 rest
on these figures).
"""
import json
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

warnings.filterwarnings("ignore")
SEEDS = range(10)
out = {}


def mean(xs):
    return float(np.mean(xs))


# Unsupervised scaling fitted before the split (SKL301 without labels): breast cancer, k-NN (scale-sensitive).
X, y = load_breast_cancer(return_X_y=True)
leaky, clean = [], []
for s in SEEDS:
    Xs = StandardScaler().fit_transform(X)
    a, b, ya, yb = train_test_split(Xs, y, test_size=0.3, random_state=s)
    leaky.append(KNeighborsClassifier().fit(a, ya).score(b, yb))
    a, b, ya, yb = train_test_split(X, y, test_size=0.3, random_state=s)
    sc = StandardScaler().fit(a)
    clean.append(KNeighborsClassifier().fit(sc.transform(a), ya).score(sc.transform(b), yb))
out["scaling_before_split"] = {"leaky": mean(leaky), "clean": mean(clean)}

# Supervised feature selection fitted with y before the split (SKL301 with labels): pure noise.
leaky, clean = [], []
for s in SEEDS:
    rng = np.random.RandomState(s)
    Xn = rng.normal(size=(200, 5000))
    yn = np.array([0, 1] * 100)
    Xk = SelectKBest(f_classif, k=20).fit_transform(Xn, yn)
    a, b, ya, yb = train_test_split(Xk, yn, test_size=0.3, random_state=s, stratify=yn)
    leaky.append(LogisticRegression().fit(a, ya).score(b, yb))
    a, b, ya, yb = train_test_split(Xn, yn, test_size=0.3, random_state=s, stratify=yn)
    sel = SelectKBest(f_classif, k=20).fit(a, ya)
    clean.append(LogisticRegression().fit(sel.transform(a), ya).score(sel.transform(b), yb))
out["selection_before_split"] = {"leaky": mean(leaky), "clean": mean(clean)}

# Mean imputation with all rows' mean before the split (pandas statistic): breast cancer with 20% missing.
leaky, clean = [], []
for s in SEEDS:
    rng = np.random.RandomState(s)
    Xm = X.copy()
    Xm[rng.rand(*Xm.shape) < 0.2] = np.nan
    filled = np.where(np.isnan(Xm), np.nanmean(Xm, axis=0), Xm)
    a, b, ya, yb = train_test_split(filled, y, test_size=0.3, random_state=s)
    leaky.append(LogisticRegression(max_iter=5000).fit(a, ya).score(b, yb))
    a, b, ya, yb = train_test_split(Xm, y, test_size=0.3, random_state=s)
    mu = np.nanmean(a, axis=0)
    a2, b2 = np.where(np.isnan(a), mu, a), np.where(np.isnan(b), mu, b)
    clean.append(LogisticRegression(max_iter=5000).fit(a2, ya).score(b2, yb))
out["mean_fill_before_split"] = {"leaky": mean(leaky), "clean": mean(clean)}

# Oversampling (copies of minority rows) before the split (SKL305): imbalanced data, minority recall.
leaky, clean = [], []
for s in SEEDS:
    Xi, yi = make_classification(n_samples=1000, weights=[0.95], flip_y=0.05, random_state=s)
    rng = np.random.RandomState(s)
    minority = np.where(yi == 1)[0]
    extra = rng.choice(minority, size=(yi == 0).sum() - len(minority), replace=True)
    Xo, yo = np.vstack([Xi, Xi[extra]]), np.concatenate([yi, yi[extra]])
    a, b, ya, yb = train_test_split(Xo, yo, test_size=0.3, random_state=s)
    m = DecisionTreeClassifier(random_state=0).fit(a, ya)
    leaky.append(float((m.predict(b)[yb == 1] == 1).mean()))
    a, b, ya, yb = train_test_split(Xi, yi, test_size=0.3, random_state=s)
    mi = np.where(ya == 1)[0]
    ex = rng.choice(mi, size=(ya == 0).sum() - len(mi), replace=True)
    m = DecisionTreeClassifier(random_state=0).fit(np.vstack([a, a[ex]]), np.concatenate([ya, ya[ex]]))
    clean.append(float((m.predict(b)[yb == 1] == 1).mean()))
out["oversampling_before_split"] = {"leaky": mean(leaky), "clean": mean(clean)}

# Selecting the best of 50 candidates on the test set (SKL306): pure noise, the winner's test score.
leaky, clean = [], []
for s in SEEDS:
    rng = np.random.RandomState(s)
    Xn = rng.normal(size=(300, 20))
    yn = rng.randint(0, 2, 300)
    a, rest, ya, yrest = train_test_split(Xn, yn, test_size=0.5, random_state=s)
    v, t, yv, yt = train_test_split(rest, yrest, test_size=0.5, random_state=s)
    models = [DecisionTreeClassifier(max_depth=3, max_features=3, random_state=k).fit(a, ya) for k in range(50)]
    leaky.append(max(m.score(t, yt) for m in models))
    best = max(models, key=lambda m: m.score(v, yv))
    clean.append(best.score(t, yt))
out["selection_on_test_set"] = {"leaky": mean(leaky), "clean": mean(clean)}

print(json.dumps(out))
