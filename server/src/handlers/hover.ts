import type { Connection, Hover } from 'vscode-languageserver';
import { ruleDoc } from '../docs';
import { containsPos } from '../model/ir';
import { ruleByCode } from '../rules';
import type { AnalysisService } from '../service';

/** Hover over a finding shows its rule's documentation. */
export function registerHover(connection: Connection, service: AnalysisService): void {
  connection.onHover(({ textDocument, position }): Hover | null => {
    const state = service.documents.get(textDocument.uri);
    const findings = state?.analysis?.version === state?.version ? state?.analysis?.findings : undefined;
    if (!findings) return null;
    const hits = findings.filter((f) => containsPos(f.range, position));
    if (hits.length === 0) return null;
    const docs = [...new Set(hits.map((f) => f.code))].map((code) => {
      const rule = ruleByCode(code);
      return rule ? ruleDoc(rule) : code;
    });
    return { contents: { kind: 'markdown', value: docs.join('\n\n---\n\n') }, range: hits[0].range };
  });
}
