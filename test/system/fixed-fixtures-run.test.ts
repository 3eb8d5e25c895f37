import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fixText } from '../../server/src/cli/check';
import { Engine } from '../../server/src/analysis/engine';
import { listFixtures } from '../helpers/fixtures';

/**
 * SKL201 / SKL401 fixes against real scikit-learn: every SKL201 and SKL401 fixture, after pipelint's safe
 * fixes, runs under /usr/bin/python3 without error (a fix that added `random_state` to an unshuffled
 * KFold would raise ValueError here). SKL201 fixtures are run twice after the fix and must print the
 * same thing: the fix makes them reproducible.
 */
const PYTHON = '/usr/bin/python3';

function run(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'pipelint-run-'));
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      [file],
      { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('SKL201/SKL401 fixed fixtures run with real scikit-learn', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
  });
  const fixtures = listFixtures('python').filter((f) => /^SKL(201|401)/.test(f.name) && f.name.endsWith('.py'));
  test('there are fixtures to run', () => assert.ok(fixtures.length >= 4));
  for (const fx of fixtures) {
    test(`${fx.name}: runs after the safe fixes`, { timeout: 600_000 }, async () => {
      const fixed = fixText(engine, fx.name, fx.text, 'python', {});
      const left = fixed.findings.filter(
        (f) => (f.code === 'SKL201' || f.code === 'SKL401') && f.fix?.safety === 'safe',
      );
      assert.deepEqual(left, [], 'safe SKL201/SKL401 fixes left behind');
      const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-fixed-'));
      const file = path.join(dir, fx.name);
      writeFileSync(file, fixed.text);
      const runs = fx.name.startsWith('SKL201') ? await Promise.all([run(file), run(file)]) : [await run(file)];
      for (const r of runs) assert.equal(r.code, 0, `python failed on the fixed ${fx.name}:\n${r.stderr}`);
      if (runs.length === 2) assert.equal(runs[1].stdout, runs[0].stdout, `the fixed ${fx.name} is not reproducible`);
    });
  }
});
