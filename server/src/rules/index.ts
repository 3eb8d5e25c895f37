import { fitInChunkLoop } from './batching/fit-in-chunk-loop';
import { estimatorInitNotCloneSafe } from './estimator-api/estimator-init-not-clone-safe';
import { fitDoesNotReturnSelf } from './estimator-api/fit-does-not-return-self';
import { inferenceRefitsPreprocessing } from './leakage/inference-refits-preprocessing';
import { modelSavedWithoutPreprocessing } from './leakage/model-saved-without-preprocessing';
import { preprocessingFitBeforeSplit } from './leakage/preprocessing-fit-before-split';
import { preprocessingRefitOnTest } from './leakage/preprocessing-refit-on-test';
import { resamplingBeforeSplit } from './leakage/resampling-before-split';
import { testSetReusedForSelection } from './leakage/test-set-reused-for-selection';
import { nJobsWithoutEffect } from './parallelism/n-jobs-without-effect';
import { nestedParallelism } from './parallelism/nested-parallelism';
import { threadingBackendPythonStep } from './parallelism/threading-backend-python-step';
import { randomnessInCustomStep } from './reproducibility/randomness-in-custom-step';
import { unseededRandomness } from './reproducibility/unseeded-randomness';
import type { Rule } from './rule';
import { untrustedModelLoad } from './security/untrusted-model-load';
import { modelSavedUnpinnedSklearn } from './versions/model-saved-unpinned-sklearn';
import { lambdaInEstimator } from './serialization/lambda-in-estimator';
import { localClassInPipeline } from './serialization/local-class-in-pipeline';
import { localFunctionInEstimator } from './serialization/local-function-in-estimator';
import { mainModuleClassPickled } from './serialization/main-module-class-pickled';
import { unpicklableAttribute } from './serialization/unpicklable-attribute';
import { unpicklableModelSaved } from './serialization/unpicklable-model-saved';

/** Every rule, in code order: the one list (a meta-test checks each has a doc and fixtures). */
export const allRules: Rule[] = [
  lambdaInEstimator,
  localFunctionInEstimator,
  localClassInPipeline,
  unpicklableModelSaved,
  mainModuleClassPickled,
  unpicklableAttribute,
  unseededRandomness,
  randomnessInCustomStep,
  preprocessingFitBeforeSplit,
  preprocessingRefitOnTest,
  modelSavedWithoutPreprocessing,
  inferenceRefitsPreprocessing,
  resamplingBeforeSplit,
  testSetReusedForSelection,
  nestedParallelism,
  nJobsWithoutEffect,
  threadingBackendPythonStep,
  modelSavedUnpinnedSklearn,
  untrustedModelLoad,
  fitInChunkLoop,
  estimatorInitNotCloneSafe,
  fitDoesNotReturnSelf,
];

export function ruleByCode(code: string): Rule | undefined {
  return allRules.find((r) => r.meta.code === code.toUpperCase());
}
