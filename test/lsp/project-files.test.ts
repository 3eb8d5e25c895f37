import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../helpers/lspClient';

const TRAIN = `import joblib
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier

X, y = load_iris(return_X_y=True)
model = RandomForestClassifier(random_state=0).fit(X, y)
joblib.dump(model, "model.joblib")
`;

/**
 * SKL501 reads the project's requirement files: the server asks the client to watch them, and a change
 * reported by the client re-analyses the open files with the new facts.
 */
describe('language server over stdio: requirement files', () => {
  let client: LspClient;
  let dir: string;
  const registrations: any[] = [];
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pipelint-project-'));
    mkdirSync(path.join(dir, '.git'));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'requirements.txt'), 'pandas==1.5.3\nscikit-learn\n');
    client = new LspClient();
    client.onNotification((method, params) => {
      if (method === 'client/registerCapability') registrations.push(...params.registrations);
    });
    await client.initialize(pathToFileURL(dir).href, {
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
    });
  });
  after(async () => {
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the server registers watchers for requirement files', async () => {
    const deadline = Date.now() + 20_000;
    while (!registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const reg = registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.ok(reg, 'a didChangeWatchedFiles registration');
    const globs: string[] = reg.registerOptions.watchers.map((w: any) => w.globPattern);
    for (const file of [
      'requirements.txt',
      'requirements-prod.txt',
      'requirements/base.txt',
      'pyproject.toml',
      'setup.cfg',
      'environment.yml',
      'Pipfile',
      'poetry.lock',
    ]) {
      assert.ok(
        globs.some((g) => globMatches(g, `proj/${file}`)),
        `${file} is watched (${globs.join(' ')})`,
      );
    }
  });

  test('a requirement file that changes re-analyses the open files', async () => {
    const file = path.join(dir, 'src', 'train.py');
    writeFileSync(file, TRAIN);
    const uri = pathToFileURL(file).href;
    const first = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: TRAIN } });
    const unpinned = (await first).diagnostics.filter((d: any) => d.code === 'SKL501');
    assert.equal(unpinned.length, 1, 'scikit-learn without a version: reported');
    const req = pathToFileURL(path.join(dir, 'requirements.txt')).href;
    assert.equal(unpinned[0].relatedInformation[0].location.uri, req);
    assert.equal(unpinned[0].relatedInformation[0].location.range.start.line, 1, 'at the scikit-learn line');

    writeFileSync(path.join(dir, 'requirements.txt'), 'pandas==1.5.3\nscikit-learn==1.2.1\n');
    const pinned = client.waitFor(
      'textDocument/publishDiagnostics',
      (p) => p.uri === uri && !p.diagnostics.some((d: any) => d.code === 'SKL501'),
    );
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: req, type: 2 }] });
    await pinned;

    // Deleted: no requirement file at all is a notebook or an exploration, not reported either.
    rmSync(path.join(dir, 'requirements.txt'));
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[project]\nname = "x"\nversion = "0.1"\ndependencies = ["pandas"]\n',
    );
    const unlisted = client.waitFor(
      'textDocument/publishDiagnostics',
      (p) =>
        p.uri === uri &&
        p.diagnostics.some((d: any) => d.code === 'SKL501' && /do not list scikit-learn/.test(d.message)),
    );
    client.notify('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: req, type: 3 },
        { uri: pathToFileURL(path.join(dir, 'pyproject.toml')).href, type: 1 },
      ],
    });
    await unlisted;
  });
});

/** Enough of the LSP glob syntax for the patterns the server registers: `**`, `*`, `{a,b}`. */
function globMatches(glob: string, file: string): boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(file);
}
