import type { Fix } from '../../model/finding';
import { exprChildren, type Expr, type Range, type ScopeId, type Stmt } from '../../model/ir';
import { persistenceSites } from '../../knowledge/persistence';
import { eolOf, textOf } from '../../model/text';
import { attachedStart, blankLinesAbove, blankLinesAfterInsertion, isNotebook } from '../../fix/layout';
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
    // What a scikit.js holder loses (its JSON drops functions) is reported in scikitjs.ts, with its own premise.
    reportScikitjsCallables(ctx);
    const seen = new Set<number>();
    const taken = new TakenNames(ctx.sem.moduleNames());
    for (const fn of ctx.module.functions) if (fn.kind !== 'lambda') taken.add(fn.name);
    let saved: boolean | undefined;
    for (const c of findCulprits(ctx).all) {
      if (c.kind !== 'lambda' || c.holderEntity.library === 'scikitjs' || seen.has(c.fn)) continue;
      seen.add(c.fn);
      const fn = ctx.sem.fn(c.fn);
      saved ??= savesSomewhere(ctx);
      ctx.report({
        range: fn.range,
        message: saved
          ? `Lambda passed to ${holderLabel(c)} cannot be pickled: joblib.dump or pickle.dump of this model will fail. Use a module-level function.`
          : `Lambda passed to ${holderLabel(c)} cannot be pickled: nothing here saves the model yet, but a later joblib.dump or pickle.dump of it will fail. Use a module-level function.`,
        // Nothing fails until a pickle save: information in a file that saves nothing (and that no file linked to it by an import saves).
        severity: saved ? undefined : 'information',
        fix: extractFix(ctx, c, taken),
        related:
          c.use.range === fn.range
            ? []
            : [{ uri: ctx.module.uri, range: c.use.range, message: `passed to ${holderLabel(c)} here` }],
      });
    }
  },
};

/** The file saves something with pickle, or a file linked to it by an import does (where its model may be saved). */
function savesSomewhere(ctx: RuleContext): boolean {
  if (persistenceSites(ctx.sem).some((s) => s.kind === 'save' && s.pickles)) return true;
  return (ctx.workspace?.picklingNeighboursOf?.(ctx.module.uri).length ?? 0) > 0;
}

/** Moves the lambda into a module-level `def` after the imports; safe when it reads only module-level names. */
function extractFix(ctx: RuleContext, c: Culprit, taken: Set<string>): Fix | null {
  const { module, sem } = ctx;
  if (module.hasErrors) return null;
  const fn = sem.fn(c.fn);
  if (sem.captures(fn.id).length > 0) return null;
  if (fn.params.some((p) => p.default && !readsOnlyModuleNames(ctx, p.default, fn.parent))) return null;
  const body = fn.body[0];
  if (!body || body.k !== 'return' || !body.value) return null;
  const source = textOf(module.text, module.lineStarts, fn.range);
  const bodyText = textOf(module.text, module.lineStarts, body.range);
  const eol = eolOf(module.text);
  const extracted = (name: string) => ctx.syntax.extractFunction(name, source, bodyText, eol);
  if (extracted('f') === null) return null;
  const defOf = (name: string) => extracted(name) ?? '';

  // `square = lambda X: X**2` at module level becomes `def square(X): ...` in place, two blank lines around it.
  const assigned = moduleLevelAssignment(ctx, fn.range);
  if (assigned) {
    return {
      title: `Turn the lambda into module-level function \`${assigned.name}\``,
      safety: 'safe',
      edits: [
        ...blankLinesAbove(module, attachedStart(module, assigned.range.start.line)),
        { range: assigned.range, newText: defOf(assigned.name) },
        ...blankLinesAfterInsertion(module, assigned.range.end.line),
      ],
    };
  }

  const role = lambdaVariable(ctx, fn.range) ?? roleNames(ctx).get(c.holder) ?? c.param ?? 'func';
  const name = freshName(`_${toIdentifier(role)}`, taken);
  const atTop = module.importsEnd.line === 0 && module.importsEnd.character === 0;
  // Defs go at the first line after the imports, each followed by two blank lines, with the padding above
  // them as a separate edit (identical for every extraction, so a fix-all adds it once): PEP 8 either way.
  // In a notebook the defs stay in the imports cell, right after the imports.
  const first = atTop || isNotebook(module) ? undefined : firstLineAfter(ctx, module.importsEnd.line);
  const at = first === undefined ? module.importsEnd : { line: first, character: 0 };
  const insert =
    first === undefined
      ? atTop
        ? `${defOf(name)}${eol}${eol}${eol}`
        : `${eol}${eol}${eol}${defOf(name)}`
      : `${defOf(name)}${eol}${eol}${eol}`;
  return {
    title: `Extract the lambda into module-level function \`${name}\``,
    safety: 'safe',
    edits: [
      ...(first === undefined ? [] : blankLinesAbove(module, first)),
      { range: { start: at, end: at }, newText: insert },
      { range: fn.range, newText: name },
    ],
  };
}

/** The first non-blank line after `line`, if any (asked for each lambda fix: once per module). */
function firstLineAfter(ctx: RuleContext, line: number): number | undefined {
  return ctx.memo(`lambda.firstLineAfter.${line}`, () => {
    const { text, lineStarts } = ctx.module;
    for (let l = line + 1; l < lineStarts.length; l++) {
      const end = l + 1 < lineStarts.length ? lineStarts[l + 1] : text.length;
      for (let i = lineStarts[l]; i < end; i++) {
        const c = text.charCodeAt(i);
        // Blank as `trim()` sees it: printable ASCII never is; other characters are asked of \s.
        if ((c > 32 && c < 127) || ((c <= 32 || c >= 127) && !/\s/.test(text[i]))) return l;
      }
    }
    return undefined;
  });
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
    // Built only when a lambda is assigned (rare): a set of every top-level statement on each keystroke is not.
    let topLevel: Set<Stmt> | undefined;
    for (const { stmt, scope } of ctx.sem.statements) {
      if (
        stmt.k !== 'assign' ||
        stmt.op ||
        stmt.targets.length !== 1 ||
        stmt.targets[0].k !== 'name' ||
        stmt.value.k !== 'function'
      )
        continue;
      out.set(stmt.value.range, {
        name: stmt.targets[0].name,
        range: stmt.range,
        moduleLevel: scope === null && (topLevel ??= new Set(ctx.module.body)).has(stmt),
      });
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
