import { lineLabel } from '../../model/text';
import { conditionHolds, randomnessActs, type EntityInfo, type ParamCondition } from '../../knowledge';
import { argFor, hasOpenArguments, type CallExpr } from '../../model/calls';
import type { Fix, RelatedLocation } from '../../model/finding';
import { comparePos, containsPos, type Range, type ScopeId } from '../../model/ir';
import { insertPositionalArgument } from '../../fix/insert-argument';
import { argValueGetter } from '../literal-args';
import type { Rule, RuleContext } from '../rule';
import type { Syntax } from '../../model/syntax';
import { outputUses } from './output-uses';
import { RESEEDING_ENSEMBLE, seedChoiceAt, seedSources, type SeedChoice } from './seed-sources';

/**
 * SKL201 unseeded-randomness: a library class or function whose result depends on `random_state`,
 * called without it, where randomness really acts under the arguments given (the knowledge base says
 * when: `KFold` only with `shuffle=True`, `LogisticRegression` only with sag/saga/liblinear...).
 *
 * Silent when the seed may arrive another way (`**params`, a later `set_params(random_state=...)`,
 * `obj.random_state = ...`, a search grid that sets it) and when an argument that decides whether
 * randomness acts is not a literal. An explicit `random_state=None` is a deliberate choice: silent.
 * After `np.random.seed(...)` the finding is information: the result is reproducible but depends on
 * call order.
 */
export const unseededRandomness: Rule = {
  meta: {
    code: 'SKL201',
    name: 'unseeded-randomness',
    summary:
      'A random estimator, splitter or helper is called without random_state where its randomness acts: results change from run to run.',
    defaultSeverity: 'warning',
    fix: 'safe',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const { sem } = ctx;
    let sources: ReturnType<typeof seedSources> | undefined;
    const reported = new Set<CallExpr>();
    // Ensembles (Bagging, AdaBoost) that overwrite the random_state of a random estimator they were given.
    const reseeding = new Map<
      CallExpr,
      { scope: ScopeId; entity: EntityInfo; inner: { call: CallExpr; entity: EntityInfo }[] }
    >();
    for (const { call, scope, q } of sem.namedCalls) {
      const entity = ctx.lookup(q);
      if (!entity || !unseeded(call, entity)) continue;
      const getArg = argValueGetter(sem, call, scope, entity);
      if (randomnessActs(entity, getArg) !== 'yes') continue;
      // Randomness that reaches only some outputs (SVC(probability=True): predict_proba) matters only where they are read.
      const outputs = readOutputs(ctx, call, entity);
      if (outputs && outputs.length === 0) continue;
      sources ??= seedSources(ctx);
      if (sources.seededElsewhere.has(call)) continue;
      const ensemble = sources.reseededBy.get(call);
      if (ensemble) {
        // Its own random_state is overwritten: the ensemble's seed is what matters.
        const ensembleEntity = ctx.lookup(sem.qname(ensemble.callee, sem.scopeOfExpr(ensemble) ?? scope));
        if (!ensembleEntity) continue;
        let entry = reseeding.get(ensemble);
        if (!entry)
          reseeding.set(
            ensemble,
            (entry = { scope: sem.scopeOfExpr(ensemble) ?? scope, entity: ensembleEntity, inner: [] }),
          );
        entry.inner.push({ call, entity });
        continue;
      }
      reported.add(call);
      const effectOf = outputs
        ? {
            effect: `its ${outputs.map((m) => `\`${m}\``).join(' and ')} results (not its own \`predict\`) change`,
            related: [],
          }
        : undefined;
      report(ctx, call, scope, entity, holdingCondition(ctx.syntax, entity, call, getArg), effectOf);
    }
    for (const [ensemble, { scope, entity, inner }] of reseeding) {
      if (reported.has(ensemble) || !unseeded(ensemble, entity) || sources!.seededElsewhere.has(ensemble)) continue;
      const names = [...new Set(inner.map((i) => `\`${shortName(i.entity)}\``))].join(', ');
      report(ctx, ensemble, scope, entity, undefined, {
        effect: `it reseeds its ${names} estimators from NumPy's global generator, so the fitted ensemble changes`,
        related: inner.map((i) => ({
          uri: ctx.module.uri,
          range: i.call.callee.range,
          message: `its random_state is overwritten by ${shortName(entity)}'s`,
        })),
      });
    }

    function unseeded(call: CallExpr, entity: EntityInfo): boolean {
      const rs = entity.randomState;
      if (!rs || (rs.acts === 'never' && !RESEEDING_ENSEMBLE.test(entity.qname))) return false;
      if (argFor(call, entity, rs.param)) return false; // passed: a seed, a variable, or None on purpose
      if (rs.position !== undefined && positionalCount(call) > rs.position) return false;
      return !hasOpenArguments(call);
    }
  },
};

function report(
  ctx: RuleContext,
  call: CallExpr,
  scope: ScopeId,
  entity: EntityInfo,
  cond: { text: string; arg?: Range } | undefined,
  override?: { effect: string; related: RelatedLocation[] },
): void {
  const rs = entity.randomState!;
  const name = shortName(entity);
  const why = cond ? ` with ${cond.text}` : '';
  const seed = seedChoiceAt(ctx, call, scope);
  // The message names the value; the fix may introduce a constant for it.
  const seedText = seed.constantEdit ? String(ctx.settings.seed) : seed.text;
  const numpySeed = globalSeedBefore(ctx, call, scope, 'numpy');
  const randomSeed = numpySeed ? undefined : globalSeedBefore(ctx, call, scope, 'random');
  const param = rs.param;
  const pass = passText(ctx, entity, seedText);
  let message: string;
  if (numpySeed) {
    message =
      `\`${name}\`${why} is called without \`${param}\`: it draws from NumPy's global generator, seeded by np.random.seed() on ${lineLabel(ctx.module, numpySeed.range.start.line)}, ` +
      `so its result depends on call order (any random draw before it, or moving code around, changes it). Pass ${pass}.`;
  } else {
    message = `\`${name}\`${why} is called without \`${param}\`: ${override?.effect ?? effect(entity)} from run to run. Pass ${pass} to make it reproducible.`;
    if (randomSeed)
      message += ` (random.seed() on ${lineLabel(ctx.module, randomSeed.range.start.line)} seeds Python's \`random\` module, not NumPy, which scikit-learn draws from.)`;
  }
  const related: RelatedLocation[] = override?.related ?? [];
  if (cond?.arg)
    related.push({ uri: ctx.module.uri, range: cond.arg, message: `randomness acts because of ${cond.text}` });
  ctx.report({
    range: call.callee.range,
    message,
    severity: numpySeed ? 'information' : undefined,
    fix: seedFix(ctx, call, entity, seed),
    related,
  });
}

/** The outputs that randomness reaches and the module reads, when it reaches only some (`undefined`: all of them). */
function readOutputs(ctx: RuleContext, call: CallExpr, entity: EntityInfo): string[] | undefined {
  const only = entity.randomState?.outputs;
  if (!only) return undefined;
  const uses = outputUses(ctx);
  return only.filter((m) => uses.readFrom.get(m)?.has(call) || uses.unknownReceivers.has(m));
}

function shortName(entity: EntityInfo): string {
  return entity.qname.split('.').pop() ?? entity.qname;
}

function positionalCount(call: CallExpr): number {
  return call.args.filter((a) => a.name === undefined && !a.spread).length;
}

/** What changes between runs, in words. */
function effect(entity: EntityInfo): string {
  const q = entity.qname;
  if (/\.datasets\.make_/.test(q)) return 'the generated data change';
  if (entity.roles.splitter) return 'the folds change';
  if (/\.(train_test_split|trainTestSplit)$/.test(q)) return 'the train/test split changes';
  if (/\.(shuffle|resample)$/.test(q)) return 'the sample changes';
  if (/SearchCV$/.test(q)) return 'the sampled candidates change';
  if (/\.(permutation_importance|permutation_test_score)$/.test(q)) return 'the permutations (and the scores) change';
  if (/\.learning_curve$/.test(q)) return 'the training subsets change';
  if (entity.roles.resampler) return 'the resampled rows change';
  if (entity.kind === 'function') return 'the result changes';
  if (entity.roles.clusterer) return 'the clusters change';
  if (entity.roles.transformer && !entity.roles.predictor) return 'the fitted transformation changes';
  return 'the fitted model (and its predictions and scores) changes';
}

/** The condition that makes randomness act, rendered as `shuffle=True` / `solver='saga'`, with where it is set. */
function holdingCondition(
  syntax: Syntax,
  entity: EntityInfo,
  call: CallExpr,
  getArg: ReturnType<typeof argValueGetter>,
): { text: string; arg?: Range } | undefined {
  const rs = entity.randomState!;
  if (rs.acts !== 'conditional') return undefined;
  for (const c of rs.when ?? []) {
    if (conditionHolds(entity, c, getArg) !== 'yes') continue;
    const parts = [c, ...(c.and ?? [])];
    // Point at the argument that is written (`penalty='l1'` rather than an absent solver default).
    const written = parts.map((p) => argFor(call, entity, p.param)?.range).filter((r) => r !== undefined);
    return {
      text: parts.map((p) => describe(syntax, entity, p, getArg)).join(' and '),
      arg: written[written.length - 1],
    };
  }
  return undefined;
}

function describe(
  syntax: Syntax,
  entity: EntityInfo,
  c: ParamCondition,
  getArg: ReturnType<typeof argValueGetter>,
): string {
  const v = getArg(c.param);
  if (v === 'absent') {
    const d = entity.params.find((p) => p.name === c.param)?.default;
    return `${syntax.keywordArgument(c.param, d ?? '?')} (the default)`;
  }
  if (v === 'unknown') return c.param;
  return syntax.keywordArgument(c.param, syntax.literal(v));
}

function globalSeedBefore(
  ctx: RuleContext,
  call: CallExpr,
  scope: ScopeId,
  api: 'numpy' | 'random',
): CallExpr | undefined {
  let found: CallExpr | undefined;
  for (const g of seedSources(ctx).globalSeeds) {
    if (g.api !== api) continue;
    const before = comparePos(g.call.range.start, call.range.start) < 0;
    // A module-level seed runs before functions are called (the usual `if __name__ == "__main__":` layout).
    const moduleSeedForFunction = g.scope === null && scope !== null;
    if (before || moduleSeedForFunction) found ??= g.call;
  }
  return found;
}

/** Where the seed goes, in the call's language: a keyword, an options-object property or a position (scikit.js `trainTestSplit`). */
function seedSlot(
  ctx: RuleContext,
  entity: EntityInfo,
): { kind: 'keyword' } | { kind: 'property' } | { kind: 'position'; index: number } {
  const rs = entity.randomState!;
  if (ctx.syntax.options === 'keywords') return { kind: 'keyword' };
  return rs.position !== undefined ? { kind: 'position', index: rs.position } : { kind: 'property' };
}

/** "`random_state=42`", "`randomState: SEED`", "`SEED` as its 5th argument (`randomState`)". */
function passText(ctx: RuleContext, entity: EntityInfo, seedText: string): string {
  const param = entity.randomState!.param;
  const slot = seedSlot(ctx, entity);
  if (slot.kind === 'keyword') return `\`${param}=${seedText}\``;
  if (slot.kind === 'property') return `\`${param}: ${seedText}\``;
  return `\`${seedText}\` as its ${ordinal(slot.index + 1)} argument (\`${param}\`)`;
}

function ordinal(n: number): string {
  const s =
    n % 100 >= 11 && n % 100 <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${s}`;
}

function seedFix(ctx: RuleContext, call: CallExpr, entity: EntityInfo, seed: SeedChoice): Fix | null {
  const seedText = seed.text;
  if (ctx.module.errorRanges.some((r) => containsPos(r, call.range.start) || containsPos(call.range, r.start)))
    return null;
  const param = entity.randomState!.param;
  const slot = seedSlot(ctx, entity);
  const edit =
    slot.kind === 'position'
      ? insertPositionalArgument(ctx.module, call, slot.index, seedText, ctx.syntax)
      : ctx.syntax.insertKeywordArgument(ctx.module, call, param, seedText);
  if (!edit) return null;
  let title =
    slot.kind === 'position'
      ? `Pass \`${seedText}\` as the ${ordinal(slot.index + 1)} argument (\`${param}\`)`
      : `Add ${passText(ctx, entity, seedText)}`;
  if (seed.constantEdit) title += ` and \`${seedText} = ${ctx.settings.seed}\` after the imports`;
  return { title, safety: 'safe', edits: seed.constantEdit ? [seed.constantEdit, edit] : [edit] };
}
