/**
 * Generators of big, realistic Python files (issue 16 item 7): a long scikit-learn script of many
 * pipelines, and a file of many lambdas in FunctionTransformers. Shared by bench/bigfile.ts and the
 * work-count regression test; deterministic (no randomness), so figures are comparable across runs.
 */

const HEADER = `"""Feature experiments for the churn model: many candidate pipelines, each fitted, scored and saved."""
import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

SEED = 7
df = pd.read_csv("churn.csv")
y = df.pop("churned")
X_train, X_test, y_train, y_test = train_test_split(df, y, test_size=0.2, random_state=SEED)
`;

/** One experiment block (~1.2 KB): a pipeline with a lambda step, a search, a score and a save. */
function experiment(i: number): string {
  return `

# Experiment ${i}: log-scaled spend with ${i % 2 === 0 ? 'a forest' : 'boosting'}
numeric_${i} = ["spend_${i % 13}", "tenure", "calls_${i % 5}"]
categorical_${i} = ["plan", "region_${i % 3}"]
pre_${i} = ColumnTransformer(
    [
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric_${i}),
        ("cat", OneHotEncoder(handle_unknown="ignore"), categorical_${i}),
    ]
)
pipe_${i} = Pipeline(
    [
        ("log", FunctionTransformer(lambda X: np.log1p(np.abs(X)) * ${(i % 9) + 1})),
        ("pre", pre_${i}),
        ("model", ${i % 2 === 0 ? `RandomForestClassifier(n_estimators=${50 + (i % 4) * 50}, random_state=SEED)` : `GradientBoostingClassifier(learning_rate=0.${(i % 9) + 1}, random_state=SEED)`}),
    ]
)
search_${i} = GridSearchCV(pipe_${i}, {"model__max_depth": [3, 5, ${(i % 7) + 6}]}, cv=KFold(5, shuffle=True, random_state=SEED))
search_${i}.fit(X_train, y_train)
scores_${i} = cross_val_score(search_${i}.best_estimator_, X_train, y_train, cv=5)
print(${i}, scores_${i}.mean(), search_${i}.score(X_test, y_test))
joblib.dump(search_${i}.best_estimator_, "model_${i}.joblib")
`;
}

/** A long scikit-learn script of about `bytes` bytes: many pipelines, each with a lambda step, fitted and saved. */
export function pipelinesScript(bytes: number): string {
  const parts = [HEADER];
  let size = HEADER.length;
  for (let i = 0; size < bytes; i++) {
    const block = experiment(i);
    parts.push(block);
    size += block.length;
  }
  return parts.join('');
}

/** `n` lambdas, each in a FunctionTransformer of its own module-level pipeline (the probe's 20,000-lambda file). */
export function lambdasScript(n: number): string {
  const lines = [
    'import numpy as np',
    'from sklearn.linear_model import LogisticRegression',
    'from sklearn.pipeline import make_pipeline',
    'from sklearn.preprocessing import FunctionTransformer',
    '',
  ];
  for (let i = 0; i < n; i++) {
    lines.push(
      `step_${i} = make_pipeline(FunctionTransformer(lambda X, k=${i}: np.clip(X * k, -${(i % 50) + 1}, ${(i % 50) + 1}) + np.log1p(np.abs(X))), LogisticRegression(C=0.${(i % 9) + 1}, max_iter=${100 + (i % 5) * 50}))`,
    );
  }
  return `${lines.join('\n')}\n`;
}
