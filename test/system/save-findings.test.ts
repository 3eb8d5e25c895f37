import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Engine } from '../../server/src/analysis/engine';
import { listFixtures } from '../helpers/fixtures';

/**
 * SKL104 follows what is really saved: for each SKL104 fixture, every save is run for real with pickle under
 * /usr/bin/python3 (pickle_harness.py) and pipelint must report SKL104 on exactly the lines whose save fails.
 * `search.best_estimator_` pickles although the search's scorer is a lambda; `named_steps["clf"]`,
 * `steps[-1][1]` and `pipe[-1]` pickle when another step holds the lambda.
 */
const PYTHON = '/usr/bin/python3';
const HARNESS = path.join(__dirname, 'pickle_harness.py');

describe('SKL104 against real pickling', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
  });
  const fixtures = listFixtures('python').filter((f) => /^SKL104/.test(f.name));
  test('there are SKL104 fixtures with saves that succeed and saves that fail', () => assert.ok(fixtures.length >= 3));
  for (const fx of fixtures) {
    test(`${fx.name}: SKL104 on exactly the saves that fail`, () => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'pipelint-saves-'));
      const r = spawnSync(PYTHON, [HARNESS, fx.file], { cwd, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, `python failed on ${fx.name}:\n${r.stderr}`);
      const saves: { ok: boolean; line: number | null; error: string | null }[] = JSON.parse(
        r.stdout.trim().split('\n').pop()!,
      ).saves;
      assert.ok(saves.length > 0, 'the fixture saves something');
      const failing = [...new Set(saves.filter((s) => !s.ok).map((s) => s.line))].sort((a, b) => a! - b!);
      const reported = engine
        .analyze(fx.name, fx.text, 'python', {})
        .findings.filter((f) => f.code === 'SKL104')
        .map((f) => f.range.start.line + 1)
        .sort((a, b) => a - b);
      assert.deepEqual(reported, failing, `saves: ${JSON.stringify(saves)}`);
    });
  }
});
