import type { CallExpr } from '../../model/calls';
import type { Expr, FunctionIR } from '../../model/ir';
import { callsIn, customSteps, selfAssignments, selfName } from '../custom-steps';
import type { Rule, RuleContext } from '../rule';
import { findCulprits } from '../serialization/culprits';

/** Methods that run at inference: `pipeline.predict` calls every step's `transform`, then the model's `predict*`. */
const INFERENCE = new Set([
  'transform',
  'predict',
  'predict_proba',
  'predict_log_proba',
  'decision_function',
  'score_samples',
]);

/** Constructors of generators: seeded when given a seed that is not a literal None. */
const GENERATORS = new Set([
  'numpy.random.default_rng',
  'numpy.random.RandomState',
  'numpy.random.Generator',
  'random.Random',
  'sklearn.utils.check_random_state',
  'sklearn.utils.validation.check_random_state',
]);
const NOT_DRAWS = new Set([
  'seed',
  'get_state',
  'set_state',
  'getstate',
  'setstate',
  'bit_generator',
  'PCG64',
  'MT19937',
  'Philox',
  'SFC64',
  'SeedSequence',
  'BitGenerator',
]);

/**
 * SKL202 randomness-in-custom-step: a custom step's `transform` / `predict*` (or a method it calls on `self`)
 * draws random numbers without a seed: NumPy's or Python's global generator, `np.random.default_rng()` with no
 * seed, a generator created once and kept on `self` (its state advances from call to call), or, in scikit.js,
 * `Math.random()` in a custom step object. `pipeline.predict` on the same rows then gives different results.
 * A generator created inside the method from a seed (`np.random.default_rng(self.random_state)`) is fine.
 */
export const randomnessInCustomStep: Rule = {
  meta: {
    code: 'SKL202',
    name: 'randomness-in-custom-step',
    summary:
      'A custom step draws unseeded random numbers in transform/predict: the same rows get different predictions from call to call.',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python', 'typescript'],
  },
  check(ctx) {
    const reported = new Set<CallExpr>();
    for (const { owner, methods, generatorsOnSelf } of inferenceMethods(ctx)) {
      for (const { fn, via } of methods) {
        const self = selfName(fn);
        const assignedHere = new Set(self ? selfAssignments(fn).map((a) => a.attr) : []);
        let seededAt: number | undefined;
        for (const call of callsWithin(ctx, fn)) {
          const where = via ? `\`${owner}.${fn.name}\` (called from \`${via}\`)` : `\`${owner}.${fn.name}\``;
          const draw = classify(ctx, call, fn, self, generatorsOnSelf, assignedHere);
          if (draw === 'seed') {
            seededAt ??= call.range.start.line;
            continue;
          }
          if (!draw || reported.has(call)) continue;
          if (draw.kind === 'global' && seededAt !== undefined) continue;
          reported.add(call);
          ctx.report({
            range: call.range,
            message: `${where} ${draw.what}: the same rows give different ${(via ?? fn.name) === 'transform' ? 'features, and pipeline.predict different predictions,' : 'predictions'} from call to call. ${draw.instead}`,
          });
        }
      }
    }
  },
};

type Draw = { kind: 'global' | 'unseeded' | 'kept'; what: string; instead: string };

const SEEDED_INSIDE =
  'Draw from a generator created inside the method from a seed (`np.random.default_rng(self.random_state)`), or add randomness only in fit / fit_transform.';

function classify(
  ctx: RuleContext,
  call: CallExpr,
  fn: FunctionIR,
  self: string | undefined,
  kept: Set<string>,
  assignedHere: Set<string>,
): Draw | 'seed' | undefined {
  const callee = call.callee;
  // Language check kept: the sources of randomness are the runtime's (JavaScript's unseedable `Math.random`
  // against numpy / random generators), not syntax a printer could write.
  if (ctx.module.language === 'typescript') {
    if (
      callee.k === 'attr' &&
      callee.name === 'random' &&
      callee.object.k === 'name' &&
      callee.object.name === 'Math' &&
      !ctx.sem.isBound('Math', fn.id)
    ) {
      return {
        kind: 'global',
        what: 'calls `Math.random()`, which cannot be seeded',
        instead: 'Use a seeded generator created inside the method, or add randomness only in fit.',
      };
    }
    return undefined;
  }
  const q = ctx.sem.qname(callee, fn.id);
  const seedless = call.args.length === 0 || (call.args[0].value.k === 'const' && call.args[0].value.value === null);
  if (q && GENERATORS.has(q)) {
    if (!seedless || q.endsWith('Generator')) return undefined;
    return {
      kind: 'unseeded',
      what: `creates \`${q.replace(/^numpy\./, 'np.')}()\` without a seed`,
      instead: SEEDED_INSIDE,
    };
  }
  const global = q && /^(numpy\.random|random)\.(\w+)$/.exec(q);
  if (global) {
    const name = global[2];
    if (name === 'seed') return 'seed';
    if (NOT_DRAWS.has(name) || /^[A-Z]/.test(name))
      return name === 'SystemRandom'
        ? { kind: 'global', what: 'draws from `random.SystemRandom`, which cannot be seeded', instead: SEEDED_INSIDE }
        : undefined;
    const lib = global[1] === 'random' ? "Python's" : "NumPy's";
    return {
      kind: 'global',
      what: `draws from ${lib} global random generator (\`${q.replace(/^numpy\./, 'np.')}\`) without a seed`,
      instead: SEEDED_INSIDE,
    };
  }
  // self.rng.normal(...), where self.rng is a generator made once (in __init__ or fit) and not remade here.
  if (
    self &&
    callee.k === 'attr' &&
    callee.object.k === 'attr' &&
    callee.object.object.k === 'name' &&
    callee.object.object.name === self
  ) {
    const attr = callee.object.name;
    if (kept.has(attr) && !assignedHere.has(attr) && !NOT_DRAWS.has(callee.name)) {
      return {
        kind: 'kept',
        what: `draws from \`${self}.${attr}\`, a generator created once and kept on the object, whose state advances with every call`,
        instead: 'Create the generator inside the method from a seed, so each call starts from the same state.',
      };
    }
  }
  return undefined;
}

/** Calls in a method and in the lambdas / arrow functions nested in it (callbacks of map, apply...). */
function callsWithin(ctx: RuleContext, fn: FunctionIR): CallExpr[] {
  const out = callsIn(fn);
  for (const f of ctx.module.functions) {
    if (f.kind !== 'lambda') continue;
    let cur = f.parent;
    while (cur !== null && cur !== fn.id && ctx.module.functions[cur].kind === 'lambda')
      cur = ctx.module.functions[cur].parent;
    if (cur === fn.id) out.push(...callsIn(f));
  }
  return out.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}

interface Step {
  owner: string;
  methods: { fn: FunctionIR; via?: string }[];
  /** Attributes that hold a generator created once (Python). */
  generatorsOnSelf: Set<string>;
}

function inferenceMethods(ctx: RuleContext): Step[] {
  const { sem } = ctx;
  // Language check kept: a custom step is a different construct per library (scikit.js object literals and
  // classes held by a scikit.js pipeline, found by culprits.ts; Python classes with fit/transform methods).
  if (ctx.module.language === 'typescript') {
    const out: Step[] = [];
    const seen = new Set<number>();
    for (const c of findCulprits(ctx).all) {
      if (c.kind !== 'custom-object' || seen.has(c.fn)) continue;
      seen.add(c.fn);
      const fn = sem.fn(c.fn);
      if (fn.kind === 'class') {
        const methods = ctx.module.functions
          .filter((f) => f.parent === fn.id && INFERENCE.has(ctx.canonical(f.name)))
          .map((f) => ({ fn: f }));
        out.push({ owner: fn.name, methods, generatorsOnSelf: new Set() });
        continue;
      }
      // An object literal with methods: its inference entries.
      for (const v of sem.resolve(c.use, c.useScope)) {
        if (v.expr.k !== 'dict') continue;
        const methods: { fn: FunctionIR }[] = [];
        for (const en of v.expr.entries) {
          const key = en.key?.k === 'str' ? en.key.value : undefined;
          if (key && INFERENCE.has(ctx.canonical(key)) && en.value.k === 'function')
            methods.push({ fn: { ...sem.fn(en.value.fn), name: key } });
        }
        out.push({ owner: c.use.k === 'name' ? c.use.name : 'step', methods, generatorsOnSelf: new Set() });
      }
    }
    return out;
  }
  return customSteps(ctx).map((cls) => {
    const generatorsOnSelf = new Set<string>();
    for (const m of cls.methods.values()) {
      for (const a of selfAssignments(m)) {
        if (a.value.k === 'call' && GENERATORS.has(sem.qname(a.value.callee, m.id) ?? '')) generatorsOnSelf.add(a.attr);
      }
    }
    // Inference methods, then the methods they call on self (transitively).
    const methods: { fn: FunctionIR; via?: string }[] = [];
    const queue: { fn: FunctionIR; via?: string }[] = [...cls.methods.values()]
      .filter((m) => INFERENCE.has(m.name))
      .map((fn) => ({ fn }));
    const seen = new Set<number>();
    while (queue.length > 0) {
      const cur = queue.shift()!;
      if (seen.has(cur.fn.id)) continue;
      seen.add(cur.fn.id);
      methods.push(cur);
      const self = selfName(cur.fn);
      for (const call of callsIn(cur.fn)) {
        const c: Expr = call.callee;
        if (self && c.k === 'attr' && c.object.k === 'name' && c.object.name === self) {
          const target = cls.methods.get(c.name);
          if (target && !INFERENCE.has(target.name)) queue.push({ fn: target, via: cur.via ?? cur.fn.name });
        }
      }
    }
    return { owner: cls.fn.name, methods, generatorsOnSelf };
  });
}
