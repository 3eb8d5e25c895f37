import { readdirSync, readFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyEdits } from '../../server/src/fix/apply';
import type { Finding } from '../../server/src/model/finding';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export interface Fixture {
  name: string;
  file: string;
  language: 'python' | 'typescript';
  text: string;
}

/**
 * Every fixture file of a language (`SKL101.py`, `SKL101_negative.py`, ...), sorted. A fixture may be a
 * small project: a folder `SKL501_unpinned/` whose source files are fixtures (`SKL501_unpinned/train.py`)
 * next to the project files a rule reads (requirements.txt, pyproject.toml, ...).
 */
export function listFixtures(language: 'python' | 'typescript'): Fixture[] {
  const dir = path.join(FIXTURES, language);
  if (!existsSync(dir)) return [];
  const ext = language === 'python' ? /\.(py|ipynb)$/ : /\.(ts|tsx|mts|cts)$/;
  const out: Fixture[] = [];
  const add = (name: string) =>
    out.push({ name, file: path.join(dir, name), language, text: readFileSync(path.join(dir, name), 'utf8') });
  for (const f of readdirSync(dir).sort()) {
    if (!/^SKL\d{3}/.test(f)) continue;
    if (statSync(path.join(dir, f)).isDirectory()) {
      for (const inner of projectSources(path.join(dir, f), ext)) add(`${f}/${inner}`);
    } else if (ext.test(f)) add(f);
  }
  return out;
}

/** Source files of a project fixture, in its folders too (`pkg/serve.py`), sorted. */
function projectSources(root: string, ext: RegExp, sub = ''): string[] {
  const out: string[] = [];
  for (const f of readdirSync(path.join(root, sub)).sort()) {
    const rel = sub ? `${sub}/${f}` : f;
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...projectSources(root, ext, rel));
    else if (ext.test(f)) out.push(rel);
  }
  return out;
}

/** `# expect: SKL101 SKL104` (or `// expect: ...`) marks the line where each finding must start. */
export function expectedFindings(text: string): string[] {
  const out: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /(?:#|\/\/)\s*expect:\s*([A-Z0-9 ,]+)/.exec(line);
    if (m) for (const code of m[1].split(/[ ,]+/).filter(Boolean)) out.push(`${i + 1}:${code}`);
  });
  return out.sort();
}

export function actualFindings(findings: Finding[]): string[] {
  return findings.map((f) => `${f.range.start.line + 1}:${f.code}`).sort();
}

/** A readable snapshot: each finding with its message, fix and related locations, then the fixed file. */
export function renderSnapshot(text: string, findings: Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    const r = f.range;
    lines.push(
      `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1} ${f.code} [${f.severity}] ${f.message}`,
    );
    if (f.fix) lines.push(`  fix (${f.fix.safety}): ${f.fix.title}`);
    for (const rel of f.related)
      lines.push(`  related ${rel.range.start.line + 1}:${rel.range.start.character + 1}: ${rel.message}`);
  }
  const safe = findings.filter((f) => f.fix?.safety === 'safe').flatMap((f) => f.fix!.edits);
  if (safe.length > 0) {
    lines.push('', '--- after safe fixes ---', applyEdits(text, safe).text);
  }
  return lines.join('\n') + '\n';
}

/**
 * Compares with the stored snapshot; `UPDATE_SNAPSHOTS=1` writes it. A missing snapshot fails: a new one is
 * written only on request, after its author has read it.
 */
export function matchSnapshot(file: string, actual: string): { expected: string; actual: string } {
  const snap = `${file}.snap`;
  if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(snap, actual);
  else if (!existsSync(snap))
    return { expected: `<no snapshot ${path.basename(snap)}: run with UPDATE_SNAPSHOTS=1, then read it>`, actual };
  return { expected: readFileSync(snap, 'utf8'), actual };
}
