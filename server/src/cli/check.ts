import { analyzeModule, type AnalyzeOptions } from '../analysis/analyze';
import type { Engine } from '../analysis/engine';
import { applySafeEdits, fixAll, fixAllSync, type Analysed } from '../analysis/fixAll';
import { writeFileAtomic } from '../fix/write';
import { decodeSource, DecodeError, encodeSource, readRegularFileUpTo, type DecodedSource } from '../source/files';
import { kindOfPath, type SourceKind } from '../source/languages';
import { describeIoError } from '../source/files';
import { AnalysisBudgetError } from '../model/budget';
import { unifiedDiff } from './formats/diff';
import type { Finding } from '../model/finding';
import type { Range } from '../model/ir';
import { applyProgramFixes, readCells, type NotebookProgram } from '../notebook';
import { ParseBudgetError } from '../python';
import type { WalkedFile } from '../source/walk';

export interface FileResult {
  file: WalkedFile;
  findings: Finding[];
  notebook?: NotebookProgram;
  /** Safe fixes written to disk (with --fix), or that would be (with --diff). */
  fixed: number;
  /** With --diff: what the safe fixes would change, as a unified diff. */
  diff?: string;
  /** With --fix: why the fixes were not written (the file changed on disk meanwhile). */
  notFixed?: string;
}

export interface CheckError {
  path: string;
  message: string;
}

/**
 * A file left out on purpose (above --max-file-size) rather than one that could not be checked: shown as
 * a warning and exit 0, where the others are errors with exit 2. One test, so the label and the exit code
 * cannot disagree.
 */
export function isSkipped(e: CheckError): boolean {
  return e.message.startsWith('skipped');
}

/** 2.0 KB, 5.0 MB: a size as people read it (decimal units, as --max-file-size counts bytes). */
function sizeInWords(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`;
}

/** Whether `--fix` edits files of this kind (findings of the others are not marked `[*]`): all of them, notebooks included. */
export function cliFixes(kind: SourceKind | undefined): kind is SourceKind {
  return kind !== undefined;
}

export interface CheckOptions {
  analyze: AnalyzeOptions;
  maxFileBytes: number;
  fix: boolean;
  /** Show what the safe fixes would change instead of writing them. */
  diff?: boolean;
  /** Applied to the rules' findings (severity overrides, suppression comments) of the text analysed. */
  finish?: FindingsFilter;
}

export type FindingsFilter = (findings: Finding[], text: string, kind: SourceKind) => Finding[];

/** A file read and decoded once: what the analysis, the fixes and the workspace pass need of it. */
export interface SourceRead {
  kind: SourceKind;
  bytes: Buffer;
  source: DecodedSource;
}

/** The lowering of a file done before its analysis (the CLI's one pass), or why it failed. */
export type LoweredOrError = ReturnType<Engine['lower']> | { error: unknown };

/** The message of a file that is larger than --max-file-size. */
export function tooLarge(file: WalkedFile, size: number, maxFileBytes: number): CheckError {
  return {
    path: file.display,
    message: `skipped: ${sizeInWords(size)} is above the ${sizeInWords(maxFileBytes)} limit (--max-file-size)`,
  };
}

/**
 * Reads and decodes one file (at most `maxFileBytes`; the message names `limit`, --max-file-size); I/O and
 * decoding problems become a CheckError.
 */
export function readSource(file: WalkedFile, maxFileBytes: number, limit = maxFileBytes): SourceRead | CheckError {
  const kind = kindOfPath(file.absolute);
  if (!kind) return { path: file.display, message: 'not a Python, notebook or TypeScript file' };
  let bytes: Buffer;
  try {
    const read = readRegularFileUpTo(file.absolute, maxFileBytes);
    if (!Buffer.isBuffer(read)) return tooLarge(file, read.tooLarge, limit);
    bytes = read;
  } catch (err) {
    return { path: file.display, message: `cannot read: ${describeIoError(err)}` };
  }
  try {
    return { kind, bytes, source: decodeSource(bytes, kind) };
  } catch (err) {
    return { path: file.display, message: err instanceof DecodeError ? err.message : `cannot decode: ${String(err)}` };
  }
}

/** Reads, decodes and analyses one file; I/O and decoding problems become a CheckError. */
export async function checkFile(
  engine: Engine,
  file: WalkedFile,
  options: CheckOptions,
): Promise<FileResult | CheckError> {
  const read = readSource(file, options.maxFileBytes);
  if (!('source' in read)) return read;
  return checkSource(engine, file, read, options);
}

/** Analyses a file read by `readSource` (with its lowering when it was done already), fixes it with --fix. */
export async function checkSource(
  engine: Engine,
  file: WalkedFile,
  read: SourceRead,
  options: CheckOptions,
  lowered?: LoweredOrError,
): Promise<FileResult | CheckError> {
  const { kind, bytes, source } = read;
  const { text, bom } = source;
  try {
    if (lowered && 'error' in lowered) throw lowered.error;
    const analysed = lowered
      ? { ...lowered, findings: analyzeModule(lowered.module, options.analyze) }
      : engine.analyze(file.display, text, kind, options.analyze);
    const { module } = analysed;
    let { findings, notebook } = analysed;
    if (module.notAnalysed) return { path: file.display, message: `skipped: ${module.notAnalysed}` };
    if (options.finish) findings = options.finish(findings, notebook ? notebook.text : text, kind);
    let fixed = 0;
    if (options.fix || options.diff) {
      const result =
        kind === 'notebook'
          ? fixNotebook(engine, file.display, text, options.analyze, options.finish)
          : fixText(engine, file.display, text, kind, options.analyze, options.finish);
      if (result.fixed > 0 && options.diff) {
        const display = file.display.split('\\').join('/');
        const diff =
          kind === 'notebook'
            ? notebookDiff(display, text, result.text)
            : unifiedDiff(display, bom + text, bom + result.text);
        return { file, findings, notebook, fixed: result.fixed, diff };
      }
      if (result.fixed > 0) {
        const encoded = encodeSource(source, result.text);
        if (!encoded)
          return {
            file,
            findings,
            notebook,
            fixed: 0,
            notFixed: `not fixed: the file is ${source.encoding}-encoded and pipelint writes only UTF-8 and Latin-1; left alone`,
          };
        try {
          await writeFileAtomic(file.absolute, encoded, { expected: bytes });
        } catch (err) {
          return {
            file,
            findings,
            notebook,
            fixed: 0,
            notFixed: `not fixed: ${err instanceof Error ? err.message : String(err)}`,
          };
        }
        fixed = result.fixed;
        findings = result.findings;
        if (kind === 'notebook') notebook = (result as { notebook?: NotebookProgram }).notebook;
      }
    }
    return { file, findings, notebook, fixed };
  } catch (err) {
    if (err instanceof ParseBudgetError) return { path: file.display, message: err.message };
    if (err instanceof AnalysisBudgetError) return { path: file.display, message: err.message };
    return { path: file.display, message: `cannot analyse: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Safe fixes on a Python or TypeScript text, round after round (see `fixAll`). */
export function fixText(
  engine: Engine,
  uri: string,
  text: string,
  kind: 'python' | 'typescript',
  options: AnalyzeOptions,
  finish?: FindingsFilter,
): { text: string; fixed: number; findings: Finding[] } {
  const run = (t: string): Analysed => {
    const found = engine.analyze(uri, t, kind, options).findings;
    return { findings: finish ? finish(found, t, kind) : found };
  };
  const { text: fixedText, fixed, state } = fixAllSync(fixAll(text, run(text), run, applySafeEdits));
  return { text: fixedText, fixed, findings: state.findings };
}

/**
 * Safe fixes on a notebook, round after round like `fixText`: edits land in the cells' sources only, and
 * the rest of the .ipynb text is kept byte for byte (see notebook/write.ts).
 */
export function fixNotebook(
  engine: Engine,
  uri: string,
  json: string,
  options: AnalyzeOptions,
  finish?: FindingsFilter,
): { text: string; fixed: number; findings: Finding[]; notebook: NotebookProgram } {
  const run = (t: string) => {
    const { findings, notebook } = engine.analyze(uri, t, 'notebook', options);
    return { findings: finish ? finish(findings, notebook!.text, 'notebook') : findings, notebook: notebook! };
  };
  const { text, fixed, state } = fixAllSync(
    fixAll(json, run(json), run, (current, safe, { notebook }) => {
      const result = applyProgramFixes(
        current,
        notebook,
        safe.map((f) => f.fix!),
      );
      return { text: result.json, applied: result.applied };
    }),
  );
  return { text, fixed, ...state };
}

/** `--diff` for a notebook: one unified diff per changed cell, headed `file.ipynb:cell N` as Ruff does. */
export function notebookDiff(display: string, before: string, after: string): string {
  const old = new Map(readCells(before).map((c) => [c.index, c.text]));
  return readCells(after)
    .map((c) => unifiedDiff(`${display}:cell ${c.index + 1}`, old.get(c.index) ?? '', c.text))
    .join('');
}

/** Writes the fixed text only if the file still holds what was read (see `writeFileAtomic`). */
export async function writeIfUnchanged(file: string, expected: Buffer, text: string): Promise<void> {
  await writeFileAtomic(file, text, { expected });
}

/** A range as shown to users: 1-based lines and columns; in a notebook, lines of the cell, and the cell (1-based, counting every cell as Jupyter and Ruff do). */
export function shownRange(
  notebook: NotebookProgram | undefined,
  r: Range,
): { cell?: number; start: { line: number; column: number }; end: { line: number; column: number } } {
  if (notebook && notebook.cells.length > 0) {
    const start = notebook.locate(r.start.line);
    const end = notebook.locate(r.end.line);
    // A range that runs into the next cell ends at the end of its own cell.
    const endLine = end.cell === start.cell ? end.line : start.cell.lineCount - 1;
    return {
      cell: start.cell.index + 1,
      start: { line: start.line + 1, column: r.start.character + 1 },
      end: { line: endLine + 1, column: r.end.character + 1 },
    };
  }
  return {
    start: { line: r.start.line + 1, column: r.start.character + 1 },
    end: { line: r.end.line + 1, column: r.end.character + 1 },
  };
}

/** A finding's location as shown to users: 1-based, and cell-relative for notebooks. */
export function displayLocation(result: FileResult, f: Finding): { line: number; column: number; cell?: number } {
  const shown = shownRange(result.notebook, f.range);
  return { ...shown.start, ...(shown.cell !== undefined ? { cell: shown.cell } : {}) };
}
