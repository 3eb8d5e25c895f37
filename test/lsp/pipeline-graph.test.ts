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
import { PipelineGraphRequest, ShowDiagramCommand } from '../../server/src/protocol';
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
    const graph = await client.request<PipelineGraph>(PipelineGraphRequest.method, { textDocument: { uri } } satisfies PipelineGraphRequest.Params);
    assert.equal(graph.version, 1);
    assert.equal(graph.roots.length, 1);
    const names = graph.nodes.map((n) => n.name);
    for (const n of ['model', 'preprocess', 'num', 'cat', 'log', 'remainder', 'forest']) assert.ok(names.includes(n), n);
    assert.deepEqual(graph.nodes.find((n) => n.name === 'log')!.findings, ['SKL101']);
  });

  test('follows edits: the next version has the renamed step', async () => {
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: text.replace('("forest"', '("trees"') }] });
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
      assert.deepEqual(l.command.arguments, [uri, l.range.start]);
    }
  });

  test('an unknown document gives null', async () => {
    assert.equal(await client.request(PipelineGraphRequest.method, { textDocument: { uri: 'file:///nowhere.py' } }), null);
  });
});
