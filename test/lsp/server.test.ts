import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { applyEdits } from '../../server/src/fix/apply';
import { LspClient } from '../helpers/lspClient';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'python', 'SKL101.py');

describe('language server over stdio', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    const init = await client.initialize();
    assert.equal(init.capabilities.textDocumentSync.change, 2, 'incremental sync');
    assert.ok(init.capabilities.codeActionProvider.codeActionKinds.includes('source.fixAll.pipelint'));
  });
  after(async () => {
    await client.shutdown();
  });

  test('publishes diagnostics with code, doc link and fix data', async () => {
    const uri = pathToFileURL(FIXTURE).href;
    const text = readFileSync(FIXTURE, 'utf8');
    const published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const { diagnostics } = await published;
    const codes = diagnostics.map((d: any) => d.code).sort();
    assert.deepEqual(codes, ['SKL101', 'SKL101', 'SKL101', 'SKL104', 'SKL104']);
    const first = diagnostics.find((d: any) => d.code === 'SKL101');
    assert.equal(first.source, 'pipelint');
    assert.match(first.codeDescription.href, /^file:.*docs\/rules\/lambda-in-estimator\.md$/);
    assert.equal(first.data.fix.safety, 'safe');
    const dump = diagnostics.find((d: any) => d.code === 'SKL104');
    assert.equal(dump.severity, 1);
    assert.ok(dump.relatedInformation.length >= 1, 'SKL104 points at the culprit');
  });

  test('quick fix round trip: applying the action removes the diagnostic', async () => {
    const uri = pathToFileURL(FIXTURE).href.replace('SKL101.py', 'roundtrip.py');
    const text = readFileSync(FIXTURE, 'utf8');
    let published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const { diagnostics } = await published;
    const target = diagnostics.find((d: any) => d.code === 'SKL101');
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: target.range,
      context: { diagnostics: [target], only: ['quickfix'] },
    });
    const extract = actions.find((a: any) => a.title.startsWith('Extract the lambda'));
    assert.ok(extract, JSON.stringify(actions.map((a: any) => a.title)));
    assert.equal(extract.kind, 'quickfix');
    assert.equal(extract.isPreferred, true, 'a safe fix is the preferred action');
    const edits = extract.edit.changes[uri];
    const fixed = applyEdits(text, edits).text;
    assert.notEqual(fixed, text);
    published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 2);
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
    const after = await published;
    const remaining = after.diagnostics.filter((d: any) => d.code === 'SKL101');
    assert.equal(remaining.length, 2, 'the fixed lambda no longer reported, the two others still are');
  });

  test('incremental edits: diagnostics follow the text', async () => {
    const uri = 'file:///tmp/pipelint-incremental.py';
    const text =
      'import joblib\nfrom sklearn.preprocessing import FunctionTransformer\n\nft = FunctionTransformer(np.log1p)\n';
    let published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    assert.equal((await published).diagnostics.length, 0);
    // Replace `np.log1p` (line 3, columns 25-33) with a lambda, one edit at a time.
    published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 3);
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { range: { start: { line: 3, character: 25 }, end: { line: 3, character: 33 } }, text: 'lambda X: X' },
      ],
    });
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 3, character: 36 }, end: { line: 3, character: 36 } }, text: ' + 1' }],
    });
    const { diagnostics } = await published;
    assert.deepEqual(
      diagnostics.map((d: any) => [d.code, d.range.start.line, d.range.start.character, d.range.end.character]),
      [['SKL101', 3, 25, 40]],
    );
  });

  test('fix-all applies every safe fix in one edit, and a second time changes nothing', async () => {
    const uri = pathToFileURL(FIXTURE).href.replace('SKL101.py', 'fixall.py');
    const text = readFileSync(FIXTURE, 'utf8');
    let published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    await published;
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: [], only: ['source.fixAll.pipelint'] },
    });
    assert.equal(actions.length, 1);
    const edits = actions[0].edit.changes[uri];
    assert.equal(edits.length, 1, 'one edit');
    const fixed = applyEdits(text, edits).text;
    published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 2);
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
    const after = await published;
    assert.deepEqual(
      after.diagnostics.map((d: any) => d.code),
      [],
      'no SKL101 left, and SKL104 gone with them',
    );
    const again = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: [], only: ['source.fixAll.pipelint'] },
    });
    assert.equal(again.length, 0, 'second fix-all offers nothing');
  });

  test('hover on a finding: the message, one line of why, and a link to the rule page (not the whole page)', async () => {
    const uri = pathToFileURL(FIXTURE).href;
    const hover = await client.request('textDocument/hover', {
      textDocument: { uri },
      position: { line: 16, character: 20 },
    });
    assert.ok(hover, 'hover result');
    const [message, why, link, ...rest] = hover.contents.value.split('\n\n');
    assert.match(message, /^\*\*SKL101\*\* Lambda passed to FunctionTransformer\(func=\.\.\.\) cannot be pickled/);
    assert.equal(
      why,
      '*Why:* `pickle` (and `joblib`, which uses it) saves a function by its qualified name so that it can import it back.',
    );
    assert.match(
      link,
      /^\[SKL101 lambda-in-estimator: full documentation\]\(file:.*docs\/rules\/lambda-in-estimator\.md\)$/,
    );
    assert.deepEqual(rest, []);
    assert.doesNotMatch(hover.contents.value, /^#/m, 'no heading');
  });

  test('the server says in the output who it is and that it started', async () => {
    const started = client.notifications.find(
      (n) =>
        n.method === 'window/logMessage' &&
        /^pipelint server \d+\.\d+\.\d+\S* started \(Node v\d+/.test(n.params.message),
    );
    assert.ok(started, JSON.stringify(client.notifications.filter((n) => n.method === 'window/logMessage')));
    assert.equal(started.params.type, 3, 'info');
  });

  test('bad documents never take the server down', async () => {
    const inputs = [
      '',
      '\0\0\0\x01binary',
      'def f(:\n  pipe = Pipeline([("a", FunctionTransformer(lambda',
      'x = 1\r\ny = 2\rz = 3\n',
      '('.repeat(5000),
      'é'.repeat(100000),
    ];
    for (const [i, text] of inputs.entries()) {
      const uri = `file:///tmp/bad-${i}.py`;
      const published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
      await published;
      client.notify('textDocument/didClose', { textDocument: { uri } });
    }
    const hover = await client.request('textDocument/hover', {
      textDocument: { uri: 'file:///nowhere.py' },
      position: { line: 0, character: 0 },
    });
    assert.equal(hover, null, 'still answering requests');
  });
});
