/** Messages between the diagram panel (client/src/diagramPanel.ts) and its webview (webview/src/main.ts). */
import type { PipelineGraph } from '../../server/src/graph/types';
import type { Range } from '../../server/src/model/ir';

export interface Position {
  line: number;
  character: number;
}

/** Extension -> webview. */
export type ToWebview =
  | { type: 'graph'; graph: PipelineGraph; fileName: string; focus?: Position }
  | { type: 'focus'; focus: Position }
  | { type: 'empty'; message: string }
  | { type: 'export' };

/** Webview -> extension. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'reveal'; uri: string; range: Range }
  | { type: 'exportSvg'; svg: string; fileName: string }
  | { type: 'exportPng'; dataUrl: string; fileName: string }
  | { type: 'rendered'; nodes: number; layoutMs: number };

/** What the webview keeps with setState (restored by the panel serializer after a reload). */
export interface WebviewState {
  uri?: string;
  graph?: PipelineGraph;
  fileName?: string;
  focus?: Position;
  /** The user's zoom; absent while the diagram fits the view. */
  zoom?: number;
  /** Keys of the folded containers and of the selected node (root name, set_params path, name). */
  collapsed?: string[];
  selected?: string;
}
