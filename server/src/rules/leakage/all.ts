import type { Rule } from '../rule';
import { inferenceRefitsPreprocessing } from './inference-refits-preprocessing';
import { modelSavedWithoutPreprocessing } from './model-saved-without-preprocessing';
import { preprocessingFitBeforeSplit } from './preprocessing-fit-before-split';
import { preprocessingRefitOnTest } from './preprocessing-refit-on-test';
import { resamplingBeforeSplit } from './resampling-before-split';
import { testSetReusedForSelection } from './test-set-reused-for-selection';

/** The data-flow rules SKL301-SKL306, in code order. */
export const leakageRules: Rule[] = [
  preprocessingFitBeforeSplit,
  preprocessingRefitOnTest,
  modelSavedWithoutPreprocessing,
  inferenceRefitsPreprocessing,
  resamplingBeforeSplit,
  testSetReusedForSelection,
];
