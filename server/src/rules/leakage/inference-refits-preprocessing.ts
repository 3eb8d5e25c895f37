import { originOf, type FitRecord, type LineageResult, type LoadRecord } from '../../dataflow/values';
import { artifactKey, keysMatch } from '../../workspace/artifacts';
import { FACT_BARE_MODEL_ON_TRANSFORMED, summarizeModule } from '../../workspace/index';
import type { ArtifactSave } from '../../workspace/view';
import type { Rule } from '../rule';
import { isStatefulTransformer, lineage, once, shortName } from './shared';

/**
 * SKL304 inference-refits-preprocessing (cross-file): code that loads a model saved elsewhere without its
 * preprocessing fits a new transformer on the incoming data and feeds the model with it. The features are
 * scaled with the new batch's statistics, not the training ones: predictions change with the batch.
 */
export const inferenceRefitsPreprocessing: Rule = {
  meta: {
    code: 'SKL304',
    name: 'inference-refits-preprocessing',
    summary: 'Inference code fits its own preprocessing on incoming data for a model saved without its fitted preprocessing.',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const L = lineage(ctx);
    if (L.loads.length === 0) return;
    const first = once(ctx, 'SKL304');
    for (const load of L.loads) {
      const key = artifactKey(ctx.sem, load.site.destination, load.scope);
      if (!key) continue;
      // Other files through the workspace index; this file's own saves too (a train() and a predict() side by side).
      const own = summarizeModule(ctx.module, ctx.sem).saves.filter((s) => keysMatch(s.key, key));
      const others = (ctx.workspace?.savesOf(key) ?? []).filter((s) => s.uri !== ctx.module.uri);
      const saves = [...others, ...own].filter((s) => s.facts.includes(FACT_BARE_MODEL_ON_TRANSFORMED));
      if (saves.length === 0) continue;
      for (const f of refitsFeeding(L, load)) {
        if (!first(f.call.range)) continue;
        const save = saves[0];
        const cls = shortName(f.inst.qname);
        const trained = transformersOf(save);
        ctx.report({
          range: f.call.range,
          message: `\`${cls}\` is fitted here on the incoming data, but the loaded model was trained on features from a ${trained || 'transformer'} fitted on the training data${save.uri === ctx.module.uri ? '' : ` (${fileName(save.uri)})`}: predictions depend on each batch. Save the fitted preprocessing with the model (one Pipeline) and only transform here.`,
          related: [{ uri: save.uri, range: save.range, message: 'model trained and saved here without its preprocessing' }],
        });
      }
    }
  },
};

/** Fits of stateful transformers on non-training data whose output reaches the loaded model. */
function refitsFeeding(L: LineageResult, load: LoadRecord): FitRecord[] {
  const out: FitRecord[] = [];
  for (const p of L.predicts) {
    if (p.inst !== load.inst || !p.X) continue;
    for (const f of p.X.via) {
      if (!isStatefulTransformer(f.inst) || f.inst.implicit || !f.X) continue;
      const o = originOf(f.X);
      if (o === 'train') continue;
      if (!out.includes(f)) out.push(f);
    }
  }
  return out;
}

function transformersOf(save: ArtifactSave): string {
  return [...new Set(save.facts.filter((f) => f.startsWith('transformer:')).map((f) => `\`${shortName(f.slice('transformer:'.length))}\``))].join(', ');
}

function fileName(uri: string): string {
  return uri.split(/[\\/]/).pop() ?? uri;
}
