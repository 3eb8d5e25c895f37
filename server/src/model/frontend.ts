import type { Language, ModuleIR } from './ir';
import type { Syntax } from './syntax';

/**
 * A notebook's code cells joined into one program (notebook/program.ts builds it from an .ipynb or from
 * the editor's cells): the source adapter hands it to the Python front end, which lowers each cell on its
 * own and places it at its lines, so that the module's `cells` map program lines back to cells.
 */
export interface CellProgram {
  readonly text: string;
  readonly cells: readonly { index: number; startLine: number; lineCount: number }[];
  /** What each cell of `cells` is parsed as (IPython syntax masked, columns kept). */
  readonly masked: readonly string[];
}

/** What a front end lowers: a file's or document's text, or a notebook's program. */
export interface Source {
  /** File path (CLI) or document URI (server): the module's `uri`. */
  uri: string;
  /** The text the module's positions refer to (a notebook: `program.text`). */
  text: string;
  program?: CellProgram;
}

/**
 * A language's front end: text -> the language-neutral ModuleIR every rule reads (model/ir.ts). Python
 * (python/) and TypeScript/scikit.js (typescript/) implement it; a notebook is not a third front end but a
 * `Source` with a `program`. Which front end lowers which file kind is decided in one place,
 * analysis/lower.ts. Lowering never throws on bad input (syntax errors give `hasErrors` and `errorRanges`);
 * it throws only when the text is over its parse budget (ParseBudgetError).
 */
export interface FrontEnd<Previous extends object = object> {
  readonly language: Language;
  /**
   * Lowers a whole source. `previous`: what this front end keeps between versions of one document (an
   * incremental parse tree, lowered statements), from `newState()`, updated in place; without it, a
   * one-off lowering.
   */
  lower(source: Source, previous?: Previous): ModuleIR;
  /** An empty per-document state for `lower`. */
  newState(): Previous;
  /** The printer of literals, keyword arguments, argument insertion and function extraction that rules and fixes use. */
  readonly syntax: Syntax;
  /** The library concept a name of the language stands for (scikit.js `fitTransform` -> `fit_transform`). */
  canonical(name: string): string;
}
