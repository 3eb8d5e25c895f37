import { allRules } from '..';
import type { Rule } from '../rule';

/** The data-flow rules SKL301-SKL306 (bench/dataflow.ts times them alone), taken from the one list. */
export const leakageRules: Rule[] = allRules.filter((r) => /^SKL30\d$/.test(r.meta.code));
