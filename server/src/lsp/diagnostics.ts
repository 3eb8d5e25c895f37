import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { ruleDocUrl } from '../rules/docs';
import type { Finding, Fix, Severity, TextEdit } from '../model/finding';
import { ruleByCode } from '../rules';

/** What a diagnostic carries in `data`, so that code actions need no server-side state. */
export interface DiagnosticData {
  fix: Fix | null;
  version: number;
  /** Notebooks: the fix's edits per cell document, when they do not all belong to the diagnostic's cell. */
  changes?: Record<string, TextEdit[]>;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding, version: number): Diagnostic {
  const rule = ruleByCode(f.code);
  const data: DiagnosticData = { fix: f.fix, version };
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    source: 'pipelint',
    code: f.code,
    codeDescription: rule ? { href: ruleDocUrl(rule) } : undefined,
    message: f.message,
    relatedInformation: f.related.map((r) => ({ location: { uri: r.uri, range: r.range }, message: r.message })),
    data,
  };
}
