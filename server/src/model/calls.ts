import type { ArgIR, Expr } from './ir';

export type CallExpr = Extract<Expr, { k: 'call' }>;

/**
 * The parameters of a callable, in order: all argument binding needs of a library entity
 * (`knowledge/types.ts` EntityInfo satisfies it; the model layer does not import the knowledge).
 */
export interface Signature {
  readonly params: readonly { readonly name: string; readonly kind: 'positional' | 'keyword' | 'varargs' | 'kwargs' }[];
}

/**
 * The argument bound to parameter `param` of a call to a known library entity: a keyword argument,
 * a positional argument at the parameter's position, or (scikit.js) a property of the options object.
 */
export function argFor(call: CallExpr, entity: Signature | undefined, param: string): ArgIR | undefined {
  const kw = call.args.find((a) => a.name === param);
  if (kw) return kw;
  if (entity) {
    let index = 0;
    for (const p of entity.params) {
      if (p.kind !== 'positional') break;
      if (p.name === param) {
        const positional = call.args.filter((a) => a.name === undefined);
        const arg = positional[index];
        // Positional arguments after a `*args` spread cannot be matched to a position.
        if (arg && !positional.slice(0, index + 1).some((a) => a.spread)) return arg;
        break;
      }
      index++;
    }
  }
  const options = call.args.find((a) => a.name === undefined && !a.spread && a.value.k === 'dict');
  if (options && options.value.k === 'dict') {
    for (const en of options.value.entries) {
      if (en.key && en.key.k === 'str' && en.key.value === param)
        return { name: param, value: en.value, range: en.range };
    }
  }
  return undefined;
}

/** Keyword spreads (`**params`) or an options object spread (`...opts`) that may carry any argument. */
export function hasOpenArguments(call: CallExpr): boolean {
  if (call.args.some((a) => a.spread === '**' || (a.spread === '*' && a.value.k !== 'seq'))) return true;
  return call.args.some((a) => a.value.k === 'dict' && a.value.entries.some((en) => en.key === null));
}

/** Which parameter each argument of a call binds to (keyword name, or position in the signature). */
export function paramOfArg(call: CallExpr, entity: Signature | undefined, arg: ArgIR): string | undefined {
  if (arg.name) return arg.name;
  if (!entity || arg.spread) return undefined;
  const positional = call.args.filter((a) => a.name === undefined);
  const i = positional.indexOf(arg);
  const params = entity.params.filter((p) => p.kind === 'positional');
  return i >= 0 && i < params.length ? params[i].name : undefined;
}
