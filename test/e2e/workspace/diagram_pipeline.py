"""A three-step pipeline for the diagram panel."""
import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

X = np.random.default_rng(0).normal(size=(40, 3))
y = np.arange(40) % 2

model = Pipeline(
    [
        ("impute", SimpleImputer(strategy="median")),
        ("scale", StandardScaler()),
        ("classify", LogisticRegression(max_iter=200)),
    ]
)
model.fit(X, y)
