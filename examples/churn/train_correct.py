"""The same model done right: preprocessing inside the pipeline, seeded, saved as one artifact."""
import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

RANDOM_STATE = 0
NUMERIC = ["tenure", "monthly_spend"]
CATEGORICAL = ["plan", "region"]


def log_spend(X):
    return np.log1p(X)


def main():
    df = pd.read_csv("data/customers.csv")
    y = df.pop("churned")
    X_train, X_test, y_train, y_test = train_test_split(df, y, test_size=0.2, random_state=RANDOM_STATE, stratify=y)

    features = ColumnTransformer(
        [
            ("num", Pipeline([("log", FunctionTransformer(log_spend)), ("scale", StandardScaler())]), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]
    )
    model = Pipeline([("features", features), ("forest", RandomForestClassifier(n_estimators=300, random_state=RANDOM_STATE))])
    search = GridSearchCV(model, {"forest__max_depth": [4, 8, None]}, cv=5, n_jobs=-1)
    search.fit(X_train, y_train)
    print("held-out accuracy:", search.score(X_test, y_test))
    joblib.dump(search.best_estimator_, "artifacts/churn_pipeline.joblib")


if __name__ == "__main__":
    main()
