import type { Range } from '../model/ir';
import { maskCell } from './magics';

/** One cell of a notebook as the analysis sees it: its index among all cells, and its text. */
export interface NotebookCellSource {
  /** 0-based index among all the notebook's cells (markdown included), as Jupyter and Ruff count them. */
  index: number;
  text: string;
  /** The cell document's URI (language server); absent for files read from disk. */
  uri?: string;
}

/** A code cell placed in the program. */
export interface ProgramCell extends NotebookCellSource {
  /** First line of the cell in the program text. */
  startLine: number;
  lineCount: number;
}

/**
 * A notebook's code cells, in order, as one Python program (so that data flow crosses cells), with the map
 * from program lines back to cells. The program text joins the cells with '\n' after masking IPython
 * syntax (magics, shell lines, help) the way IPython reads it, so that columns stay true; cells run by a
 * non-Python cell magic (`%%bash`, `%%html`, ...) are left out. Each cell is parsed on its own (see
 * `lowerNotebook`): a cell's broken syntax never reaches into the next one.
 */
export class NotebookProgram {
  readonly text: string;
  /** The code cells in the program, in order. */
  readonly cells: ProgramCell[] = [];
  /** Masked text of each cell in `cells` (what is parsed). */
  readonly masked: string[] = [];
  private readonly starts: number[] = [];

  constructor(sources: NotebookCellSource[]) {
    const parts: string[] = [];
    let line = 0;
    for (const source of sources) {
      const masked = maskCell(source.text);
      if (masked === undefined) continue; // a cell magic that is not Python
      const lineCount = countLines(masked);
      this.cells.push({ ...source, startLine: line, lineCount });
      this.masked.push(masked);
      this.starts.push(line);
      parts.push(masked);
      line += lineCount;
    }
    this.text = parts.join('\n');
  }

  /** The code cells of an .ipynb file (nbformat 4: `source` is a string or a list of strings). */
  static fromJson(json: string): NotebookProgram {
    return new NotebookProgram(readCells(json));
  }

  /** Position in `cells` of the cell holding a program line. */
  private at(line: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= line) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The cell holding a program line, and the line within it (0-based). */
  locate(line: number): { cell: ProgramCell; line: number } {
    const cell = this.cells[this.at(line)] ?? { index: 0, text: '', startLine: 0, lineCount: 0 };
    return { cell, line: line - cell.startLine };
  }

  /** A program range as a range in its cell; undefined when it spans cells. */
  toCell(range: Range): { cell: ProgramCell; range: Range } | undefined {
    const start = this.locate(range.start.line);
    const end = this.locate(range.end.line);
    if (start.cell !== end.cell || this.cells.length === 0) return undefined;
    return {
      cell: start.cell,
      range: {
        start: { line: start.line, character: range.start.character },
        end: { line: end.line, character: range.end.character },
      },
    };
  }

  /**
   * The map from program lines to cells without the texts: what a finding's location needs once the
   * analysis is done (the CLI keeps one per notebook until it prints, not every notebook's source).
   */
  cellMap(): NotebookProgram {
    const map = Object.create(NotebookProgram.prototype) as NotebookProgram;
    return Object.assign(map, {
      text: '',
      cells: this.cells.map((c) => ({ index: c.index, text: '', startLine: c.startLine, lineCount: c.lineCount })),
      masked: [],
      starts: this.starts,
    });
  }

  /** How a program line is named to users: `cell 7, line 55` (1-based, cells counted as Jupyter does). */
  describeLine(line: number): string {
    const at = this.locate(line);
    return `cell ${at.cell.index + 1}, line ${at.line + 1}`;
  }
}

function countLines(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** The cells of an .ipynb file, each with its index among all cells; code cells only. */
export function readCells(json: string): NotebookCellSource[] {
  const nb = JSON.parse(json) as { cells?: unknown };
  if (!nb || typeof nb !== 'object' || !Array.isArray(nb.cells))
    throw new Error('not a Jupyter notebook: no "cells" array');
  const out: NotebookCellSource[] = [];
  nb.cells.forEach((cell: { cell_type?: unknown; source?: unknown } | null, index: number) => {
    if (!cell || typeof cell !== 'object' || cell.cell_type !== 'code') return;
    out.push({ index, text: sourceText(cell.source) });
  });
  return out;
}

export function sourceText(source: unknown): string {
  if (typeof source === 'string') return source;
  if (Array.isArray(source)) return source.map((s) => (typeof s === 'string' ? s : '')).join('');
  return '';
}
