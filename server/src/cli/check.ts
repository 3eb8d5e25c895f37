import { promises as fs } from 'node:fs';
import type { AnalyzeOptions } from '../analyze';
import type { Engine } from '../engine';
import { applyEdits } from '../fix/apply';
import { kindOfPath } from '../languages';
import type { Finding } from '../model/finding';
import { cellOfLine, type NotebookProgram } from '../notebook';
import type { WalkedFile } from './walk';

export interface FileResult {
  file: WalkedFile;
  findings: Finding[];
  notebook?: NotebookProgram;
  /** Safe fixes written to disk (with --fix). */
  fixed: number;
}

export interface CheckError {
  path: string;
  message: string;
}

export interface CheckOptions {
  analyze: AnalyzeOptions;
  maxFileBytes: number;
  fix: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads, decodes and analyses one file; I/O and decoding problems become a CheckError. */
export async function checkFile(engine: Engine, file: WalkedFile, options: CheckOptions): Promise<FileResult | CheckError> {
  const kind = kindOfPath(file.absolute);
  if (!kind) return { path: file.display, message: 'not a Python, notebook or TypeScript file' };
  let bytes: Buffer;
  try {
    const stat = await fs.stat(file.absolute);
    if (stat.size > options.maxFileBytes) {
      return { path: file.display, message: `skipped: ${(stat.size / 1e6).toFixed(1)} MB is above the ${(options.maxFileBytes / 1e6).toFixed(1)} MB limit (--max-file-size)` };
    }
    bytes = await fs.readFile(file.absolute);
  } catch (err) {
    return { path: file.display, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { path: file.display, message: 'cannot decode: not valid UTF-8' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    let { findings, notebook } = engine.analyze(file.display, text, kind, options.analyze);
    let fixed = 0;
    if (options.fix && kind !== 'notebook') {
      const result = fixText(engine, file.display, text, kind, options.analyze);
      if (result.fixed > 0) {
        await writeIfUnchanged(file.absolute, bytes, result.text);
        fixed = result.fixed;
        findings = result.findings;
      }
    }
    return { file, findings, notebook, fixed };
  } catch (err) {
    return { path: file.display, message: `cannot analyse: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Applies safe fixes until none is left (a fix may reveal or remove others), at most 10 rounds.
 */
export function fixText(engine: Engine, uri: string, text: string, kind: 'python' | 'typescript', options: AnalyzeOptions): { text: string; fixed: number; findings: Finding[] } {
  let fixed = 0;
  let current = text;
  let findings = engine.analyze(uri, current, kind, options).findings;
  for (let round = 0; round < 10; round++) {
    const safe = findings.filter((f) => f.fix?.safety === 'safe');
    if (safe.length === 0) break;
    const result = applyEdits(current, safe.flatMap((f) => f.fix!.edits));
    if (result.text === current) break;
    current = result.text;
    fixed += safe.length;
    findings = engine.analyze(uri, current, kind, options).findings;
  }
  return { text: current, fixed, findings };
}

/** Writes through a temporary file and a rename, and only if the file still holds what was read. */
export async function writeIfUnchanged(file: string, expected: Buffer, text: string): Promise<void> {
  const now = await fs.readFile(file);
  if (!now.equals(expected)) throw new Error('file changed on disk while it was being fixed; left alone');
  const tmp = `${file}.pipelint-${process.pid}.tmp`;
  const stat = await fs.stat(file);
  await fs.writeFile(tmp, text, { mode: stat.mode });
  await fs.rename(tmp, file);
}

/** A finding's location as shown to users: 1-based, and cell-relative for notebooks. */
export function displayLocation(result: FileResult, f: Finding): { line: number; column: number; cell?: number } {
  if (result.notebook) {
    const { cell, line } = cellOfLine(result.notebook, f.range.start.line);
    return { line: line + 1, column: f.range.start.character + 1, cell: cell + 1 };
  }
  return { line: f.range.start.line + 1, column: f.range.start.character + 1 };
}
