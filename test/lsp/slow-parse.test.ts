import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LspClient } from '../helpers/lspClient';

// Issue 15: a file whose first parse is long does not block the server. The parse runs in 20 ms slices
// (tree-sitter resumes a cancelled parse) and other requests are answered in between. The assertion is
// about order, not time: the hover sent during the parse is answered before the big file's diagnostics.
let client: LspClient;
before(async () => {
  client = new LspClient();
  await client.initialize();
});
after(async () => {
  await client.shutdown();
});

test('a hover is answered while a big file is being parsed', async () => {
  const small = 'file:///tmp/slow/small.py';
  client.notify('textDocument/didOpen', {
    textDocument: {
      uri: small,
      languageId: 'python',
      version: 1,
      text: 'from sklearn.model_selection import KFold\nsplitter = KFold(5, shuffle=True)\n',
    },
  });
  await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === small && p.diagnostics.length === 1);
  // About 1.9 MB of real-looking code (under the default 2,048 KB limit): a parse of a second or more.
  // Comment lines too, which tree-sitter does not read (python/parser.ts): the parse resumed slice after slice
  // passes the same ranges, and the finding at the end is where it is.
  const lines = ['import numpy as np', 'import pandas as pd', 'df = pd.read_csv("data.csv")'];
  for (let i = 0, size = 0; size < 1_900_000; i++) {
    lines.push(`feature_${i} = np.log1p(df["column_${i % 40}"].values) * ${i} + np.sqrt(abs(${i % 7}))`);
    size += lines[lines.length - 1].length + 1;
    if (i % 10 === 0) {
      lines.push(`# feature ${i}: a log-scaled column`);
      size += lines[lines.length - 1].length + 1;
    }
  }
  lines.push('from sklearn.model_selection import KFold', 'splitter = KFold(5, shuffle=True)');
  const big = 'file:///tmp/slow/big.py';
  const order: string[] = [];
  let bigDiagnostics: { range: { start: { line: number } } }[] = [];
  const published = client
    .waitFor('textDocument/publishDiagnostics', (p) => p.uri === big, 120_000)
    .then((p) => {
      bigDiagnostics = p.diagnostics;
      order.push('diagnostics of big.py');
    });
  // Parsed in slices on the server's thread, or (at 256 KB and more) analysed on the analysis thread.
  const slicing = client.waitFor(
    'window/logMessage',
    (p) => /big\.py (in slices|on the analysis thread)/.test(p.message),
    120_000,
  );
  client.notify('textDocument/didOpen', {
    textDocument: { uri: big, languageId: 'python', version: 1, text: lines.join('\n') },
  });
  await slicing; // the server says its parse of big.py goes on in slices: ask now
  const hover = await client.request(
    'textDocument/hover',
    { textDocument: { uri: small }, position: { line: 1, character: 12 } },
    120_000,
  );
  order.push('hover');
  assert.match(hover.contents.value, /SKL201|unseeded/);
  await published;
  assert.deepEqual(order, ['hover', 'diagnostics of big.py']);
  assert.deepEqual(
    bigDiagnostics.map((d) => d.range.start.line),
    [lines.length - 1],
  );
});

test('a hover is answered while a notebook of thousands of cells is being parsed', async () => {
  const small = 'file:///tmp/slow/small.py';
  const uri = 'file:///tmp/slow/many.ipynb';
  const cell = (i: number) => `vscode-notebook-cell:/tmp/slow/many.ipynb#C${i}`;
  // 3,000 cells of ordinary pandas work (seconds of parsing), the last one with a finding.
  const texts = Array.from({ length: 3000 }, (_, i) =>
    i === 0
      ? 'import numpy as np\nimport pandas as pd\nfrom sklearn.model_selection import KFold'
      : i === 2999
        ? 'splitter = KFold(5, shuffle=True)'
        : `df_${i} = pd.DataFrame(np.random.rand(10, 3), columns=["a", "b", "c"])\ndf_${i}["d"] = df_${i}["a"] * ${i}\nprint(df_${i}.describe())`,
  );
  const order: string[] = [];
  const published = client
    .waitFor('textDocument/publishDiagnostics', (p) => p.uri === cell(2999) && p.diagnostics.length === 1, 120_000)
    .then(() => order.push('diagnostics of the last cell'));
  const slicing = client.waitFor('window/logMessage', (p) => /notebook many\.ipynb in slices/.test(p.message), 120_000);
  client.notify('notebookDocument/didOpen', {
    notebookDocument: {
      uri,
      notebookType: 'jupyter-notebook',
      version: 1,
      cells: texts.map((_, i) => ({ kind: 2, document: cell(i) })),
    },
    cellTextDocuments: texts.map((text, i) => ({ uri: cell(i), languageId: 'python', version: 1, text })),
  });
  await slicing;
  const hover = await client.request(
    'textDocument/hover',
    { textDocument: { uri: small }, position: { line: 1, character: 12 } },
    120_000,
  );
  order.push('hover');
  assert.match(hover.contents.value, /SKL201|unseeded/);
  await published;
  assert.deepEqual(order, ['hover', 'diagnostics of the last cell']);
  client.notify('notebookDocument/didClose', {
    notebookDocument: { uri },
    cellTextDocuments: texts.map((_, i) => ({ uri: cell(i) })),
  });
});
