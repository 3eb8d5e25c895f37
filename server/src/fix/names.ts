/** Turns free text (a step name, a parameter) into a Python/TS identifier: "log scale" -> "log_scale". */
export function toIdentifier(raw: string): string {
  let id = raw.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (id === '' || /^[0-9]/.test(id)) id = `f_${id}`;
  return id;
}

/** `base`, or `base_2`, `base_3`... whichever is not in `taken`; the result is added to `taken`. */
export function freshName(base: string, taken: Set<string>): string {
  // Remember the next suffix per base, so naming n helpers stays linear.
  let counters = nextSuffix.get(taken);
  if (!counters) nextSuffix.set(taken, (counters = new Map<string, number>()));
  let i = counters.get(base) ?? 2;
  let name = base;
  while (taken.has(name) || PYTHON_KEYWORDS.has(name)) name = `${base}_${i++}`;
  counters.set(base, i);
  taken.add(name);
  return name;
}

const nextSuffix = new WeakMap<Set<string>, Map<string, number>>();

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

/**
 * Names taken: a shared, read-only set of the module's names plus the ones this fix adds. Choosing names
 * for n findings then costs no copy of the module's names per finding.
 */
export class TakenNames extends Set<string> {
  constructor(private readonly base: ReadonlySet<string>) {
    super();
  }

  override has(name: string): boolean {
    return super.has(name) || this.base.has(name);
  }
}
