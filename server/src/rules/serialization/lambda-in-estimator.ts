import type { Fix } from '../../model/finding';
import { exprChildren, type Expr, type Range, type ScopeId } from '../../model/ir';
import { eolOf, textOf } from '../../model/text';
import { freshName, TakenNames, toIdentifier } from '../../fix/names';
import type { Rule, RuleContext } from '../rule';
import { findCulprits, holderLabel, type Culprit } from './culprits';
import { roleNames } from './naming';
import { reportScikitjsCallables } from './scikitjs';

/**
 * SKL101 lambda-in-estimator: a lambda handed to a library object (FunctionTransformer(func=...),
 * make_scorer, a vectorizer's tokenizer...). pickle saves functions by qualified name, and a lambda has
 * none, so joblib.dump / pickle.dump of the model fails, and only at save time.
 */
export const lambdaInEstimator: Rule = {
  meta: {
    code: 'SKL101',
    name: 'lambda-in-estimator',
    summary: 'A lambda passed to an estimator or transformer makes the model unpicklable.',
    defaultSeverity: 'warning',
    fix: 'safe',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    if (ctx.module.language === 'typescript') return reportScikitjsCallables(ctx);
    const seen = new Set<number>();
    const taken = new TakenNames(ctx.sem.moduleNames());
    for (const fn of ctx.module.functions) if (fn.kind !== 'lambda') taken.add(fn.name);
    for (const c of findCulprits(ctx).all) {
      if (c.kind !== 'lambda' || seen.has(c.fn)) continue;
      seen.add(c.fn);
      const fn = ctx.sem.fn(c.fn);
      ctx.report({
        range: fn.range,
        message: `Lambda passed to ${holderLabel(c)} cannot be pickled: joblib.dump or pickle.dump of this model will fail. Use a module-level function.`,
        fix: extractFix(ctx, c, taken),
        related: c.use.range === fn.range ? [] : [{ uri: ctx.module.uri, range: c.use.range, message: `passed to ${holderLabel(c)} here` }],
      });
    }
  },
};

/** Moves the lambda into a module-level `def` after the imports; safe when it reads only module-level names. */
function extractFix(ctx: RuleContext, c: Culprit, taken: Set<string>): Fix | null {
  const { module, sem } = ctx;
  if (module.language !== 'python' || module.hasErrors) return null;
  const fn = sem.fn(c.fn);
  if (sem.captures(fn.id).length > 0) return null;
  if (fn.params.some((p) => p.default && !readsOnlyModuleNames(ctx, p.default, fn.parent))) return null;
  const body = fn.body[0];
  if (!body || body.k !== 'return' || !body.value) return null;
  const source = textOf(module.text, module.lineStarts, fn.range);
  const bodyText = textOf(module.text, module.lineStarts, body.range);
  const colon = findParamsColon(source);
  if (colon < 0) return null;
  const paramsText = source.slice('lambda'.length, colon).trim();
  const eol = eolOf(module.text);
  const returned = bodyText.includes('\n') || bodyText.includes('\r') ? `(${bodyText})` : bodyText;
  const defOf = (name: string) => `def ${name}(${paramsText}):${eol}    return ${returned}`;

  // `square = lambda X: X**2` at module level becomes `def square(X): ...` in place.
  const assigned = moduleLevelAssignment(ctx, fn.range);
  if (assigned) {
    return {
      title: `Turn the lambda into module-level function \`${assigned.name}\``,
      safety: 'safe',
      edits: [{ range: assigned.range, newText: defOf(assigned.name) }],
    };
  }

  const role = lambdaVariable(ctx, fn.range) ?? roleNames(ctx).get(c.holder) ?? c.param ?? 'func';
  const name = freshName(`_${toIdentifier(role)}`, taken);
  const atTop = module.importsEnd.line === 0 && module.importsEnd.character === 0;
  const insertText = atTop ? `${defOf(name)}${eol}${eol}${eol}` : `${eol}${eol}${eol}${defOf(name)}`;
  return {
    title: `Extract the lambda into module-level function \`${name}\``,
    safety: 'safe',
    edits: [
      { range: { start: module.importsEnd, end: module.importsEnd }, newText: insertText },
      { range: fn.range, newText: name },
    ],
  };
}

/** Offset of the ':' that ends a lambda's parameters (skipping nested brackets and strings in defaults). */
function findParamsColon(source: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 'lambda'.length; i < source.length; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ':' && depth === 0) return i;
  }
  return -1;
}

function readsOnlyModuleNames(ctx: RuleContext, e: Expr, scope: ScopeId): boolean {
  const stack = [e];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (cur.k === 'function') return false;
    if (cur.k === 'name') {
      const [b] = ctx.sem.lookup(cur.name, scope, cur.range.start);
      if (b && b.scope !== null) return false;
    }
    stack.push(...exprChildren(cur));
  }
  return true;
}

/** Assignments whose whole value is a lambda, keyed by the lambda's range (computed once per module). */
function lambdaAssignments(ctx: RuleContext): Map<Range, { name: string; range: Range; moduleLevel: boolean }> {
  return ctx.memo('serialization.lambdaAssignments', () => {
    const out = new Map<Range, { name: string; range: Range; moduleLevel: boolean }>();
    const topLevel = new Set(ctx.module.body);
    for (const { stmt, scope } of ctx.sem.statements) {
      if (stmt.k !== 'assign' || stmt.op || stmt.targets.length !== 1 || stmt.targets[0].k !== 'name' || stmt.value.k !== 'function') continue;
      out.set(stmt.value.range, { name: stmt.targets[0].name, range: stmt.range, moduleLevel: scope === null && topLevel.has(stmt) });
    }
    return out;
  });
}

/** `name = <lambda>` as a whole module-level statement: the statement's range and the name. */
function moduleLevelAssignment(ctx: RuleContext, lambdaRange: Range): { name: string; range: Range } | undefined {
  const a = lambdaAssignments(ctx).get(lambdaRange);
  return a?.moduleLevel ? a : undefined;
}

/** The variable a lambda is assigned to anywhere (`clip = lambda ...` inside a function). */
function lambdaVariable(ctx: RuleContext, lambdaRange: Range): string | undefined {
  return lambdaAssignments(ctx).get(lambdaRange)?.name;
}
