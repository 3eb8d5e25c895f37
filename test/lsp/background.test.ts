import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../helpers/lspClient';

/**
 * Large documents are analysed on the server's analysis thread (server/src/lsp/background/). With
 * PIPELINT_BACKGROUND_KB=0 every document is, so a server started that way must answer exactly as one
 * analysing on its own thread: diagnostics after random edits, code lenses, fix-all and hovers.
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const SEEDS = Number(process.env.PIPELINT_BACKGROUND_SEEDS ?? 2);

/** mulberry32: a small seeded generator, so that a failure replays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['(', ')', ',', ' ', '\n', 'x', '0', ':', 'random_state=0', 'fit(X)', '# noqa', '"', 'lambda v: v'];

/** One random edit: insert a piece, delete a span, or duplicate a line. */
function randomEdit(text: string, rnd: () => number): { start: number; end: number; insert: string } {
  const at = Math.floor(rnd() * (text.length + 1));
  const r = rnd();
  if (r < 0.5) return { start: at, end: at, insert: PIECES[Math.floor(rnd() * PIECES.length)] };
  if (r < 0.8) return { start: at, end: Math.min(text.length, at + 1 + Math.floor(rnd() * 12)), insert: '' };
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = text.indexOf('\n', at);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  return { start: lineStart, end: lineStart, insert: `${line}\n` };
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

function fixtures(dir: string, ext: string): string[] {
  return readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => path.join(FIXTURES, dir, f));
}

describe('analysis thread: the same answers as the server thread', () => {
  let main: LspClient;
  let background: LspClient;
  before(async () => {
    main = new LspClient(['--stdio'], { env: { PIPELINT_BACKGROUND_KB: '1000000' } });
    background = new LspClient(['--stdio'], { env: { PIPELINT_BACKGROUND_KB: '0' } });
    await Promise.all([main.initialize(), background.initialize()]);
  });

  test('the thread is the one analysing', async () => {
    const started = background.waitFor(
      'window/logMessage',
      (p) => /analysis thread started \(documents of 0 KB/.test(p.message),
      60_000,
    );
    const uri = 'file:///tmp/pipelint-bg-start.py';
    background.notify('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: 'import numpy as np\n' },
    });
    await started;
    background.notify('textDocument/didClose', { textDocument: { uri } });
    assert.ok(!main.notifications.some((n) => /analysis thread started/.test(n.params?.message ?? '')));
  });
  after(async () => {
    await Promise.all([main.shutdown(), background.shutdown()]);
  });

  async function both<T>(f: (c: LspClient) => Promise<T>): Promise<[T, T]> {
    return Promise.all([f(main), f(background)]);
  }

  const diagnosticsOf = (c: LspClient, uri: string, version: number) =>
    c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === version, 120_000);

  for (const [dir, ext, languageId] of [
    ['python', '.py', 'python'],
    ['typescript', '.ts', 'typescript'],
  ] as const) {
    test(`${dir} fixtures under ${SEEDS} seeds of random edits: identical diagnostics, lenses, fix-all, hovers`, async () => {
      let checked = 0;
      for (const file of fixtures(dir, ext)) {
        for (let seed = 1; seed <= SEEDS; seed++) {
          const uri = pathToFileURL(file).href.replace(ext, `_bg${seed}${ext}`);
          let text = readFileSync(file, 'utf8');
          const rnd = random(seed * 7919 + text.length);
          const [a, b] = await both((c) => {
            const p = diagnosticsOf(c, uri, 1);
            c.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
            return p;
          });
          assert.deepEqual(b.diagnostics, a.diagnostics, `${file} (opened)`);
          for (let version = 2; version <= 4; version++) {
            const e = randomEdit(text, rnd);
            const range = { start: positionAt(text, e.start), end: positionAt(text, e.end) };
            text = text.slice(0, e.start) + e.insert + text.slice(e.end);
            const [x, y] = await both((c) => {
              const p = diagnosticsOf(c, uri, version);
              c.notify('textDocument/didChange', {
                textDocument: { uri, version },
                contentChanges: [{ range, text: e.insert }],
              });
              return p;
            });
            assert.deepEqual(y.diagnostics, x.diagnostics, `${file}, seed ${seed}, version ${version}`);
            checked++;
            if (version === 4) {
              const [lensA, lensB] = await both((c) => c.request('textDocument/codeLens', { textDocument: { uri } }));
              assert.deepEqual(lensB, lensA, `${file}: lenses`);
              const [fixA, fixB] = await both((c) =>
                c.request('textDocument/codeAction', {
                  textDocument: { uri },
                  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
                  context: { diagnostics: [], only: ['source.fixAll.pipelint'] },
                }),
              );
              assert.deepEqual(fixB, fixA, `${file}: fix-all`);
              const at = x.diagnostics[0]?.range.start ?? { line: 0, character: 0 };
              const [hoverA, hoverB] = await both((c) =>
                c.request('textDocument/hover', { textDocument: { uri }, position: at }),
              );
              assert.deepEqual(hoverB, hoverA, `${file}: hover`);
            }
          }
          for (const c of [main, background]) c.notify('textDocument/didClose', { textDocument: { uri } });
        }
      }
      assert.ok(checked > 0);
    });
  }

  test('a burst of changes: only the newest version is published, with the fresh analysis of its text', async () => {
    const file = path.join(FIXTURES, 'python', 'SKL101.py');
    const uri = pathToFileURL(file).href.replace('.py', '_burst.py');
    let text = readFileSync(file, 'utf8');
    const seen: number[] = [];
    background.onNotification((method, params) => {
      if (method === 'textDocument/publishDiagnostics' && params.uri === uri) seen.push(params.version);
    });
    const opened = diagnosticsOf(background, uri, 1);
    background.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    await opened;
    const rnd = random(42);
    const last = diagnosticsOf(background, uri, 21);
    for (let version = 2; version <= 21; version++) {
      const e = randomEdit(text, rnd);
      const range = { start: positionAt(text, e.start), end: positionAt(text, e.end) };
      text = text.slice(0, e.start) + e.insert + text.slice(e.end);
      background.notify('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range, text: e.insert }],
      });
    }
    const got = await last;
    const fresh = diagnosticsOf(main, uri, 1);
    main.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const expected = await fresh;
    assert.deepEqual(
      got.diagnostics.map((d: { data?: unknown }) => ({ ...d, data: undefined })),
      expected.diagnostics.map((d: { data?: unknown }) => ({ ...d, data: undefined })),
    );
    // Published versions only increase: a superseded analysis never overwrites a newer one.
    assert.deepEqual(
      seen,
      [...seen].sort((p, q) => p - q),
    );
  });
});

describe('analysis thread out of memory', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient(['--stdio'], { env: { PIPELINT_BACKGROUND_KB: '64', PIPELINT_BACKGROUND_HEAP_MB: '8' } });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
  });

  test('a file that exhausts the thread is skipped with one notice; the server goes on serving', async () => {
    const big = 'file:///tmp/pipelint-bg/oom.py';
    const lines = ['import numpy as np', 'from sklearn.pipeline import make_pipeline'];
    for (let i = 0; lines.join('\n').length < 600_000; i++)
      lines.push(`step_${String(i)} = make_pipeline(np.log1p, lambda v: v * ${String(i)})`);
    const notice = client.waitFor(
      'window/showMessageRequest',
      (p) => /skipped oom\.py: the analysis thread stopped/.test(p.message),
      120_000,
    );
    client.notify('textDocument/didOpen', {
      textDocument: { uri: big, languageId: 'python', version: 1, text: lines.join('\n') },
    });
    await notice;
    // A small file is still analysed on the server's own thread, and answered.
    const small = 'file:///tmp/pipelint-bg/small.py';
    const published = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === small, 60_000);
    client.notify('textDocument/didOpen', {
      textDocument: {
        uri: small,
        languageId: 'python',
        version: 1,
        text: 'from sklearn.model_selection import KFold\nsplitter = KFold(5, shuffle=True)\n',
      },
    });
    const { diagnostics } = await published;
    assert.equal(diagnostics.length, 1);
    // Further keystrokes in the big file do not restart the thread on it.
    client.notify('textDocument/didChange', {
      textDocument: { uri: big, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '#' }],
    });
    await client.request('textDocument/hover', { textDocument: { uri: small }, position: { line: 1, character: 12 } });
    const starts = client.notifications.filter(
      (n) => n.method === 'window/logMessage' && /analysis thread started/.test(String(n.params.message)),
    );
    assert.equal(starts.length, 1);
  });
});
