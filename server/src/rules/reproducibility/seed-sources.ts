import type { CallExpr } from '../../model/calls';
import { comparePos, type Expr, type ScopeId } from '../../model/ir';
import type { Binding, ScopedExpr } from '../../model/semantics';
import { allArguments, walkConstructions } from '../../model/reach';
import type { TextEdit } from '../../model/finding';
import { eolOf } from '../../model/text';
import type { RuleContext } from '../rule';

/**
 * Where a seed may reach a construction other than through its own `random_state` argument, and which
 * seed a fix should use. Shared by SKL201 and any later rule about reproducibility.
 */
export interface SeedSources {
  /** Constructions that a later `set_params(random_state=...)`, `obj.random_state = ...` or a search's param grid may seed. */
  seededElsewhere: Set<CallExpr>;
  /** `np.random.seed(...)` / `random.seed(...)` calls, in source order. */
  globalSeeds: { call: CallExpr; scope: ScopeId; api: 'numpy' | 'random' }[];
  /** The module's seed constant (`RANDOM_STATE = 0`), if it has one. */
  seedConstant?: Binding;
  /**
   * Constructions given to an ensemble that overwrites their random_state with seeds drawn from its own
   * (Bagging, AdaBoost: `BaseEnsemble._make_estimator` calls `_set_random_states`), mapped to that ensemble
   * call. Only inline constructions, or variables used nowhere else: a stump also fitted on its own is not
   * reseeded there.
   */
  reseededBy: Map<CallExpr, CallExpr>;
}

/**
 * Ensembles that reseed the estimators they are given (scikit-learn's BaseEnsemble subclasses with an
 * `estimator` parameter, and imbalanced-learn's subclasses of them), checked with scikit-learn 1.2.1.
 * The knowledge base has no flag for this yet.
 */
export const RESEEDING_ENSEMBLE =
  /\.(BaggingClassifier|BaggingRegressor|AdaBoostClassifier|AdaBoostRegressor|BalancedBaggingClassifier|EasyEnsembleClassifier|RUSBoostClassifier)$/;
const ENSEMBLE_ESTIMATOR_PARAMS = ['estimator', 'base_estimator'];

const SEED_NAMES = ['RANDOM_STATE', 'SEED', 'RANDOM_SEED', 'random_state', 'seed', 'random_seed'];
const SEED_NAME = /^(random_state|seed|random_seed|randomState|randomSeed)$/i;

const NUMPY_SEED = new Set(['numpy.random.seed']);
const RANDOM_SEED = new Set(['random.seed']);

/** Parameters of searches whose values set estimator parameters. */
const GRID_PARAMS = ['param_grid', 'param_distributions', 'paramGrid', 'paramDistributions'];

export function seedSources(ctx: RuleContext): SeedSources {
  return ctx.memo('reproducibility.seedSources', () => compute(ctx));
}

function compute(ctx: RuleContext): SeedSources {
  const { sem } = ctx;
  const seededElsewhere = new Set<CallExpr>();
  const globalSeeds: SeedSources['globalSeeds'] = [];
  const reseededBy = new Map<CallExpr, CallExpr>();

  const isSeedKey = (key: string, rsParam: string) =>
    key === rsParam || key.endsWith(`__${rsParam}`) || key === 'random_state' || key.endsWith('__random_state');

  for (const { call, scope, q } of sem.namedCalls) {
    const callee = call.callee;
    // est.set_params(random_state=0), pipe.set_params(clf__random_state=0), est.set_params(**params)
    if (callee.k === 'attr' && callee.name === 'set_params') {
      const seeds = call.args.some(
        (a) => a.spread === '**' || (a.name !== undefined && isSeedKey(a.name, 'random_state')),
      );
      if (seeds) markReachable(ctx, { expr: callee.object, scope }, seededElsewhere);
      continue;
    }
    if (q && NUMPY_SEED.has(q)) globalSeeds.push({ call, scope, api: 'numpy' });
    else if (q && RANDOM_SEED.has(q)) globalSeeds.push({ call, scope, api: 'random' });
    // GridSearchCV(est, {"clf__random_state": [0, 1]}): the search sets the seed on every candidate.
    const entity = ctx.lookup(q);
    if (!entity) continue;
    if (RESEEDING_ENSEMBLE.test(entity.qname)) {
      for (const p of ENSEMBLE_ESTIMATOR_PARAMS) {
        const a = call.args.find((x) => x.name === p) ?? positionalFor(call, entity.params, p);
        if (a && !a.spread) markReseeded(ctx, call, { expr: a.value, scope }, reseededBy);
      }
    }
    const rsParam = entity.randomState?.param ?? 'random_state';
    for (const gp of GRID_PARAMS) {
      if (!entity.params.some((p) => p.name === gp)) continue;
      const grid = call.args.find((a) => a.name === gp) ?? positionalFor(call, entity.params, gp);
      if (!grid) continue;
      const keys = gridKeys(ctx, { expr: grid.value, scope });
      if (keys === 'unknown' || keys.some((k) => isSeedKey(k, rsParam))) {
        const est = call.args.find((a) => a.name === 'estimator') ?? positionalFor(call, entity.params, 'estimator');
        if (est) markReachable(ctx, { expr: est.value, scope }, seededElsewhere);
      }
    }
  }

  // est.random_state = 0
  for (const { stmt, scope } of sem.statements) {
    if (stmt.k !== 'assign') continue;
    for (const t of stmt.targets) {
      if (t.k === 'attr' && (t.name === 'random_state' || t.name === 'randomState'))
        markReachable(ctx, { expr: t.object, scope }, seededElsewhere);
    }
  }

  return { seededElsewhere, globalSeeds, seedConstant: findSeedConstant(ctx), reseededBy };
}

function positionalFor(call: CallExpr, params: { name: string; kind: string }[], name: string) {
  let i = 0;
  for (const p of params) {
    if (p.kind !== 'positional') return undefined;
    if (p.name === name) {
      const positional = call.args.filter((a) => a.name === undefined);
      return positional.slice(0, i + 1).some((a) => a.spread) ? undefined : positional[i];
    }
    i++;
  }
  return undefined;
}

/** The parameter names a param grid sets: a dict, a list of dicts, `dict(...)`, through variables. 'unknown' when not literal. */
function gridKeys(ctx: RuleContext, start: ScopedExpr): string[] | 'unknown' {
  const out: string[] = [];
  const stack: ScopedExpr[] = [start];
  const seen = new Set<Expr>();
  let found = false;
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (seen.has(cur.expr)) continue;
    seen.add(cur.expr);
    const values = ctx.sem.resolve(cur.expr, cur.scope);
    if (values.length === 0) return 'unknown';
    for (const v of values) {
      const e = v.expr;
      if (e.k === 'seq') {
        for (const item of e.items) stack.push({ expr: item, scope: v.scope });
      } else if (e.k === 'dict') {
        found = true;
        for (const en of e.entries) {
          if (!en.key) return 'unknown';
          const key = ctx.syntax.propertyName(en.key);
          if (key === undefined) return 'unknown';
          out.push(key);
        }
      } else if (
        e.k === 'call' &&
        e.callee.k === 'name' &&
        e.callee.name === 'dict' &&
        ctx.sem.qname(e.callee, v.scope) === undefined
      ) {
        found = true;
        for (const a of e.args) {
          if (!a.name) return 'unknown';
          out.push(a.name);
        }
      } else return 'unknown';
    }
  }
  return found ? out : 'unknown';
}

/** Marks every construction reachable from `start`: the object itself, and what it was built from (steps, wrapped estimators). */
export function markReachable(ctx: RuleContext, start: ScopedExpr, into: Set<CallExpr>): void {
  walkConstructions(
    ctx.sem,
    start,
    (call, scope) => {
      into.add(call);
      return allArguments(call, scope);
    },
    { throughAttributes: true, budget: 2000 },
  );
}

/** The constructions an ensemble reseeds: inline, in an inline pipeline, or through a variable used only there. */
function markReseeded(
  ctx: RuleContext,
  ensemble: CallExpr,
  start: ScopedExpr,
  into: Map<CallExpr, CallExpr>,
  depth = 0,
): void {
  if (depth > 12) return;
  const { sem } = ctx;
  const e = start.expr;
  if (e.k === 'seq') {
    // A list of steps, a ("name", estimator) tuple.
    for (const item of e.items) markReseeded(ctx, ensemble, { expr: item, scope: start.scope }, into, depth + 1);
    return;
  }
  if (e.k === 'name') {
    const values = sem.resolve(e, start.scope);
    if (values.length !== 1 || values[0].expr.k !== 'call') return;
    const target = values[0].expr;
    if (usesOf(ctx, target) > 1) return;
    markReseeded(ctx, ensemble, values[0], into, depth + 1);
    return;
  }
  if (e.k !== 'call') return;
  into.set(e, ensemble);
  for (const a of e.args)
    if (!a.spread) markReseeded(ctx, ensemble, { expr: a.value, scope: start.scope }, into, depth + 1);
}

/** How many times a construction bound to a name is read (as a call argument or a method receiver). */
function usesOf(ctx: RuleContext, target: CallExpr): number {
  const cache = ctx.memo('reproducibility.nameUses', () => {
    const counts = new Map<CallExpr, number>();
    const bump = (expr: Expr, scope: ScopeId) => {
      if (expr.k !== 'name') return;
      for (const v of ctx.sem.resolve(expr, scope))
        if (v.expr.k === 'call') counts.set(v.expr, (counts.get(v.expr) ?? 0) + 1);
    };
    for (const { call, scope } of ctx.sem.calls) {
      if (call.callee.k === 'attr') bump(call.callee.object, scope);
      for (const a of call.args) bump(a.value, scope);
    }
    return counts;
  });
  return cache.get(target) ?? 0;
}

/** A module-level assignment of an integer literal to RANDOM_STATE, SEED, RANDOM_SEED, random_state, seed (or a case variant). */
function findSeedConstant(ctx: RuleContext): Binding | undefined {
  const module = ctx.sem.scopes.get(null)!;
  const candidates: Binding[] = [];
  for (const [name, list] of module.bindings) {
    if (!SEED_NAME.test(name) || list.length !== 1) continue;
    const b = list[0];
    if (b.kind !== 'assign' || !b.value || b.value.k !== 'num' || !Number.isInteger(b.value.value)) continue;
    candidates.push(b);
  }
  const norm = (n: string) => n.replace(/_/g, '').toLowerCase();
  const rank = (n: string) => {
    const exact = SEED_NAMES.indexOf(n);
    if (exact >= 0) return exact;
    const folded = SEED_NAMES.findIndex((s) => norm(s) === norm(n));
    return SEED_NAMES.length + (folded >= 0 ? folded : SEED_NAMES.length);
  };
  candidates.sort((a, b) => rank(a.name) - rank(b.name) || comparePos(a.pos, b.pos));
  return candidates[0];
}

/** The seed text for a fix at `call`: the module's seed constant when it is visible there, else the configured seed. */
export function seedTextAt(ctx: RuleContext, call: CallExpr, scope: ScopeId): string {
  const b = seedSources(ctx).seedConstant;
  if (b) {
    const [visible] = ctx.sem.lookup(b.name, scope, call.range.start);
    const definedBefore = scope !== null || comparePos(b.pos, call.range.start) <= 0;
    if (visible === b && definedBefore) return b.name;
  }
  return String(ctx.settings.seed);
}

/** The constant a fix adds when the module has no seed constant of its own. */
const NEW_SEED_NAME = 'SEED';

export interface SeedChoice {
  /** What the fix passes: the module's constant, the constant the fix adds, or the configured seed. */
  text: string;
  /** The edit that adds `SEED = <seed>` after the imports (the same edit for every fix of the module). */
  constantEdit?: TextEdit;
}

/**
 * The seed for a fix at `call`: the module's seed constant when visible there; else, where the printer writes one (Python), a new
 * module constant `SEED = <configured seed>` after the imports, which every SKL201 fix of the module adds
 * identically (a fix-all applies it once and all fixes read it); else the configured seed itself.
 */
export function seedChoiceAt(ctx: RuleContext, call: CallExpr, scope: ScopeId): SeedChoice {
  const text = seedTextAt(ctx, call, scope);
  const { module, sem } = ctx;
  const constant = ctx.syntax.moduleConstant(NEW_SEED_NAME, String(ctx.settings.seed));
  if (seedSources(ctx).seedConstant || constant === null || module.hasErrors) return { text };
  const end = module.importsEnd;
  if (end.line === 0 && end.character === 0) return { text }; // no imports: no place that comes before every use
  // A module-level call above the end of the imports would run before the constant exists.
  if (scope === null && comparePos(call.range.start, end) <= 0) return { text };
  if (sem.allNames().has(NEW_SEED_NAME) || ctx.memo('reproducibility.starImport', () => hasStarImport(module.text)))
    return { text };
  const eol = eolOf(module.text);
  return {
    text: NEW_SEED_NAME,
    constantEdit: { range: { start: end, end }, newText: `${eol}${eol}${constant}` },
  };
}

const STAR_IMPORT_LINE = /^[ \t]*from[ \t]+\S+[ \t]+import[ \t]+\*/;

/**
 * A line `from x import *` anywhere in the text. The multiline regular expression tried every line start of the
 * file on each keystroke that reported SKL201 (0.11 ms at 3,660 lines); a match holds `import`, blanks and `*`,
 * so only the lines where they follow each other are tried (same answer: a match never spans lines).
 */
export function hasStarImport(text: string): boolean {
  for (let i = text.indexOf('import'); i >= 0; i = text.indexOf('import', i + 6)) {
    let j = i + 6;
    if (text[j] !== ' ' && text[j] !== '\t') continue;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] !== '*') continue;
    // The line's start, as `^` with the m flag sees it (after \n, \r, \u2028 or \u2029).
    let start = i;
    while (start > 0 && !'\n\r\u2028\u2029'.includes(text[start - 1])) start--;
    if (STAR_IMPORT_LINE.test(text.slice(start, j + 1))) return true;
  }
  return false;
}
