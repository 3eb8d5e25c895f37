/**
 * IPython syntax in notebook cells, masked the way IPython's input transformers read it, so that the
 * rest parses as Python with every column where it was:
 * - a cell magic on the cell's first line (`%%bash`, `%%html`, `%%writefile`, ...) makes the whole cell
 *   something else than Python: the cell is left out. The few cell magics that run their body as Python
 *   (`%%time`, `%%timeit`, `%%capture`, ...) only lose their first line.
 * - line magics (`%matplotlib inline`), shell lines (`!pip install x`) and help (`obj?`, `?obj`) become
 *   comments; inside a block, `0#...` keeps the block non-empty.
 * - `x = !ls` and `x = %sx ls` keep the assignment (`x = 0#ls`): `x` is bound, to something unknown.
 * - `%time stmt` and `%timeit [options] stmt` run `stmt`: it stays, after `0;` and spaces.
 * Only the start of a logical line counts (not inside brackets, strings or after a `\` continuation),
 * as IPython tokenizes before it transforms; a masked line ending in `\` masks the line it continues into.
 */

/** Cell magics whose body IPython runs as Python code in the kernel. */
const PYTHON_CELL_MAGICS = new Set([
  'time',
  'timeit',
  'capture',
  'prun',
  'debug',
  'python',
  'python3',
  'pypy',
  'memit',
  'mprun',
  'snakeviz',
  'tensorflow_version',
]);

/** Line magics that run the rest of the line as a Python statement. */
const STATEMENT_MAGICS = new Set(['time', 'timeit', 'prun', 'memit', 'debug']);
/** Options of those magics that take a value (`%timeit -n 10 -r 3 f()`). */
const VALUE_OPTIONS = new Set(['-n', '-r', '-p', '-s', '-T', '-D', '-l']);

/** The cell's text with IPython syntax masked and line breaks made '\n'; undefined for a non-Python cell magic. */
export function maskCell(text: string): string | undefined {
  // Without these characters no line holds IPython syntax and no line break is other than '\n' (most cells).
  if (!/[%!?\r]/.test(text)) return text;
  const lines = text.split(/\r\n|\n|\r/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (first < lines.length) {
    const m = /^\s*%%(\w+)/.exec(lines[first]);
    if (m) {
      if (!PYTHON_CELL_MAGICS.has(m[1])) return undefined;
      lines[first] = maskWhole(lines[first], 0);
      first++;
    }
  }
  const scanner = new LineScanner();
  let continueMask = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (i < first) continue;
    if (continueMask) {
      // The continuation of a masked magic line: still part of the magic.
      continueMask = line.endsWith('\\');
      // A comment from column 0: the continued text is no statement of its own, whatever its indent.
      if (line.length > 0) lines[i] = `#${line.slice(1)}`;
      continue;
    }
    if (scanner.atLogicalStart()) {
      const masked = maskMagic(line);
      if (masked !== undefined) {
        lines[i] = masked;
        continueMask = line.endsWith('\\');
        continue;
      }
    }
    scanner.scan(line);
  }
  return lines.join('\n');
}

/** `text` from `from` on turned into a comment of the same length (`0#` when indented, to keep a block). */
function maskWhole(line: string, from: number): string {
  const indent = /^\s*/.exec(line)![0].length;
  const start = Math.max(from, indent);
  const rest = line.length - start;
  if (rest <= 0) return line;
  const prefix = start > 0 ? (rest === 1 ? '0' : '0#') : '#';
  return line.slice(0, start) + prefix + line.slice(start + prefix.length);
}

/** The masked line when it is IPython syntax at the start of a logical line; undefined for plain Python. */
export function maskMagic(line: string): string | undefined {
  const trimmed = line.trimStart();
  const indent = line.length - trimmed.length;
  if (trimmed === '') return undefined;
  const c = trimmed[0];
  if (c === '%' || c === '!' || (c === '?' && trimmed.length > 1)) {
    if (c === '!' && trimmed[1] === '=') return undefined;
    if (c === '%' && trimmed[1] !== '%') {
      const statement = statementAfterMagic(trimmed);
      if (statement !== undefined) {
        const at = indent + statement;
        // `%time f()` -> `0;    f()`: the statement runs, at its own column.
        return line.slice(0, indent) + '0;'.padEnd(statement, ' ') + line.slice(at);
      }
    }
    return maskWhole(line, indent);
  }
  // `x = !ls`, `files = %sx ls`, `a, b = %who_ls`: the value comes from IPython.
  const assign = /^\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*(?=[%!][^=])/.exec(line);
  if (assign) {
    const at = assign[0].length;
    const rest = line.length - at;
    return line.slice(0, at) + (rest === 1 ? '0' : '0#' + line.slice(at + 2));
  }
  // Help: `obj?`, `obj.attr??` (not a `?` in a comment or string).
  if (/\w\?\??\s*$/.test(trimmed) && !/[#'"]/.test(trimmed)) return maskWhole(line, indent);
  return undefined;
}

/** For `%time stmt` / `%timeit -n 10 stmt`: the offset of `stmt` in the trimmed line (at least 2). */
function statementAfterMagic(trimmed: string): number | undefined {
  const m = /^%(\w+)/.exec(trimmed);
  if (!m || !STATEMENT_MAGICS.has(m[1])) return undefined;
  let i = m[0].length;
  const skipSpaces = () => {
    while (i < trimmed.length && (trimmed[i] === ' ' || trimmed[i] === '\t')) i++;
  };
  skipSpaces();
  // Options: `-n 10`, `-n10`, `-q`, `-o`.
  while (trimmed[i] === '-' && /[A-Za-z]/.test(trimmed[i + 1] ?? '')) {
    const opt = trimmed.slice(i, i + 2);
    i += 2;
    if (VALUE_OPTIONS.has(opt)) {
      skipSpaces();
      while (i < trimmed.length && !/\s/.test(trimmed[i])) i++;
    } else {
      while (i < trimmed.length && !/\s/.test(trimmed[i])) i++;
    }
    skipSpaces();
  }
  if (i >= trimmed.length || i < 2) return undefined;
  return i;
}

/** Tracks, line by line, whether the next line starts a logical line (not in brackets, strings, continuation). */
class LineScanner {
  private depth = 0;
  private triple: string | undefined;
  private continued = false;

  atLogicalStart(): boolean {
    return this.depth === 0 && this.triple === undefined && !this.continued;
  }

  scan(line: string): void {
    this.continued = false;
    let i = 0;
    const n = line.length;
    while (i < n) {
      if (this.triple) {
        const end = line.indexOf(this.triple, i);
        const esc = line.indexOf('\\', i);
        if (esc >= 0 && (end < 0 || esc < end)) {
          i = esc + 2;
          continue;
        }
        if (end < 0) return;
        i = end + 3;
        this.triple = undefined;
        continue;
      }
      const c = line[i];
      if (c === '#') return;
      if (c === '"' || c === "'") {
        if (line.startsWith(c.repeat(3), i)) {
          this.triple = c.repeat(3);
          i += 3;
          continue;
        }
        i++;
        while (i < n && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
        i++;
        continue;
      }
      if (c === '(' || c === '[' || c === '{') this.depth++;
      else if ((c === ')' || c === ']' || c === '}') && this.depth > 0) this.depth--;
      else if (c === '\\' && i === n - 1) this.continued = true;
      i++;
    }
  }
}
