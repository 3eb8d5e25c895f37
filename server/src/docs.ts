import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Rule } from './rules/rule';

/** docs/rules/ beside the bundle (dist/../docs) or the source tree (server/src/../../docs). */
export function docsDir(): string {
  for (const candidate of [path.join(__dirname, '..', 'docs', 'rules'), path.join(__dirname, '..', '..', 'docs', 'rules'), path.join(__dirname, '..', '..', '..', 'docs', 'rules')]) {
    if (existsSync(candidate)) return candidate;
  }
  return path.join(__dirname, '..', 'docs', 'rules');
}

export function ruleDocPath(rule: Rule): string {
  return path.join(docsDir(), `${rule.meta.name}.md`);
}

/** The doc link diagnostics carry: the doc file that ships with the extension (works offline). */
export function ruleDocUrl(rule: Rule): string {
  return pathToFileURL(ruleDocPath(rule)).href;
}

export function ruleDoc(rule: Rule): string {
  try {
    return readFileSync(ruleDocPath(rule), 'utf8');
  } catch {
    return `# ${rule.meta.code} ${rule.meta.name}\n\n${rule.meta.summary}\n`;
  }
}
