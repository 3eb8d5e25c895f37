"""Train the churn model and save it for the prediction service (predict.py)."""
import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

MODEL_PATH = "artifacts/churn_model.joblib"


def load_customers(path="data/customers.csv"):
    df = pd.read_csv(path)
    y = df.pop("churned").to_numpy()
    return df, y


def train_baseline(df, y):
    """Logistic regression on log-scaled spend. Saved for the nightly batch job."""
    def winsorize(X):
        return np.clip(X, np.percentile(X, 1), np.percentile(X, 99))

    pipe = Pipeline(
        [
            ("winsorize", FunctionTransformer(winsorize)),
            ("log", FunctionTransformer(lambda X: np.log1p(np.abs(X)))),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(max_iter=1000)),
        ]
    )
    pipe.fit(df, y)
    joblib.dump(pipe, "artifacts/baseline.joblib")
    return pipe


def train_forest(df, y):
    """Random forest on scaled features, tuned by grid search."""
    scaler = StandardScaler()
    X = scaler.fit_transform(df)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)

    forest = RandomForestClassifier(n_estimators=300, n_jobs=-1)
    search = GridSearchCV(forest, {"max_depth": [4, 8, None]}, cv=5, n_jobs=-1)
    search.fit(X_train, y_train)
    print("held-out accuracy:", search.score(X_test, y_test))

    joblib.dump(search.best_estimator_, MODEL_PATH)
    return search.best_estimator_


if __name__ == "__main__":
    customers, churned = load_customers()
    train_baseline(customers, churned)
    train_forest(customers, churned)
