import type { CallExpr } from '../../model/calls';
import type { RelatedLocation } from '../../model/finding';
import { comparePos, type Expr, type FunctionIR, type Range } from '../../model/ir';
import { textOf } from '../../model/text';
import { customSteps, selfAssignments } from '../custom-steps';
import type { Rule, RuleContext } from '../rule';

/** What each resource constructor makes, and the error pickle raises (measured with Python 3.11). */
const RESOURCES: Record<string, { what: string; error: string }> = {};
const add = (names: string[], what: string, error: string) => names.forEach((n) => (RESOURCES[n] = { what, error }));
add(
  [
    'open',
    'io.open',
    'gzip.open',
    'bz2.open',
    'lzma.open',
    'codecs.open',
    'tempfile.TemporaryFile',
    'tempfile.NamedTemporaryFile',
    'tempfile.SpooledTemporaryFile',
  ],
  'an open file',
  "TypeError: cannot pickle '_io.TextIOWrapper' object",
);
add(
  [
    'threading.Lock',
    'threading.RLock',
    'threading.Condition',
    'threading.Semaphore',
    'threading.BoundedSemaphore',
    'threading.Event',
    'threading.Barrier',
  ],
  'a lock',
  "TypeError: cannot pickle '_thread.lock' object",
);
add(['threading.Thread', 'threading.Timer'], 'a thread', "TypeError: cannot pickle '_thread.lock' object");
add(
  [
    'multiprocessing.Lock',
    'multiprocessing.RLock',
    'multiprocessing.Queue',
    'multiprocessing.Pool',
    'multiprocessing.Manager',
  ],
  'a multiprocessing lock, queue or pool',
  'RuntimeError: ... objects should only be shared between processes through inheritance',
);
add(
  ['queue.Queue', 'queue.LifoQueue', 'queue.PriorityQueue'],
  'a queue (it holds locks)',
  "TypeError: cannot pickle '_thread.lock' object",
);
add(
  ['concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.ProcessPoolExecutor'],
  'an executor',
  "TypeError: cannot pickle '_queue.SimpleQueue' object",
);
add(
  [
    'sqlite3.connect',
    'psycopg2.connect',
    'pymysql.connect',
    'mysql.connector.connect',
    'pyodbc.connect',
    'cx_Oracle.connect',
    'oracledb.connect',
    'pymongo.MongoClient',
  ],
  'a database connection',
  "TypeError: cannot pickle 'sqlite3.Connection' object",
);
add(['socket.socket', 'socket.create_connection'], 'a socket', "TypeError: cannot pickle 'socket' object");
add(
  [
    'logging.FileHandler',
    'logging.StreamHandler',
    'logging.handlers.RotatingFileHandler',
    'logging.handlers.TimedRotatingFileHandler',
    'logging.handlers.SocketHandler',
  ],
  'a logging handler (it holds a lock)',
  "TypeError: cannot pickle '_thread.RLock' object",
);
const GENERATOR = { what: 'a generator', error: "TypeError: cannot pickle 'generator' object" };

/** One resource kept on `self` by a custom step class. */
export interface KeptResource {
  /** The class (a custom step) whose instances hold it. */
  cls: FunctionIR;
  method: FunctionIR;
  attr: string;
  what: string;
  error: string;
  /** The `self.attr = ...` statement. */
  range: Range;
}

/** Resources kept on `self` by the file's custom step classes without `__getstate__` / `__reduce__`, by class id. */
export function keptResources(ctx: RuleContext): Map<number, KeptResource[]> {
  return ctx.memo('serialization.kept-resources', () => compute(ctx));
}

function compute(ctx: RuleContext): Map<number, KeptResource[]> {
  const out = new Map<number, KeptResource[]>();
  for (const cls of customSteps(ctx)) {
    if (['__getstate__', '__reduce__', '__reduce_ex__'].some((m) => cls.methods.has(m))) continue;
    const list: KeptResource[] = [];
    for (const method of cls.methods.values()) {
      const assigns = selfAssignments(method);
      for (const a of assigns) {
        const kind = resourceOf(ctx, a.value, method);
        if (!kind) continue;
        // `self.fh = None` later in the same method: released before the object can be saved.
        if (
          assigns.some(
            (b) =>
              b.attr === a.attr &&
              b.value.k === 'const' &&
              b.value.value === null &&
              comparePos(b.stmt.range.start, a.stmt.range.start) > 0,
          )
        )
          continue;
        list.push({ cls: cls.fn, method, attr: a.attr, ...kind, range: a.stmt.range });
      }
    }
    if (list.length > 0) out.set(cls.fn.id, list);
  }
  return out;
}

function resourceOf(ctx: RuleContext, value: Expr, method: FunctionIR): { what: string; error: string } | undefined {
  for (const v of ctx.sem.resolve(value, method.id)) {
    const e = v.expr;
    if (e.k === 'other' && isGeneratorExpression(ctx, e)) return GENERATOR;
    if (e.k !== 'call') continue;
    const callee = e.callee;
    if (callee.k === 'name' && callee.name === 'open' && !ctx.sem.isBound('open', v.scope)) return RESOURCES.open;
    const q = ctx.sem.qname(callee, v.scope);
    if (q && q !== 'open' && RESOURCES[q]) return RESOURCES[q];
  }
  return undefined;
}

function isGeneratorExpression(ctx: RuleContext, e: Expr): boolean {
  const text = textOf(ctx.module.text, ctx.module.lineStarts, e.range);
  return text.startsWith('(') && text.endsWith(')') && /\bfor\b[\s\S]*\bin\b/.test(text);
}

/**
 * SKL106 unpicklable-attribute: a custom step keeps an open file, a lock, a thread, a database connection, a
 * socket, a logging handler or a generator on `self`, and its class defines no `__getstate__` / `__reduce__`.
 * Saving any model that holds an instance fails (SKL104 reports the save); fitting and predicting work.
 */
export const unpicklableAttribute: Rule = {
  meta: {
    code: 'SKL106',
    name: 'unpicklable-attribute',
    summary:
      'A custom step keeps an open file, lock, thread, connection, socket or generator on self without __getstate__: saving the model fails.',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python'],
  },
  check(ctx) {
    for (const list of keptResources(ctx).values()) {
      for (const r of list) {
        ctx.report({
          range: r.range,
          message: `\`${r.cls.name}.${r.method.name}\` keeps ${r.what} on \`self.${r.attr}\`, and \`${r.cls.name}\` has no \`__getstate__\`: joblib.dump or pickle.dump of any model holding it fails (${r.error}). Open it where it is used, or define \`__getstate__\` to leave it out.`,
        });
      }
    }
  },
};

/** For SKL104: the kept resources of a user class constructed by `call`, as related locations. */
export function resourcesOfConstruction(ctx: RuleContext, call: CallExpr, scope: number | null): KeptResource[] {
  const cls = ctx.sem.userClass(call.callee, scope);
  return cls === undefined ? [] : (keptResources(ctx).get(cls) ?? []);
}

export function resourceRelated(ctx: RuleContext, r: KeptResource): RelatedLocation {
  return {
    uri: ctx.module.uri,
    range: r.range,
    message: `${r.what} kept on \`self.${r.attr}\` by \`${r.cls.name}.${r.method.name}\``,
  };
}
