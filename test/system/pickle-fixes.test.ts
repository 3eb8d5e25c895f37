import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fixText } from '../../server/src/cli/check';
import { Engine } from '../../server/src/analysis/engine';
import { listFixtures } from '../helpers/fixtures';

/**
 * The serialization rules against real scikit-learn: for each SKL101/SKL102 fixture, the original model fails
 * to pickle under /usr/bin/python3, and after pipelint's safe fixes every save pickles and loads back.
 */
const PYTHON = '/usr/bin/python3';
const HARNESS = path.join(__dirname, 'pickle_harness.py');

function runSaves(file: string): { api: string; ok: boolean; error: string | null }[] {
  const cwd = mkdtempSync(path.join(tmpdir(), 'pipelint-pickle-'));
  const r = spawnSync(PYTHON, [HARNESS, file], { cwd, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `python failed on ${file}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).saves;
}

describe('serialization fixes with real scikit-learn', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
  });
  const fixtures = listFixtures('python').filter(
    (f) => /expect:.*SKL10[12]/.test(f.text) && /expect:.*SKL104/.test(f.text),
  );
  test('there are SKL101/SKL102 fixtures to prove', () => assert.ok(fixtures.length >= 3));
  for (const fx of fixtures) {
    test(`${fx.name}: fails to pickle before the fix, pickles after`, () => {
      const before = runSaves(fx.file);
      assert.ok(before.length > 0, 'the fixture saves a model');
      assert.ok(
        before.some((s) => !s.ok && /pickle|local object|lambda/i.test(s.error ?? '')),
        `expected a pickling failure, got ${JSON.stringify(before)}`,
      );

      const fixed = fixText(engine, fx.name, fx.text, 'python', {});
      if (fixed.fixed === 0) {
        // No safe fix (the function captures a local variable): the finding stays, and so does the failure.
        assert.ok(
          fixed.findings.some((f) => f.code === 'SKL104'),
          'still reported',
        );
        return;
      }
      const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-fixed-'));
      const fixedFile = path.join(dir, fx.name);
      writeFileSync(fixedFile, fixed.text);
      const after = runSaves(fixedFile);
      assert.deepEqual(
        fixed.findings.filter((f) => f.code === 'SKL104'),
        [],
        'no unpicklable save left',
      );
      assert.ok(
        after.every((s) => s.ok),
        `every save pickles and loads after the fix: ${JSON.stringify(after)}`,
      );
    });
  }
});
