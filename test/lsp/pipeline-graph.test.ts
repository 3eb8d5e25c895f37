/**
 * The diagram's server side over stdio: `pipelint/pipelineGraph` answers with the graph of the
 * document's current version (findings attached), and a CodeLens sits above each construction.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { PipelineGraph } from '../../server/src/graph/types';
import { PipelineGraphRequest, ShowDiagramCommand } from '../../server/src/lsp/protocol';
import { LspClient } from '../helpers/lspClient';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'diagram', 'column_transformer.py');

describe('pipelint/pipelineGraph and the diagram CodeLens', () => {
  let client: LspClient;
  const uri = pathToFileURL(FIXTURE).href;
  const text = readFileSync(FIXTURE, 'utf8');

  before(async () => {
    client = new LspClient();
    const init = await client.initialize();
    assert.ok(init.capabilities.codeLensProvider, 'codeLensProvider capability');
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  });
  after(async () => client.shutdown());

  test('the graph of the open document, with findings and version', async () => {
    const graph = await client.request<PipelineGraph>(PipelineGraphRequest.method, {
      textDocument: { uri },
    } satisfies PipelineGraphRequest.Params);
    assert.equal(graph.version, 1);
    assert.equal(graph.roots.length, 1);
    const names = graph.nodes.map((n) => n.name);
    for (const n of ['model', 'preprocess', 'num', 'cat', 'log', 'remainder', 'forest'])
      assert.ok(names.includes(n), n);
    assert.deepEqual(graph.nodes.find((n) => n.name === 'log')!.findings, ['SKL101']);
  });

  test('follows edits: the next version has the renamed step', async () => {
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: text.replace('("forest"', '("trees"') }],
    });
    const graph = await client.request<PipelineGraph>(PipelineGraphRequest.method, { textDocument: { uri } });
    assert.equal(graph.version, 2);
    assert.ok(graph.nodes.some((n) => n.name === 'trees'));
  });

  test('a CodeLens above each construction runs pipelint.showDiagram with the position', async () => {
    const lenses = await client.request<any[]>('textDocument/codeLens', { textDocument: { uri } });
    const lines = lenses.map((l) => l.range.start.line + 1);
    assert.deepEqual(lines, [11, 16, 25]);
    for (const l of lenses) {
      assert.equal(l.command.command, ShowDiagramCommand.id);
      // The lens sits at the statement; its command focuses the construction (`Pipeline(` after `model = `).
      assert.equal(l.command.arguments[0], uri);
      assert.equal(l.command.arguments[1].line, l.range.start.line);
      const line = text.split('\n')[l.range.start.line];
      assert.match(line.slice(l.command.arguments[1].character), /^\w+\(/);
    }
  });

  test('one CodeLens per statement: none for pipelines nested in a list of steps, one inside a function or an if', async () => {
    const nestedUri = 'file:///tmp/pipelint-lens/nested.py';
    const text = [
      'from sklearn.compose import ColumnTransformer',
      'from sklearn.pipeline import Pipeline, make_pipeline',
      'from sklearn.preprocessing import OneHotEncoder, StandardScaler',
      'from sklearn.linear_model import LogisticRegression',
      '',
      'model = Pipeline([',
      '    ("pre", ColumnTransformer([',
      '        ("num", make_pipeline(StandardScaler()), ["age"]),',
      '        ("cat", Pipeline([',
      '            ("onehot", OneHotEncoder()),',
      '        ]), ["city"]),',
      '    ])),',
      '    ("clf", LogisticRegression()),',
      '])',
      '',
      'def build(flag):',
      '    if flag:',
      '        return make_pipeline(StandardScaler(), LogisticRegression())',
      '    steps = [("scale", StandardScaler()), ("clf", Pipeline([("lr", LogisticRegression())]))]',
      '    return Pipeline(steps)',
      '',
    ].join('\n');
    const published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === nestedUri);
    client.notify('textDocument/didOpen', { textDocument: { uri: nestedUri, languageId: 'python', version: 1, text } });
    await published;
    const lenses = await client.request<any[]>('textDocument/codeLens', { textDocument: { uri: nestedUri } });
    // Lines (1-based): model = ... (6), return make_pipeline (18), steps = [...] (19), return Pipeline(steps) (20).
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line + 1, l.range.start.character]),
      [
        [6, 0],
        [18, 8],
        [19, 4],
        [20, 4],
      ],
    );
    assert.deepEqual(
      lenses[0].command.arguments,
      [nestedUri, { line: 5, character: 8 }],
      'the lens opens the outermost pipeline of its statement',
    );
    client.notify('textDocument/didClose', { textDocument: { uri: nestedUri } });
  });

  test('an unknown document gives null', async () => {
    assert.equal(
      await client.request(PipelineGraphRequest.method, { textDocument: { uri: 'file:///nowhere.py' } }),
      null,
    );
  });
});
