/**
 * What pipelint knows about library classes and functions. Generated from the real libraries
 * (scikit-learn through /usr/bin/python3, scikit.js through its .d.ts), never typed by hand.
 */

export type EntityKind = 'class' | 'function';

/** Roles a class plays; a class may have several (a Pipeline is composite + predictor...). */
export interface Roles {
  transformer: boolean;
  predictor: boolean;
  classifier: boolean;
  regressor: boolean;
  clusterer: boolean;
  splitter: boolean;
  /** Wraps one or more estimators given as parameters (GridSearchCV, BaggingClassifier, OneVsRestClassifier...). */
  meta: boolean;
  /** Holds a list of steps or transformers (Pipeline, FeatureUnion, ColumnTransformer, make_pipeline...). */
  composite: boolean;
  /** Oversampler / undersampler (fit_resample). */
  resampler: boolean;
}

export type LiteralValue = string | number | boolean | null;

export interface ParamInfo {
  name: string;
  kind: 'positional' | 'keyword' | 'varargs' | 'kwargs';
  /** Python repr (or JS source) of the default value, when there is one. */
  default?: string;
  /** The parameter takes a callable (func, inverse_func, tokenizer, score_func, ...). */
  callable?: boolean;
  /** The parameter takes an estimator or a list of (name, estimator) steps. */
  estimator?: boolean;
}

/** One condition: `param` has one of `values` (the default value counts when the argument is absent). */
export interface ParamCondition {
  param: string;
  values: LiteralValue[];
  /** When true the condition holds if `param` has none of `values` ("Ignored if `jitter` is None"). */
  negate?: boolean;
  /**
   * Conditions that must all hold too (measured: `solver='liblinear'` draws random numbers only with
   * `penalty='l1'` or `dual=True`).
   */
  and?: ParamCondition[];
}

export interface RandomStateInfo {
  /** Parameter name: `random_state` in scikit-learn, `randomState` in scikit.js. */
  param: string;
  /** Position when it can be passed positionally (scikit.js trainTestSplit: 4). */
  position?: number;
  /**
   * 'always': randomness acts under every setting; 'conditional': only when any of `when` holds;
   * 'never': accepted but unused (kept for compatibility).
   */
  acts: 'always' | 'conditional' | 'never';
  when?: ParamCondition[];
  /**
   * The only methods whose results the randomness changes, when it does not reach them all (measured:
   * `SVC(probability=True)` changes `predict_proba` and `predict_log_proba`; `predict`,
   * `decision_function` and `score` stay the same). Absent: every result may change.
   */
  outputs?: string[];
  /** The docstring sentence the condition was derived from. */
  evidence?: string;
  /**
   * The random_state parameter has a fixed non-None default (Perceptron, FactorAnalysis,
   * permutation_test_score: `random_state=0`), so a call without it is reproducible.
   */
  seededByDefault?: boolean;
}

export interface EntityInfo {
  /** Public qualified name, e.g. `sklearn.preprocessing.StandardScaler`, `scikitjs.KMeans`. */
  qname: string;
  /** Other public names for the same object (e.g. `sklearn.linear_model._logistic.LogisticRegression`). */
  aliases?: string[];
  library: string;
  kind: EntityKind;
  roles: Roles;
  params: ParamInfo[];
  randomState?: RandomStateInfo;
  /** Name of the n_jobs-like parameter if it takes one. */
  nJobs?: string;
  /** Settings under which `n_jobs` is unused (docstring conditions confirmed by measurement). */
  nJobsEffect?: NJobsEffect;
  /** The class has `partial_fit` (incremental learning); `classes` when it takes `classes=` (required on the first call). */
  partialFit?: { classes: boolean };
  /**
   * A second `fit` continues training the model the first one built instead of starting over (scikit.js's
   * SGD family keeps its TensorFlow model across `fit` calls). Fitting batch by batch then learns them all.
   */
  fitContinues?: boolean;
}

/**
 * When `n_jobs` makes the estimator dispatch parallel work. It is unused when `needs` is given and
 * none of its conditions holds, or when any `ignoredWhen` condition holds.
 */
export interface NJobsEffect {
  needs?: ParamCondition[];
  ignoredWhen?: ParamCondition[];
  /** The docstring sentences and the measurement (tasks dispatched to joblib with n_jobs=2). */
  evidence: string;
}

export interface KnowledgeFile {
  library: string;
  version: string;
  generatedBy: string;
  entities: EntityInfo[];
}
