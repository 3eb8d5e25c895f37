import { Emitter, ErrorCodes, type DataCallback, type Disposable, type Message, type MessageReader, type MessageWriter, type PartialMessageInfo } from 'vscode-languageserver/node';

/**
 * The LSP lifecycle, enforced before any handler sees a message (vscode-languageserver answers whatever
 * arrives): a request before `initialize` gets ServerNotInitialized (-32002), and notifications then are
 * dropped, except `exit`; a second `initialize` gets InvalidRequest (-32600); after `shutdown` every
 * request gets InvalidRequest and only `exit` is heard. Responses to the server's own requests pass.
 */
export class LifecycleGate implements MessageReader {
  private state: 'new' | 'running' | 'shutdown' = 'new';
  private readonly partial = new Emitter<PartialMessageInfo>();

  constructor(
    private readonly inner: MessageReader,
    private readonly writer: MessageWriter,
  ) {}

  get onError() {
    return this.inner.onError;
  }
  get onClose() {
    return this.inner.onClose;
  }
  get onPartialMessage() {
    return this.inner.onPartialMessage ?? this.partial.event;
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message) => {
      if (this.admit(message)) callback(message);
    });
  }

  dispose(): void {
    this.inner.dispose();
    this.partial.dispose();
  }

  /** Whether the message goes on to the handlers; answers refused requests itself. */
  private admit(message: Message): boolean {
    const m = message as { id?: unknown; method?: unknown };
    if (typeof m.method !== 'string') return true; // a response, or garbage for jsonrpc to reject
    const isRequest = m.id !== undefined && m.id !== null;
    if (!isRequest) return m.method === 'exit' || this.state === 'running';
    if (this.state === 'new') {
      if (m.method === 'initialize') {
        this.state = 'running';
        return true;
      }
      this.refuse(m.id, ErrorCodes.ServerNotInitialized, `pipelint: "${m.method}" before "initialize"`);
      return false;
    }
    if (this.state === 'shutdown') {
      this.refuse(m.id, ErrorCodes.InvalidRequest, `pipelint: "${m.method}" after "shutdown"`);
      return false;
    }
    if (m.method === 'initialize') {
      this.refuse(m.id, ErrorCodes.InvalidRequest, 'pipelint: "initialize" may be sent only once');
      return false;
    }
    if (m.method === 'shutdown') this.state = 'shutdown';
    return true;
  }

  private refuse(id: unknown, code: number, message: string): void {
    void this.writer.write({ jsonrpc: '2.0', id, error: { code, message } } as Message).catch(() => undefined);
  }
}
