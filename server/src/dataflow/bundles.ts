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

/** Every save of a bare model (or a bundle without its preprocessing) fitted on transformed features. */
export function unbundledModels(L: LineageResult): UnbundledModel[] {
  const savedAnywhere = new Set<Inst>();
  for (const s of L.saves) for (const i of reachableInsts(s.value)) savedAnywhere.add(i);
  const out: UnbundledModel[] = [];
  for (const save of L.saves) {
    const inBundle = reachableInsts(save.value);
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
  return out;
}

export function lastFitBefore(inst: Inst, seq: number): FitRecord | undefined {
  let last: FitRecord | undefined;
  for (const f of inst.fits) if (f.seq < seq && (!last || f.seq > last.seq)) last = f;
  return last;
}
