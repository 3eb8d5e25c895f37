import { lineLabel } from '../../model/text';
import { lastFitBefore } from '../../dataflow/bundles';
import { FIT_METHODS, FIT_TRANSFORM_METHODS } from '../../knowledge/methods';
import {
  effectivePart,
  originOf,
  type Data,
  type FitRecord,
  type LineageResult,
  type PredictRecord,
} from '../../dataflow/values';
import type { Fix, TextEdit } from '../../model/finding';
import type { Rule, RuleContext } from '../rule';
import { describeOrigin, isStatefulTransformer, lineage, once, shortName, source } from './shared';

/**
 * SKL302 preprocessing-refit-on-test: a transformer fitted on training data (or another instance of the
 * same class, its twin) is fitted again on test, validation or inference data. The test features are
 * then scaled/encoded with statistics the model never saw: predictions silently change.
 */
export const preprocessingRefitOnTest: Rule = {
  meta: {
    code: 'SKL302',
    name: 'preprocessing-refit-on-test',
    summary:
      'A transformer fitted on training data is fitted again on test or inference data instead of only transforming it.',
    defaultSeverity: 'warning',
    fix: 'safe',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const L = lineage(ctx);
    const first = once(ctx, 'SKL302');
    // Fits on training data, by class: the candidates for each later refit. A separate training file
    // (data that is not split and holds no test rows) counts when the refit is on a separate test file.
    const trainFits = new Map<string, FitRecord[]>();
    for (const g of L.fits) {
      if (!g.X || inPlottingHelper(ctx, g)) continue;
      const o = originOf(g.X);
      if (
        o !== 'train' &&
        !(L.testRoots.size > 0 && (o === 'raw' || o === 'unknown') && !hasTestRows(L.testRoots, g.X))
      )
        continue;
      const list = trainFits.get(g.inst.qname);
      if (list) list.push(g);
      else trainFits.set(g.inst.qname, [g]);
    }
    for (const f of L.fits) {
      if (!isStatefulTransformer(f.inst) || !f.X || inPlottingHelper(ctx, f)) continue;
      const origin = originOf(f.X);
      if (origin !== 'test' && origin !== 'val' && origin !== 'inference') continue;
      // A refit feeding a model loaded from disk is SKL304's finding (with the save site).
      if (origin === 'inference' && L.predicts.some((p) => p.inst?.kind === 'loaded' && p.X?.via.includes(f))) continue;
      const train = trainFitFor(
        (trainFits.get(f.inst.qname) ?? []).filter((g) => originOf(g.X!) === 'train' || testFile(f.X!)),
        f,
      );
      // A twin on a separate test file is a skew only when its output feeds a model trained through the training fit.
      if (train && train.inst !== f.inst && testFile(f.X) && !feedsModelTrainedThrough(L, f, train)) continue;
      // A statistic of test data that never reaches a model computes a metric (`((y_test - y_test.mean())**2).sum()`
      // in a hand-written R²), not features.
      if (train && f.inst.implicit === 'statistic' && !L.predicts.some((p) => p.X?.via.includes(f))) continue;
      if (!train || !first(f.call.range)) continue;
      const cls = f.inst.implicit === 'statistic' ? `${f.method}()` : shortName(f.inst.qname);
      const twin = train.inst !== f.inst;
      const line = lineLabel(ctx.module, train.call.range.start.line);
      ctx.report({
        range: f.call.range,
        message:
          f.inst.implicit === 'statistic'
            ? `${capitalize(describeOrigin(f.X))} is changed with its own \`${f.method}()\` here, while the training data used the training data's (${line}): the model sees features filled or scaled differently from training. Compute the statistic on the training data once and reuse it.`
            : twin
              ? `Another \`${cls}\` is fitted on ${describeOrigin(f.X)}; the one used for training was fitted on training data (${line}). The model sees features encoded differently from training: use \`transform\` of the training-fitted ${cls}.`
              : `\`${cls}\` is fitted again on ${describeOrigin(f.X)} after being fitted on training data (${line}). The model sees features encoded differently from training: use \`transform\`, not \`${f.method}\`.`,
        fix: fixFor(ctx, f, train),
        related: [{ uri: ctx.module.uri, range: train.call.range, message: `fitted on training data here` }],
      });
    }
    // Inference code wherever it is: a function or method that fits a transformer on what it receives and
    // feeds the result to a model trained on other features (or trained elsewhere) refits per batch.
    let fed: Map<FitRecord, PredictRecord[]> | undefined;
    for (const f of L.fits) {
      if (!isStatefulTransformer(f.inst) || !f.X || f.inst.implicit === 'statistic') continue;
      if (originOf(f.X) === 'train' || !inFunction(ctx, f.scope) || inPlottingHelper(ctx, f)) continue;
      fed ??= predictsByFit(L);
      const p = modelFedBy(fed.get(f) ?? [], f);
      if (!p || !first(f.call.range)) continue;
      const cls = f.inst.implicit ? `${f.method}()` : shortName(f.inst.qname);
      const trained = p.inst ? lastFitBefore(p.inst, p.seq) : undefined;
      // The same instance fitted before (self.scaler in fit()): transforming with it is the fix.
      const own = f.inst.implicit ? undefined : [...f.inst.fits].reverse().find((g) => g !== f && g.seq < f.seq && g.X);
      const model =
        p.call.callee.k === 'attr' ? `${source(ctx, p.call.callee.object.range)}.${p.call.callee.name}` : 'the model';
      const where = trained
        ? `a model trained on other features (line ${trained.call.range.start.line + 1})`
        : 'a model trained elsewhere';
      ctx.report({
        range: f.call.range,
        message: own
          ? `Inference code refits \`${cls}\` on the data it receives (it was fitted at line ${own.call.range.start.line + 1}) and feeds \`${model}\`, ${where}: each batch is scaled/encoded with its own statistics, so predictions change with the batch. Use \`transform\`, not \`${f.method}\`.`
          : `Inference code fits a new \`${cls}\` on the data it receives and feeds \`${model}\`, ${where}: each batch is scaled/encoded with its own statistics, not the training ones, so predictions change with the batch. Reuse the preprocessing fitted on the training data (save it with the model as one Pipeline).`,
        fix: own ? fixFor(ctx, f, own) : null,
        related: [
          { uri: ctx.module.uri, range: p.call.range, message: 'the refitted features reach the model here' },
          ...(trained ? [{ uri: ctx.module.uri, range: trained.call.range, message: 'model trained here' }] : []),
          ...(own ? [{ uri: ctx.module.uri, range: own.call.range, message: 'fitted here first' }] : []),
        ],
      });
    }
  },
};

/** The predictions each fit's output reaches (one pass over the predictions, not one per fit). */
function predictsByFit(L: LineageResult): Map<FitRecord, PredictRecord[]> {
  const out = new Map<FitRecord, PredictRecord[]>();
  for (const p of L.predicts) {
    for (const f of p.X?.via ?? []) {
      const list = out.get(f);
      if (list) list.push(p);
      else out.set(f, [p]);
    }
  }
  return out;
}

/** Inside a function or method (not module-level code). */
function inFunction(ctx: RuleContext, scope: FitRecord['scope']): boolean {
  for (let s = scope; s !== null;) {
    const fn = ctx.sem.fn(s);
    if (fn.kind === 'def') return true;
    s = fn.parent;
  }
  return false;
}

/**
 * A prediction, score or model transform fed by `f`'s output whose model was not trained through `f`
 * (trained on other features, or not in this file: a parameter, a field set elsewhere). Loaded models
 * are SKL304's matter.
 */
function modelFedBy(fed: PredictRecord[], f: FitRecord): PredictRecord | undefined {
  for (const p of fed) {
    if (p.seq < f.seq) continue;
    if (p.inst?.kind === 'loaded') continue;
    if (p.inst === f.inst) continue;
    if (p.inst) {
      const fit = lastFitBefore(p.inst, p.seq);
      if (fit && (fit === f || fit.X?.via.includes(f) || fit.X === f.X)) continue;
      // Fitted only later in the same function: this is not a prediction of a trained model.
      if (!fit && p.inst.fits.some((g) => g.scope === p.scope)) continue;
    }
    return p;
  }
  return undefined;
}

/**
 * Among the training fits of its class (all have data): the same instance's, or a twin's on the same
 * split and the same input of it (the X_train twin of X_test, never y_train's), any for inference data
 * or a separate test file.
 */
function trainFitFor(trainFits: FitRecord[], f: FitRecord): FitRecord | undefined {
  const candidates = trainFits.filter((g) => {
    if (g === f) return false;
    if (g.inst === f.inst) return true;
    return originOf(f.X!) === 'inference' || testFile(f.X!) || sameSplitInput(g, f);
  });
  const rank = (g: FitRecord) => (g.inst === f.inst ? 4 : 0) + (sameSplitInput(g, f) ? 2 : 0) + (g.seq < f.seq ? 1 : 0);
  let best: FitRecord | undefined;
  for (const g of candidates) {
    if (!best || rank(g) > rank(best) || (rank(g) === rank(best) && g.seq > best.seq && g.seq < f.seq)) best = g;
  }
  return best;
}

/** Encoders can raise on categories the training data did not have: the fix then changes more than the encoding. */
function mayRaiseOnUnseen(qname: string): boolean {
  return /(LabelEncoder|LabelBinarizer|OrdinalEncoder|OneHotEncoder|TargetEncoder)$/.test(qname);
}

/**
 * `X.fit_transform(A)` becomes `scaler.transform(A)` where `scaler` names the training-fitted instance at
 * this point; `scaler.fit(A)` alone on its line is removed.
 */
function fixFor(ctx: RuleContext, f: FitRecord, train: FitRecord): Fix | null {
  if (ctx.module.hasErrors || f.call.callee.k !== 'attr' || f.inst.implicit || train.inst.implicit) return null;
  // A twin's state is the right one only when it was fitted on the matching training data (X_train for
  // X_test, never y_train): otherwise the fix may swap in a scaler of the target or of other columns.
  const proven = train.inst === f.inst || sameSplitInput(train, f);
  const field = sameField(ctx, f, train);
  const name = field ?? nameOf(ctx, train);
  if (!name) return null;
  // The same variable, holding the training-fitted instance, must be visible here.
  if (!field) {
    const [atTrain] = ctx.sem.lookup(name, train.scope, train.call.range.end);
    const [here] = ctx.sem.lookup(name, f.scope, f.call.range.start);
    if (!atTrain || atTrain !== here) return null;
  }
  // Nothing refits it in between (other than this call).
  const last = lastFitBefore(train.inst, f.seq);
  if (last && last !== train && last !== f) return null;
  const safety = mayRaiseOnUnseen(f.inst.qname) || !proven ? 'unsafe' : 'safe';
  const edits: TextEdit[] = [];
  const positional = f.call.args.filter((a) => !a.name && !a.spread);
  if (FIT_TRANSFORM_METHODS.has(f.concept)) {
    const method = 'transform';
    edits.push({ range: f.call.callee.range, newText: `${name}.${method}` });
    if (f.call.args.length > 1 && positional.length >= 1 && f.call.args[0] === positional[0]) {
      edits.push({ range: f.call.argsRange, newText: `(${source(ctx, positional[0].range)})` });
    } else if (f.call.args.length > 1) return null;
    return { title: `Use \`${name}.transform\` (fitted on training data)`, safety, edits };
  }
  if (FIT_METHODS.has(f.concept) && f.inst === train.inst) {
    const stmt = lineageStmt(ctx, f);
    if (stmt && stmt.stmt.k === 'expr' && stmt.stmt.expr === f.call && stmt.block.length > 1) {
      const r = stmt.stmt.range;
      const lineEnd = r.end.line + 1 < ctx.module.lineStarts.length ? { line: r.end.line + 1, character: 0 } : r.end;
      const lineStart = { line: r.start.line, character: 0 };
      const before = source(ctx, { start: lineStart, end: r.start });
      const after = source(ctx, { start: r.end, end: lineEnd }).replace(/#.*/, '');
      if (before.trim() !== '' || after.trim() !== '') return null;
      return {
        title: `Remove the refit: keep \`${name}\` fitted on training data`,
        safety,
        edits: [{ range: { start: lineStart, end: lineEnd }, newText: '' }],
      };
    }
  }
  return null;
}

/** `self.scaler.fit_transform(X)` refitting the instance that `self.scaler.fit(...)` fitted: the field's text. */
function sameField(ctx: RuleContext, f: FitRecord, train: FitRecord): string | undefined {
  if (f.inst !== train.inst || f.call.callee.k !== 'attr' || train.call.callee.k !== 'attr') return undefined;
  const a = f.call.callee.object;
  const b = train.call.callee.object;
  if (a.k !== 'attr' || a.object.k !== 'name' || (a.object.name !== 'self' && a.object.name !== 'this'))
    return undefined;
  const text = source(ctx, a.range);
  return text === source(ctx, b.range) ? text : undefined;
}

/** The variable holding the instance a fit was made on: `scaler.fit(...)`, or `scaler = Scaler().fit(...)`. */
function nameOf(ctx: RuleContext, fit: FitRecord): string | undefined {
  const recv = fit.call.callee.k === 'attr' ? fit.call.callee.object : undefined;
  if (recv?.k === 'name') return recv.name;
  const where = lineageStmt(ctx, fit);
  if (
    where?.stmt.k === 'assign' &&
    where.stmt.value === fit.call &&
    FIT_METHODS.has(fit.concept) &&
    where.stmt.targets.length === 1 &&
    where.stmt.targets[0].k === 'name'
  ) {
    return where.stmt.targets[0].name;
  }
  return undefined;
}

function lineageStmt(ctx: RuleContext, f: FitRecord) {
  return lineage(ctx).stmtOf.get(f.call);
}

/** Both fits saw the two sides of one split of the same input array (`X` of `train_test_split(X, y)`). */
function sameSplitInput(g: FitRecord, f: FitRecord): boolean {
  const gp = g.X ? effectivePart(g.X) : undefined;
  const fp = f.X ? effectivePart(f.X) : undefined;
  return !!gp && !!fp && gp.split === fp.split && gp.arg === fp.arg && gp.side !== fp.side;
}

/** Data transformed by `f` is predicted or scored by a model whose training data went through `train`. */
function feedsModelTrainedThrough(L: LineageResult, f: FitRecord, train: FitRecord): boolean {
  return L.predicts.some((p) => {
    if (!p.X?.via.includes(f) || !p.inst) return false;
    const fit = lastFitBefore(p.inst, p.seq);
    return !!fit?.X?.via.includes(train);
  });
}

/** A separate test file (not the held-out side of a split in this file). */
function testFile(d: Data): boolean {
  return originOf(d) === 'test' && !effectivePart(d);
}

function hasTestRows(testRoots: ReadonlySet<number>, d: Data): boolean {
  for (const r of d.roots) if (testRoots.has(r)) return true;
  return false;
}

/** Fits inside EDA helpers (`plot_pca(df)`, `show_clusters(X)`) are for looking at the data, not training. */
function inPlottingHelper(ctx: RuleContext, g: FitRecord): boolean {
  for (let s = g.scope; s !== null;) {
    const fn = ctx.sem.fn(s);
    if (fn.kind === 'def' && /plot|show|visuali[sz]|draw|display|eda|explore|inspect/i.test(fn.name)) return true;
    s = fn.parent;
  }
  return false;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
