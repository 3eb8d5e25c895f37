import { walkExpr, type Expr, type FunctionIR } from '../../model/ir';
import { textOf } from '../../model/text';
import { callsIn, customSteps, selfAssignments } from '../custom-steps';
import type { Rule, RuleContext } from '../rule';

/**
 * SKL701 estimator-init-not-clone-safe: the `__init__` of a custom estimator whose `get_params` comes from
 * `BaseEstimator` (directly or through a scikit-learn class) breaks the contract `clone` relies on: every
 * parameter stored unchanged under its own name, no `*args`, nothing fitted.
 *
 * Measured with scikit-learn 1.2.1: a parameter stored under another name makes `get_params`, `repr` and
 * `clone` raise `AttributeError`; `self.method = method.lower()` makes `clone` raise `RuntimeError ...
 * modifies parameter method`; `self.limit = abs(limit)` passes `clone` but `GridSearchCV` (whose
 * `set_params` bypasses `__init__`) raises that `RuntimeError` at refit; `*args` raises `RuntimeError` in
 * `get_params`; keywords caught by `**kwargs` are dropped by `clone`; a `coef_` set in `__init__` makes
 * `check_is_fitted` pass before `fit`.
 */
export const estimatorInitNotCloneSafe: Rule = {
  meta: {
    code: 'SKL701',
    name: 'estimator-init-not-clone-safe',
    summary:
      "A custom estimator's __init__ changes, renames or drops its parameters, takes *args/**kwargs or sets fitted attributes: clone() and searches fail or train with other parameters.",
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python'],
  },
  check(ctx) {
    const done = new Set<number>();
    for (const cls of customSteps(ctx)) {
      if (!cls.hasGetParams || cls.methods.has('get_params') || cls.methods.has('__getattr__')) continue;
      const init = cls.methods.get('__init__');
      if (!init || done.has(init.id) || init.params.length === 0) continue;
      done.add(init.id);
      checkInit(ctx, init, ctx.sem.fn(init.parent ?? cls.fn.id).name);
    }
  },
};

function checkInit(ctx: RuleContext, init: FunctionIR, className: string): void {
  const text = (e: Expr) => textOf(ctx.module.text, ctx.module.lineStarts, e.range).replace(/\s+/g, ' ').slice(0, 48);
  const assigns = selfAssignments(init);
  const calls = callsIn(init);
  // setattr(self, ...), self.__dict__.update(...), vars(self), locals(): parameters may be stored in ways not followed.
  const dynamic = calls.some((c) => {
    const callee = c.callee;
    if (callee.k === 'name' && ['setattr', 'vars', 'locals'].includes(callee.name)) return true;
    let dict = false;
    walkExpr(callee, (e) => (dict ||= e.k === 'attr' && e.name === '__dict__'));
    return dict;
  });
  // super().__init__(param=param) / Base.__init__(self, param): the library base stores what it is given.
  const toSuper = new Set<string>();
  for (const c of calls) {
    if (c.callee.k !== 'attr' || c.callee.name !== '__init__') continue;
    for (const a of c.args) walkExpr(a.value, (e) => e.k === 'name' && toSuper.add(e.name));
    if (c.args.some((a) => a.spread === '**')) toSuper.add('**');
  }

  for (const p of init.params.slice(1)) {
    if (p.kind === 'varargs') {
      ctx.report({
        range: p.range,
        message: `\`${className}.__init__\` takes \`*${p.name}\`: scikit-learn's get_params() raises RuntimeError ("no varargs"), so repr(), clone() and every search fail. Name each parameter.`,
      });
      continue;
    }
    if (p.kind === 'kwargs') {
      if (toSuper.has(p.name)) continue;
      ctx.report({
        range: p.range,
        message: `\`${className}.__init__\` takes \`**${p.name}\`: get_params() does not see these keywords, so clone() (used by cross-validation and every search) silently drops them. Name each parameter.`,
      });
      continue;
    }
    const mine = assigns.filter((a) => a.attr === p.name);
    const plain = mine.filter((a) => a.value.k === 'name' && a.value.name === p.name);
    const changed = mine.filter(
      (a) => !(a.value.k === 'name' && a.value.name === p.name) && !isCoercion(a.value, p.name),
    );
    if (changed.length > 0) {
      const a = changed[0];
      const mentions = mentionsName(a.value, p.name);
      ctx.report({
        range: a.stmt.range,
        message: mentions
          ? `\`${className}.__init__\` stores \`${text(a.value)}\` as \`self.${p.name}\`, not the argument as given: set_params() (used by every search) bypasses __init__ and clone() re-runs it on the stored value, so searches raise RuntimeError ("modifies parameter ${p.name}") or train with other values. Store \`self.${p.name} = ${p.name}\` and derive in fit.`
          : `\`${className}.__init__\` overwrites \`self.${p.name}\` with \`${text(a.value)}\`: get_params() then reports a value the caller did not pass, and clone() builds the copy from it. Store \`self.${p.name} = ${p.name}\` and derive in fit.`,
      });
      continue;
    }
    if (plain.length > 0 || mine.length > 0 || toSuper.has(p.name) || toSuper.has('**') || dynamic) continue;
    const elsewhere = assigns.find((a) => mentionsName(a.value, p.name));
    ctx.report({
      range: p.range,
      message: `\`${className}.__init__\` does not store \`${p.name}\` as \`self.${p.name}\`${elsewhere ? ` (it sets \`self.${elsewhere.attr}\`)` : ''}: get_params(), repr() and clone() raise AttributeError, so cross-validation and searches fail. Store \`self.${p.name} = ${p.name}\`.`,
    });
  }

  // Fitted-looking attributes: one finding per __init__, information (check_is_fitted is fooled, nothing else).
  const fitted = assigns.filter((a) => /^[A-Za-z]\w*_$/.test(a.attr) && !init.params.some((p) => p.name === a.attr));
  if (fitted.length > 0) {
    const names = [...new Set(fitted.map((a) => `\`${a.attr}\``))].join(', ');
    ctx.report({
      range: fitted[0].stmt.range,
      severity: 'information',
      message: `\`${className}.__init__\` sets the fitted-looking attribute${fitted.length > 1 ? 's' : ''} ${names}: check_is_fitted() then treats an unfitted \`${className}\` as fitted. Set attributes ending in \`_\` only in fit.`,
      related: fitted
        .slice(1)
        .map((a) => ({ uri: ctx.module.uri, range: a.stmt.range, message: `sets \`${a.attr}\`` })),
    });
  }
}

/** `int(p)`, `float(p)`, `str(p)`, `bool(p)`: the same object back when the caller passes that type, so clone() holds. */
function isCoercion(e: Expr, name: string): boolean {
  if (e.k === 'call')
    return (
      e.callee.k === 'name' &&
      ['int', 'float', 'str', 'bool'].includes(e.callee.name) &&
      e.args.length === 1 &&
      e.args[0].value.k === 'name' &&
      e.args[0].value.name === name
    );
  // Guarded forms keep None as None: `int(n) if n is not None else None`, `n and int(n)`.
  if (e.k === 'binop') return (e.op === 'and' || e.op === 'or') && guardPart(e.left, name) && guardPart(e.right, name);
  if (e.k === 'other')
    return (
      e.children.length > 0 &&
      e.children.every((c) => guardPart(c, name)) &&
      e.children.some((c) => isCoercion(c, name))
    );
  return false;
}

function guardPart(e: Expr, name: string): boolean {
  if (e.k === 'name') return e.name === name;
  if (e.k === 'const') return e.value === null;
  if (e.k === 'other') return e.children.every((c) => guardPart(c, name));
  return isCoercion(e, name);
}

function mentionsName(e: Expr, name: string): boolean {
  let found = false;
  walkExpr(e, (x) => (found ||= x.k === 'name' && x.name === name));
  return found;
}
