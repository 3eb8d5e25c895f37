import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import path from 'node:path';
import { Engine } from '../../server/src/analysis/engine';
import { ProjectFactsResolver } from '../../server/src/project/facts';
import { ProjectRoots } from '../../server/src/project/roots';
import { fixText } from '../../server/src/cli/check';
import {
  actualFindings,
  expectedFindings,
  FIXTURES,
  listFixtures,
  matchSnapshot,
  renderSnapshot,
} from '../helpers/fixtures';

/**
 * Fixture-driven rule tests: every `# expect: CODE` comment must match a finding starting on that line,
 * and nothing else may be reported. Messages, fixes and fixed files are pinned by snapshots. Project
 * facts (requirement files) are read as the drivers read them, from the fixture's folder upward: a
 * project fixture (`SKL501_unpinned/`) holds its own requirement files.
 */
const project = new ProjectFactsResolver(new ProjectRoots([FIXTURES]));
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
        const { findings } = engine.analyze(fx.name, fx.text, kind, {
          project: () => project.factsFor(fx.file, (abs) => path.relative(path.dirname(fx.file), abs)),
        });
        assert.deepEqual(
          actualFindings(findings),
          expectedFindings(fx.text),
          'findings (line:code) differ from the # expect: comments',
        );
        const { expected, actual } = matchSnapshot(fx.file, renderSnapshot(fx.text, findings));
        assert.equal(actual, expected, `snapshot ${fx.name}.snap differs (UPDATE_SNAPSHOTS=1 to accept)`);
      });
      if (language === 'python' && !fx.name.endsWith('.ipynb')) {
        test(`${fx.name}: safe fixes converge and are idempotent`, () => {
          const options = {
            project: () => project.factsFor(fx.file, (abs: string) => path.relative(path.dirname(fx.file), abs)),
          };
          const once = fixText(engine, fx.name, fx.text, language, options);
          const twice = fixText(engine, fx.name, once.text, language, options);
          assert.equal(twice.fixed, 0, 'a second fix-all pass still changed something');
          assert.equal(once.findings.filter((f) => f.fix?.safety === 'safe').length, 0, 'safe fixes left behind');
        });
      }
    }
  });
}
