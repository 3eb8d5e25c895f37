import type { Connection, Hover } from 'vscode-languageserver';
import { ruleDoc } from '../docs';
import { containsPos } from '../model/ir';
import { ruleByCode } from '../rules';
import type { AnalysisService } from '../service';
import { directiveCodeAt, parseDirectives } from '../suppression';

/** Hover over a finding shows its rule's documentation. */
export function registerHover(connection: Connection, service: AnalysisService): void {
  connection.onHover(({ textDocument, position }): Hover | null => {
    const state = service.documents.get(textDocument.uri);
    // Over a code in a suppression comment (`# noqa: SKL101`): that rule's doc, or say it is unknown.
    if (state) {
      const span = directiveCodeAt(parseDirectives(state.doc.getText(), state.kind === 'typescript' ? 'typescript' : 'python'), position);
      if (span) {
        const rule = ruleByCode(span.code);
        const value = rule ? ruleDoc(rule) : `**${span.code}** is not a pipelint rule code: this suppression has no effect. Run \`pipelint rules\` for the list.`;
        return { contents: { kind: 'markdown', value }, range: span.range };
      }
    }
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
