/**
 * Method and function names the lineage analysis understands, in Python spelling and in scikit.js
 * (camelCase) spelling. Extend these tables rather than matching names in the analysis.
 */

export const FIT_METHODS = new Set(['fit', 'partial_fit', 'partialFit']);
export const FIT_TRANSFORM_METHODS = new Set(['fit_transform', 'fitTransform']);
export const FIT_PREDICT_METHODS = new Set(['fit_predict', 'fitPredict']);
export const FIT_RESAMPLE_METHODS = new Set(['fit_resample', 'fitResample', 'fit_sample']);
export const TRANSFORM_METHODS = new Set(['transform', 'inverse_transform', 'inverseTransform']);
export const PREDICT_METHODS = new Set([
  'predict',
  'predict_proba',
  'predict_log_proba',
  'decision_function',
  'score_samples',
  'predictProba',
  'decisionFunction',
]);
export const SCORE_METHODS = new Set(['score']);
export const SPLIT_METHODS = new Set(['split']);
/** Methods that return the estimator itself. */
export const SELF_METHODS = new Set(['set_params', 'set_output', 'setParams']);
/** Attributes of a fitted estimator that are (part of) the same fitted object. */
export const SELF_ATTRS = new Set(['best_estimator_', 'estimator_', 'estimators_', 'named_steps', 'steps', 'named_transformers_', 'steps_', 'final_estimator_']);

/** Functions that split data into train and test outputs, alternating per input array. */
export const SPLIT_FUNCTIONS = new Set(['sklearn.model_selection.train_test_split', 'sklearn.cross_validation.train_test_split', 'scikitjs.trainTestSplit']);
/** Split functions whose options are positional too: only the first N positional arguments are arrays (`trainTestSplit(X, y, testSize, trainSize, randomState)`). */
export const SPLIT_FUNCTION_ARRAYS: ReadonlyMap<string, number> = new Map([['scikitjs.trainTestSplit', 2]]);

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

/** Composites whose arguments hold steps. */
export const COMPOSITE_FUNCTIONS = /\.(make_pipeline|make_union|make_column_transformer)$|^imblearn\.pipeline\.make_pipeline$/;

/** Raw data sources: loaders of files and datasets. */
export const DATA_SOURCES = /^(pandas\.read_\w+|pandas\.DataFrame|numpy\.(load|loadtxt|genfromtxt|fromfile)|sklearn\.datasets\.(load_\w+|fetch_\w+|make_\w+)|scipy\.io\.loadmat|polars\.read_\w+|scikitjs\.(loadIris|loadBoston|makeRegression|makeLowRankMatrix)|danfojs(-node)?\.(readCSV|readJSON|readExcel))$/;

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
export const META_METHODS = new Set(['head', 'tail', 'info', 'describe', 'nunique', 'unique', 'value_counts', 'isnull', 'isna', 'sum', 'mean', 'std', 'min', 'max', 'count', 'plot', 'to_csv', 'to_parquet', 'to_json', 'corr', 'hist']);

/** Function names that mark a function as the inference entry point of a script or service. */
export const INFERENCE_FUNCTION = /^(predict|infer|inference|serve|serving|score_new|run_inference|make_predictions?|handler?|lambda_handler)(_\w+|[A-Z]\w*)?$/;

/** Builtins and library functions that pick the best of several scores. */
export const PICK_FUNCTIONS = new Set(['max', 'min', 'sorted', 'numpy.argmax', 'numpy.argmin', 'numpy.max', 'numpy.min', 'numpy.nanargmax', 'numpy.nanargmin', 'Math.max', 'Math.min']);
export const PICK_METHODS = new Set(['idxmax', 'idxmin', 'argmax', 'argmin', 'nlargest', 'nsmallest', 'sort_values']);
