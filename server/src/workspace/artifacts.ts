import type { Expr, ScopeId } from '../model/ir';
import type { Semantics } from '../model/semantics';

/**
 * Artifact keys: where a model is saved to or loaded from, as a normalised path with `*` for the parts
 * that are not constant. Follows string literals, module constants, f-strings, `+`, `os.path.join`,
 * `pathlib.Path(...) / "x"`, `open(path, "wb")` and `with open(...) as f` handles.
 */
export function artifactKey(sem: Semantics, e: Expr | undefined, scope: ScopeId): string | undefined {
  if (!e) return undefined;
  const raw = pathOf(sem, e, scope, 0);
  if (raw === undefined) return undefined;
  const key = normalizeKey(raw);
  return /[^*/]/.test(key) ? key : undefined;
}

export function normalizeKey(p: string): string {
  let s = p
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/\*+/g, '*');
  s = s.replace(/(^|\/)\.\//g, '$1');
  while (s.startsWith('./')) s = s.slice(2);
  return s;
}

/** The last path component: the part two files most reliably agree on. */
export function baseName(key: string): string {
  const i = key.lastIndexOf('/');
  return i >= 0 ? key.slice(i + 1) : key;
}

/** Do two keys name the same artifact? Equal base names, `*` matching anything within the name. */
export function keysMatch(a: string, b: string): boolean {
  const ba = baseName(a);
  const bb = baseName(b);
  if (ba === bb) return ba !== '*';
  if (!ba.includes('*') && !bb.includes('*')) return false;
  const re = (g: string) =>
    new RegExp(
      `^${g
        .split('*')
        .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
  if (ba.replace(/\*/g, '').length < 3 || bb.replace(/\*/g, '').length < 3) return false;
  return re(ba).test(bb) || re(bb).test(ba);
}

const JOINS = new Set(['os.path.join', 'posixpath.join', 'ntpath.join']);
const PATHS = new Set([
  'pathlib.Path',
  'pathlib.PurePath',
  'pathlib.PosixPath',
  'pathlib.WindowsPath',
  'path.join',
  'path.resolve',
  'node:path.join',
  'node:path.resolve',
]);
const OPENERS = new Set(['open', 'io.open', 'gzip.open', 'bz2.open', 'lzma.open', 'builtins.open']);

function pathOf(sem: Semantics, e: Expr, scope: ScopeId, depth: number): string | undefined {
  if (depth > 8) return undefined;
  switch (e.k) {
    case 'str':
      if (e.value !== null) return e.value;
      return (e.parts ?? [])
        .map((p) => (typeof p === 'string' ? p : (pathOf(sem, p, scope, depth + 1) ?? '*')))
        .join('');
    case 'name': {
      const [b] = sem.lookup(e.name, scope, e.range.start);
      if (!b) return undefined;
      if (b.kind === 'with' && b.value) return pathOf(sem, b.value, b.scope, depth + 1);
      if (b.kind === 'assign' && b.value && !b.inLoop) return pathOf(sem, b.value, b.scope, depth + 1);
      return undefined;
    }
    case 'binop': {
      if (e.op !== '+' && e.op !== '/') return undefined;
      const l = pathOf(sem, e.left, scope, depth + 1) ?? '*';
      const r = pathOf(sem, e.right, scope, depth + 1) ?? '*';
      return e.op === '/' ? `${l}/${r}` : `${l}${r}`;
    }
    case 'call': {
      const q =
        sem.qname(e.callee, scope) ??
        (e.callee.k === 'name' && !sem.isBound(e.callee.name, scope) ? e.callee.name : undefined);
      const args = e.args.filter((a) => !a.name && !a.spread);
      if (q && JOINS.has(q)) return args.map((a) => pathOf(sem, a.value, scope, depth + 1) ?? '*').join('/');
      if (
        q &&
        (PATHS.has(q) || q === 'str' || q === 'os.fspath' || q === 'os.path.abspath' || q === 'os.path.expanduser')
      ) {
        return args.length === 0 ? undefined : args.map((a) => pathOf(sem, a.value, scope, depth + 1) ?? '*').join('/');
      }
      if (q && OPENERS.has(q)) {
        const first = args[0] ?? e.args.find((a) => a.name === 'file');
        return first ? pathOf(sem, first.value, scope, depth + 1) : undefined;
      }
      // Path(...).open("wb"), p.joinpath("x"), p.with_suffix(".pkl")
      if (e.callee.k === 'attr') {
        const base = pathOf(sem, e.callee.object, scope, depth + 1);
        if (base === undefined) return undefined;
        if (
          e.callee.name === 'open' ||
          e.callee.name === 'resolve' ||
          e.callee.name === 'absolute' ||
          e.callee.name === 'expanduser'
        )
          return base;
        if (e.callee.name === 'joinpath')
          return [base, ...args.map((a) => pathOf(sem, a.value, scope, depth + 1) ?? '*')].join('/');
        if (e.callee.name === 'format') return base.replace(/\{[^}]*\}/g, '*');
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
