import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { fixText } from '../../server/src/cli/check';
import { Engine } from '../../server/src/analysis/engine';
import { applyEdits } from '../../server/src/fix/apply';
import type { Finding, TextEdit } from '../../server/src/model/finding';
import { computeLineStarts, offsetAt } from '../../server/src/model/text';
import { listFixtures } from '../helpers/fixtures';

// Fixes proven safe on real code (issue 10): every safe fix alone, then fix-all to convergence, on every
// fixture and on scikit-learn's example scripts (when fetched: scripts/fetch-sklearn-examples.sh). Each
// result parses (CPython's own parser, one process for the whole batch; the TypeScript parser), the
// finding fixed is gone, no finding appears that was not there, fix-all a second time changes nothing,
// and only the edited ranges change.
const PYTHON = '/usr/bin/python3';
const EXAMPLES = path.join(__dirname, '..', '..', '.cache', 'sklearn-examples', 'examples');

interface Source {
  name: string;
  kind: 'python' | 'typescript';
  text: string;
}

function sources(): Source[] {
  const out: Source[] = [];
  for (const f of listFixtures('python'))
    if (f.name.endsWith('.py')) out.push({ name: `fixtures/${f.name}`, kind: 'python', text: f.text });
  for (const f of listFixtures('typescript'))
    out.push({ name: `fixtures/${f.name}`, kind: 'typescript', text: f.text });
  const walk = (dir: string) => {
    for (const n of readdirSync(dir).sort()) {
      const full = path.join(dir, n);
      if (statSync(full).isDirectory()) walk(full);
      else if (n.endsWith('.py'))
        out.push({
          name: `examples/${path.relative(EXAMPLES, full)}`,
          kind: 'python',
          text: readFileSync(full, 'utf8'),
        });
    }
  };
  if (existsSync(EXAMPLES)) walk(EXAMPLES);
  return out;
}

/** Which of these Python files CPython cannot parse: one interpreter for the whole batch. */
function pythonParseFailures(files: string[]): Map<string, string> {
  const script = [
    'import ast, json, sys',
    'out = {}',
    'for p in sys.stdin.read().split("\\0"):',
    '    if not p: continue',
    '    try:',
    '        ast.parse(open(p, encoding="utf-8").read(), p)',
    '    except (SyntaxError, ValueError) as e:',
    '        out[p] = f"{type(e).__name__}: {e}"',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], {
    input: files.join('\0'),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, string>));
}

function typeScriptSyntaxError(text: string): string | undefined {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
  return diags.length ? ts.flattenDiagnosticMessageText(diags[0].messageText, '\n') : undefined;
}

/** An offset after the edits: shifted by the edits before it; inside an edit: that edit's start. */
function mapOffset(offset: number, edits: { start: number; end: number; newText: string }[]): number {
  let delta = 0;
  for (const e of edits) {
    if (e.end <= offset && !(e.start === e.end && e.start === offset)) delta += e.newText.length - (e.end - e.start);
    else if (e.start < offset && offset < e.end) return e.start + delta;
  }
  return offset + delta;
}

function resolveEdits(text: string, edits: TextEdit[]) {
  const starts = computeLineStarts(text);
  return edits
    .map((e) => ({
      start: offsetAt(starts, text.length, e.range.start),
      end: offsetAt(starts, text.length, e.range.end),
      newText: e.newText,
    }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Independent splice: the text outside the edited ranges is copied, so nothing else can change. */
function spliceCheck(before: string, edits: ReturnType<typeof resolveEdits>, after: string): string | undefined {
  let out = '';
  let cursor = 0;
  for (const e of edits) {
    if (e.start < cursor) return `overlapping edits at offset ${e.start}`;
    out += before.slice(cursor, e.start) + e.newText;
    cursor = e.end;
  }
  out += before.slice(cursor);
  return out === after ? undefined : 'text outside the edited ranges changed';
}

const counts = (fs: Finding[]) => {
  const m = new Map<string, number>();
  for (const f of fs) m.set(f.code, (m.get(f.code) ?? 0) + 1);
  return m;
};

/** Codes with more findings after than before: a finding the fix introduced. */
function newFindings(before: Finding[], after: Finding[]): string[] {
  const b = counts(before);
  return [...counts(after)]
    .filter(([code, n]) => n > (b.get(code) ?? 0))
    .map(([code, n]) => `${code} ${b.get(code) ?? 0} -> ${n}`);
}

describe('fix safety on real code', () => {
  test('every safe fix alone and fix-all: parse, finding gone, nothing new, idempotent, only edited ranges change', async () => {
    const engine = await Engine.create();
    const all = sources();
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-fix-safety-'));
    const problems: string[] = [];
    const toParse: { file: string; label: string; original: string }[] = [];
    const originals: { file: string; name: string }[] = [];
    let single = 0;
    let fixAllFiles = 0;
    let fixAllFixes = 0;
    let idempotenceFailures = 0;
    let typeScriptParseFailures = 0;
    const byCode = new Map<string, number>();
    let n = 0;
    const write = (text: string) => {
      const file = path.join(dir, `f${n++}.py`);
      writeFileSync(file, text);
      return file;
    };
    for (const src of all) {
      const uri = src.name;
      const findings = engine.analyze(uri, src.text, src.kind).findings;
      const safe = findings.filter((f) => f.fix?.safety === 'safe');
      if (safe.length === 0) continue;
      const originalFile = src.kind === 'python' ? write(src.text) : '';
      if (originalFile) originals.push({ file: originalFile, name: src.name });
      const originalTsError = src.kind === 'typescript' ? typeScriptSyntaxError(src.text) : undefined;
      const parses = (text: string, label: string) => {
        if (src.kind === 'python') toParse.push({ file: write(text), label, original: originalFile });
        else if (!originalTsError) {
          const err = typeScriptSyntaxError(text);
          if (err) {
            typeScriptParseFailures++;
            problems.push(`${label}: does not parse: ${err}`);
          }
        }
      };
      // Each safe fix alone.
      for (const f of safe) {
        single++;
        byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
        const label = `${src.name}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.code}`;
        const edits = resolveEdits(src.text, f.fix!.edits);
        const result = applyEdits(src.text, f.fix!.edits);
        if (result.skipped > 0) problems.push(`${label}: the fix's own edits overlap`);
        const outside = spliceCheck(src.text, edits, result.text);
        if (outside) problems.push(`${label}: ${outside}`);
        if (result.text === src.text) {
          problems.push(`${label}: the fix changes nothing`);
          continue;
        }
        parses(result.text, label);
        const after = engine.analyze(uri, result.text, src.kind).findings;
        const starts = computeLineStarts(src.text);
        const at = mapOffset(offsetAt(starts, src.text.length, f.range.start), edits);
        const afterStarts = computeLineStarts(result.text);
        // Same rule, same place, same message: a fix may reveal the next level (SKL401 on a search now
        // names the estimator two levels down), which is another finding.
        const still = after.filter(
          (g) =>
            g.code === f.code &&
            g.message === f.message &&
            offsetAt(afterStarts, result.text.length, g.range.start) === at,
        );
        if (still.length > 0) problems.push(`${label}: the finding is still there after its fix`);
        if ((counts(after).get(f.code) ?? 0) >= (counts(findings).get(f.code) ?? 0))
          problems.push(`${label}: as many ${f.code} findings after the fix as before`);
        const added = newFindings(findings, after);
        if (added.length) problems.push(`${label}: new findings ${added.join(', ')}`);
      }
      // Fix-all to convergence, then once more: nothing left to change.
      const all1 = fixText(engine, uri, src.text, src.kind, {});
      fixAllFiles++;
      fixAllFixes += all1.fixed;
      parses(all1.text, `${src.name} fix-all`);
      const left = all1.findings.filter((f) => f.fix?.safety === 'safe');
      if (left.length)
        problems.push(`${src.name} fix-all: safe fixes left after 10 rounds: ${left.map((f) => f.code).join(', ')}`);
      const added = newFindings(findings, all1.findings);
      if (added.length) problems.push(`${src.name} fix-all: new findings ${added.join(', ')}`);
      const all2 = fixText(engine, uri, all1.text, src.kind, {});
      if (all2.text !== all1.text || all2.fixed !== 0) {
        idempotenceFailures++;
        problems.push(`${src.name} fix-all: a second fix-all changed the text (${all2.fixed} fixes)`);
      }
    }
    // One Python process parses every original and every fixed file.
    const failed = pythonParseFailures([...originals.map((o) => o.file), ...toParse.map((p) => p.file)]);
    let pythonParseFailuresCount = 0;
    for (const p of toParse) {
      if (failed.has(p.file) && !failed.has(p.original)) {
        pythonParseFailuresCount++;
        problems.push(`${p.label}: does not parse: ${failed.get(p.file)}`);
      }
    }
    const unparsable = originals.filter((o) => failed.has(o.file)).map((o) => o.name);
    console.log(
      `fix safety: ${all.length} files (${all.filter((s) => s.name.startsWith('examples/')).length} scikit-learn examples), ` +
        `${single} single fixes applied (${[...byCode].map(([c, k]) => `${c} ${k}`).join(', ')}), fix-all on ${fixAllFiles} files applying ${fixAllFixes} fixes; ` +
        `parse failures ${pythonParseFailuresCount + typeScriptParseFailures}, idempotence failures ${idempotenceFailures}, other problems ${problems.length - pythonParseFailuresCount - typeScriptParseFailures - idempotenceFailures}` +
        (unparsable.length ? `; originals CPython cannot parse (not counted): ${unparsable.join(', ')}` : ''),
    );
    assert.deepEqual(problems, []);
    assert.ok(single > 0, 'some fixes were applied');
  });
});
