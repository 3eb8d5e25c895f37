import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Engine } from '../../server/src/analysis/engine';
import { buildWorkspace } from '../../server/src/cli/workspace';
import { WorkspaceIndex, summarizeModule } from '../../server/src/workspace/index';
import { artifactKey, keysMatch } from '../../server/src/workspace/artifacts';
import { Semantics } from '../../server/src/model/semantics';
import { expectedFindings, matchSnapshot } from '../helpers/fixtures';

/**
 * Multi-file workspaces (test/fixtures/workspaces/<name>/): the workspace index links a model saved by
 * one file to the file that loads it, so SKL304 fires in the loader with a related location at the save.
 */
const ROOT = path.join(__dirname, '..', 'fixtures', 'workspaces');
// Python and scikit.js (TypeScript) workspaces: the same index, the same rules.
const SOURCE = /\.(py|ts)$/;
const kindOf = (f: string) => (f.endsWith('.ts') ? 'typescript' : 'python');
const workspaces = readdirSync(ROOT)
  .filter(
    (d) => statSync(path.join(ROOT, d)).isDirectory() && readdirSync(path.join(ROOT, d)).some((f) => SOURCE.test(f)),
  )
  .sort();

describe('workspaces', () => {
  let base: Engine;
  before(async () => {
    base = await Engine.create();
  });
  for (const name of workspaces) {
    test(name, async () => {
      const dir = path.join(ROOT, name);
      const files = readdirSync(dir)
        .filter((f) => SOURCE.test(f))
        .sort()
        .map((f) => ({ absolute: path.join(dir, f), display: f }));
      const { engine, workspace } = await buildWorkspace(base, files);
      const lines: string[] = [];
      for (const file of files) {
        const text = readFileSync(file.absolute, 'utf8');
        const { findings } = engine.analyze(file.display, text, kindOf(file.display), { workspace });
        const ours = findings.filter((f) => f.code.startsWith('SKL3'));
        assert.deepEqual(
          ours.map((f) => `${f.range.start.line + 1}:${f.code}`).sort(),
          expectedFindings(text).filter((e) => e.includes('SKL3')),
          `${name}/${file.display}: findings differ from the # expect: comments`,
        );
        for (const f of ours) {
          lines.push(`${file.display}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.code} ${f.message}`);
          for (const r of f.related) lines.push(`  related ${r.uri}:${r.range.start.line + 1}: ${r.message}`);
        }
      }
      const { expected, actual } = matchSnapshot(path.join(ROOT, name), lines.join('\n') + '\n');
      assert.equal(actual, expected, `snapshot ${name}.snap differs (UPDATE_SNAPSHOTS=1 to accept)`);
    });
  }

  test('SKL101: a factory that saves nothing is a warning when an importer saves, information alone', async () => {
    const dir = path.join(ROOT, 'factory-saved-elsewhere');
    const text = readFileSync(path.join(dir, 'features.py'), 'utf8');
    const severities = (ws?: WorkspaceIndex) =>
      base
        .analyze('features.py', text, 'python', ws ? { workspace: ws } : {})
        .findings.filter((f) => f.code === 'SKL101')
        .map((f) => f.severity);
    const files = ['features.py', 'train.py'].map((f) => ({ absolute: path.join(dir, f), display: f }));
    const { workspace } = await buildWorkspace(base, files);
    assert.deepEqual(workspace.picklingNeighboursOf('features.py'), ['train.py']);
    assert.deepEqual(severities(workspace), ['warning'], 'train.py imports features and saves with joblib');
    assert.deepEqual(severities(), ['information'], 'alone, the file saves nothing');
    const alone = (await buildWorkspace(base, files.slice(0, 1))).workspace;
    assert.deepEqual(severities(alone), ['information']);
    // The other direction: a script that imports a module whose functions save.
    const index = new WorkspaceIndex();
    index.update({
      uri: 'file:///p/explore.py',
      saves: [],
      loads: [],
      imports: ['persist.save_model'],
      pickles: false,
    });
    index.update({ uri: 'file:///p/persist.py', saves: [], loads: [], imports: [], pickles: true });
    assert.deepEqual(index.picklingNeighboursOf('file:///p/explore.py'), ['file:///p/persist.py']);
    assert.deepEqual(index.picklingNeighboursOf('file:///p/persist.py'), []);
  });

  test('SKL304 needs the index: predict.py alone is silent', async () => {
    const text = readFileSync(path.join(ROOT, 'bare-model', 'predict.py'), 'utf8');
    const { findings } = base.analyze('predict.py', text, 'python');
    assert.deepEqual(
      findings.filter((f) => f.code === 'SKL304'),
      [],
    );
  });

  test('scikit.js: serve.ts alone is silent; with train.ts indexed, SKL304 points at the save in train.ts', async () => {
    const dir = path.join(ROOT, 'ts-train-serve');
    const train = readFileSync(path.join(dir, 'train.ts'), 'utf8');
    const serve = readFileSync(path.join(dir, 'serve.ts'), 'utf8');
    assert.deepEqual(
      base.analyze('serve.ts', serve, 'typescript').findings.filter((f) => f.code === 'SKL304'),
      [],
    );
    const index = new WorkspaceIndex();
    index.update(summarizeModule(base.lower('train.ts', train, 'typescript').module));
    index.update(summarizeModule(base.lower('serve.ts', serve, 'typescript').module));
    assert.deepEqual(index.dependentsOf('train.ts'), ['serve.ts']);
    const [f, ...rest] = base
      .analyze('serve.ts', serve, 'typescript', { workspace: index })
      .findings.filter((x) => x.code === 'SKL304');
    assert.equal(rest.length, 0);
    assert.equal(f.range.start.line + 1, 8);
    assert.equal(f.related[0]?.uri, 'train.ts');
    assert.equal(f.related[0]?.range.start.line + 1, 12, 'related location: the toJSON save in train.ts');
    // Saving the whole pipeline instead: serve.ts now scales twice (its own scaler, then the pipeline's).
    const fixed = train
      .replace('await model.toJSON()', 'await new Pipeline({ steps: [["scale", scaler], ["lr", model]] }).toJSON()')
      .replace('import { StandardScaler,', 'import { Pipeline, StandardScaler,');
    assert.equal(index.update(summarizeModule(base.lower('train.ts', fixed, 'typescript').module)), true);
    const twice = base
      .analyze('serve.ts', serve, 'typescript', { workspace: index })
      .findings.filter((x) => x.code === 'SKL304');
    assert.deepEqual(
      twice.map((x) => x.range.start.line + 1),
      [8],
    );
    assert.match(twice[0].message, /^Double scaling: .*Pipeline that applies its own fitted `StandardScaler`/);
    // And serve.ts passing the raw batch to the pipeline is silent.
    const raw = serve.replace('return model.predict(features)', 'return model.predict(batch)');
    assert.equal(
      base.analyze('serve.ts', raw, 'typescript', { workspace: index }).findings.filter((x) => x.code === 'SKL304')
        .length,
      0,
    );
  });

  test('the index is updated per file: a fixed train.py removes the finding in predict.py', async () => {
    const dir = path.join(ROOT, 'bare-model');
    const train = readFileSync(path.join(dir, 'train.py'), 'utf8');
    const predict = readFileSync(path.join(dir, 'predict.py'), 'utf8');
    const index = new WorkspaceIndex();
    const lower = (uri: string, text: string) => base.lower(uri, text, 'python').module;
    index.update(summarizeModule(lower('train.py', train)));
    index.update(summarizeModule(lower('predict.py', predict)));
    assert.deepEqual(index.dependentsOf('train.py'), ['predict.py']);
    assert.equal(
      base.analyze('predict.py', predict, 'python', { workspace: index }).findings.filter((f) => f.code === 'SKL304')
        .length,
      1,
    );
    const fixed = train.replace('joblib.dump(model,', 'joblib.dump((scaler, model),');
    assert.equal(index.update(summarizeModule(lower('train.py', fixed))), true, 'what train.py saves changed');
    assert.equal(
      base.analyze('predict.py', predict, 'python', { workspace: index }).findings.filter((f) => f.code === 'SKL304')
        .length,
      0,
    );
  });

  test('artifact keys: literals, constants, os.path.join, pathlib, f-strings, open() handles', async () => {
    const src = [
      'import os, pickle, joblib',
      'from pathlib import Path',
      'D = "models"',
      'joblib.dump(m, "models/a.joblib")',
      'joblib.dump(m, os.path.join(D, "b.joblib"))',
      'joblib.dump(m, Path(D) / "c.joblib")',
      'joblib.dump(m, f"{D}/d_{version}.pkl")',
      'with open(os.path.join(D, "e.pkl"), "wb") as f:',
      '    pickle.dump(m, f)',
      'joblib.dump(m, "./models//f.joblib")',
    ].join('\n');
    const module = base.lower('k.py', src, 'python').module;
    const sem = new Semantics(module);
    const keys = sem.calls
      .filter(({ call }) => call.callee.k === 'attr' && call.callee.name === 'dump')
      .map(({ call, scope }) => artifactKey(sem, call.args[1]?.value, scope));
    assert.deepEqual(keys, [
      'models/a.joblib',
      'models/b.joblib',
      'models/c.joblib',
      'models/d_*.pkl',
      'models/e.pkl',
      'models/f.joblib',
    ]);
    assert.ok(keysMatch('models/d_*.pkl', 'out/d_v2.pkl'));
    assert.ok(!keysMatch('models/a.joblib', 'models/b.joblib'));
  });
});
