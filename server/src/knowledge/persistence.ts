import type { PersistenceSite } from '../dataflow/values';
import type { CallExpr } from '../model/calls';
import { walkExpr, type Expr, type ScopeId } from '../model/ir';
import type { Semantics } from '../model/semantics';

export type { PersistenceSite };

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

/**
 * scikit.js persists through methods and text: `await model.toJSON()` / `model.toObject()` make the
 * artifact (written with `writeFile(path, json)`), `fromJSON(text)` / `fromObject(obj)` rebuild it (from
 * `readFile(path)`). Its serializer does not pickle but drops what it cannot save (functions, custom
 * objects' methods), so `pickles` is true: the same callables make the saved model unusable.
 */
export const SCIKITJS_SAVE_METHODS = new Set(['toJSON', 'toObject']);
export const SCIKITJS_LOADERS = new Set(['scikitjs.fromJSON', 'scikitjs.fromObject']);
const FILE_WRITERS = new Set([
  'fs.writeFile',
  'fs.writeFileSync',
  'fs.promises.writeFile',
  'fs-extra.writeFile',
  'fs-extra.writeFileSync',
  'fs-extra.outputFile',
]);
const FILE_READERS = new Set([
  'fs.readFile',
  'fs.readFileSync',
  'fs.promises.readFile',
  'fs-extra.readFile',
  'fs-extra.readFileSync',
]);

/** scikit.js writes models as JSON (`toJSON` / `toObject`): functions and methods are dropped, not refused as by pickle. */
export function savesAsJson(site: PersistenceSite): boolean {
  return site.api.startsWith('scikitjs.');
}

/** Every save and load in the module: computed once per module version (read-only for callers). */
export function persistenceSites(sem: Semantics): readonly PersistenceSite[] {
  return sem.memo('persistenceSites', () => findPersistenceSites(sem));
}

function findPersistenceSites(sem: Semantics): PersistenceSite[] {
  const out: PersistenceSite[] = [];
  if (sem.module.language === 'typescript') scikitjsSites(sem, out);
  for (const { call, scope, q } of sem.namedCalls) {
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
      object:
        api.objectArg !== undefined ? (positional[api.objectArg]?.value ?? named('value') ?? named('obj')) : undefined,
      destination:
        api.pathArg !== undefined ? (positional[api.pathArg]?.value ?? named('filename') ?? named('file')) : undefined,
    });
  }
  return out;
}

function usesScikitjs(sem: Semantics): boolean {
  return sem.module.imports.some((i) => i.qname === 'scikitjs' || i.qname.startsWith('scikitjs.'));
}

/** The calls `e` contains, directly or through the values of the names it reads (a few steps deep). */
function callsFlowingInto(sem: Semantics, e: Expr, scope: ScopeId, out: Set<Expr> = new Set(), depth = 0): Set<Expr> {
  walkExpr(e, (x) => {
    if (x.k === 'call') out.add(x);
    else if (x.k === 'name' && depth < 4) {
      for (const v of sem.resolve(x, scope))
        if (v.expr !== x && !out.has(v.expr)) callsFlowingInto(sem, v.expr, v.scope, out, depth + 1);
    }
  });
  return out;
}

function scikitjsSites(sem: Semantics, out: PersistenceSite[]): void {
  if (!usesScikitjs(sem)) return;
  // Each toJSON/toObject call -> the writeFile call whose data it flows into (computed once per writer).
  const writerOf = new Map<Expr, CallExpr>();
  const readers = new Set<Expr>();
  for (const { call, scope, q } of sem.namedCalls) {
    if (q && FILE_WRITERS.has(q) && call.args[1]) {
      for (const x of callsFlowingInto(sem, call.args[1].value, scope)) if (!writerOf.has(x)) writerOf.set(x, call);
    } else if (q && FILE_READERS.has(q)) readers.add(call);
  }
  // namedCalls: every call, with its callee's qualified name resolved once per version.
  for (const { call, scope, q } of sem.namedCalls) {
    const callee = call.callee;
    if (callee.k === 'attr' && SCIKITJS_SAVE_METHODS.has(callee.name) && call.args.length === 0) {
      // The file it ends up in: `writeFile(path, await model.toJSON())`, through variables and JSON.stringify.
      const writer = writerOf.get(call);
      out.push({
        kind: 'save',
        api: `scikitjs.${callee.name}`,
        pickles: true,
        call,
        scope,
        object: callee.object,
        destination: writer?.args[0]?.value,
      });
      continue;
    }
    if (q && SCIKITJS_LOADERS.has(q) && call.args[0]) {
      let reader: CallExpr | undefined;
      for (const x of callsFlowingInto(sem, call.args[0].value, scope))
        if (readers.has(x) && x.k === 'call') reader ??= x;
      out.push({ kind: 'load', api: q, pickles: true, call, scope, destination: reader?.args[0]?.value });
    }
  }
}
