import { originOf, type FitRecord, type Inst, type LineageResult, type LoadRecord } from '../../dataflow/values';
import type { Range } from '../../model/ir';
import { artifactKey, baseName, keysMatch } from '../../workspace/artifacts';
import {
  FACT_BARE_MODEL_ON_TRANSFORMED,
  FACT_CLASS,
  FACT_PIPELINE,
  FACT_STEP,
  summarizeModule,
} from '../../workspace/index';
import type { ArtifactSave } from '../../workspace/view';
import type { Rule, RuleContext } from '../rule';
import { isStatefulTransformer, lineage, once, shortName } from './shared';

/**
 * SKL304 inference-refits-preprocessing (cross-file): code that loads a model saved elsewhere without its
 * preprocessing fits a new transformer on the incoming data and feeds the model with it. The features are
 * scaled with the new batch's statistics, not the training ones: predictions change with the batch. A loaded
 * Pipeline that already scales, fed data the file scaled, sees features scaled twice.
 */
type OwnSave = ReturnType<typeof summarizeModule>['saves'][number];

/**
 * This file's own saves of the artifact `key`, in file order: those whose base name is the key's, or has a `*`
 * (what `keysMatch` can accept). Comparing every load's key with every save's cost 6,400 comparisons for a file
 * of 80 train-and-reload functions, on each keystroke.
 */
function ownSavesOf(ctx: RuleContext, key: string): OwnSave[] {
  const own = ctx.memo('SKL304.ownSaves', () => {
    const saves = summarizeModule(ctx.module, ctx.sem).saves;
    const byBase = new Map<string, number[]>();
    saves.forEach((s, i) => {
      const base = baseName(s.key).includes('*') ? '*' : baseName(s.key);
      const list = byBase.get(base);
      if (list) list.push(i);
      else byBase.set(base, [i]);
    });
    return { saves, byBase };
  });
  const base = baseName(key);
  if (base.includes('*')) return own.saves.filter((s) => keysMatch(s.key, key));
  const exact = own.byBase.get(base) ?? [];
  const globbed = own.byBase.get('*') ?? [];
  const candidates = globbed.length === 0 ? exact : [...exact, ...globbed].sort((a, b) => a - b);
  return candidates.map((i) => own.saves[i]).filter((s) => keysMatch(s.key, key));
}

export const inferenceRefitsPreprocessing: Rule = {
  meta: {
    code: 'SKL304',
    name: 'inference-refits-preprocessing',
    summary:
      'Inference code fits its own preprocessing on incoming data for a model saved without its fitted preprocessing, or scales again data that a loaded Pipeline scales itself.',
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
      const own = ownSavesOf(ctx, key);
      const others = (ctx.workspace?.savesOf(key) ?? []).filter((s) => s.uri !== ctx.module.uri);
      const all = others.length === 0 ? own : [...others, ...own];
      doubleScaling(ctx, L, load, all, first);
      const saves = all.filter((s) => s.facts.includes(FACT_BARE_MODEL_ON_TRANSFORMED));
      if (saves.length === 0) continue;
      for (const f of refitsFeeding(L, load)) {
        if (!first(f.call.range)) continue;
        const save = saves[0];
        const cls = shortName(f.inst.qname);
        const trained = transformersOf(save);
        ctx.report({
          range: f.call.range,
          message: `\`${cls}\` is fitted here on the incoming data, but the loaded model was trained on features from a ${trained || 'transformer'} fitted on the training data${save.uri === ctx.module.uri ? '' : ` (${fileName(save.uri)})`}: predictions depend on each batch. Save the fitted preprocessing with the model (one Pipeline) and only transform here.`,
          related: [
            { uri: save.uri, range: save.range, message: 'model trained and saved here without its preprocessing' },
          ],
        });
      }
    }
  },
};

/** Scalers, which a second application distorts rather than merely repeats. */
const SCALING = /(Scaler|PowerTransformer|QuantileTransformer)$/;

const isStepFact = (fact: string) => fact.startsWith(`${FACT_STEP}:`);

function stepsOf(save: ArtifactSave): string[] {
  return save.facts.filter(isStepFact).map((f) => f.slice(FACT_STEP.length + 1));
}

function classOf(save: ArtifactSave): string | undefined {
  return save.facts.find((f) => f.startsWith(`${FACT_CLASS}:`))?.slice(FACT_CLASS.length + 1);
}

/** The step of the saved pipeline that the file's own transformer `q` applies a second time. */
function sameStep(steps: string[], q: string): string | undefined {
  return steps.find((s) => s === q) ?? (SCALING.test(q) ? steps.find((s) => SCALING.test(s)) : undefined);
}

/**
 * A loaded model that is itself a Pipeline which already scales, fed data the file scaled (with its own
 * transformer, fitted here or loaded): the features are scaled twice.
 */
function doubleScaling(
  ctx: RuleContext,
  L: LineageResult,
  load: LoadRecord,
  saves: ArtifactSave[],
  first: (r: Range) => boolean,
): void {
  // The steps are listed only for the saved pipeline found (80 loads of the scikit.js bench file asked every save).
  const pipe = saves.find((s) => s.facts.includes(FACT_PIPELINE) && s.facts.some(isStepFact));
  if (!pipe) return;
  const steps = stepsOf(pipe);
  for (const p of L.predicts) {
    if (p.inst !== load.inst || !p.X) continue;
    for (const inst of p.X.transformedBy) {
      if (inst === load.inst || (inst.kind !== 'transformer' && inst.kind !== 'loaded') || inst.implicit) continue;
      let q: string | undefined = inst.qname;
      if (inst.kind === 'loaded') {
        // A scaler loaded from its own artifact: its class is known from its save.
        const key = inst.load ? artifactKey(ctx.sem, inst.load.destination, inst.scope) : undefined;
        const saved = key ? [...(ctx.workspace?.savesOf(key) ?? []), ...ownSavesOf(ctx, key)] : [];
        q = saved.map(classOf).find((c) => c !== undefined);
      }
      const step = q ? sameStep(steps, q) : undefined;
      if (!q || !step) continue;
      const where = applicationOf(L, inst, p.seq);
      if (!where || !first(where)) continue;
      const twice = SCALING.test(q) && SCALING.test(step) ? 'scaled twice' : 'transformed twice';
      ctx.report({
        range: where,
        message: `Double scaling: the data is transformed here by \`${shortName(q)}\`, and the loaded model is a Pipeline that applies its own fitted \`${shortName(step)}\`${pipe.uri === ctx.module.uri ? '' : ` (${fileName(pipe.uri)})`}: the model sees features ${twice}, not the features it was trained on. Pass the raw features to the pipeline.`,
        related: [
          { uri: pipe.uri, range: pipe.range, message: `Pipeline with its ${shortName(step)} saved here` },
          { uri: ctx.module.uri, range: p.call.range, message: 'the twice-transformed features reach the model here' },
        ],
      });
    }
  }
}

/** Where `inst` last fitted-and-transformed or transformed data before `seq`. */
function applicationOf(L: LineageResult, inst: Inst, seq: number): Range | undefined {
  let best: { seq: number; range: Range } | undefined;
  for (const t of L.transforms)
    if (t.inst === inst && t.seq < seq && (!best || t.seq > best.seq)) best = { seq: t.seq, range: t.call.range };
  for (const f of inst.fits) if (f.seq < seq && (!best || f.seq > best.seq)) best = { seq: f.seq, range: f.call.range };
  return best?.range;
}

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
  return [
    ...new Set(
      save.facts
        .filter((f) => f.startsWith('transformer:'))
        .map((f) => `\`${shortName(f.slice('transformer:'.length))}\``),
    ),
  ].join(', ');
}

function fileName(uri: string): string {
  return uri.split(/[\\/]/).pop() ?? uri;
}
