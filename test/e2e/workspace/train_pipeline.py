"""Trains a model whose pipeline holds a lambda, then saves it: joblib.dump will fail at run time."""
import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

X = np.abs(np.random.default_rng(0).normal(size=(40, 3)))
y = np.arange(40) % 2

pipeline = Pipeline(
    [
        ("log", FunctionTransformer(lambda values: np.log1p(values))),
        ("scale", StandardScaler()),
        ("model", LogisticRegression()),
    ]
)
pipeline.fit(X, y)
joblib.dump(pipeline, "model.joblib")
