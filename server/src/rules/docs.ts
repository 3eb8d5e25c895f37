import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Rule } from './rule';

let foundDocsDir: string | undefined;

/** docs/rules/ beside the bundle (dist/../docs) or the source tree (server/src/../../docs). */
export function docsDir(): string {
  // Every diagnostic carries its rule's doc link: looked up once, not with three file-system calls per finding.
  foundDocsDir ??= findDocsDir();
  return foundDocsDir;
}

function findDocsDir(): string {
  for (const candidate of [
    path.join(__dirname, '..', 'docs', 'rules'),
    path.join(__dirname, '..', '..', 'docs', 'rules'),
    path.join(__dirname, '..', '..', '..', 'docs', 'rules'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return path.join(__dirname, '..', 'docs', 'rules');
}

export function ruleDocPath(rule: Rule): string {
  return path.join(docsDir(), `${rule.meta.name}.md`);
}

/** The doc link diagnostics carry: the doc file that ships with the extension (works offline). */
export function ruleDocUrl(rule: Rule): string {
  let url = docUrls.get(rule.meta.code);
  if (url === undefined) docUrls.set(rule.meta.code, (url = pathToFileURL(ruleDocPath(rule)).href));
  return url;
}

const docUrls = new Map<string, string>();

export function ruleDoc(rule: Rule): string {
  try {
    return readFileSync(ruleDocPath(rule), 'utf8');
  } catch {
    return `# ${rule.meta.code} ${rule.meta.name}\n\n${rule.meta.summary}\n`;
  }
}

const whyCache = new Map<string, string | undefined>();

/**
 * The first sentence of a rule doc's "Why is this bad?" section: the one line of why a hover shows.
 * Taken from the doc so that it cannot drift from it.
 */
export function ruleWhy(rule: Rule): string | undefined {
  if (whyCache.has(rule.meta.code)) return whyCache.get(rule.meta.code);
  const doc = ruleDoc(rule);
  const section = /^## Why is this bad\?[ \t]*\n+([\s\S]*?)(?:\n[ \t]*\n|\n## |(?![\s\S]))/m.exec(doc)?.[1];
  let why: string | undefined;
  if (section) {
    const text = section.replace(/\s*\n\s*/g, ' ').trim();
    // A sentence ends at ". " before a capital, a backtick or an opening parenthesis (not inside `e.g. `).
    const end = /[.!?](?=\s+[A-Z`(])/.exec(text);
    why = end ? text.slice(0, end.index + 1) : text;
    // A long closing parenthesis (measurements, lists of classes) belongs on the rule's page.
    if (why.length > 160) why = why.replace(/\s*\([^()]*\)\.$/, '.');
  }
  whyCache.set(rule.meta.code, why);
  return why;
}
