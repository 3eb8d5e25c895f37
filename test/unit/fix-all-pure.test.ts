import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SERVER_SETTINGS } from '../../server/src/config/settings';
import { applyEdits } from '../../server/src/fix/apply';
import { DocumentState } from '../../server/src/lsp/documents';
import { fixAllEdit } from '../../server/src/lsp/handlers/codeAction';
import { AnalysisService } from '../../server/src/lsp/service';
import { loadPythonParser } from '../../server/src/python';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'python', 'SKL101.py');

test('fix-all analyses its scratch texts without touching the workspace index', async () => {
  const shown: string[] = [];
  const connection = {
    console: { log: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    window: {
      showInformationMessage: (m: string) => (shown.push(m), Promise.resolve(undefined)),
      showWarningMessage: (m: string) => (shown.push(m), Promise.resolve(undefined)),
    },
    sendDiagnostics: () => Promise.resolve(),
  };
  const service = new AnalysisService(connection as never, loadPythonParser());
  await service.ready;
  const uri = pathToFileURL(FIXTURE).href;
  const text = readFileSync(FIXTURE, 'utf8');
  const state = new DocumentState(TextDocument.create(uri, 'python', 1, text), 'python');
  service.documents.set(uri, state);
  service.analyze(state, DEFAULT_SERVER_SETTINGS);
  const indexed = structuredClone(service.workspace.index.summary(uri));
  assert.equal(indexed?.saves.length, 2, 'the open document saves two pipelines');

  const edit = await fixAllEdit(service, uri);
  assert.ok(edit, 'fix-all extracts the lambdas');
  const fixed = applyEdits(text, [edit]).text;
  const dumpLine = (t: string) => t.split('\n').findIndex((l) => l.startsWith('joblib.dump(pipe'));
  assert.notEqual(dumpLine(fixed), dumpLine(text), 'the fixed text saves on another line than the open document');

  // The fix is only offered: the index still describes the open document, not the fixed text.
  assert.deepEqual(service.workspace.index.summary(uri), indexed);
  assert.equal(state.doc.getText(), text);
  assert.deepEqual(shown, []);
  service.documents.delete(uri);
  state.dispose();
});
