import type { Severity } from '../../model/finding';
import { displayLocation } from '../check';
import type { CheckReport } from '../format';

/**
 * GitHub Actions workflow commands: one `::error|warning|notice file=...,line=...::message` line per
 * finding, shown as annotations on the pull request's diff.
 */
const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' };

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function toGithub(report: CheckReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    for (const f of r.findings) {
      const loc = displayLocation(r, f);
      const file = r.file.display.split('\\').join('/');
      let props: string;
      let message = `${f.code} ${f.message}`;
      if (loc.cell !== undefined) {
        // Notebook lines are cell lines: annotate the file and say where in the message.
        props = `file=${escapeProperty(file)}`;
        message = `cell ${loc.cell}, line ${loc.line}: ${message}`;
      } else {
        const end = { line: f.range.end.line + 1, column: f.range.end.character + 1 };
        props = `file=${escapeProperty(file)},line=${loc.line},col=${loc.column},endLine=${end.line}`;
        if (end.line === loc.line) props += `,endColumn=${end.column}`;
      }
      props += `,title=${escapeProperty(`pipelint ${f.code} (${f.name})`)}`;
      lines.push(`::${COMMAND[f.severity]} ${props}::${escapeData(message)}`);
    }
  }
  for (const e of report.errors)
    lines.push(`::error file=${escapeProperty(e.path)},title=pipelint::${escapeData(e.message)}`);
  return lines.join('\n');
}
