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
  client.notify('textDocument/didOpen', { textDocument: { uri: small, languageId: 'python', version: 1, text: 'from sklearn.model_selection import KFold\nsplitter = KFold(5, shuffle=True)\n' } });
  await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === small && p.diagnostics.length === 1);
  // About 1.9 MB of real-looking code (under the default 2,048 KB limit): a parse of a second or more.
  const lines = ['import numpy as np', 'import pandas as pd', 'df = pd.read_csv("data.csv")'];
  for (let i = 0, size = 0; size < 1_900_000; i++) {
    lines.push(`feature_${i} = np.log1p(df["column_${i % 40}"].values) * ${i} + np.sqrt(abs(${i % 7}))`);
    size += lines[lines.length - 1].length + 1;
  }
  const big = 'file:///tmp/slow/big.py';
  const order: string[] = [];
  const published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === big, 120_000).then(() => order.push('diagnostics of big.py'));
  const slicing = client.waitFor('window/logMessage', (p) => /big\.py in slices/.test(p.message), 120_000);
  client.notify('textDocument/didOpen', { textDocument: { uri: big, languageId: 'python', version: 1, text: lines.join('\n') } });
  await slicing; // the server says its parse of big.py goes on in slices: ask now
  const hover = await client.request('textDocument/hover', { textDocument: { uri: small }, position: { line: 1, character: 12 } }, 120_000);
  order.push('hover');
  assert.match(hover.contents.value, /SKL201|unseeded/);
  await published;
  assert.deepEqual(order, ['hover', 'diagnostics of big.py']);
});
