import { reachableInsts } from './values';
import type { FitRecord, Inst, LineageResult, SaveRecord } from './values';

/** A saved model whose features came out of fitted transformers that are not saved with it. */
export interface UnbundledModel {
  save: SaveRecord;
  model: Inst;
  /** The model's fit that the saved state comes from. */
  fit: FitRecord;
  /** Fits of the transformers that produced its features and are saved nowhere. */
  missing: FitRecord[];
}

/** Per lineage: SKL303 and the workspace summary both ask, on every keystroke. */
const cache = new WeakMap<LineageResult, readonly UnbundledModel[]>();

/** Every save of a bare model (or a bundle without its preprocessing) fitted on transformed features. */
export function unbundledModels(L: LineageResult): readonly UnbundledModel[] {
  const known = cache.get(L);
  if (known) return known;
  const bundles = L.saves.map((s) => reachableInsts(s.value));
  const savedAnywhere = new Set<Inst>();
  for (const bundle of bundles) for (const i of bundle) savedAnywhere.add(i);
  const out: UnbundledModel[] = [];
  for (const [k, save] of L.saves.entries()) {
    const inBundle = bundles[k];
    for (const model of inBundle) {
      if (model.kind !== 'predictor' && model.kind !== 'search') continue;
      const fit = lastFitBefore(model, save.seq);
      if (!fit?.X) continue;
      const missing = fit.X.via.filter(
        // Statistics and function-style fits are not objects one could save with the model.
        (f) =>
          f.inst.kind === 'transformer' &&
          !f.inst.stateless &&
          !f.inst.implicit &&
          !inBundle.has(f.inst) &&
          !savedAnywhere.has(f.inst),
      );
      if (missing.length > 0) out.push({ save, model, fit, missing });
    }
  }
  cache.set(L, out);
  return out;
}

export function lastFitBefore(inst: Inst, seq: number): FitRecord | undefined {
  let last: FitRecord | undefined;
  for (const f of inst.fits) if (f.seq < seq && (!last || f.seq > last.seq)) last = f;
  return last;
}
