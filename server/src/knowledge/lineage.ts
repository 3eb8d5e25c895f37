import { Interpreter } from '../dataflow/interpreter';
import type { LineageResult } from '../dataflow/values';
import type { ModuleIR } from '../model/ir';
import type { Semantics } from '../model/semantics';
import { LibraryCalls } from './calls';
import type { EntityInfo } from './types';

const cache = new WeakMap<ModuleIR, LineageResult>();

/**
 * The lineage of a module: the generic interpreter run with the models of library calls. Computed once
 * per lowered module (shared by the rules and the workspace index).
 */
export function lineageOf(sem: Semantics, lookup: (q: string | undefined) => EntityInfo | undefined): LineageResult {
  let r = cache.get(sem.module);
  if (!r) {
    r = new Interpreter(sem, new LibraryCalls(sem, lookup)).run();
    cache.set(sem.module, r);
  }
  return r;
}
