export { NotebookProgram, readCells, sourceText, type NotebookCellSource, type ProgramCell } from './program';
export { maskCell, maskMagic } from './magics';
export { applyProgramFixes, replaceSources, sourceSpans } from './write';
