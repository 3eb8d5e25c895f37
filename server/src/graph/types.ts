/**
 * The pipeline graph: a language-neutral picture of every pipeline-like construction of one module,
 * built from the pipeline model (IR + semantics + knowledge) and drawn by the diagram renderer
 * (webview/src). Plain JSON: it travels over LSP (`pipelint/pipelineGraph`) and into the webview by
 * postMessage, so it holds no functions, no cycles and no source text beyond short labels.
 *
 * Positions are 0-based LSP positions, as everywhere in the model.
 */
import type { Range } from '../model/ir';

/**
 * - `step`: a leaf estimator construction (`StandardScaler()`, a user class, ...).
 * - `composite`: holds steps: `Pipeline` / `make_pipeline` (in sequence), `FeatureUnion` / `make_union`
 *   and `ColumnTransformer` / `make_column_transformer` (in parallel).
 * - `wrapper`: a meta-estimator around one or more estimators (`GridSearchCV`, `BaggingClassifier`,
 *   `StackingClassifier`, `OneVsRestClassifier`, `SelectFromModel`, ...).
 * - `branch`: an entry that is not an estimator construction: `'passthrough'`, `'drop'`, `None`, or an
 *   expression pipelint cannot follow (a function parameter, a value built elsewhere).
 */
export type GraphNodeKind = 'step' | 'composite' | 'wrapper' | 'branch';

/** How a container's children are arranged: one after another, side by side, or around a wrapped estimator. */
export type Arrangement = 'sequence' | 'parallel' | 'wrapper';

export interface GraphParam {
  name: string;
  /** Source text of the argument, whitespace collapsed and shortened. */
  value: string;
  /** The library default it differs from (its repr), when known. */
  default?: string;
}

export interface GraphNode {
  /** Unique within the graph; not stable across edits (focus by position instead). */
  id: string;
  kind: GraphNodeKind;
  /** Step name (`'scaler'`, make_pipeline's generated `standardscaler`), wrapper parameter (`estimator`), or variable name for a root. */
  name: string;
  /** The class the construction makes (`Pipeline` for `make_pipeline`), or the literal for a branch (`passthrough`). */
  className: string;
  /** Import-resolved qualified name of the callee, when known. */
  qname?: string;
  /** The `set_params` path from the root (`estimator__pre__num`), as used in param grids. */
  path: string;
  /** Arguments that differ from the library defaults (all given arguments when the defaults are unknown). */
  params: GraphParam[];
  /** A ColumnTransformer branch's column selector, as written (or as resolved from a literal variable). */
  columns?: string;
  /** Output feature names, when the source tells them (ColumnTransformer over literal column lists). */
  outputs?: string[];
  /** The construction call (or the expression, for a branch). */
  range: Range;
  /**
   * A custom step (an instance of the file's own class): the class definition. Findings inside it (SKL106,
   * SKL202, SKL701, SKL702...) are marked on every node of that class.
   */
  definition?: Range;
  /** Notebooks: the cell document holding `range` (the graph's own `uri` otherwise). */
  uri?: string;
  /** Codes of the findings whose range lies in this node's range and in no child's, or in its class `definition`. */
  findings: string[];
  /** The most severe finding of each code in `findings` (badge colour). */
  severities?: Record<string, 'error' | 'warning' | 'information' | 'hint'>;
  /**
   * Roots only: findings about this pipeline that lie outside every node (SKL104 at the `joblib.dump`,
   * SKL301 at a `fit` before the split), with their 0-based line; shown on the pipeline's header.
   */
  external?: { code: string; severity: 'error' | 'warning' | 'information' | 'hint'; line: number; message: string }[];
  /** Containers only: child ids in source order. */
  children: string[];
  arrangement?: Arrangement;
  parent?: string;
}

/**
 * `sequence`: data flows from one sibling to the next. `enter`: from a container's input to a child
 * (source is the container). `exit`: from a child to its container's output (target is the container).
 */
export type GraphEdgeKind = 'sequence' | 'enter' | 'exit';

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: GraphEdgeKind;
}

export interface PipelineGraph {
  /** File path or document URI. */
  uri: string;
  language: 'python' | 'typescript';
  /** Document version the graph was built from (server only). */
  version?: number;
  /** Outermost pipeline-like constructions, in source order. */
  roots: string[];
  nodes: GraphNode[];
  edges: GraphEdge[];
}
