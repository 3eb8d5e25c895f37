"""A churn model over a wide table: the column lists and the grid are longer than a box can show."""
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

numeric = ["tenure_months", "monthly_charges", "total_charges", "support_calls_90d", "late_payments_12m", "avg_session_minutes", "days_since_last_login"]
categorical = ["contract_type", "payment_method", "internet_service", "region_code"]

pre = ColumnTransformer(
    [
        ("num", StandardScaler(), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
    ]
)
model = Pipeline([("pre", pre), ("gb", GradientBoostingClassifier(random_state=0))])
search = GridSearchCV(
    model,
    param_grid={"gb__n_estimators": [100, 200, 400], "gb__learning_rate": [0.03, 0.1, 0.3], "gb__max_depth": [2, 3, 4]},
    cv=5,
)

churn = pd.read_csv("churn.csv")
X_train, X_test, y_train, y_test = train_test_split(churn[numeric + categorical], churn["churned"], random_state=0)
search.fit(X_train, y_train)
print(search.score(X_test, y_test))
