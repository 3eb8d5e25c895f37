import type { Connection, Hover } from 'vscode-languageserver';
import { ruleDocUrl, ruleWhy } from '../../rules/docs';
import type { Finding } from '../../model/finding';
import { containsPos, type Position } from '../../model/ir';
import { cellFindings } from './notebookViews';
import { ruleByCode } from '../../rules';
import type { Rule } from '../../rules/rule';
import type { AnalysisService } from '../service';
import { directiveCodeAt, parseDirectives } from '../../config/suppression';

/**
 * Hover over a finding: its message, one line of why, and a link to the rule's page (the whole page,
 * with its large heading, buried the code under it). Over a code in a suppression comment: the rule's
 * summary and link, or that the code is unknown.
 */
export function registerHover(connection: Connection, service: AnalysisService): void {
  connection.onHover(({ textDocument, position }): Hover | null => {
    const notebook = service.notebookFor(textDocument.uri);
    if (notebook) {
      // A notebook cell: its last analysis, without waiting for a newer one (a hover must be quick).
      const nb = service.notebooks.get(notebook);
      return nb?.program ? hoverOver(cellFindings(nb.program, nb.findings, textDocument.uri), position) : null;
    }
    const state = service.documents.get(textDocument.uri);
    if (state) {
      const span = directiveCodeAt(
        parseDirectives(state.doc.getText(), state.kind === 'typescript' ? 'typescript' : 'python'),
        position,
      );
      if (span) {
        const rule = ruleByCode(span.code);
        const value = rule
          ? `**${rule.meta.code}** ${rule.meta.name}: ${rule.meta.summary}\n\n${docLink(rule)}`
          : `**${span.code}** is not a pipelint rule code: this suppression has no effect. Run \`pipelint rules\` for the list.`;
        return { contents: { kind: 'markdown', value }, range: span.range };
      }
    }
    const findings = state ? service.currentFindings(state) : undefined;
    return findings ? hoverOver(findings, position) : null;
  });
}

/** Every finding covering the position, with its message, why and doc link. */
function hoverOver(findings: Finding[], position: Position): Hover | null {
  const hits = findings.filter((f) => containsPos(f.range, position));
  if (hits.length === 0) return null;
  return { contents: { kind: 'markdown', value: hits.map(findingHover).join('\n\n---\n\n') }, range: hits[0].range };
}

/** `SKL101 · message`, the first sentence of the rule's "Why is this bad?", and the doc link. */
export function findingHover(f: Finding): string {
  const rule = ruleByCode(f.code);
  const lines = [`**${f.code}** ${escapeMarkdown(f.message)}`];
  if (rule) {
    const why = ruleWhy(rule);
    if (why) lines.push(`*Why:* ${why}`);
    lines.push(docLink(rule));
  }
  return lines.join('\n\n');
}

function docLink(rule: Rule): string {
  return `[${rule.meta.code} ${rule.meta.name}: full documentation](${ruleDocUrl(rule)})`;
}

/** Messages quote code in backticks on purpose; only characters that would start markup elsewhere are escaped. */
function escapeMarkdown(s: string): string {
  return s.replace(/([<>*_[\]])/g, '\\$1');
}
