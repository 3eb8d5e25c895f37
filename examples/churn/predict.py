"""Prediction service: scores a batch of customers with the model that train.py saved."""
import joblib
import pandas as pd
from sklearn.preprocessing import StandardScaler

MODEL_PATH = "artifacts/churn_model.joblib"

model = joblib.load(MODEL_PATH)


def predict_batch(batch: pd.DataFrame):
    # The model was trained on scaled features, so scale the batch the same way... or so it seems.
    scaler = StandardScaler()
    features = scaler.fit_transform(batch)
    return model.predict_proba(features)[:, 1]


if __name__ == "__main__":
    batch = pd.read_csv("data/todays_customers.csv")
    print(predict_batch(batch))
