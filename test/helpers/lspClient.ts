import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const SERVER_JS = path.join(__dirname, '..', '..', 'dist', 'server.js');

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * A minimal LSP client over stdio (Content-Length framing), enough to drive the real server in tests
 * and benchmarks: requests, notifications, and waiting for server notifications.
 */
export class LspClient {
  readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((method: string, params: any) => void)[] = [];
  readonly notifications: { method: string; params: any }[] = [];
  stderr = '';
  exited: Promise<number | null>;

  constructor(
    args: string[] = ['--stdio'],
    options: { configuration?: unknown; nodeArgs?: string[]; env?: Record<string, string> } = {},
  ) {
    this.proc = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVER_JS, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    this.proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    // A server that exits makes writes fail with EPIPE: the test sees the exit, not an unhandled error.
    this.proc.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    this.configuration = options.configuration;
  }

  private configuration: unknown;

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString();
      const m = /Content-Length: (\d+)/i.exec(header);
      if (!m) throw new Error(`bad header: ${header}`);
      const len = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + len) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + len);
      this.dispatch(JSON.parse(body));
    }
  }

  private dispatch(msg: any): void {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${msg.error.code}: ${msg.error.message}`));
      else p.resolve(msg.result);
      return;
    }
    if (msg.id !== undefined && msg.method) {
      // Requests from the server: configuration, registrations, progress.
      let result: unknown = null;
      if (msg.method === 'workspace/configuration')
        result = (msg.params.items as unknown[]).map(() => this.configuration ?? null);
      this.send({ jsonrpc: '2.0', id: msg.id, result });
      // Listeners see requests too (window/showMessageRequest is how messages to the user arrive).
      for (const l of this.listeners) l(msg.method, msg.params);
      return;
    }
    this.notifications.push({ method: msg.method, params: msg.params });
    for (const l of this.listeners) l(msg.method, msg.params);
  }

  private send(msg: unknown): void {
    if (this.proc.exitCode !== null || this.proc.stdin.destroyed) return;
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request<T = any>(method: string, params: unknown, timeoutMs = 20000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  onNotification(listener: (method: string, params: any) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Resolves with the next notification matching `predicate` (polls the event stream, no fixed sleeps). */
  waitFor(method: string, predicate: (params: any) => boolean = () => true, timeoutMs = 20000): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${method} within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const off = this.onNotification((m, params) => {
        if (m === method && predicate(params)) {
          clearTimeout(timer);
          off();
          resolve(params);
        }
      });
    });
  }

  async initialize(rootUri: string | null = null, capabilities: unknown = {}): Promise<any> {
    const result = await this.request('initialize', {
      processId: process.pid,
      rootUri,
      capabilities,
      workspaceFolders: null,
    });
    this.notify('initialized', {});
    return result;
  }

  async shutdown(): Promise<void> {
    try {
      await this.request('shutdown', null, 5000);
      this.notify('exit', null);
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}
