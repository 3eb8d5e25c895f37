import type { FunctionIR, ImportIR, Stmt } from './ir';

/** The lowering of one top-level statement, as the front ends' per-statement caches keep it. */
export interface LoweredChunk {
  startLine: number;
  startCharacter: number;
  /** Id of the chunk's first function in the module it was last assembled into. */
  base: number;
  stmts: Stmt[];
  functions: FunctionIR[];
  imports: ImportIR[];
}

/**
 * A lowered fragment of IR moved by `lineDelta` lines and `idDelta` function ids: a structural copy that
 * keeps sharing (identical range objects stay identical), or the value itself when nothing moved. Used by
 * the front ends' per-statement lowering caches to reuse an unchanged statement that an edit above moved.
 */
export function shiftIR<T>(value: T, lineDelta: number, idDelta: number): T {
  if (lineDelta === 0 && idDelta === 0) return value;
  const copies = new Map<object, unknown>();
  const copy = <U>(v: U): U => {
    if (v === null || typeof v !== 'object') return v;
    const existing = copies.get(v);
    if (existing) return existing as U;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      copies.set(v, out);
      for (const item of v) out.push(copy(item));
      return out as U;
    }
    const src = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    copies.set(v, out);
    for (const key in src) {
      const x = src[key];
      if (key === 'line' && typeof x === 'number') out[key] = x + lineDelta;
      else if (
        (key === 'fn' || key === 'id' || key === 'scopeFn' || key === 'parent' || key === 'scope') &&
        typeof x === 'number'
      )
        out[key] = x + idDelta;
      else out[key] = copy(x);
    }
    return out as U;
  };
  return copy(value);
}
