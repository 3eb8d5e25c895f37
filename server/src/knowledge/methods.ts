/**
 * Method and function names the lineage analysis understands. Method names are the library concepts
 * (scikit-learn's snake_case names): a front end's `canonical(name)` maps its spelling onto them (scikit.js
 * `fitTransform` -> `fit_transform`), so each concept is listed once. Extend these tables rather than
 * matching names in the analysis.
 */

export const FIT_METHODS = new Set(['fit', 'partial_fit']);
export const FIT_TRANSFORM_METHODS = new Set(['fit_transform']);
export const FIT_PREDICT_METHODS = new Set(['fit_predict']);
export const FIT_RESAMPLE_METHODS = new Set(['fit_resample', 'fit_sample']);
export const TRANSFORM_METHODS = new Set(['transform', 'inverse_transform']);
export const PREDICT_METHODS = new Set([
  'predict',
  'predict_proba',
  'predict_log_proba',
  'decision_function',
  'score_samples',
]);
export const SCORE_METHODS = new Set(['score']);
export const SPLIT_METHODS = new Set(['split']);
/** Methods that return the estimator itself. */
export const SELF_METHODS = new Set(['set_params', 'set_output']);
/** Attributes of a fitted estimator that are (part of) the same fitted object. */
export const SELF_ATTRS = new Set([
  'best_estimator_',
  'estimator_',
  'estimators_',
  'named_steps',
  'steps',
  'named_transformers_',
  'steps_',
  'final_estimator_',
]);

/** Functions that split data into train and test outputs, alternating per input array. */
export const SPLIT_FUNCTIONS = new Set([
  'sklearn.model_selection.train_test_split',
  'sklearn.cross_validation.train_test_split',
  'scikitjs.trainTestSplit',
  'torch.utils.data.random_split',
]);
/** Split functions whose options are positional too: only the first N positional arguments are arrays (`trainTestSplit(X, y, testSize, trainSize, randomState)`). */
export const SPLIT_FUNCTION_ARRAYS: ReadonlyMap<string, number> = new Map([
  ['scikitjs.trainTestSplit', 2],
  ['torch.utils.data.random_split', 1],
]);

/** Cross-validation helpers: the estimator is fitted on folds of `X`. */
export const CV_FUNCTIONS = new Set([
  'sklearn.model_selection.cross_val_score',
  'sklearn.model_selection.cross_validate',
  'sklearn.model_selection.cross_val_predict',
  'sklearn.model_selection.learning_curve',
  'sklearn.model_selection.validation_curve',
  'sklearn.model_selection.permutation_test_score',
  'sklearn.cross_validation.cross_val_score',
  'scikitjs.crossValScore',
]);

/** Raw data sources: loaders of files and datasets. */
export const DATA_SOURCES =
  /^(pandas\.read_\w+|numpy\.(load|loadtxt|genfromtxt|fromfile)|sklearn\.datasets\.(load_\w+|fetch_\w+|make_\w+)|scipy\.io\.loadmat|polars\.read_\w+|scikitjs\.(loadIris|loadBoston|makeRegression|makeLowRankMatrix)|danfojs(-node)?\.(readCSV|readJSON|readExcel))$/;

/** Library functions whose result derives from their data arguments. */
export const DERIVING_MODULES = /^(numpy|pandas|scipy\.sparse)\./;

/** Attributes of a data value that are not data (shape, column names...). */
export const META_ATTRS = new Set([
  'shape',
  'columns',
  'index',
  'dtypes',
  'dtype',
  'size',
  'ndim',
  'feature_names',
  'target_names',
  'DESCR',
  'filename',
  'frame_names',
  'name',
  'empty',
]);

/** Data methods that only describe (return no rows of the data). */
export const META_METHODS = new Set([
  'head',
  'tail',
  'info',
  'describe',
  'nunique',
  'unique',
  'value_counts',
  'isnull',
  'isna',
  'count',
  'plot',
  'to_csv',
  'to_parquet',
  'to_json',
  'corr',
  'hist',
  'keys',
  'items',
  'iterrows',
  'itertuples',
]);

/**
 * Statistics of the data (pandas methods and numpy functions): harmless to print, preprocessing when
 * they are used to change rows (`df.fillna(df.mean())`, `(df - df.mean()) / df.std()`).
 */
export const STAT_METHODS = new Set([
  'mean',
  'median',
  'std',
  'var',
  'mode',
  'min',
  'max',
  'quantile',
  'sum',
  'nanmean',
  'nanmedian',
  'nanstd',
  'percentile',
  'nanpercentile',
  'average',
]);
export const STAT_FUNCTIONS =
  /^numpy\.(mean|median|std|var|min|max|nanmean|nanmedian|nanstd|nanvar|percentile|nanpercentile|quantile|average|amin|amax)$/;

/** Data methods that change rows using the statistics passed to them. */
export const APPLY_METHODS = new Set([
  'fillna',
  'replace',
  'clip',
  'where',
  'mask',
  'map',
  'apply',
  'applymap',
  'transform',
  'pipe',
  'agg',
  'sub',
  'subtract',
  'div',
  'divide',
  'truediv',
  'add',
  'mul',
  'multiply',
]);

/** Data methods that take a function to run over the data (`df.apply(f)`): the file's own `f` is followed. */
export const FUNCTION_TAKING_METHODS = new Set(['apply', 'applymap', 'transform', 'pipe', 'agg', 'aggregate', 'map']);

/**
 * scikit-learn's function-style preprocessing: fits and transforms in one call, on the rows it is given.
 * (`normalize` and `binarize` work row by row and learn nothing: not listed.)
 */
export const FIT_FUNCTIONS =
  /^sklearn\.preprocessing\.(scale|minmax_scale|maxabs_scale|robust_scale|quantile_transform|power_transform)$/;

/** Supervised transformers: fitted with the labels, they leak the target when fitted on all rows. */
export const SUPERVISED_TRANSFORMERS =
  /^(sklearn\.feature_selection\.(?!VarianceThreshold$)\w+|sklearn\.preprocessing\.TargetEncoder|category_encoders\.\w+|sklearn\.cross_decomposition\.\w+)$/;

/** Searches whose `fit` cross-validates the user's data and reports a score (`best_score_`); `LassoCV` & co. tune internally. */
export const SEARCH_CLASSES =
  /\.(GridSearchCV|RandomizedSearchCV|HalvingGridSearchCV|HalvingRandomSearchCV|BayesSearchCV)$/;

/** Names of unknown classes, guessed: models and preprocessing of libraries the knowledge does not cover. */
export const GUESS_PREDICTOR =
  /(Classifier|Regressor|Regression|Sequential|Model|XGB\w*|LGBM\w*|CatBoost\w*|SVM|NB|Net|Forest|Boost\w*)$/;
export const GUESS_TRANSFORMER =
  /(Scaler|Encoder|Vectorizer|Imputer|Mapper|Transformer|PCA|Tokenizer|Selector|Binarizer|Discretizer)$/;
/** Names of unknown functions that load data (`read_mongo`, `get_data`, `load_dataset`...). */
export const GUESS_LOADER = /^(read|load|fetch|get|open|query|download)_?\w*$|(_data|_dataset|_df|_csv)$/i;

/** Builtins that say something about a value without returning its rows. */
export const DESCRIBING_BUILTINS = new Set([
  'len',
  'print',
  'type',
  'isinstance',
  'str',
  'repr',
  'int',
  'float',
  'bool',
  'range',
  'hasattr',
  'getattr',
  'id',
  'hash',
  'round',
  'abs',
  'display',
  'open',
  'input',
  'format',
  'dir',
  'vars',
  'callable',
]);

/** Paths and names of test / validation data (`test.csv`, `df_test`, `X_holdout`, `valid.csv`). */
export const TEST_NAME =
  /(^|[^a-z])(test|testing|holdout|hold_out|submission)([^a-z]|$)|[a-z0-9](Test|Holdout|Submission)([A-Z0-9_]|$)/;
export const VAL_NAME = /(^|[^a-z])(val|valid|validation|dev)([^a-z]|$)|[a-z0-9](Val|Valid|Validation)([A-Z0-9_]|$)/;

/** Function names that mark a function as the inference entry point of a script or service. */
export const INFERENCE_FUNCTION =
  /^(predict|infer|inference|serve|serving|score_new|run_inference|make_predictions?|handler?|lambda_handler)(_\w+|[A-Z]\w*)?$/;

/** Builtins and library functions that pick the best of several scores. */
export const PICK_FUNCTIONS = new Set([
  'max',
  'min',
  'sorted',
  'numpy.argmax',
  'numpy.argmin',
  'numpy.max',
  'numpy.min',
  'numpy.nanargmax',
  'numpy.nanargmin',
  'Math.max',
  'Math.min',
]);
export const PICK_METHODS = new Set(['idxmax', 'idxmin', 'argmax', 'argmin', 'nlargest', 'nsmallest']);

/** Library functions whose result keeps their arguments (so a callable given to them ends up in a model). */
export const KEEPING_FUNCTIONS =
  /\.(make_scorer|make_pipeline|make_union|make_column_transformer|make_column_selector|makePipeline|makeVotingRegressor|makeVotingClassifier)$/;

/** Functions that wrap a callable and keep it (`functools.partial(f, ...)` keeps `f`). */
export const PARTIAL = new Set(['functools.partial', 'toolz.curry']);
