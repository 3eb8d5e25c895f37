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

/**
 * The pipeline diagram (issue 6): the graph of every pipeline-like construction of a document, built
 * from its current version. `null` when the document is not open, disabled or too large.
 */
export namespace PipelineGraphRequest {
  export const method = 'pipelint/pipelineGraph';
  export interface Params {
    textDocument: { uri: string };
  }
  export type Result = import('../graph/types').PipelineGraph | null;
}

/** The command the diagram CodeLens runs: `[uri, position]` of the construction to focus. */
export namespace ShowDiagramCommand {
  export const id = 'pipelint.showDiagram';
  export type Args = [uri?: string, position?: { line: number; character: number }];
}
