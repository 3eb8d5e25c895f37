import type { TextEdit } from '../../model/finding';
import { walkStmts, type FunctionIR, type Stmt } from '../../model/ir';
import { textOf } from '../../model/text';
import { customSteps, selfName } from '../custom-steps';
import type { Rule, RuleContext } from '../rule';

/**
 * SKL702 fit-does-not-return-self: a custom estimator's `fit` that returns `None` (falls off its end or
 * has a bare `return`) or something other than `self`. scikit-learn chains on `fit`'s result:
 * `TransformerMixin.fit_transform` is `self.fit(X, y).transform(X)`, and a Pipeline calls it for every
 * step but the last, so the pipeline's `fit` raises `AttributeError: 'NoneType' object has no attribute
 * 'transform'`; `model.fit(X, y).predict(X)` fails the same way.
 */
export const fitDoesNotReturnSelf: Rule = {
  meta: {
    code: 'SKL702',
    name: 'fit-does-not-return-self',
    summary: "A custom estimator's fit does not return self: pipelines and fit(...).predict(...) chains break.",
    defaultSeverity: 'warning',
    fix: 'safe',
    languages: ['python'],
  },
  check(ctx) {
    const done = new Set<number>();
    for (const cls of customSteps(ctx)) {
      const fit = cls.methods.get('fit');
      if (!fit || done.has(fit.id) || fit.decorators.length > 0 || fit.isAsync) continue;
      done.add(fit.id);
      const self = selfName(fit);
      if (!self) continue;
      const bare: Stmt[] = [];
      const other: Stmt[] = [];
      walkStmts(fit.body, (s) => {
        if (s.k !== 'return') return;
        if (!s.value || (s.value.k === 'const' && s.value.value === null)) bare.push(s);
        else if (!(s.value.k === 'name' && s.value.name === self)) other.push(s);
      });
      const fallsOff = (fit.body.length === 0 || !alwaysReturns(fit.body)) && !endsWithRaise(ctx, fit);
      if (!fallsOff && bare.length === 0 && other.length === 0) continue;

      const owner = ctx.sem.fn(fit.parent ?? cls.fn.id);
      const pipelineBreaks = cls.methods.has('transform') && !cls.methods.has('fit_transform');
      const effect = pipelineBreaks
        ? `in a Pipeline, \`fit_transform\` runs \`self.fit(X, y).transform(X)\` and raises \`AttributeError: 'NoneType' object has no attribute 'transform'\``
        : '`model.fit(X, y).predict(X)` and any other chain on its result fail';
      if (other.length > 0) {
        const shown = textOf(
          ctx.module.text,
          ctx.module.lineStarts,
          (other[0] as Extract<Stmt, { k: 'return' }>).value!.range,
        ).slice(0, 40);
        ctx.report({
          range: fit.nameRange,
          message: `\`${owner.name}.fit\` returns \`${shown}\` instead of \`self\`: scikit-learn chains on fit's result, so callers get another object. Return \`self\`.`,
          related: other.map((s) => ({
            uri: ctx.module.uri,
            range: s.range,
            message: 'returns something other than self',
          })),
        });
        continue;
      }
      const edits: TextEdit[] = bare.map((s) => ({ range: s.range, newText: `return ${self}` }));
      const tail = fallsOff ? appendReturn(ctx, fit, self) : undefined;
      if (tail) edits.push(tail);
      const fixable = !fallsOff || tail !== undefined;
      ctx.report({
        range: fit.nameRange,
        message: `\`${owner.name}.fit\` returns None instead of \`self\`: ${effect}. End \`fit\` with \`return ${self}\`.`,
        fix: fixable ? { title: `Return ${self} from fit`, safety: 'safe', edits } : null,
        related: bare.map((s) => ({ uri: ctx.module.uri, range: s.range, message: 'returns None' })),
      });
    }
  },
};

/** Whether a block cannot fall through. An empty block held only statements lowering drops (raise, pass): not claimed. */
function alwaysReturns(body: Stmt[]): boolean {
  const last = body[body.length - 1];
  if (!last) return true;
  if (last.k === 'return') return true;
  if (last.k === 'if') return alwaysReturns(last.body) && alwaysReturns(last.orelse);
  if (last.k === 'with') return alwaysReturns(last.body);
  if (last.k === 'try')
    return (
      alwaysReturns(last.finalbody) ||
      (alwaysReturns(last.orelse.length > 0 ? last.orelse : last.body) && last.handlers.every(alwaysReturns))
    );
  return false;
}

/** The function's last line is a `raise` (lowering drops raise statements, so look at the text). */
function endsWithRaise(ctx: RuleContext, fn: FunctionIR): boolean {
  const text = textOf(ctx.module.text, ctx.module.lineStarts, fn.range);
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return /^\s*raise\b/.test(lines[lines.length - 1] ?? '');
}

/** `return self` on a new line after the body, at the body's indentation (none for a one-line def). */
function appendReturn(ctx: RuleContext, fn: FunctionIR, self: string): TextEdit | undefined {
  const first = fn.body[0];
  if (!first || first.range.start.line === fn.nameRange.start.line) return undefined;
  const lineStart = ctx.module.lineStarts[first.range.start.line];
  const indent = ctx.module.text.slice(lineStart, lineStart + first.range.start.character);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const end = fn.range.end;
  return { range: { start: end, end }, newText: `\n${indent}return ${self}` };
}
