import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Engine } from '../../server/src/analysis/engine';
import type { Finding } from '../../server/src/model/finding';
import { FIXTURES, expectedFindings } from '../helpers/fixtures';

/**
 * The labelled cases of the ASE'22 leakage analyser (github malusamayo/leakage-analysis, tests/inputs,
 * labels in tests/test_preprocessing.py and tests/test_overlap.py), each as our own minimal rewrite of
 * the pattern (test/fixtures/leakage-cases/<case>.py, the first line names the case and its label).
 * Every `# expect:` must match a data-flow finding and nothing else may be reported by SKL30x; a SKL301
 * finding points a related location at the model fit marked `# reaches`. The tallies are the issue's bar:
 * a leakage finding in at least 25 of the 27 preprocessing-leak files, SKL305 in 4 of 4 overlap files,
 * none in the no-leak files.
 */
const DIR = path.join(FIXTURES, 'leakage-cases');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.py'))
  .sort()
  .map((name) => {
    const text = readFileSync(path.join(DIR, name), 'utf8');
    const label = /\((preprocessing leak|no leak|overlap leak|overlap no leak)\b/.exec(text.split('\n')[0])?.[1];
    return { name, text, label };
  });

describe("labelled leakage cases (ASE'22 analyser, rewritten)", () => {
  let engine: Engine;
  const found = new Map<string, Finding[]>();
  before(async () => {
    engine = await Engine.create();
    for (const c of cases)
      found.set(
        c.name,
        engine.analyze(c.name, c.text, 'python').findings.filter((f) => /^SKL30\d$/.test(f.code)),
      );
  });

  test('every case names its label', () => {
    assert.equal(cases.length, 38);
    for (const c of cases) assert.ok(c.label, `${c.name}: no label on the first line`);
  });

  for (const c of cases) {
    test(c.name, () => {
      const findings = found.get(c.name)!;
      const actual = findings.map((f) => `${f.range.start.line + 1}:${f.code}`).sort();
      assert.deepEqual(actual, expectedFindings(c.text));
      const lines = c.text.split('\n');
      const reaches = lines.findIndex((l) => /#\s*reaches\b/.test(l));
      if (reaches >= 0) {
        for (const f of findings.filter((x) => x.code === 'SKL301')) {
          assert.ok(
            f.related.some((r) => r.range.start.line === reaches),
            `${c.name}: the SKL301 finding on line ${f.range.start.line + 1} does not point at the model fit on line ${reaches + 1}`,
          );
        }
      }
    });
  }

  test('tallies per label', () => {
    const hits = (label: string, codes: RegExp) =>
      cases.filter((c) => c.label === label && found.get(c.name)!.some((f) => codes.test(f.code))).length;
    const count = (label: string) => cases.filter((c) => c.label === label).length;
    assert.equal(count('preprocessing leak'), 27);
    assert.ok(
      hits('preprocessing leak', /^SKL30[12]$/) >= 25,
      `preprocessing leaks found: ${hits('preprocessing leak', /^SKL30[12]$/)} of 27`,
    );
    assert.equal(hits('no leak', /^SKL30\d$/), 0);
    assert.equal(hits('overlap leak', /^SKL305$/), 4);
    assert.equal(hits('overlap no leak', /^SKL305$/), 0);
  });
});
