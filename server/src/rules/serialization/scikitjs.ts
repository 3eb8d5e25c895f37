import type { Range } from '../../model/ir';
import { walkExpr } from '../../model/ir';
import type { RuleContext } from '../rule';
import { findCulprits, type Culprit } from './culprits';

/**
 * The scikit.js side of the serialization rules. scikit.js has no FunctionTransformer: users write
 * custom steps as object literals with `fit`/`transform` methods, or classes of their own. Its
 * serializer (`toJSON`/`toObject`) keeps only data: a function becomes its name (or nothing), a custom
 * step becomes a plain object, and `fromJSON` gives back a pipeline whose step cannot transform.
 */

/** `new Pipeline({steps})`, `makePipeline(...)`: where a culprit is held, with the options key when known. */
export function scikitjsHolderLabel(c: Culprit): string {
  const cls = c.holderEntity.qname.split('.').pop() ?? c.holderEntity.qname;
  if (c.holderEntity.kind === 'function') return `${cls}(...)`;
  const options = c.holder.args[0]?.value;
  if (options && options.k === 'dict') {
    for (const en of options.entries) {
      if (en.key?.k !== 'str' || !en.key.value) continue;
      let inside = false;
      walkExpr(en.value, (x) => {
        if (x === c.use) inside = true;
      });
      if (inside) return `new ${cls}({${en.key.value}})`;
    }
  }
  return `new ${cls}(...)`;
}

function culpritName(ctx: RuleContext, c: Culprit): string {
  const fn = ctx.sem.fn(c.fn);
  if (c.kind === 'custom-object') return fn.kind === 'class' ? `instance of \`${fn.name}\`` : 'object literal';
  return fn.name === '<lambda>' ? 'arrow function' : `function \`${fn.name}\``;
}

/** SKL101 on scikit.js: a function or custom step object held by a scikit.js estimator or pipeline. */
export function reportScikitjsCallables(ctx: RuleContext): void {
  const seen = new Set<string>();
  for (const c of findCulprits(ctx).all) {
    if (c.holderEntity.library !== 'scikitjs') continue;
    const range: Range = c.kind === 'lambda' ? ctx.sem.fn(c.fn).range : c.use.range;
    const key = `${range.start.line}:${range.start.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const where = scikitjsHolderLabel(c);
    const what = culpritName(ctx, c);
    const message =
      c.kind === 'custom-object'
        ? `Custom step (${what}) in ${where}: toJSON keeps only its data, not its methods, so the pipeline restored by fromJSON cannot fit, transform or predict with it. Use scikit.js transformers, or rebuild this step in code after loading.`
        : `The ${what} passed to ${where} is not saved by toJSON (a function is written as its name or dropped), so fromJSON gives back a model without it.`;
    const related =
      c.use.range === range ? [] : [{ uri: ctx.module.uri, range: c.use.range, message: `used in ${where} here` }];
    if (c.kind === 'custom-object')
      related.push({
        uri: ctx.module.uri,
        range: ctx.sem.fn(c.fn).nameRange,
        message:
          ctx.sem.fn(c.fn).kind === 'class' ? `\`${ctx.sem.fn(c.fn).name}\` is defined here` : 'its methods are lost',
      });
    ctx.report({ range, message, related });
  }
}

export const SCIKITJS_DESCRIBE: Record<Culprit['kind'], string> = {
  lambda: 'a function',
  'local-function': 'a function',
  'local-class': 'a custom step object',
  'custom-object': 'a custom step object',
};

/** SKL104's message when the save is scikit.js `toJSON`/`toObject`. */
export function scikitjsSaveMessage(api: string, found: Culprit[]): string {
  const what = [...new Set(found.map((c) => SCIKITJS_DESCRIBE[c.kind]))].join(', ');
  const method = api.replace(/^scikitjs\./, '');
  return `${method}() silently drops ${what} (in ${scikitjsHolderLabel(found[0])}): fromJSON will give back a model that cannot run it.`;
}
