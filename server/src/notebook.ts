/**
 * Jupyter notebooks: code cells in order form one program. IPython magics (`%`, `%%`) and shell
 * lines (`!`) are turned into comments of the same length, so columns stay true.
 */
export interface NotebookProgram {
  text: string;
  /** First line of each code cell in `text`, with the cell's index among all cells (0-based). */
  cells: { index: number; startLine: number; lineCount: number }[];
}

export function notebookToProgram(json: string): NotebookProgram {
  const nb = JSON.parse(json) as { cells?: { cell_type?: string; source?: string | string[] }[] };
  if (!nb || !Array.isArray(nb.cells)) throw new Error('not a Jupyter notebook: no "cells" array');
  const lines: string[] = [];
  const cells: NotebookProgram['cells'] = [];
  nb.cells.forEach((cell, index) => {
    if (!cell || typeof cell !== 'object' || cell.cell_type !== 'code') return;
    const source = Array.isArray(cell.source) ? cell.source.join('') : typeof cell.source === 'string' ? cell.source : '';
    const cellLines = source.split(/\r\n|\n|\r/).map(commentOutMagic);
    cells.push({ index, startLine: lines.length, lineCount: cellLines.length });
    lines.push(...cellLines);
  });
  return { text: lines.join('\n'), cells };
}

export function commentOutMagic(line: string): string {
  const m = /^(\s*)([%!])/.exec(line);
  return m ? `${m[1]}#${line.slice(m[0].length)}` : line;
}

/** Maps a line of the joined program to (cell index, line in cell). */
export function cellOfLine(program: NotebookProgram, line: number): { cell: number; line: number } {
  let found = program.cells[0] ?? { index: 0, startLine: 0, lineCount: 0 };
  for (const c of program.cells) if (c.startLine <= line) found = c;
  return { cell: found.index, line: line - found.startLine };
}
