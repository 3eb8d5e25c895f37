import { lineageOf } from '../../knowledge/lineage';
import { originOf, type Data, type Inst, type LineageResult } from '../../dataflow/values';
import type { Range } from '../../model/ir';
import { textOf } from '../../model/text';
import type { RuleContext } from '../rule';

/** The module's lineage, computed once and shared by the SKL3xx rules. */
export function lineage(ctx: RuleContext): LineageResult {
  return ctx.memo('dataflow.lineage', () => lineageOf(ctx.sem, (qname) => ctx.lookup(qname)));
}

/** A transformer whose fitted state matters (not stateless, not an unknown or loaded object). */
export function isStatefulTransformer(inst: Inst): boolean {
  return inst.kind === 'transformer' && !inst.stateless;
}

export function shortName(qname: string): string {
  return qname.split('.').pop() ?? qname;
}

export function describeOrigin(d: Data): string {
  switch (originOf(d)) {
    case 'train':
      return 'training data';
    case 'test':
      return 'test data';
    case 'val':
      return 'validation data';
    case 'inference':
      return 'inference data';
    default:
      return 'data';
  }
}

export function source(ctx: RuleContext, r: Range): string {
  return textOf(ctx.module.text, ctx.module.lineStarts, r);
}

/** Reports once per rule and range, even when a function body was analysed for several call sites. */
export function once(ctx: RuleContext, code: string): (r: Range) => boolean {
  const seen = ctx.memo(`dataflow.reported.${code}`, () => new Set<string>());
  return (r) => {
    const key = `${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}
