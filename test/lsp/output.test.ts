/**
 * What the server writes to the editor's output channel ("pipelint: Show Output"): who started, how big
 * the workspace index is, which files are slow. Over stdio, like an editor.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../helpers/lspClient';

const WORKSPACE = path.join(__dirname, '..', 'fixtures', 'workspaces', 'ts-train-serve');

describe('the output channel', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize(pathToFileURL(WORKSPACE).href);
  });
  after(async () => client.shutdown());

  test('logs the version and start, then the size of the workspace index', async () => {
    const index = await client.waitFor('window/logMessage', (p) => /workspace index:/.test(p.message));
    assert.match(
      index.message,
      /^pipelint: workspace index: \d+ files walked, [1-9]\d* save or load a model, in \d+ ms$/,
    );
    assert.equal(index.type, 3, 'info');
    const logs = client.notifications
      .filter((n) => n.method === 'window/logMessage')
      .map((n) => n.params.message as string);
    const start = logs.findIndex((m) =>
      /^pipelint server \S+ started \(Node v[\d.]+, pid \d+, 1 workspace folder\)$/.test(m),
    );
    assert.ok(start >= 0, logs.join('\n'));
    assert.ok(start < logs.findIndex((m) => m.includes('workspace index:')), 'start first');
  });

  test('a slow file is named with its time', async () => {
    // 4,000 pipelines in one file: several hundred milliseconds on any machine this runs on.
    const block =
      'pipe = Pipeline([("scale", StandardScaler()), ("model", RandomForestClassifier())])\nscores = cross_val_score(pipe, X, y)\n';
    const text =
      'from sklearn.pipeline import Pipeline\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.ensemble import RandomForestClassifier\nfrom sklearn.model_selection import cross_val_score\n' +
      block.repeat(4000);
    const uri = 'file:///tmp/pipelint-output/slow.py';
    const published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri, 120_000);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    await published;
    const slow = client.notifications.find(
      (n) => n.method === 'window/logMessage' && n.params.message.includes('slow file: slow.py'),
    );
    assert.ok(slow, 'a slow-file line');
    assert.match(
      slow.params.message,
      /^pipelint: slow file: slow\.py took \d+ ms \(parse and lower \d+ ms, rules \d+ ms; 8005 lines\)$/,
    );
    assert.equal(slow.params.type, 2, 'warning');
  });
});
