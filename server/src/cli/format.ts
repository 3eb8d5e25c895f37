import type { Finding, Severity } from '../model/finding';
import type { Range } from '../model/ir';
import type { NotebookProgram } from '../notebook';
import { kindOfPath } from '../source/languages';
import { cliFixes, displayLocation, isSkipped, shownRange, type CheckError, type FileResult } from './check';

export interface CheckReport {
  results: FileResult[];
  errors: CheckError[];
  durationMs: number;
}

/** The JSON contract of DESIGN.md: version 1, 1-based lines and columns; notebook locations carry `cell`. */
export function toJson(report: CheckReport): string {
  // Related locations may point into another notebook of the run: its cell map comes from its result.
  const programs = new Map<string, NotebookProgram>();
  for (const r of report.results) if (r.notebook) programs.set(r.file.display, r.notebook);
  const located = (path: string, range: Range) => {
    const { cell, start, end } = shownRange(programs.get(path), range);
    return { path, ...(cell !== undefined ? { cell } : {}), range: { start, end } };
  };
  const findings = report.results.flatMap((r) =>
    r.findings.map((f) => {
      const { path, cell, range } = located(r.file.display, f.range);
      return {
        path,
        ...(cell !== undefined ? { cell } : {}),
        code: f.code,
        name: f.name,
        severity: f.severity,
        message: f.message,
        range,
        fix: f.fix ? { title: f.fix.title, safety: f.fix.safety } : null,
        related: f.related.map((rel) => ({ ...located(rel.uri, rel.range), message: rel.message })),
      };
    }),
  );
  return JSON.stringify(
    {
      version: 1,
      findings,
      errors: report.errors,
      summary: {
        files: report.results.length + report.errors.length,
        findings: findings.length,
        durationMs: Math.round(report.durationMs),
      },
    },
    null,
    2,
  );
}

const SEVERITY_LABEL: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  information: 'info',
  hint: 'hint',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `path:line:col: CODE message [*]`, the files that could not be checked, then a summary line, like the
 * linters people know. `[*]` marks a finding that `--fix` would fix, so it is shown only where `--fix`
 * edits that kind of file and not after a `--fix` run (what is left there, it could not fix).
 */
export function toText(report: CheckReport, color: boolean, options: { fixRan?: boolean } = {}): string {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  let fixable = 0;
  let total = 0;
  let fixed = 0;
  let withFindings = 0;
  for (const r of report.results) {
    fixed += r.fixed;
    if (r.findings.length > 0) withFindings++;
    const markFixes = !options.fixRan && cliFixes(kindOfPath(r.file.absolute));
    for (const f of r.findings) {
      total++;
      const loc = displayLocation(r, f);
      const where =
        loc.cell !== undefined
          ? `${r.file.display}:cell ${loc.cell}:${loc.line}:${loc.column}`
          : `${r.file.display}:${loc.line}:${loc.column}`;
      const safe = markFixes && f.fix?.safety === 'safe';
      if (safe) fixable++;
      const sev = f.severity === 'error' ? c('31', SEVERITY_LABEL[f.severity]) : SEVERITY_LABEL[f.severity];
      lines.push(
        `${c('1', where)}: ${c(f.severity === 'error' ? '31;1' : '33;1', f.code)} ${f.message}${safe ? ' [*]' : ''} (${sev})`,
      );
    }
  }
  const skipped = report.errors.filter(isSkipped);
  const failed = report.errors.filter((e) => !isSkipped(e));
  for (const e of report.errors)
    lines.push(`${c('1', e.path)}: ${isSkipped(e) ? c('33', 'warning') : c('31', 'error')}: ${e.message}`);
  const checked = report.results.length;
  if (total > 0) {
    const of = withFindings < checked ? ` of ${checked}` : '';
    lines.push(`Found ${plural(total, 'problem')} in ${withFindings}${of} ${checked === 1 ? 'file' : 'files'}.`);
    if (fixable > 0) lines.push(`[*] ${fixable} fixable with the \`--fix\` option.`);
  } else if (checked === 0 && report.errors.length === 0) {
    lines.push('No files to check: no .py, .ipynb or TypeScript files under the paths given.');
  } else if (failed.length === 0) {
    lines.push(
      `All checks passed (${plural(checked, 'file')}${skipped.length > 0 ? `; ${skipped.length} skipped` : ''}).`,
    );
  } else if (checked > 0) {
    lines.push(`No problems found in ${plural(checked, 'checked file')}.`);
  }
  if (failed.length > 0) lines.push(`${plural(failed.length, 'file')} could not be checked (errors above).`);
  if (total > 0 && skipped.length > 0) lines.push(`${plural(skipped.length, 'file')} skipped (above).`);
  if (fixed > 0) lines.push(`Fixed ${plural(fixed, 'problem')}.`);
  return lines.join('\n');
}

export function countAtOrAbove(findings: Finding[], level: Severity): number {
  const order: Severity[] = ['hint', 'information', 'warning', 'error'];
  const min = order.indexOf(level);
  return findings.filter((f) => order.indexOf(f.severity) >= min).length;
}
