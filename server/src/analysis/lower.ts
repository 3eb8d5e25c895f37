import type { Parser } from 'web-tree-sitter';
import type { FrontEnd } from '../model/frontend';
import type { ModuleIR } from '../model/ir';
import { NotebookProgram } from '../notebook';
import { PARSE_BUDGET_MS, pythonFrontEnd, type PythonState } from '../python';
import type { SourceKind } from '../source/languages';
import { typeScriptFrontEnd } from '../typescript/loader';

/** The front ends of one process (or worker thread): Python's holds the tree-sitter parser. */
export interface FrontEnds {
  python: FrontEnd<PythonState>;
  /** Loaded on first use: the TypeScript compiler is megabytes (typescript/loader.ts). */
  typescript: () => FrontEnd;
}

export function frontEndsFor(parser: Parser, parseBudgetMs = PARSE_BUDGET_MS): FrontEnds {
  return { python: pythonFrontEnd(parser, parseBudgetMs), typescript: typeScriptFrontEnd };
}

/** What each front end keeps between versions of one open document. */
export interface DocumentStates {
  python?: PythonState;
  typescript?: object;
}

export interface Lowered {
  module: ModuleIR;
  /** For notebooks: how lines of the joined program map back to cells. */
  notebook?: NotebookProgram;
}

/**
 * The one place a file kind picks its front end: the CLI (analysis/engine.ts), the server's documents and
 * its workspace index all lower through here. A notebook (.ipynb JSON) goes through its source adapter
 * (notebook/program.ts: code cells joined, IPython syntax masked) to the Python front end.
 */
export function lowerSource(
  frontEnds: FrontEnds,
  uri: string,
  text: string,
  kind: SourceKind,
  previous?: DocumentStates,
): Lowered {
  switch (kind) {
    case 'python':
      return { module: frontEnds.python.lower({ uri, text }, previous?.python) };
    case 'notebook': {
      const notebook = NotebookProgram.fromJson(text);
      return {
        module: frontEnds.python.lower({ uri, text: notebook.text, program: notebook }, previous?.python),
        notebook,
      };
    }
    case 'typescript':
      return { module: frontEnds.typescript().lower({ uri, text }, previous?.typescript) };
  }
}
