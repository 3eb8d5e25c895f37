import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser, type Range, type Tree } from 'web-tree-sitter';
import { checkedTreeMemory, setTreeMemory, TreeMemory, type WasmViews } from './memory';
import { scanNesting, type NestingScan } from './nesting';

/**
 * tree-sitter through its WASM binding: one universal build. The .wasm files sit next to the bundle
 * (esbuild copies them to dist/); when running from source they are resolved from node_modules.
 */
function wasmPath(file: string, pkgPath: string): string {
  const beside = path.join(__dirname, file);
  if (existsSync(beside)) return beside;
  return require.resolve(pkgPath);
}

let ready: Promise<Parser> | undefined;

export function loadPythonParser(): Promise<Parser> {
  ready ??= (async () => {
    const runtime = wasmPath('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm');
    const grammar = wasmPath('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm');
    // Emscripten makes this object the module: it then holds the views of the WASM memory (see memory.ts).
    const module: WasmViews & { locateFile(): string } = { locateFile: () => runtime };
    await Parser.init(module);
    // Its bytes, not its path: web-tree-sitter reads a path with import('fs/promises'), which a script compiled
    // from V8's code cache cannot run (cli/launch.ts).
    const language = await Language.load(readFileSync(grammar));
    const parser = new Parser();
    parser.setLanguage(language);
    setTreeMemory(checkedOnce(parser, module, agreementMark(__filename, [runtime, grammar])));
    return parser;
  })();
  return ready;
}

/**
 * Where a check of the memory reader that agreed is remembered: an empty file in the bundle's cache folder (dist/.cache,
 * with the command line's code cache) named after the bundle and both WASM files, by size and time. Undefined from
 * source (the tests), where the WASM files are not beside the code: every process then checks.
 */
export function agreementMark(bundle: string, wasmFiles: string[]): string | undefined {
  const dir = path.dirname(bundle);
  if (wasmFiles.some((f) => path.dirname(f) !== dir)) return undefined;
  try {
    const key = [bundle, ...wasmFiles].map((f) => {
      const { size, mtimeMs } = statSync(f);
      return `${size}-${Math.round(mtimeMs)}`;
    });
    return path.join(dir, '.cache', `${MARK_PREFIX}${path.basename(bundle)}-${key.join('-')}.ok`);
  } catch {
    return undefined;
  }
}

const MARK_PREFIX = 'tree-memory-';

/**
 * The memory reader, compared with tree-sitter's own calls once per install rather than in every process: the
 * comparison took 16 ms of each check's start (60M of the 3,100M instructions of 88 examples), for the same
 * answer every time. With `mark` present the reader is used unchecked; a check that agrees leaves it (and removes
 * the marks of this bundle's earlier builds). A mark that cannot be written (a read-only install) only means
 * checking again next time.
 */
export function checkedOnce(
  parser: Parser,
  views: WasmViews,
  mark: string | undefined,
  check: typeof checkedTreeMemory = checkedTreeMemory,
): TreeMemory | undefined {
  if (mark !== undefined && views.HEAPU8 && views.HEAPU16 && views.HEAPU32 && existsSync(mark))
    return new TreeMemory(views);
  const memory = check(parser, views);
  if (memory && mark !== undefined) leaveMark(mark);
  return memory;
}

function leaveMark(mark: string): void {
  const dir = path.dirname(mark);
  const bundleMarks = path.basename(mark).replace(/-[\d-]+\.ok$/, '-');
  try {
    mkdirSync(dir, { recursive: true });
    // 'wx': a file or symbolic link already there is not written through.
    writeFileSync(mark, '', { flag: 'wx' });
    for (const name of readdirSync(dir))
      if (name.startsWith(bundleMarks) && name.endsWith('.ok') && path.join(dir, name) !== mark)
        unlinkSync(path.join(dir, name));
  } catch {
    // Read-only, or another process left it first.
  }
}

/** The parse took longer than its budget (tree-sitter's error recovery can go superlinear on odd input). */
export class ParseBudgetError extends Error {
  constructor(readonly budgetMs: number) {
    super(`too slow to parse (over ${(budgetMs / 1000).toFixed(1)} s of CPU), skipped`);
  }
}

/** When a parse must stop (model/budget.ts's CpuDeadline). */
export interface Deadline {
  budgetMs: number;
  passed(): boolean;
}

/**
 * Parses `text`; pass the previous tree (already `edit`ed) to re-parse incrementally. With a deadline,
 * tree-sitter's progress callback cancels the parse once it passes, and ParseBudgetError is thrown; the
 * parser is reset so that the next parse starts afresh (it would otherwise resume the cancelled one).
 * `scan` is the text's scanNesting, when the caller has it.
 */
export function parsePython(
  parser: Parser,
  text: string,
  previous?: Tree,
  deadline?: Deadline,
  scan: NestingScan = scanNesting(text),
): Tree {
  const includedRanges = codeRanges(scan, text.length);
  const options =
    deadline || includedRanges
      ? { progressCallback: deadline && (() => deadline.passed()), includedRanges }
      : undefined;
  // web-tree-sitter types the callback as returning void, but cancels when it returns true.
  const tree = parser.parse(text, previous ?? null, options);
  if (!tree) {
    parser.reset();
    if (deadline?.passed()) throw new ParseBudgetError(deadline.budgetMs);
    throw new Error('tree-sitter returned no tree');
  }
  return tree;
}

/**
 * What tree-sitter reads of a text: all of it but its runs of lines that hold only a comment (`scan.comments`),
 * undefined when there are none (or nothing else). Such a line is no token and no indentation to Python, and
 * nothing in the model comes from it, while tree-sitter's lexer steps through every character of it: comment
 * lines are 31% of the characters of scikit-learn's 285 examples, whose parse took 290 ms with them and 190
 * ms without. The model is the same either way, but for compound statements that end in comment lines,
 * which now end at their last code as in Python's own `ast`. At most the MAX_SKIPPED_RUNS longest runs are
 * left out (see there).
 */
export function codeRanges(scan: NestingScan, length: number): Range[] | undefined {
  const comments = longestRuns(scan.comments, MAX_SKIPPED_RUNS);
  if (comments.length === 0) return undefined;
  const ranges: Range[] = [];
  let start = 0;
  let row = 0;
  for (let k = 0; k < comments.length; k += 4) {
    if (comments[k] > start) {
      ranges.push({
        startIndex: start,
        endIndex: comments[k],
        startPosition: { row, column: 0 },
        endPosition: { row: comments[k + 1], column: 0 },
      });
    }
    start = comments[k + 2];
    row = comments[k + 3];
  }
  if (start < length) {
    ranges.push({
      startIndex: start,
      endIndex: length,
      startPosition: { row, column: 0 },
      endPosition: { row: scan.endRow, column: scan.endColumn },
    });
  }
  return ranges.length > 0 ? ranges : undefined;
}

/**
 * How many runs of comment lines are left out at most. tree-sitter looks a position's range up from the first
 * range at every token, so n ranges cost each token up to n steps: a file of 100,000 code lines each followed by a
 * comment line parsed in 16 s with every run left out and 0.5 s reading everything. Real files have fewer (at most
 * 96 in 508 files of scikit-learn's examples and five public repositories); a 10,044-line file of the examples
 * (503 runs) parsed in 54-59 ms with all of them left out, 51-52 ms with the 128 longest and 66 ms with none.
 */
const MAX_SKIPPED_RUNS = 128;

/** The `most` longest runs of `runs` (scanNesting's four numbers each), in text order. */
function longestRuns(runs: number[], most: number): number[] {
  if (runs.length <= most * 4) return runs;
  const starts: number[] = [];
  for (let k = 0; k < runs.length; k += 4) starts.push(k);
  // Longest first (ties in text order: the sort is stable), then the kept ones back in text order.
  starts.sort((a, b) => runs[b + 2] - runs[b] - (runs[a + 2] - runs[a]));
  const kept = starts.slice(0, most).sort((a, b) => a - b);
  const out: number[] = [];
  for (const k of kept) out.push(runs[k], runs[k + 1], runs[k + 2], runs[k + 3]);
  return out;
}
