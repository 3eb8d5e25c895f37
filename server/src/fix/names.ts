/** Turns free text (a step name, a parameter) into a Python/TS identifier: "log scale" -> "log_scale". */
export function toIdentifier(raw: string): string {
  let id = raw.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (id === '' || /^[0-9]/.test(id)) id = `f_${id}`;
  return id;
}

/** `base`, or `base_2`, `base_3`... whichever is not in `taken`; the result is added to `taken`. */
export function freshName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name) || PYTHON_KEYWORDS.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
