import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Engine } from '../../server/src/engine';
import { fixText } from '../../server/src/cli/check';
import { actualFindings, expectedFindings, listFixtures, matchSnapshot, renderSnapshot } from '../helpers/fixtures';

/**
 * Fixture-driven rule tests: every `# expect: CODE` comment must match a finding starting on that line,
 * and nothing else may be reported. Messages, fixes and fixed files are pinned by snapshots.
 */
for (const language of ['python', 'typescript'] as const) {
  const fixtures = listFixtures(language);
  if (fixtures.length === 0) continue;
  describe(`rules on ${language} fixtures`, () => {
    let engine: Engine;
    before(async () => {
      engine = await Engine.create();
    });
    for (const fx of fixtures) {
      test(fx.name, () => {
        const kind = fx.name.endsWith('.ipynb') ? 'notebook' : language;
        const { findings } = engine.analyze(fx.name, fx.text, kind);
        assert.deepEqual(actualFindings(findings), expectedFindings(fx.text), 'findings (line:code) differ from the # expect: comments');
        const { expected, actual } = matchSnapshot(fx.file, renderSnapshot(fx.text, findings));
        assert.equal(actual, expected, `snapshot ${fx.name}.snap differs (UPDATE_SNAPSHOTS=1 to accept)`);
      });
      if (language === 'python' && !fx.name.endsWith('.ipynb')) {
        test(`${fx.name}: safe fixes converge and are idempotent`, () => {
          const once = fixText(engine, fx.name, fx.text, language, {});
          const twice = fixText(engine, fx.name, once.text, language, {});
          assert.equal(twice.fixed, 0, 'a second fix-all pass still changed something');
          assert.equal(once.findings.filter((f) => f.fix?.safety === 'safe').length, 0, 'safe fixes left behind');
        });
      }
    }
  });
}
