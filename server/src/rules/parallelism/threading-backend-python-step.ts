import type { EntityInfo } from '../../knowledge/types';
import { argFor, type CallExpr } from '../../model/calls';
import { walkExpr, walkStmts, type Expr, type Range, type ScopeId, type Stmt } from '../../model/ir';
import { allArguments, walkConstructions } from '../../model/reach';
import type { Semantics } from '../../model/semantics';
import { textOf } from '../../model/text';
import { literalOf } from '../literal-args';
import type { Rule, RuleContext } from '../rule';

/** Context managers that choose joblib's backend for everything run inside them. */
const BACKEND_CONTEXTS = new Set([
  'joblib.parallel_backend',
  'joblib.parallel_config',
  'sklearn.utils.parallel_backend',
  'sklearn.externals.joblib.parallel_backend',
  'joblib.parallel.parallel_backend',
  'joblib.parallel.parallel_config',
]);
const PARALLEL_CLASSES = new Set([
  'joblib.Parallel',
  'sklearn.utils.parallel.Parallel',
  'sklearn.utils.fixes.Parallel',
]);
/** Methods of a custom step whose body runs in the parallel workers. */
const STEP_METHODS = new Set([
  'fit',
  'transform',
  'fit_transform',
  'predict',
  'predict_proba',
  'decision_function',
  'score',
]);
/** Calls that run an estimator's fit or predict. */
const RUN_METHODS = new Set([
  'fit',
  'fit_transform',
  'fit_predict',
  'predict',
  'predict_proba',
  'predict_log_proba',
  'decision_function',
  'transform',
  'score',
]);
/** pandas calls that run a Python function per row or element. */
const PER_ROW_CALLS = new Set(['apply', 'applymap', 'map', 'iterrows', 'itertuples']);

interface PythonStep {
  name: string;
  /** What makes it Python-level: "a `for` loop in `transform`". */
  why: string;
  range: Range;
}

/**
 * SKL403 threading-backend-python-step: a `threading` joblib backend (`with parallel_backend('threading')`,
 * `with parallel_config(backend='threading')`, `prefer='threads'`) around parallel work (an estimator or
 * helper with `n_jobs`) whose pipeline holds a custom step written as Python-level loops (a `for`/`while`
 * loop, a comprehension or a per-row pandas `apply`/`map` in its `fit`/`transform`/`predict`). Python
 * bytecode holds the GIL, so the threads take turns on that step instead of running it in parallel.
 * Vectorised custom steps (NumPy releases the GIL) are not reported.
 */
export const threadingBackendPythonStep: Rule = {
  meta: {
    code: 'SKL403',
    name: 'threading-backend-python-step',
    summary: "A 'threading' joblib backend runs a pipeline with Python-level custom steps: the GIL serialises them.",
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python'],
  },
  check(ctx) {
    const { sem } = ctx;
    // `Parallel(n_jobs=4, prefer="threads")(delayed(pipe.predict)(part) for part in parts)`
    for (const { call, scope } of sem.calls) {
      if (call.callee.k !== 'call') continue;
      const backend = threadingParallel(ctx, call.callee, scope);
      if (!backend) continue;
      const step = delayedPythonStep(ctx, call, scope);
      if (!step) continue;
      ctx.report({
        range: backend.range,
        message:
          `\`Parallel\` runs its tasks in threads, but they run the custom step \`${step.name}\`, which is Python code (${step.why}): ` +
          "Python bytecode holds the GIL, so the threads take turns on that step and it gets no parallel speed-up. Use processes (drop prefer='threads' / backend='threading'), or vectorise the step with NumPy/pandas operations.",
        related: [{ uri: ctx.module.uri, range: step.range, message: `\`${step.name}\` runs Python-level loops` }],
      });
    }
    for (const { stmt, scope } of sem.statements) {
      if (stmt.k !== 'with') continue;
      const backend = stmt.items.map((i) => threadingBackend(ctx, i.value, scope)).find((x) => x);
      if (!backend) continue;
      const reported = new Set<string>();
      walkStmts(stmt.body, (s) => {
        for (const e of exprsOf(s)) {
          walkExpr(e, (x) => {
            if (x.k !== 'call') return;
            const found = parallelRunOfPythonStep(ctx, x, scope);
            if (!found || reported.has(found.step.name)) return;
            reported.add(found.step.name);
            ctx.report({
              range: backend.range,
              message:
                `joblib's \`threading\` backend runs ${found.runner} in threads, but the custom step \`${found.step.name}\` is Python code (${found.step.why}): ` +
                "Python bytecode holds the GIL, so the threads take turns on that step and it gets no parallel speed-up. Use the default process backend ('loky') for Python-level steps, or vectorise the step with NumPy/pandas operations.",
              related: [
                {
                  uri: ctx.module.uri,
                  range: found.step.range,
                  message: `\`${found.step.name}\` runs Python-level loops`,
                },
                { uri: ctx.module.uri, range: x.range, message: 'the parallel work inside the threading backend' },
              ],
            });
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
    default:
      return [];
  }
}

/** The context-manager call when it selects threads: `parallel_backend('threading')`, `parallel_config(prefer='threads')`. */
function threadingBackend(ctx: RuleContext, e: Expr, scope: ScopeId): { range: Range } | undefined {
  if (e.k !== 'call') return undefined;
  const q = ctx.sem.qname(e.callee, scope);
  if (!q || !BACKEND_CONTEXTS.has(q)) return undefined;
  const backend = e.args.find((a) => a.name === 'backend') ?? e.args.find((a) => !a.name && !a.spread);
  const prefer = e.args.find((a) => a.name === 'prefer');
  const b = backend && literalOf(ctx.sem, backend.value, scope);
  const p = prefer && literalOf(ctx.sem, prefer.value, scope);
  if (b === 'threading' || (p === 'threads' && (b === undefined || b === null))) return { range: e.range };
  return undefined;
}

/** `Parallel(..., prefer='threads')` or `Parallel(..., backend='threading')`. */
function threadingParallel(ctx: RuleContext, e: CallExpr, scope: ScopeId): { range: Range } | undefined {
  const q = ctx.sem.qname(e.callee, scope);
  if (!q || !PARALLEL_CLASSES.has(q)) return undefined;
  const backend = e.args.find((a) => a.name === 'backend');
  const prefer = e.args.find((a) => a.name === 'prefer');
  const b = backend && literalOf(ctx.sem, backend.value, scope);
  const p = prefer && literalOf(ctx.sem, prefer.value, scope);
  if (b === 'threading' || (p === 'threads' && (b === undefined || b === null))) return { range: e.range };
  return undefined;
}

/** The Python-level custom step run by the `delayed(...)` tasks given to a Parallel call. */
function delayedPythonStep(ctx: RuleContext, call: CallExpr, scope: ScopeId): PythonStep | undefined {
  const { sem } = ctx;
  let found: PythonStep | undefined;
  for (const arg of call.args) {
    walkExpr(arg.value, (x) => {
      if (found || x.k !== 'call') return;
      const q = sem.qname(x.callee, scope);
      if (q !== 'joblib.delayed' && q !== 'sklearn.utils.fixes.delayed' && q !== 'sklearn.utils.parallel.delayed')
        return;
      const target = x.args[0]?.value;
      if (!target) return;
      if (target.k === 'attr' && RUN_METHODS.has(target.name)) found = stepOf(ctx, [{ expr: target.object, scope }]);
      else if (target.k === 'name') {
        const fnId = sem.userFunction(target, scope);
        if (fnId === undefined) return;
        // A helper that fits or predicts: `def score_part(part): return pipe.predict(part)`.
        const roots: { expr: Expr; scope: ScopeId }[] = [];
        walkStmts(sem.fn(fnId).body, (s) => {
          for (const e of exprsOf(s))
            walkExpr(e, (y) => {
              if (y.k === 'call' && y.callee.k === 'attr' && RUN_METHODS.has(y.callee.name))
                roots.push({ expr: y.callee.object, scope: fnId });
            });
        });
        found = stepOf(ctx, roots);
      }
    });
  }
  return found;
}

/** A Python-level custom step reachable from the given values (their constructions, steps and arguments). */
function stepOf(ctx: RuleContext, roots: { expr: Expr; scope: ScopeId }[]): PythonStep | undefined {
  return walkForPythonStep(ctx, roots);
}

/**
 * Walks what the given values are built from and returns the first Python-level custom step found (a class
 * of the file, or a FunctionTransformer of a function of the file). `onLibrary` sees every library
 * construction on the way (the caller looks for a parallel wrapper among them).
 */
function walkForPythonStep(
  ctx: RuleContext,
  roots: { expr: Expr; scope: ScopeId }[],
  onLibrary?: (entity: EntityInfo) => void,
): PythonStep | undefined {
  const { sem } = ctx;
  let step: PythonStep | undefined;
  for (const root of roots) {
    walkConstructions(
      sem,
      root,
      (c, sc) => {
        const cls = sem.userClass(c.callee, sc);
        if (cls !== undefined) {
          step ??= pythonStep(sem, cls);
          return;
        }
        const e = ctx.lookup(sem.qname(c.callee, sc));
        if (!e) return;
        onLibrary?.(e);
        if (e.qname.endsWith('FunctionTransformer')) {
          const func = argFor(c, e, 'func');
          const fnId = func && func.value.k === 'name' ? sem.userFunction(func.value, sc) : undefined;
          if (fnId !== undefined) step ??= pythonFunctionStep(sem, fnId);
        }
        return allArguments(c, sc);
      },
      { budget: 2000 },
    );
  }
  return step;
}

/** A call inside the block that runs, with parallel jobs, an estimator holding a Python-level custom step. */
function parallelRunOfPythonStep(
  ctx: RuleContext,
  call: CallExpr,
  scope: ScopeId,
): { runner: string; step: PythonStep } | undefined {
  const { sem } = ctx;
  const q = sem.qname(call.callee, scope);
  const entity = q ? ctx.lookup(q) : undefined;
  let roots: { expr: Expr; scope: ScopeId }[];
  let runner: string | undefined;
  if (entity && entity.kind === 'function' && entity.nJobs) {
    // cross_val_score(pipe, ...), permutation_importance(model, ...)
    roots = allArguments(call, scope);
    runner = `\`${entity.qname.split('.').pop()}\``;
  } else if (call.callee.k === 'attr' && RUN_METHODS.has(call.callee.name)) {
    roots = [{ expr: call.callee.object, scope }];
  } else return undefined;
  let parallel: string | undefined = runner;
  const step = walkForPythonStep(ctx, roots, (e) => {
    if (e.nJobs && (e.roles.meta || e.roles.composite) && !parallel) parallel = `\`${e.qname.split('.').pop()}\``;
  });
  if (!step || !parallel) return undefined;
  return { runner: parallel, step };
}

function pythonStep(sem: Semantics, classId: number): PythonStep | undefined {
  const cls = sem.fn(classId);
  for (const fn of sem.module.functions) {
    if (fn.parent !== classId || fn.kind !== 'def' || !STEP_METHODS.has(fn.name)) continue;
    const why = pythonLevelWork(sem, fn.id);
    if (why) return { name: cls.name, why: `${why} in \`${fn.name}\``, range: cls.nameRange };
  }
  return undefined;
}

function pythonFunctionStep(sem: Semantics, fnId: number): PythonStep | undefined {
  const fn = sem.fn(fnId);
  const why = pythonLevelWork(sem, fnId);
  return why ? { name: `FunctionTransformer(${fn.name})`, why, range: fn.nameRange } : undefined;
}

/** What in a function body runs per row in the interpreter: a loop, a comprehension, a per-row pandas call. */
function pythonLevelWork(sem: Semantics, fnId: number): string | undefined {
  let why: string | undefined;
  walkStmts(sem.fn(fnId).body, (s) => {
    if (why) return;
    if (s.k === 'loop') {
      why = /^\s*while\b/.test(textOf(sem.module.text, sem.module.lineStarts, s.range))
        ? 'a `while` loop'
        : 'a `for` loop';
      return;
    }
    for (const e of exprsOf(s)) {
      walkExpr(e, (x) => {
        if (why) return;
        if (x.k === 'other' && isComprehension(textOf(sem.module.text, sem.module.lineStarts, x.range)))
          why = 'a comprehension';
        else if (
          x.k === 'call' &&
          x.callee.k === 'attr' &&
          PER_ROW_CALLS.has(x.callee.name) &&
          (x.callee.name.startsWith('iter') || x.args.some((a) => a.value.k === 'function' || a.value.k === 'name'))
        )
          why = `a per-row \`.${x.callee.name}()\``;
      });
    }
  });
  return why;
}

/** `[f(x) for x in X]`, `{...}`, `(... for ...)`: a comprehension or generator expression (lowered as 'other'). */
function isComprehension(text: string): boolean {
  return /^[[{(]/.test(text) && /\bfor\b[\s\S]+\bin\b/.test(text);
}
