import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LspClient } from '../helpers/lspClient';

// Issue 16 item 7: a keystroke in a 2.0 MB script cost seconds of analysis on the server's thread, and every
// request waited behind it. Large documents are now analysed on the analysis thread (lsp/background/), so a
// hover sent while a keystroke's analysis runs is answered first. The assertion is about order, not time.
let client: LspClient;
before(async () => {
  client = new LspClient();
  await client.initialize();
});
after(async () => {
  await client.shutdown();
});

/** About 1.9 MB of real-looking scikit-learn code (under the default 2,048 KB limit): seconds of analysis. */
function bigScript(): string {
  const lines = [
    'import numpy as np',
    'import pandas as pd',
    'from sklearn.preprocessing import StandardScaler',
    'from sklearn.linear_model import LogisticRegression',
    'from sklearn.model_selection import train_test_split',
    'df = pd.read_csv("data.csv")',
  ];
  for (let i = 0, size = 0; size < 1_900_000; i++) {
    const line =
      i % 50 === 0
        ? `X_tr_${i}, X_te_${i}, y_tr_${i}, y_te_${i} = train_test_split(df[["a", "b"]], df["y"], random_state=${i})`
        : `feature_${i} = np.log1p(df["column_${i % 40}"].values) * ${i} + np.sqrt(abs(${i % 7}))`;
    lines.push(line);
    size += line.length + 1;
  }
  lines.push(
    'scaler = StandardScaler().fit(X_tr_0)',
    'model = LogisticRegression().fit(scaler.transform(X_tr_0), y_tr_0)',
  );
  return lines.join('\n') + '\n';
}

test('a hover sent during a keystroke’s analysis of a 2.0 MB script is answered before that analysis ends', async () => {
  const small = 'file:///tmp/keystroke/small.py';
  client.notify('textDocument/didOpen', {
    textDocument: {
      uri: small,
      languageId: 'python',
      version: 1,
      text: 'from sklearn.model_selection import KFold\nsplitter = KFold(5, shuffle=True)\n',
    },
  });
  await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === small && p.diagnostics.length === 1);
  const big = 'file:///tmp/keystroke/big.py';
  const text = bigScript();
  const opened = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === big, 300_000);
  client.notify('textDocument/didOpen', { textDocument: { uri: big, languageId: 'python', version: 1, text } });
  await opened;

  // One keystroke at the end of the file, then a hover on the small file once the analysis has begun.
  const order: string[] = [];
  const republished = client
    .waitFor(
      'textDocument/publishDiagnostics',
      (p) => p.uri === big && (p.version === undefined || p.version === 2),
      300_000,
    )
    .then(() => order.push('diagnostics of the keystroke'));
  const lastLine = text.split('\n').length - 1;
  client.notify('textDocument/didChange', {
    textDocument: { uri: big, version: 2 },
    contentChanges: [
      { range: { start: { line: lastLine, character: 0 }, end: { line: lastLine, character: 0 } }, text: '#' },
    ],
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const hover = await client.request(
    'textDocument/hover',
    { textDocument: { uri: small }, position: { line: 1, character: 12 } },
    300_000,
  );
  order.push('hover');
  assert.match(hover.contents.value, /SKL201|unseeded/);
  await republished;
  assert.deepEqual(order, ['hover', 'diagnostics of the keystroke']);
});
