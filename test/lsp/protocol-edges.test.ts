import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient } from '../helpers/lspClient';

/** Issue 16, items 9 and 10, through the real server over stdio. */

const SOURCE = [
  'import joblib',
  'from sklearn.ensemble import RandomForestClassifier',
  'from sklearn.pipeline import Pipeline',
  'from sklearn.preprocessing import FunctionTransformer',
  '',
  'pipe = Pipeline([("log", FunctionTransformer(lambda X: X + 1)), ("model", RandomForestClassifier())])',
  'joblib.dump(pipe, "model.pkl")',
  '',
].join('\n');

const summary = (diagnostics: any[]) =>
  diagnostics
    .map(
      (d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}:${d.code}`,
    )
    .sort();

describe('item 9: a didChange whose range start is after its end', () => {
  test('is applied as the reversed range, and the parse tree stays in step with the text', async () => {
    const client = new LspClient();
    try {
      await client.initialize();
      const uri = 'file:///proj/reversed.py';
      let doc = TextDocument.create(uri, 'python', 1, SOURCE);
      let published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 1);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });
      await published;
      // Delete from the lambda's body to the start of the dump line, written end first (an odd client):
      // `lambda X: X + 1)), ("model", ...)])\n` becomes `lambda X: joblib.dump(...)`, a shorter text.
      const line = 5;
      const at = SOURCE.split('\n')[line].indexOf('X + 1');
      const reversed = { start: { line: line + 1, character: 0 }, end: { line, character: at } };
      doc = TextDocument.update(doc, [{ range: reversed, text: '1)])\n' }], 2);
      client.notify('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: reversed, text: '1)])\n' }],
      });
      const append = { start: { line: 7, character: 0 }, end: { line: 7, character: 0 } };
      assert.equal(doc.lineCount, 8, doc.getText());
      doc = TextDocument.update(doc, [{ range: append, text: 'clf = RandomForestClassifier()\n' }], 3);
      published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 3);
      client.notify('textDocument/didChange', {
        textDocument: { uri, version: 3 },
        contentChanges: [{ range: append, text: 'clf = RandomForestClassifier()\n' }],
      });
      const edited = (await published).diagnostics;
      // The same text opened fresh: the reference.
      const fresh = 'file:///proj/fresh.py';
      const reference = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === fresh);
      client.notify('textDocument/didOpen', {
        textDocument: { uri: fresh, languageId: 'python', version: 1, text: doc.getText() },
      });
      const expected = (await reference).diagnostics;
      assert.ok(expected.length >= 2, JSON.stringify(summary(expected)));
      assert.deepEqual(summary(edited), summary(expected));
      // Fix-all works on the right text (no stray characters from a desynchronised tree).
      const actions = await client.request('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll.pipelint'] },
      });
      const freshActions = await client.request('textDocument/codeAction', {
        textDocument: { uri: fresh },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll.pipelint'] },
      });
      assert.deepEqual(actions[0]?.edit?.changes?.[uri], freshActions[0]?.edit?.changes?.[fresh]);
    } finally {
      await client.shutdown();
    }
  });
});

describe('item 10: the LSP lifecycle', () => {
  test('requests before initialize get ServerNotInitialized; notifications are dropped', async () => {
    const client = new LspClient();
    try {
      await assert.rejects(
        client.request('textDocument/hover', {
          textDocument: { uri: 'file:///a.py' },
          position: { line: 0, character: 0 },
        }),
        /^Error: -32002: /,
      );
      await assert.rejects(client.request('shutdown', null), /^Error: -32002: /);
      client.notify('textDocument/didOpen', {
        textDocument: {
          uri: 'file:///early.py',
          languageId: 'python',
          version: 1,
          text: 'from sklearn.preprocessing import FunctionTransformer\nft = FunctionTransformer(lambda x: x)\n',
        },
      });
      const init = await client.initialize();
      assert.ok(init.capabilities.hoverProvider);
      // The didOpen before initialize was dropped: a hover on it finds no document.
      assert.equal(
        await client.request('textDocument/hover', {
          textDocument: { uri: 'file:///early.py' },
          position: { line: 1, character: 30 },
        }),
        null,
      );
    } finally {
      await client.shutdown();
    }
  });

  test('a second initialize gets InvalidRequest; the server keeps working', async () => {
    const client = new LspClient();
    try {
      await client.initialize();
      await assert.rejects(
        client.request('initialize', { processId: null, rootUri: null, capabilities: {} }),
        /^Error: -32600: /,
      );
      const uri = 'file:///again.py';
      const published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });
      assert.ok((await published).diagnostics.length > 0);
    } finally {
      await client.shutdown();
    }
  });

  test('after shutdown every request gets InvalidRequest, and exit ends the process with 0', async () => {
    const client = new LspClient();
    await client.initialize();
    assert.equal(await client.request('shutdown', null), null);
    await assert.rejects(
      client.request('textDocument/hover', {
        textDocument: { uri: 'file:///a.py' },
        position: { line: 0, character: 0 },
      }),
      /^Error: -32600: /,
    );
    await assert.rejects(client.request('shutdown', null), /^Error: -32600: /);
    client.notify('exit', null);
    assert.equal(await client.exited, 0);
  });
});
