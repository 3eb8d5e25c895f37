import { canonical, pythonSyntax } from './syntax';
import type { Parser, Tree } from 'web-tree-sitter';
import type { CellProgram, FrontEnd } from '../model/frontend';
import { CpuDeadline } from '../model/budget';
import type { ModuleIR } from '../model/ir';
import { LoweringCache, Lowerer, lowerPython, normalizeForTreeSitter, type CellLowering } from './lower';
import { scanNesting, MAX_NESTING, type NestingScan } from './nesting';
import { ParseBudgetError, parsePython, type Deadline } from './parser';
import { lowerEditedRegion, markUnsettled } from './regions';
import { PARSE_BUDGET_MS, PARSE_MS_PER_KB } from '../source/limits';

export { LoweringCache, ParseBudgetError, normalizeForTreeSitter };
export { codeRanges, loadPythonParser } from './parser';

export { PARSE_BUDGET_MS };

/** How long one file may take to parse: see PARSE_BUDGET_MS in source/limits.ts. */
export function parseBudgetFor(textLength: number, baseMs = PARSE_BUDGET_MS): number {
  return baseMs + Math.round((textLength / 1024) * PARSE_MS_PER_KB);
}

function deadlineIn(budgetMs: number): Deadline {
  return new CpuDeadline(budgetMs);
}

/** Raised when tree-sitter's WASM trapped: its memory may be corrupt, later parses in this process are unsafe. */
export class ParserPoisonedError extends Error {}

let poisoned = false;

/** Parses with the poisoning guard: a WASM trap leaves tree-sitter's heap in an unknown state. */
function guardedParse(
  parser: Parser,
  text: string,
  previous: Tree | undefined,
  deadline: Deadline,
  scan: NestingScan,
): Tree {
  if (poisoned) throw new ParserPoisonedError('the Python parser failed earlier in this process');
  try {
    return parsePython(parser, text, previous, deadline, scan);
  } catch (err) {
    if (err instanceof ParseBudgetError) throw err;
    // A WASM trap (out-of-bounds access, out of memory) leaves tree-sitter's heap in an unknown state.
    if (err instanceof WebAssembly.RuntimeError || (err instanceof Error && /memory|Aborted/i.test(err.message)))
      poisoned = true;
    throw poisoned ? new ParserPoisonedError(`tree-sitter failed: ${(err as Error).message}`) : err;
  }
}

export function lowerPythonText(
  parser: Parser,
  text: string,
  uri: string,
  previous?: Tree,
  cache?: LoweringCache,
  budgetMs = parseBudgetFor(text.length),
): { module: ModuleIR; tree: Tree } {
  const scan = scanNesting(text);
  const tooDeep = scan.depth > MAX_NESTING;
  const tree = tooDeep
    ? guardedParse(parser, '', undefined, deadlineIn(budgetMs), scanNesting(''))
    : guardedParse(parser, normalizeForTreeSitter(text), previous, deadlineIn(budgetMs), scan);
  const module = lowerPython(tree, text, uri, tooDeep ? undefined : cache);
  if (tooDeep) {
    // Not parsed: an empty model flagged as broken, so that no rule speaks about it.
    const end = module.lineStarts.length - 1;
    module.hasErrors = true;
    module.notAnalysed = `nesting deeper than ${MAX_NESTING} levels (brackets, indentation, lambdas); not parsed`;
    module.errorRanges = [
      { start: { line: 0, character: 0 }, end: { line: end, character: text.length - module.lineStarts[end] } },
    ];
  }
  return { module, tree };
}

export function parserPoisoned(): boolean {
  return poisoned;
}

/** Lowered notebook cells by their masked text: an edit re-parses only the cells it touched. */
export class NotebookLoweringCache {
  cells = new Map<string, CellLowering>();
}

/**
 * Lowers a notebook program cell by cell: each code cell is parsed on its own (a syntax error stays in its
 * cell, and tree-sitter's error recovery never runs over the whole notebook), and the cells' IR is placed
 * at their lines in the program, so that data flow crosses cells. Unchanged cells come from the cache.
 * Throws ParseBudgetError when the cells together take longer than the budget to parse.
 */
export function lowerNotebook(
  parser: Parser,
  program: CellProgram,
  uri: string,
  cache?: NotebookLoweringCache,
  budgetMs = parseBudgetFor(program.text.length),
): ModuleIR {
  const steps = notebookSteps(parser, program, uri, cache, budgetMs);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * As `lowerNotebook`, yielding to the event loop whenever a slice of `sliceMs` has passed (between cells),
 * so that a server answers other requests while a notebook of thousands of cells is parsed: a
 * 10,000-cell notebook took 7-10 s to lower here, and its analysis after that 1.2-2.4 s.
 * `onSlice` is called before each yield.
 */
export async function lowerNotebookSliced(
  parser: Parser,
  program: CellProgram,
  uri: string,
  cache?: NotebookLoweringCache,
  sliceMs = 20,
  onSlice?: () => void,
): Promise<ModuleIR> {
  const steps = notebookSteps(parser, program, uri, cache, parseBudgetFor(program.text.length));
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart < sliceMs) continue;
    onSlice?.();
    await new Promise((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  }
}

/** The cells lowered one by one (a `yield` after each); returns the notebook's module. */
function* notebookSteps(
  parser: Parser,
  program: CellProgram,
  uri: string,
  cache: NotebookLoweringCache | undefined,
  budgetMs: number,
): Generator<void, ModuleIR> {
  const lowerer = new Lowerer(program.text, uri);
  const deadline = deadlineIn(budgetMs);
  const next = new Map<string, CellLowering>();
  for (let i = 0; i < program.cells.length; i++) {
    const cell = program.cells[i];
    const text = program.masked[i];
    let lowered = next.get(text) ?? cache?.cells.get(text);
    if (lowered) lowerer.appendCell(lowered, cell.startLine);
    else lowered = lowerCell(parser, lowerer, text, cell, deadline);
    next.set(text, lowered);
    yield;
  }
  if (cache) cache.cells = next;
  return lowerer.cellsModule(program.cells.map((c) => ({ startLine: c.startLine, index: c.index })));
}

/** Parses and lowers one notebook cell in place: at its line, with the module's function numbering. */
function lowerCell(
  parser: Parser,
  lowerer: Lowerer,
  text: string,
  cell: { startLine: number; lineCount: number },
  deadline: Deadline,
): CellLowering {
  const scan = scanNesting(text);
  let lowered: CellLowering;
  if (scan.depth > MAX_NESTING) {
    // Too deep to parse safely: the cell is left out, marked broken so that no rule speaks about it.
    lowered = {
      chunks: [],
      hasErrors: true,
      errorRanges: [{ start: { line: 0, character: 0 }, end: { line: cell.lineCount, character: 0 } }],
      line: 0,
      nodeBound: 0,
    };
    lowerer.appendCell(lowered, cell.startLine);
    return lowered;
  }
  const parsed = normalizeForTreeSitter(text);
  const tree = guardedParse(parser, parsed, undefined, deadline, scan);
  try {
    return lowerer.lowerCell(tree.rootNode, parsed, cell.startLine);
  } finally {
    tree.delete();
  }
}

/** What the Python front end keeps for one document between its versions. */
export class PythonState {
  /**
   * The last parse tree: edited with each change (lsp/documents.ts), then re-parsed incrementally. While
   * versions are lowered by re-parsing only their edited statements (regions.ts) it is not re-parsed: its
   * edits add up until the whole file is parsed again.
   */
  tree: Tree | undefined;
  /** The last version was lowered from its edited statements alone, not from `tree` (regions.ts). */
  regional = false;
  /** Lowered top-level statements of the previous version, reused for unchanged statements. */
  readonly lowering = new LoweringCache();
  /** A notebook's lowered cells. */
  readonly cells = new NotebookLoweringCache();

  drop(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.lowering.clear();
  }
}

/** The Python front end (tree-sitter): `parseBudgetMs` is the base of each file's parse budget. */
export function pythonFrontEnd(parser: Parser, parseBudgetMs = PARSE_BUDGET_MS): FrontEnd<PythonState> {
  return {
    language: 'python',
    syntax: pythonSyntax,
    canonical,
    newState: () => new PythonState(),
    lower(source, previous) {
      const module = lowerPythonSource(parser, source, previous, parseBudgetMs);
      if (previous) module.incremental = true;
      return module;
    },
  };
}

/** One Python source: a notebook's cells, else the edited region alone (regions.ts), else the whole text. */
function lowerPythonSource(
  parser: Parser,
  source: Parameters<FrontEnd<PythonState>['lower']>[0],
  previous: PythonState | undefined,
  parseBudgetMs: number,
): ModuleIR {
  const budget = parseBudgetFor(source.text.length, parseBudgetMs);
  if (source.program) return lowerNotebook(parser, source.program, source.uri, previous?.cells, budget);
  const text = source.text;
  let region: ReturnType<typeof lowerEditedRegion>;
  if (previous) {
    // Only the edited statements (regions.ts); the tree, edited with each change, is kept for when the
    // whole file must be parsed again.
    region = lowerEditedRegion(parser, text, source.uri, previous.lowering, deadlineIn(budget));
    previous.regional = region !== undefined && 'module' in region;
    if (region && 'module' in region) return region.module;
  }
  // A lone CR is rewritten for tree-sitter; the incremental tree then no longer matches: parse afresh.
  const old = text.includes('\r') && normalizeForTreeSitter(text) !== text ? undefined : previous?.tree;
  const { module, tree } = lowerPythonText(parser, text, source.uri, old, previous?.lowering, budget);
  if (!previous) {
    tree.delete();
    return module;
  }
  if (previous.tree && previous.tree !== tree) previous.tree.delete();
  previous.tree = tree;
  if (old && region && 'unsettled' in region) markUnsettled(previous.lowering, region.unsettled);
  return module;
}
