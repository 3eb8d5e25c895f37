import {
  ErrorCodes,
  ResponseError,
  type Connection,
  type Message,
  type MessageStrategy,
} from 'vscode-languageserver/node';

/** An internal method that refused requests are turned into, so that the connection answers them with an error. */
const REFUSED = '$/pipelint/refused';

/**
 * The LSP lifecycle, enforced before any handler sees a message (vscode-languageserver answers whatever
 * arrives): a request before `initialize` gets ServerNotInitialized (-32002), and notifications then are
 * dropped, except `exit`; a second `initialize` gets InvalidRequest (-32600); after `shutdown` every
 * request gets InvalidRequest and only `exit` is heard. Responses to the server's own requests pass.
 * It is a jsonrpc message strategy, so every transport (stdio, IPC, sockets) and the library's own
 * stdio handling (console patching, exit when the input closes) are kept.
 */
export function lifecycleStrategy(): MessageStrategy {
  let state: 'new' | 'running' | 'shutdown' = 'new';
  return {
    handleMessage(message: Message, next: (message: Message) => void) {
      const m = message as Message & { id?: unknown; method?: unknown; params?: unknown };
      if (typeof m.method !== 'string') {
        next(message);
        return;
      } // a response, or garbage for jsonrpc to reject
      const isRequest = m.id !== undefined && m.id !== null;
      const refuse = (code: number, text: string) =>
        next({ ...m, method: REFUSED, params: { code, message: text } } as Message);
      if (!isRequest) {
        if (m.method === 'exit' || state === 'running') next(message);
        return;
      }
      if (state === 'new') {
        if (m.method !== 'initialize') {
          refuse(ErrorCodes.ServerNotInitialized, `pipelint: "${m.method}" before "initialize"`);
          return;
        }
        state = 'running';
        next(message);
        return;
      }
      if (state === 'shutdown') {
        refuse(ErrorCodes.InvalidRequest, `pipelint: "${m.method}" after "shutdown"`);
        return;
      }
      if (m.method === 'initialize') {
        refuse(ErrorCodes.InvalidRequest, 'pipelint: "initialize" may be sent only once');
        return;
      }
      if (m.method === 'shutdown') state = 'shutdown';
      next(message);
    },
  };
}

export function registerLifecycle(connection: Connection): void {
  connection.onRequest(REFUSED, (p: { code: number; message: string }) => new ResponseError(p.code, p.message));
}
