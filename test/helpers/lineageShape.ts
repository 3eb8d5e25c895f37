import type { LineageResult } from '../../server/src/dataflow/values';

/**
 * A data flow result as JSON, for comparing an open document's (made partly from the previous version's
 * state) with a fresh one of the same text: every record, instance, split and value with all its fields,
 * model nodes by their kind and range (the two models are different objects), and a value met again by the
 * number of its first appearance, so that what two records share must be shared in both results.
 */
export function lineageShape(r: LineageResult): string {
  const seen = new Map<object, number>();
  const shape = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const node = v as { k?: unknown; range?: { start: Pos; end: Pos } };
    if (typeof node.k === 'string' && node.range) return `${node.k}@${at(node.range.start)}-${at(node.range.end)}`;
    const first = seen.get(v);
    if (first !== undefined) return `#${first}`;
    seen.set(v, seen.size);
    if (v instanceof Set) return { set: [...v].map(shape) };
    if (v instanceof Map) return { map: [...v].map(([k, x]) => [shape(k), shape(x)]) };
    if (Array.isArray(v)) return v.map(shape);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[key];
      if (x !== undefined) out[key] = shape(x);
    }
    return out;
  };
  return JSON.stringify(shape(r));
}

interface Pos {
  line: number;
  character: number;
}

const at = (p: Pos) => `${p.line}:${p.character}`;
