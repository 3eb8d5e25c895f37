import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { matchSnapshot } from '../helpers/fixtures';

// Issue 18: performance work must not change what pipelint finds. The findings over scikit-learn's 285
// example scripts (.cache/sklearn-examples, scripts/fetch-sklearn-examples.sh) are kept in a snapshot: code,
// place, severity, message, related places and the fix offered (its edits are checked by fix-safety.test.ts). A change of findings is a decision, made with
// UPDATE_SNAPSHOTS=1 after reading the diff.
const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, '.cache', 'sklearn-examples', 'examples');

interface JsonFinding {
  path: string;
  code: string;
  severity: string;
  message: string;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
  fix: { title: string; safety: string } | null;
  related: { path: string; range: { start: { line: number; column: number } }; message: string }[];
}

test("findings over scikit-learn's examples are unchanged", () => {
  assert.ok(existsSync(EXAMPLES), `no examples at ${EXAMPLES}: run bash scripts/fetch-sklearn-examples.sh`);
  let out: string;
  try {
    out = execFileSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'pipelint.js'), 'check', '--format', 'json', EXAMPLES],
      {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 2 ** 20,
      },
    );
  } catch (err) {
    // Exit 1: findings were reported; the output is still the report.
    out = (err as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as { findings: JsonFinding[]; errors: { path: string; message: string }[] };
  const place = (p: string, { line, column }: { line: number; column: number }) =>
    `${path.relative(EXAMPLES, p)}:${String(line)}:${String(column)}`;
  const lines = report.findings.flatMap((f) => [
    `${place(f.path, f.range.start)}-${String(f.range.end.line)}:${String(f.range.end.column)} ${f.code} ${f.severity}`,
    `  ${f.message}`,
    ...(f.fix ? [`  fix (${f.fix.safety}): ${f.fix.title}`] : []),
    ...f.related.map((r) => `  related ${place(r.path, r.range.start)}: ${r.message}`),
  ]);
  for (const e of report.errors) lines.push(`error ${path.relative(EXAMPLES, e.path)}: ${e.message}`);
  const actual = `${String(report.findings.length)} findings, ${String(report.errors.length)} errors\n${lines.join('\n')}\n`;
  const { expected } = matchSnapshot(path.join(__dirname, 'examples-findings'), actual);
  assert.equal(
    actual,
    expected,
    'findings over the examples differ (UPDATE_SNAPSHOTS=1 to accept, after reading the diff)',
  );
});
