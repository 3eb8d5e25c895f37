// Protocol fuzz (issue 16): one session = one real server over stdio, fed a random sequence of valid and
// invalid JSON-RPC: lifecycle messages in any order, requests and notifications with good or garbage
// params, reversed and out-of-range edits, broken JSON, non-object bodies, odd ids. Then the session is
// closed properly. A crash: the server dies on its own, or prints a stack trace / "uncaught". A hang: a
// probe request unanswered, or no exit after shutdown+exit (or after stdin closes) within the bound.
import { spawn } from 'node:child_process';
import { SERVER_JS } from '../helpers/lspClient';
import { Rng } from './mutate';

export interface SessionResult {
  name: string;
  ms: number;
  crash?: string;
  hang?: string;
}

const TEXTS = [
  'from sklearn.preprocessing import FunctionTransformer\nft = FunctionTransformer(lambda x: x)\n',
  'import joblib\nfrom sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier()\njoblib.dump(m, "m.pkl")\n',
  '',
  '(((((((\n',
  '\u0000\ud800\r\r\n\t',
  'x = [' + '['.repeat(450) + '\n',
];
const METHODS = [
  'textDocument/hover',
  'textDocument/codeAction',
  'textDocument/codeLens',
  'pipelint/pipelineGraph',
  'workspace/executeCommand',
  'unknown/method',
  '$/unknown',
  'shutdown',
  'initialize',
];
const NOTIFICATIONS = [
  'textDocument/didOpen',
  'textDocument/didChange',
  'textDocument/didClose',
  'initialized',
  'workspace/didChangeConfiguration',
  'workspace/didChangeWatchedFiles',
  '$/cancelRequest',
  '$/setTrace',
  'unknown/notification',
];

function frame(body: string | Buffer): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b]);
}

function garbage(rng: Rng): unknown {
  return rng.pick<unknown>([
    null,
    0,
    -1,
    1e308,
    'x',
    [],
    {},
    [1, 2],
    { textDocument: null },
    { textDocument: { uri: 42 } },
    { position: { line: -5, character: 1e9 } },
    true,
  ]);
}

function position(rng: Rng): unknown {
  return rng.chance(0.8)
    ? { line: rng.int(8), character: rng.int(60) }
    : { line: rng.pick([-1, 1e9, 0.5, NaN]), character: rng.pick([-1, 1e9, 2 ** 31]) };
}

/** The message for one random step; `framing` true when it breaks the framing (the stream may be lost after it). */
function step(rng: Rng, uris: string[], version: { n: number }): { bytes: Buffer; framing?: boolean } {
  const uri = rng.pick(uris);
  const id = rng.pick<unknown>([rng.int(1000) + 100, `s${rng.int(100)}`, rng.int(1000) + 0.5, { nested: 1 }, -7]);
  const roll = rng.int(100);
  if (roll < 30) {
    const method = rng.pick(NOTIFICATIONS);
    let params: unknown;
    if (method === 'textDocument/didOpen')
      params = rng.chance(0.9)
        ? {
            textDocument: {
              uri,
              languageId: rng.pick(['python', 'typescript', 'plaintext', 'jupyter']),
              version: ++version.n,
              text: rng.pick(TEXTS),
            },
          }
        : garbage(rng);
    else if (method === 'textDocument/didChange') {
      const a = position(rng);
      const b = position(rng);
      params = rng.chance(0.9)
        ? {
            textDocument: { uri, version: rng.chance(0.8) ? ++version.n : rng.int(3) },
            contentChanges: rng.chance(0.8)
              ? [{ range: { start: a, end: b }, text: rng.pick(['', 'x', '\n', '(', 'lambda y: y', '\r\n']) }]
              : [{ text: rng.pick(TEXTS) }],
          }
        : garbage(rng);
    } else if (method === 'textDocument/didClose') params = { textDocument: { uri } };
    else if (method === '$/cancelRequest') params = { id: rng.int(1000) };
    else params = rng.chance(0.5) ? {} : garbage(rng);
    return { bytes: frame(JSON.stringify({ jsonrpc: '2.0', method, params })) };
  }
  if (roll < 70) {
    const method = rng.pick(METHODS);
    const params =
      method === 'initialize'
        ? {
            processId: null,
            rootUri: rng.pick([null, 'file:///proj', 'not a uri']),
            capabilities: rng.chance(0.8) ? {} : garbage(rng),
          }
        : rng.chance(0.8)
          ? {
              textDocument: { uri },
              position: position(rng),
              range: { start: position(rng), end: position(rng) },
              context: { diagnostics: [], only: rng.chance(0.5) ? ['source.fixAll.pipelint'] : undefined },
            }
          : garbage(rng);
    return { bytes: frame(JSON.stringify({ jsonrpc: '2.0', id, method, params })) };
  }
  if (roll < 80)
    return {
      bytes: frame(
        rng.pick([
          '{',
          '{"jsonrpc":"2.0","id":1,"method":',
          '[]',
          '42',
          '"x"',
          'null',
          '{"jsonrpc":"1.0","method":"exit!"}',
          '{"id":3}',
          '{"jsonrpc":"2.0","result":1,"id":99999}',
          '\u0000',
        ]),
      ),
    };
  if (roll < 85) return { bytes: frame(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])) };
  if (roll < 90)
    return {
      bytes: Buffer.from(
        rng.pick([
          'Content-Length: 5\r\n\r\n{"a":',
          'Content-Type: x\r\n\r\n',
          'garbage\r\n\r\n',
          'Content-Length: -1\r\n\r\n',
          'Content-Length: abc\r\n\r\n',
        ]),
      ),
      framing: true,
    };
  // A response to a server request that was never made.
  return { bytes: frame(JSON.stringify({ jsonrpc: '2.0', id: rng.int(50), result: garbage(rng) })) };
}

/** One session: spawn, initialize (usually), random steps, probe, shutdown + exit (or close stdin). */
export function runProtocolSession(streamSeed: number, index: number, boundMs = 60_000): Promise<SessionResult> {
  const rng = new Rng((streamSeed * 3_000_017 + index * 15_485_863) >>> 0);
  const name = `session-${index}`;
  const started = performance.now();
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [SERVER_JS, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let buffer = Buffer.alloc(0);
    const waiting = new Map<unknown, () => void>();
    let settled = false;
    let expectExit = false;
    const finish = (r: Omit<SessionResult, 'name' | 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      resolve({ name, ms: performance.now() - started, ...r });
    };
    const timer = setTimeout(
      () => finish({ hang: `no answer or exit within ${boundMs} ms (stderr: ${stderr.slice(-300)})` }),
      boundMs,
    );
    proc.stdin.on('error', () => undefined);
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.stdout.on('data', (c: Buffer) => {
      buffer = Buffer.concat([buffer, c]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
        if (buffer.length < end + 4 + len) return;
        const msg = JSON.parse(buffer.subarray(end + 4, end + 4 + len).toString());
        buffer = buffer.subarray(end + 4 + len);
        if (msg.id !== undefined && msg.method !== undefined)
          proc.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: null })));
        else if (msg.id !== undefined) waiting.get(msg.id)?.();
        if (msg.method === 'window/logMessage' && /uncaught|unhandled rejection/.test(String(msg.params?.message)))
          stderr += `\n[log] ${msg.params.message}`;
      }
    });
    proc.on('exit', (code, signal) => {
      if (/uncaught|unhandled rejection|\n\s+at /.test(stderr)) {
        finish({ crash: `stderr: ${stderr.slice(-800)}` });
        return;
      }
      if (signal) {
        finish({ crash: `killed by ${signal}` });
        return;
      }
      if (!expectExit && code !== 0 && code !== 1) {
        finish({ crash: `exit ${code}: ${stderr.slice(-500)}` });
        return;
      }
      finish(expectExit || code === 0 || code === 1 ? {} : { crash: `exit ${code}` });
    });
    const request = (id: string, method: string, params: unknown) =>
      new Promise<void>((answered) => {
        waiting.set(id, answered);
        proc.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', id, method, params })));
      });
    void (async () => {
      const uris = ['file:///fuzz/a.py', 'file:///fuzz/b.ts', 'untitled:Untitled-1', 'file:///fuzz/c.ipynb'];
      const version = { n: 0 };
      let framingBroken = false;
      if (rng.chance(0.85)) {
        await request('init', 'initialize', { processId: null, rootUri: null, capabilities: {} });
        proc.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'initialized', params: {} })));
      }
      const steps = 3 + rng.int(25);
      for (let s = 0; s < steps && !framingBroken; s++) {
        const { bytes, framing } = step(rng, uris, version);
        proc.stdin.write(bytes);
        if (framing) framingBroken = true;
        if (rng.chance(0.2)) await new Promise((r) => setTimeout(r, rng.int(30)));
      }
      if (framingBroken) {
        // The stream may be lost: closing stdin must end the server.
        expectExit = true;
        proc.stdin.end();
        return;
      }
      // Still answering? (An answer may be an error: before initialize or after shutdown.)
      await request('probe', 'textDocument/hover', {
        textDocument: { uri: uris[0] },
        position: { line: 0, character: 0 },
      });
      await request('bye', 'shutdown', null);
      expectExit = true;
      proc.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'exit' })));
    })();
  });
}
