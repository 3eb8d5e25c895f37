# %% [markdown]
# Churn exploration notebook (VS Code / Jupytext "percent" cells).

# %%
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.model_selection import KFold, cross_val_score
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

SEED = 7
df = pd.read_csv("data/customers.csv")
y = df.pop("churned")

# %% Customer segments (unsupervised: no split, nothing saved)
segments = KMeans(n_clusters=4, n_init=10).fit_predict(StandardScaler().fit_transform(df))
print(np.bincount(segments))

# %% Cross-validated baseline: scaling inside the pipeline, so each fold scales on its own training part
pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
cv = KFold(n_splits=5, shuffle=True)
print(cross_val_score(pipe, df, y, cv=cv).mean())

# %% An unshuffled KFold is deterministic: no seed needed
print(cross_val_score(pipe, df, y, cv=KFold(n_splits=5)).mean())
