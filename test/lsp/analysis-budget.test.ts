import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LspClient } from '../helpers/lspClient';
import { pipelinesScript } from '../../bench/bigfiles';

// Issue 16: a file over its analysis budget (model size or CPU time, see server/src/model/budget.ts) is
// skipped with one notice, its keystrokes cost nothing more, and the server goes on answering. The limits
// are lowered through the environment so that a realistic file reaches them without any clock.
const SKL201 = readFileSync(path.join(__dirname, '..', 'fixtures', 'python', 'SKL201.py'), 'utf8');

function serverWith(env: Record<string, string>): LspClient {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return new LspClient(['--stdio']);
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
  }
}

function recordNotices(client: LspClient, pattern: RegExp): any[] {
  const notices: any[] = [];
  client.onNotification((method, params) => {
    if ((method === 'window/showMessageRequest' || method === 'window/showMessage') && pattern.test(params?.message))
      notices.push(params);
  });
  return notices;
}

const open = (client: LspClient, uri: string, text: string) =>
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });

describe('analysis budget: model size', () => {
  let client: LspClient;
  before(async () => {
    // SKL201.py is 235 model nodes, 40 KB of experiments 4,957.
    client = serverWith({ PIPELINT_MAX_IR_NODES: '2000' });
    await client.initialize(null);
  });
  after(async () => {
    await client.shutdown();
  });

  test('a file over the model-size limit gets one notice and no diagnostics; the server keeps answering', async () => {
    const notices = recordNotices(client, /experiments\.py/);
    const uri = 'file:///tmp/pipelint-budget/experiments.py';
    let published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 1, 120_000);
    open(client, uri, pipelinesScript(40_000));
    assert.deepEqual((await published).diagnostics, []);
    for (let v = 2; v <= 4; v++) {
      published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === v, 120_000);
      client.notify('textDocument/didChange', {
        textDocument: { uri, version: v },
        contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '#' }],
      });
      assert.deepEqual((await published).diagnostics, []);
    }
    // Another file is analysed as usual, and requests are answered.
    const small = 'file:///tmp/pipelint-budget/small.py';
    const smallPublished = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === small, 120_000);
    open(client, small, SKL201);
    assert.ok((await smallPublished).diagnostics.some((d: any) => d.code === 'SKL201'));
    const hover = await client.request('textDocument/hover', {
      textDocument: { uri },
      position: { line: 0, character: 0 },
    });
    assert.equal(hover, null);
    assert.equal(notices.length, 1, JSON.stringify(notices));
    assert.match(
      notices[0].message,
      /^pipelint skipped experiments\.py: too large to analyse \(over 2,000 model nodes\), skipped\. Close and reopen it to try again\.$/,
    );
    assert.match(
      client.notifications
        .filter((n) => n.method === 'window/logMessage')
        .map((n) => n.params.message)
        .join('\n'),
      /experiments\.py: too large to analyse/,
    );
  });
});

describe('analysis budget: CPU time', () => {
  let client: LspClient;
  before(async () => {
    // A budget already spent when the analysis starts: every file goes over it at the first checkpoint.
    client = serverWith({ PIPELINT_ANALYSIS_BUDGET_MS: '-1000000000' });
    await client.initialize(null);
  });
  after(async () => {
    await client.shutdown();
  });

  test('a file over its CPU budget gets one notice and no diagnostics', async () => {
    const notices = recordNotices(client, /slow\.py/);
    const uri = 'file:///tmp/pipelint-budget/slow.py';
    const published = client.waitFor(
      'textDocument/publishDiagnostics',
      (p) => p.uri === uri && p.version === 1,
      120_000,
    );
    open(client, uri, SKL201);
    assert.deepEqual((await published).diagnostics, []);
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(notices.length, 1, JSON.stringify(notices));
    assert.match(
      notices[0].message,
      /^pipelint skipped slow\.py: too slow to analyse \(over -?[\d.]+ s of CPU\), skipped\./,
    );
  });
});
