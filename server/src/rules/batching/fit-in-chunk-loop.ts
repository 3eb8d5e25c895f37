import type { EntityInfo } from '../../knowledge';
import { argFor, type CallExpr } from '../../model/calls';
import type { Fix, TextEdit } from '../../model/finding';
import { containsPos, walkExpr, walkStmts, type Expr, type ScopeId, type Stmt } from '../../model/ir';
import type { Semantics } from '../../model/semantics';
import { textOf } from '../../model/text';
import { literalOf } from '../literal-args';
import type { Rule, RuleContext } from '../rule';

type LoopStmt = Extract<Stmt, { k: 'loop' }>;

/** Readers that yield DataFrame chunks when given `chunksize=` (or `iterator=True`). */
const CHUNKED_READERS = new Set([
  'pandas.read_csv',
  'pandas.read_table',
  'pandas.read_json',
  'pandas.read_sql',
  'pandas.read_sql_query',
  'pandas.read_sql_table',
  'pandas.read_sas',
  'pandas.read_stata',
  'pandas.read_hdf',
  'pandas.read_fwf',
]);
/** Calls that cut arrays into pieces. */
const SPLITTERS = new Set([
  'numpy.array_split',
  'numpy.split',
  'numpy.hsplit',
  'numpy.vsplit',
  'sklearn.utils.gen_batches',
  'sklearn.utils.gen_even_slices',
  'more_itertools.chunked',
  'more_itertools.ichunked',
  'toolz.partition_all',
  'itertools.batched',
]);
/** Wrappers whose iteration yields what their first argument yields (zip yields tuples of pieces). */
const PASS_THROUGH = new Set([
  'zip',
  'enumerate',
  'tqdm.tqdm',
  'tqdm.auto.tqdm',
  'tqdm.notebook.tqdm',
  'tqdm',
  'list',
  'iter',
  'reversed',
]);
const CHUNK_NAME = /chunk|batch/i;

/** Names that hold the estimators' labels for `classes=`, when assigned from np.unique / a literal list. */
const CLASSES_NAMES = /^(all_)?(classes|labels|class_labels|CLASSES|LABELS|ALL_CLASSES)$/;

/**
 * SKL601 fit-in-chunk-loop: `model.fit(...)` inside a loop over chunks of the data (pandas readers
 * with `chunksize=`, `np.array_split`, `gen_batches`, a `range(0, n, step)` loop that slices `X[i:i + step]`,
 * a generator or loop variable named like a chunk or batch) on a scikit-learn estimator built before the
 * loop. Every `fit` starts from scratch, so after the loop the model knows only the last chunk.
 * Reported once per fit call. Keras / PyTorch / XGBoost models (whose `fit` may continue training) are
 * not scikit-learn estimators in the knowledge base and are never reported; nor are estimators with
 * `warm_start=True`, estimators built inside the loop (one model per chunk) or loops over CV splits.
 *
 * scikit.js: the same loop (`for (const batch of batches)`, `for (const chunk of chunks)`) over an estimator whose
 * `fit` starts over (KMeans, trees, neighbours, GaussianNB, scalers...). Its SGD family (`fitContinues`
 * in the knowledge base: LinearRegression, LogisticRegression, LinearSVC...) keeps training the same
 * model on each `fit` and is not reported; no scikit.js class has `partialFit`, so there is no fix.
 */
export const fitInChunkLoop: Rule = {
  meta: {
    code: 'SKL601',
    name: 'fit-in-chunk-loop',
    summary: '.fit() in a loop over chunks refits from scratch each time: the model learns only the last chunk.',
    defaultSeverity: 'warning',
    fix: 'unsafe',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const { sem } = ctx;
    for (const { stmt, scope } of sem.statements) {
      if (stmt.k !== 'loop' || !stmt.target) continue;
      const source = chunkSource(ctx, stmt, scope);
      if (!source) continue;
      const pieces = chunkNames(stmt);
      walkStmts(stmt.body, (s) => {
        for (const e of exprsOf(s)) {
          walkExpr(e, (x) => {
            if (x.k !== 'call' || x.callee.k !== 'attr' || x.callee.name !== 'fit' || x.callee.object.k !== 'name')
              return;
            if (!readsAny(x.args[0]?.value, pieces)) return;
            const est = estimatorBuiltBefore(ctx, x.callee.object, scope, stmt);
            if (!est) return;
            report(ctx, x, scope, est, source);
          });
        }
      });
    }
  },
};

function exprsOf(s: Stmt): Expr[] {
  switch (s.k) {
    case 'assign':
      return [s.value];
    case 'expr':
      return [s.expr];
    case 'return':
      return s.value ? [s.value] : [];
    case 'if':
      return [s.test];
    case 'with':
      return s.items.map((i) => i.value);
    default:
      return [];
  }
}

/** Why the loop iterates over chunks (for the message), or undefined. */
function chunkSource(ctx: RuleContext, loop: LoopStmt, scope: ScopeId): string | undefined {
  if (!loop.iter) return undefined;
  const { sem } = ctx;
  let budget = 40;
  const visit = (e: Expr, sc: ScopeId): string | undefined => {
    if (budget-- <= 0) return undefined;
    if (e.k === 'name') {
      for (const v of sem.resolve(e, sc))
        if (v.expr !== e) {
          const r = visit(v.expr, v.scope);
          if (r) return r;
        }
      // A user generator: `def batches(X, n): ... yield X[i:i + n]`.
      for (const b of sem.lookup(e.name, sc, e.range.start))
        if (b.kind === 'def' && b.fn !== undefined) return undefined;
      return undefined;
    }
    if (e.k !== 'call') return undefined;
    const q = sem.qname(e.callee, sc);
    if (q && CHUNKED_READERS.has(q)) {
      const size = e.args.find((a) => a.name === 'chunksize');
      if (size && literalOf(sem, size.value, sc) !== null)
        return `\`${q.replace('pandas.', 'pd.')}(..., chunksize=${textOf(ctx.module.text, ctx.module.lineStarts, size.value.range)})\``;
      const it = e.args.find((a) => a.name === 'iterator');
      if (it && literalOf(sem, it.value, sc) === true) return `\`${q.replace('pandas.', 'pd.')}(..., iterator=True)\``;
      return undefined;
    }
    if (q && SPLITTERS.has(q)) return `\`${q.replace('numpy.', 'np.').replace('sklearn.utils.', '')}(...)\``;
    const callee = e.callee;
    if ((q && PASS_THROUGH.has(q)) || (callee.k === 'name' && PASS_THROUGH.has(callee.name) && !q)) {
      for (const a of e.args) {
        const r = a.spread ? undefined : visit(a.value, sc);
        if (r) return r;
      }
      return undefined;
    }
    if (callee.k === 'name' && !q) {
      // `range(0, len(X), batch_size)`: a step that the body uses to slice the data.
      if (callee.name === 'range' && e.args.length === 3 && slicesByLoopVar(loop))
        return 'slices taken by a `range(start, stop, step)` loop';
      // A generator of the file whose name says it yields chunks or batches.
      const fnId = sem.userFunction(callee, sc);
      if (fnId !== undefined && CHUNK_NAME.test(sem.fn(fnId).name) && isGenerator(sem, fnId))
        return `the generator \`${sem.fn(fnId).name}()\``;
    }
    return undefined;
  };
  const found = visit(loop.iter, scope);
  if (found) return found;
  // `for chunk in chunks:` / `for X_batch, y_batch in batches:` over something not known: the names say it.
  if (targetNames(loop.target!).some((n) => CHUNK_NAME.test(n)) && iterNameSays(loop.iter)) {
    const text = textOf(ctx.module.text, ctx.module.lineStarts, loop.iter.range);
    return `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``;
  }
  return undefined;
}

function iterNameSays(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if ((x.k === 'name' && CHUNK_NAME.test(x.name)) || (x.k === 'attr' && CHUNK_NAME.test(x.name))) found = true;
  });
  return found;
}

function isGenerator(sem: Semantics, fnId: number): boolean {
  let yields = false;
  walkStmts(sem.fn(fnId).body, (s) => {
    for (const e of exprsOf(s))
      walkExpr(e, (x) => {
        if (x.k === 'other' && /^\s*yield\b/.test(textOf(sem.module.text, sem.module.lineStarts, x.range)))
          yields = true;
      });
  });
  return yields;
}

/** The loop body slices something with the loop variable as a bound: `X[i:i + step]`, `X.iloc[i:i + step]`. */
function slicesByLoopVar(loop: LoopStmt): boolean {
  const names = new Set(targetNames(loop.target!));
  let found = false;
  walkStmts(loop.body, (s) => {
    for (const e of exprsOf(s))
      walkExpr(e, (x) => {
        if (x.k === 'slice' && x.lower && readsAny(x.lower, names)) found = true;
      });
  });
  return found;
}

function targetNames(t: Expr): string[] {
  const out: string[] = [];
  walkExpr(t, (x) => {
    if (x.k === 'name') out.push(x.name);
  });
  return out;
}

/** The loop variables and the names assigned in the body from them (`X = chunk.drop(...)`), to a fixpoint. */
function chunkNames(loop: LoopStmt): Set<string> {
  const names = new Set(targetNames(loop.target!));
  for (let round = 0; round < 4; round++) {
    const before = names.size;
    walkStmts(loop.body, (s) => {
      if (s.k === 'assign' && readsAny(s.value, names))
        for (const t of s.targets) for (const n of targetNames(t)) names.add(n);
    });
    if (names.size === before) break;
  }
  return names;
}

function readsAny(e: Expr | undefined, names: Set<string>): boolean {
  if (!e) return false;
  let found = false;
  walkExpr(e, (x) => {
    if (x.k === 'name' && names.has(x.name)) found = true;
  });
  return found;
}

interface Estimator {
  entity: EntityInfo;
  construction: CallExpr;
  scope: ScopeId;
}

/** The scikit-learn estimator a name holds when every binding visible at the fit was made before the loop. */
function estimatorBuiltBefore(
  ctx: RuleContext,
  name: Extract<Expr, { k: 'name' }>,
  scope: ScopeId,
  loop: LoopStmt,
): Estimator | undefined {
  const { sem } = ctx;
  const bindings = sem.lookup(name.name, scope, name.range.start);
  if (bindings.length === 0 || bindings.some((b) => b.scope === scope && containsPos(loop.range, b.pos)))
    return undefined;
  // Rebound anywhere inside the loop (after the fit, for the next round): one model per chunk.
  const all = sem.scopes.get(bindings[0].scope)?.bindings.get(name.name) ?? [];
  if (all.some((b) => containsPos(loop.range, b.pos))) return undefined;
  let found: Estimator | undefined;
  for (const v of sem.resolve(name, scope)) {
    if (v.expr.k !== 'call') continue;
    const entity = ctx.lookup(sem.qname(v.expr.callee, v.scope));
    if (!entity || entity.kind !== 'class' || entity.roles.splitter) return undefined;
    // scikit.js's SGD family: each `fit` trains the same model further, batch by batch.
    if (entity.fitContinues) return undefined;
    const warm = argFor(v.expr, entity, 'warm_start');
    if (warm && literalOf(sem, warm.value, v.scope) !== false) return undefined;
    found ??= { entity, construction: v.expr, scope: v.scope };
  }
  if (!found) return undefined;
  // `model.set_params(warm_start=True)` / `model.warm_start = True` anywhere: incremental on purpose.
  if (sem.module.text.includes('warm_start')) {
    for (const { call } of sem.calls) {
      if (
        call.callee.k === 'attr' &&
        call.callee.name === 'set_params' &&
        call.args.some((a) => a.name === 'warm_start')
      )
        return undefined;
    }
    if (/\.warm_start\s*=/.test(sem.module.text)) return undefined;
  }
  return found;
}

function report(ctx: RuleContext, fit: CallExpr, scope: ScopeId, est: Estimator, source: string): void {
  const name = est.entity.qname.split('.').pop() ?? est.entity.qname;
  const callee = fit.callee as Extract<Expr, { k: 'attr' }>;
  const receiver = (callee.object as Extract<Expr, { k: 'name' }>).name;
  let advice: string;
  let fix: Fix | null = null;
  if (est.entity.library === 'scikitjs' && !est.entity.partialFit) {
    advice = est.entity.roles.predictor
      ? `scikit.js has no \`partialFit\`: fit once on all the batches, or use an estimator of its SGD family (\`LinearRegression\`, \`LogisticRegression\`, \`LinearSVC\`...), whose \`fit\` keeps training the same model.`
      : `scikit.js has no \`partialFit\`: fit it once on all the batches (or on a sample of all of them).`;
  } else if (est.entity.partialFit) {
    const classes = est.entity.partialFit.classes ? classesName(ctx, scope, fit) : undefined;
    if (!est.entity.partialFit.classes) {
      advice = `Use \`${receiver}.partial_fit(...)\`, which updates the model chunk by chunk.`;
      fix = partialFitFix(ctx, fit, undefined);
    } else if (classes) {
      advice = `Use \`${receiver}.partial_fit(..., classes=${classes})\`, which updates the model chunk by chunk (the first call must list every class).`;
      fix = partialFitFix(ctx, fit, classes);
    } else {
      advice = `Use \`${receiver}.partial_fit(..., classes=...)\` with every class listed on the first call (a chunk may miss some), e.g. \`classes=np.unique(y_all)\`.`;
    }
  } else {
    advice = `\`${name}\` has no \`partial_fit\`: fit once on all the data, or switch to an estimator that learns incrementally (\`SGDClassifier\`, \`SGDRegressor\`, \`MultinomialNB\`, \`MiniBatchKMeans\`, \`IncrementalPCA\`...).`;
  }
  ctx.report({
    range: callee.nameRange,
    message: `\`${receiver}.fit()\` is called on each chunk from ${source}: every \`fit\` starts from scratch, so after the loop the \`${name}\` has learnt only the last chunk. ${advice}`,
    related: [
      { uri: ctx.module.uri, range: est.construction.range, message: `the \`${name}\` is built once, before the loop` },
    ],
    fix,
  });
}

/** A name in scope holding the full list of classes (`classes = np.unique(y)`, `CLASSES = [0, 1]`). */
function classesName(ctx: RuleContext, scope: ScopeId, fit: CallExpr): string | undefined {
  const { sem } = ctx;
  for (const name of sem.allNames()) {
    if (!CLASSES_NAMES.test(name)) continue;
    const [b] = sem.lookup(name, scope, fit.range.start);
    if (!b || b.kind !== 'assign' || !b.value) continue;
    const v = b.value;
    if (v.k === 'seq' && v.items.length > 0) return name;
    if (v.k === 'call') {
      const q = sem.qname(v.callee, b.scope);
      if (q === 'numpy.unique' || q === 'numpy.array' || q === 'numpy.arange') return name;
    }
  }
  return undefined;
}

function partialFitFix(ctx: RuleContext, fit: CallExpr, classes: string | undefined): Fix | null {
  const callee = fit.callee as Extract<Expr, { k: 'attr' }>;
  const edits: TextEdit[] = [{ range: callee.nameRange, newText: 'partial_fit' }];
  if (classes && !fit.args.some((a) => a.name === 'classes')) {
    const edit = ctx.syntax.insertKeywordArgument(ctx.module, fit, 'classes', classes);
    if (!edit) return null;
    edits.push(edit);
  }
  return { title: classes ? `Use partial_fit(..., classes=${classes})` : 'Use partial_fit', safety: 'unsafe', edits };
}
