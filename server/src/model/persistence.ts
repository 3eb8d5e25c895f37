import type { CallExpr } from './calls';
import type { Expr, ScopeId } from './ir';
import type { Semantics } from './semantics';

/** How a persistence function is called: which argument is the object and which the destination. */
interface PersistenceApi {
  kind: 'save' | 'load';
  /** Saves by pickling: lambdas and local definitions make it fail (cloudpickle and dill do not). */
  pickles: boolean;
  objectArg?: number;
  pathArg?: number;
}

export const PERSISTENCE_APIS: Record<string, PersistenceApi> = {
  'joblib.dump': { kind: 'save', pickles: true, objectArg: 0, pathArg: 1 },
  'sklearn.externals.joblib.dump': { kind: 'save', pickles: true, objectArg: 0, pathArg: 1 },
  'pickle.dump': { kind: 'save', pickles: true, objectArg: 0, pathArg: 1 },
  'pickle.dumps': { kind: 'save', pickles: true, objectArg: 0 },
  '_pickle.dump': { kind: 'save', pickles: true, objectArg: 0, pathArg: 1 },
  'skops.io.dump': { kind: 'save', pickles: true, objectArg: 0, pathArg: 1 },
  'skops.io.dumps': { kind: 'save', pickles: true, objectArg: 0 },
  'cloudpickle.dump': { kind: 'save', pickles: false, objectArg: 0, pathArg: 1 },
  'cloudpickle.dumps': { kind: 'save', pickles: false, objectArg: 0 },
  'joblib.externals.cloudpickle.dump': { kind: 'save', pickles: false, objectArg: 0, pathArg: 1 },
  'dill.dump': { kind: 'save', pickles: false, objectArg: 0, pathArg: 1 },
  'dill.dumps': { kind: 'save', pickles: false, objectArg: 0 },
  'joblib.load': { kind: 'load', pickles: true, pathArg: 0 },
  'sklearn.externals.joblib.load': { kind: 'load', pickles: true, pathArg: 0 },
  'pickle.load': { kind: 'load', pickles: true, pathArg: 0 },
  'pickle.loads': { kind: 'load', pickles: true },
  'skops.io.load': { kind: 'load', pickles: true, pathArg: 0 },
  'skops.io.loads': { kind: 'load', pickles: true },
  'cloudpickle.load': { kind: 'load', pickles: false, pathArg: 0 },
  'dill.load': { kind: 'load', pickles: false, pathArg: 0 },
};

export interface PersistenceSite {
  kind: 'save' | 'load';
  api: string;
  pickles: boolean;
  call: CallExpr;
  scope: ScopeId;
  /** The saved object (saves only). */
  object?: Expr;
  /** The file name or file handle argument. */
  destination?: Expr;
}

export function persistenceSites(sem: Semantics): PersistenceSite[] {
  const out: PersistenceSite[] = [];
  for (const { call, scope } of sem.calls) {
    const q = sem.qname(call.callee, scope);
    if (!q) continue;
    const api = PERSISTENCE_APIS[q];
    if (!api) continue;
    const positional = call.args.filter((a) => !a.name && !a.spread);
    const named = (n: string) => call.args.find((a) => a.name === n)?.value;
    out.push({
      kind: api.kind,
      api: q,
      pickles: api.pickles,
      call,
      scope,
      object: api.objectArg !== undefined ? (positional[api.objectArg]?.value ?? named('value') ?? named('obj')) : undefined,
      destination: api.pathArg !== undefined ? (positional[api.pathArg]?.value ?? named('filename') ?? named('file')) : undefined,
    });
  }
  return out;
}
