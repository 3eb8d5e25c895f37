import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LspClient } from '../helpers/lspClient';

/** VS Code notebooks over LSP notebook sync: cells form one program; diagnostics land on their cells. */
let client: LspClient;
before(async () => {
  client = new LspClient();
  const init = await client.initialize();
  assert.equal(init.capabilities.notebookDocumentSync.notebookSelector[0].notebook.notebookType, 'jupyter-notebook');
});
after(async () => {
  await client.shutdown();
});

const NB = 'file:///tmp/churn.ipynb';
const cell = (i: number) => `vscode-notebook-cell:/tmp/churn.ipynb#W${i}sZmlsZQ%3D%3D`;
const CELLS = [
  '%matplotlib inline\nimport joblib\nimport numpy as np\nfrom sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import FunctionTransformer\nfrom sklearn.linear_model import LogisticRegression',
  '!pip list | grep scikit\nlog = FunctionTransformer(lambda X: np.log1p(X))',
  'model = make_pipeline(log, LogisticRegression())\nmodel.fit(np.abs(X), y)\njoblib.dump(model, "model.joblib")',
];

test('diagnostics across cells, each on its own cell', async () => {
  const waitCell = (i: number, pred: (d: any[]) => boolean) => client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === cell(i) && pred(p.diagnostics));
  const c1 = waitCell(1, (d) => d.length > 0);
  const c2 = waitCell(2, (d) => d.length > 0);
  client.notify('notebookDocument/didOpen', {
    notebookDocument: { uri: NB, notebookType: 'jupyter-notebook', version: 1, cells: CELLS.map((_, i) => ({ kind: 2, document: cell(i) })) },
    cellTextDocuments: CELLS.map((text, i) => ({ uri: cell(i), languageId: 'python', version: 1, text })),
  });
  const [d1, d2] = await Promise.all([c1, c2]);
  assert.deepEqual(d1.diagnostics.map((d: any) => [d.code, d.range.start.line, d.range.start.character]), [['SKL101', 1, 26]]);
  assert.deepEqual(d2.diagnostics.map((d: any) => [d.code, d.range.start.line]), [['SKL104', 2]]);
  // The SKL104 in cell 2 points at the lambda in cell 1.
  assert.equal(d2.diagnostics[0].relatedInformation[0].location.uri, cell(1));
  // The SKL101 fix touches two cells: the def after the imports (cell 0) and the lambda (cell 1).
  assert.deepEqual(Object.keys(d1.diagnostics[0].data.changes).sort(), [cell(0), cell(1)].sort());
});

test('editing a cell re-analyses the notebook; removing the lambda clears both cells', async () => {
  const cleared1 = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === cell(1) && p.diagnostics.length === 0);
  const cleared2 = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === cell(2) && p.diagnostics.length === 0);
  client.notify('notebookDocument/didChange', {
    notebookDocument: { uri: NB, version: 2 },
    change: {
      cells: {
        textContent: [
          {
            document: { uri: cell(1), version: 2 },
            changes: [{ range: { start: { line: 1, character: 26 }, end: { line: 1, character: 47 } }, text: 'np.log1p' }],
          },
        ],
      },
    },
  });
  await Promise.all([cleared1, cleared2]);
});
