"""Saved with source.fixAll.pipelint on save: the lambda and the unseeded forest are fixed, the scaler fitted before the split is not."""
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

SEED = 7

df = pd.read_csv("churn.csv")
X = StandardScaler().fit_transform(df.drop(columns=["churned"]).values)
X_train, X_test, y_train, y_test = train_test_split(X, df["churned"].values, random_state=SEED)

pipeline = Pipeline(
    [
        ("log", FunctionTransformer(lambda values: np.log1p(np.abs(values)))),
        ("forest", RandomForestClassifier(n_estimators=20)),
    ]
)
pipeline.fit(X_train, y_train)
print(pipeline.score(X_test, y_test))
