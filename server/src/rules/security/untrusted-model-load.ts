import type { Severity } from '../../model/finding';
import { walkExpr, walkStmts, type Expr, type Range, type ScopeId } from '../../model/ir';
import type { Semantics } from '../../model/semantics';
import { textOf } from '../../model/text';
import { literalOf } from '../literal-args';
import type { Rule, RuleContext } from '../rule';

/** Where an untrusted value comes from; `remote` sources are other people's bytes, `local` the operator's own input. */
interface Source {
  what: string;
  range: Range;
  remote: boolean;
}

/** Loaders that unpickle (and so run code): skops.io only with trusted=True. */
const UNPICKLERS = new Set([
  'joblib.load',
  'sklearn.externals.joblib.load',
  'pickle.load',
  'pickle.loads',
  '_pickle.load',
  '_pickle.loads',
  'dill.load',
  'dill.loads',
  'cloudpickle.load',
  'cloudpickle.loads',
  'pandas.read_pickle',
  'torch.load',
]);
const SKOPS_LOADERS = new Set(['skops.io.load', 'skops.io.loads']);

/** Web frameworks' request objects: any attribute read from them is client data. */
const REQUEST_OBJECTS = ['flask.request', 'quart.request', 'bottle.request', 'werkzeug.wrappers.Request'];
/** Attributes of a request object (Django, Starlette, a `request` parameter) that carry client data. */
const REQUEST_ATTRS = new Set([
  'files',
  'FILES',
  'body',
  'data',
  'get_data',
  'form',
  'POST',
  'GET',
  'args',
  'values',
  'json',
  'get_json',
  'stream',
  'query_params',
  'content',
]);
/** Calls that fetch bytes or files from a URL. */
const DOWNLOADERS: Record<string, string> = {
  'urllib.request.urlopen': 'a URL download',
  'urllib.request.urlretrieve': 'a URL download',
  'urllib.urlopen': 'a URL download',
  'urllib.urlretrieve': 'a URL download',
  'urllib2.urlopen': 'a URL download',
  'requests.get': 'an HTTP download',
  'requests.post': 'an HTTP download',
  'requests.request': 'an HTTP download',
  'requests.Session.get': 'an HTTP download',
  'httpx.get': 'an HTTP download',
  'wget.download': 'a URL download',
  'gdown.download': 'a Google Drive download',
  'huggingface_hub.hf_hub_download': 'a Hugging Face Hub download',
  'tensorflow.keras.utils.get_file': 'a URL download',
  'keras.utils.get_file': 'a URL download',
  'streamlit.file_uploader': 'a Streamlit upload',
  'streamlit.sidebar.file_uploader': 'a Streamlit upload',
  'gradio.File': 'a Gradio upload',
};
/** Downloaders that write to a file named by an argument (position, keyword). */
const FILE_DOWNLOADERS: Record<string, [number, string]> = {
  'urllib.request.urlretrieve': [1, 'filename'],
  'urllib.urlretrieve': [1, 'filename'],
  'wget.download': [1, 'out'],
  'gdown.download': [1, 'output'],
};
const LOCAL_INPUT: Record<string, string> = {
  'sys.argv': 'the command line (`sys.argv`)',
  'fileinput.input': 'the command line',
  'click.prompt': 'user input',
};

/**
 * SKL502 untrusted-model-load: `joblib.load` / `pickle.load(s)` (and dill, cloudpickle, `pd.read_pickle`,
 * `torch.load`, `skops.io.load(trusted=True)`) of a path, file or bytes that come from an HTTP request
 * (Flask / Django / FastAPI uploads, query arguments, bodies), a URL download, a Streamlit upload, or the
 * user (`input()`, `sys.argv`, argparse). Unpickling runs whatever code the file asks for. Remote
 * sources are warnings; the operator's own input (command line, prompt) is information.
 */
export const untrustedModelLoad: Rule = {
  meta: {
    code: 'SKL502',
    name: 'untrusted-model-load',
    summary: 'A model is unpickled from a request, a URL or user input: loading a pickle runs arbitrary code.',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python'],
  },
  check(ctx) {
    const { sem } = ctx;
    let downloadedPaths: Map<string, Source> | undefined;
    for (const { call, scope, q } of sem.namedCalls) {
      if (!q) continue;
      const skops = SKOPS_LOADERS.has(q);
      if (!UNPICKLERS.has(q) && !skops) continue;
      if (skops) {
        const trusted = call.args.find((a) => a.name === 'trusted');
        if (!trusted || literalOf(sem, trusted.value, scope) !== true) continue;
      }
      const input =
        call.args.find((a) => !a.name && !a.spread) ??
        call.args.find((a) => ['filename', 'file', 'filepath_or_buffer', 'f', 'data'].includes(a.name ?? ''));
      if (!input) continue;
      downloadedPaths ??= filesWrittenFromDownloads(ctx);
      const source = untrustedSource(ctx, input.value, scope, downloadedPaths);
      if (!source) continue;
      const fn = q.replace(/^sklearn\.externals\./, '').replace(/^pandas\./, 'pd.');
      const severity: Severity = source.remote ? 'warning' : 'information';
      ctx.report({
        range: call.callee.range,
        severity,
        message:
          `\`${fn}\` unpickles data from ${source.what}: loading a pickle runs any code the file asks for, ` +
          (source.remote
            ? 'so whoever controls that request or URL controls this process. '
            : 'so a model file shared with or downloaded by the user runs its code here. ') +
          'Load only artifacts you produced and verified (a pinned hash or signature), or save and load with `skops.io` and an explicit list of trusted types.',
        related: [{ uri: ctx.module.uri, range: source.range, message: `the data comes from ${source.what}` }],
      });
    }
  },
};

/** Literal file names that a download wrote: `urlretrieve(url, "model.pkl")`, `open("m.pkl", "wb").write(requests.get(url).content)`. */
function filesWrittenFromDownloads(ctx: RuleContext): Map<string, Source> {
  return ctx.memo('security.downloadedFiles', () => {
    const { sem } = ctx;
    const out = new Map<string, Source>();
    for (const { call, scope, q } of sem.namedCalls) {
      if (!q || !FILE_DOWNLOADERS[q]) continue;
      const [pos, kw] = FILE_DOWNLOADERS[q];
      const arg = call.args.find((a) => a.name === kw) ?? call.args.filter((a) => !a.name)[pos];
      const v = arg && literalOf(sem, arg.value, scope);
      if (typeof v === 'string')
        out.set(v, { what: `${DOWNLOADERS[q]} (\`${q.split('.').pop()}\`)`, range: call.range, remote: true });
    }
    // `with open("model.pkl", "wb") as f: f.write(<downloaded bytes>)`
    for (const { stmt, scope } of sem.statements) {
      if (stmt.k !== 'with') continue;
      for (const item of stmt.items) {
        if (item.value.k !== 'call' || !item.target || item.target.k !== 'name') continue;
        if (item.value.callee.k !== 'name' || item.value.callee.name !== 'open') continue;
        const [pathArg, modeArg] = item.value.args;
        const path = pathArg && literalOf(sem, pathArg.value, scope);
        const mode = modeArg && literalOf(sem, modeArg.value, scope);
        if (typeof path !== 'string' || typeof mode !== 'string' || !mode.includes('w')) continue;
        const handle = item.target.name;
        walkStmts(stmt.body, (s) => {
          if (s.k !== 'expr' || s.expr.k !== 'call') return;
          const c = s.expr;
          if (
            c.callee.k !== 'attr' ||
            c.callee.name !== 'write' ||
            c.callee.object.k !== 'name' ||
            c.callee.object.name !== handle ||
            !c.args[0]
          )
            return;
          const src = untrustedSource(ctx, c.args[0].value, scope, new Map());
          if (src?.remote) out.set(path, src);
        });
      }
    }
    return out;
  });
}

/** The untrusted origin of a value, following names to their assignments (a few steps), or undefined. */
function untrustedSource(
  ctx: RuleContext,
  start: Expr,
  scope: ScopeId,
  downloaded: Map<string, Source>,
): Source | undefined {
  const { sem } = ctx;
  const stack: { e: Expr; scope: ScopeId; depth: number }[] = [{ e: start, scope, depth: 0 }];
  const seen = new Set<Expr>();
  let budget = 400;
  while (stack.length > 0 && budget-- > 0) {
    const cur = stack.pop()!;
    let found: Source | undefined;
    walkExpr(cur.e, (x) => {
      if (found || seen.has(x)) return;
      seen.add(x);
      found = sourceAt(ctx, x, cur.scope, downloaded);
      if (!found && x.k === 'name' && cur.depth < 8) {
        for (const v of sem.resolve(x, cur.scope))
          if (v.expr !== x) stack.push({ e: v.expr, scope: v.scope, depth: cur.depth + 1 });
        for (const b of sem.lookup(x.name, cur.scope, x.range.start)) {
          // `for f in request.files.getlist("models")`, `with urlopen(url) as resp`: the iterable / context value.
          if (b.kind === 'loop' && b.stmt?.k === 'loop' && b.stmt.iter)
            stack.push({ e: b.stmt.iter, scope: b.scope, depth: cur.depth + 1 });
          if (b.kind === 'param' && b.scope !== null) {
            const p = paramSource(ctx, b.scope, x.name);
            if (p) found = p;
            // `def load_model(path): return pickle.load(open(path, "rb"))` called with an upload in this file.
            else if (cur.depth < 6)
              for (const a of argumentsFor(sem, b.scope, x.name)) stack.push({ ...a, depth: cur.depth + 1 });
          }
        }
      }
    });
    if (found) return found;
  }
  return undefined;
}

function sourceAt(ctx: RuleContext, x: Expr, scope: ScopeId, downloaded: Map<string, Source>): Source | undefined {
  const { sem, module } = ctx;
  const show = (e: Expr) => {
    const t = textOf(module.text, module.lineStarts, e.range).replace(/\s+/g, ' ');
    return t.length > 50 ? `${t.slice(0, 47)}...` : t;
  };
  if (x.k === 'str' && x.value !== null && downloaded.has(x.value)) return downloaded.get(x.value);
  if (x.k === 'attr') {
    const q = sem.qname(x, scope);
    if (q && LOCAL_INPUT[q]) return { what: LOCAL_INPUT[q], range: x.range, remote: false };
    if (q && REQUEST_OBJECTS.some((r) => q.startsWith(`${r}.`)) && REQUEST_ATTRS.has(x.name))
      return { what: `the HTTP request (\`${show(x)}\`)`, range: x.range, remote: true };
    // Django / Starlette: a `request` parameter of a view.
    if (
      !q &&
      x.object.k === 'name' &&
      x.object.name === 'request' &&
      REQUEST_ATTRS.has(x.name) &&
      isParam(sem, x.object, scope)
    )
      return { what: `the HTTP request (\`${show(x)}\`)`, range: x.range, remote: true };
    return undefined;
  }
  if (x.k !== 'call') return undefined;
  const q = sem.qname(x.callee, scope);
  if (q && DOWNLOADERS[q]) return { what: `${DOWNLOADERS[q]} (\`${show(x)}\`)`, range: x.range, remote: true };
  if (q && LOCAL_INPUT[q]) return { what: LOCAL_INPUT[q], range: x.range, remote: false };
  if (!q && x.callee.k === 'name' && x.callee.name === 'input' && !sem.isBound('input', scope))
    return { what: 'user input (`input()`)', range: x.range, remote: false };
  // argparse: `args = parser.parse_args()`; `args.model_path` reaches here as the parse_args call.
  if (
    x.callee.k === 'attr' &&
    (x.callee.name === 'parse_args' || x.callee.name === 'parse_known_args') &&
    isArgumentParser(sem, x.callee.object, scope)
  ) {
    return { what: 'the command line (argparse)', range: x.range, remote: false };
  }
  return undefined;
}

/** The arguments that calls in this file pass for parameter `name` of function `fnId`. */
function argumentsFor(sem: Semantics, fnId: number, name: string): { e: Expr; scope: ScopeId }[] {
  const fn = sem.fn(fnId);
  const index = fn.params.findIndex((p) => p.name === name);
  if (index < 0 || fn.kind !== 'def') return [];
  const out: { e: Expr; scope: ScopeId }[] = [];
  for (const { call, scope, fn: callee } of sem.namedCalls) {
    if (callee !== fnId) continue;
    const arg = call.args.find((a) => a.name === name) ?? call.args.filter((a) => !a.name && !a.spread)[index];
    if (arg) out.push({ e: arg.value, scope });
  }
  return out;
}

function isParam(sem: Semantics, name: Extract<Expr, { k: 'name' }>, scope: ScopeId): boolean {
  return sem.lookup(name.name, scope, name.range.start).some((b) => b.kind === 'param');
}

function isArgumentParser(sem: Semantics, e: Expr, scope: ScopeId): boolean {
  for (const v of sem.resolve(e, scope)) {
    if (v.expr.k === 'call' && sem.qname(v.expr.callee, v.scope) === 'argparse.ArgumentParser') return true;
  }
  return false;
}

/** A FastAPI upload parameter: `file: UploadFile = File(...)`, `data: bytes = File(...)`. */
function paramSource(ctx: RuleContext, fnId: number, name: string): Source | undefined {
  const { sem, module } = ctx;
  const fn = sem.fn(fnId);
  const p = fn.params.find((x) => x.name === name);
  if (!p) return undefined;
  const text = textOf(module.text, module.lineStarts, p.range);
  const q = p.default?.k === 'call' ? sem.qname(p.default.callee, fn.parent) : undefined;
  if (
    q === 'fastapi.File' ||
    q === 'fastapi.Form' ||
    q === 'fastapi.Body' ||
    /:\s*(fastapi\.)?UploadFile\b/.test(text)
  ) {
    return { what: `an uploaded file (\`${text.replace(/\s+/g, ' ')}\`)`, range: p.range, remote: true };
  }
  return undefined;
}
