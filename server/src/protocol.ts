/**
 * pipelint's custom LSP messages, shared by the server and the VS Code client (one file, so the two
 * sides cannot drift apart). Each message is a namespace with its method name and types.
 */

/** Sent by the server when the configuration or a file limit makes it skip or degrade. */
export namespace StatusNotification {
  export const method = 'pipelint/status';
  export interface Params {
    state: 'ok' | 'warning' | 'error';
    message?: string;
  }
}
