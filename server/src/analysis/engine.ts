import type { Parser } from 'web-tree-sitter';
import { typeScriptFrontEnd } from '../typescript/loader';
import { analyzeModule, type AnalyzeOptions } from './analyze';
import type { SourceKind } from '../source/languages';
import type { Finding } from '../model/finding';
import type { ModuleIR } from '../model/ir';
import { loadPythonParser, lowerNotebook, lowerPythonText, parseBudgetFor, PARSE_BUDGET_MS } from '../python';
import { NotebookProgram } from '../notebook';

export interface AnalyzedSource {
  module: ModuleIR;
  findings: Finding[];
  /** For notebooks: how lines of the joined program map back to cells. */
  notebook?: NotebookProgram;
}

/**
 * Lowers and analyses whole sources: the CLI's entry into the analysis. The language server keeps its
 * own per-document state (incremental trees) and calls the same lowering and `analyzeModule`.
 */
export class Engine {
  private constructor(
    readonly python: Parser,
    /** CPU time a file may take to parse before it is skipped (ParseBudgetError), plus 1 s per 100 KB. */
    readonly parseBudgetMs: number,
  ) {}

  static async create(options: { parseBudgetMs?: number } = {}): Promise<Engine> {
    return new Engine(await loadPythonParser(), options.parseBudgetMs ?? PARSE_BUDGET_MS);
  }

  lower(uri: string, text: string, kind: SourceKind): { module: ModuleIR; notebook?: NotebookProgram } {
    switch (kind) {
      case 'python': {
        const { module, tree } = lowerPythonText(
          this.python,
          text,
          uri,
          undefined,
          undefined,
          parseBudgetFor(text.length, this.parseBudgetMs),
        );
        tree.delete();
        return { module };
      }
      case 'notebook': {
        const notebook = NotebookProgram.fromJson(text);
        return {
          module: lowerNotebook(
            this.python,
            notebook,
            uri,
            undefined,
            parseBudgetFor(notebook.text.length, this.parseBudgetMs),
          ),
          notebook,
        };
      }
      case 'typescript': {
        // The TypeScript compiler is loaded only when a TypeScript file is analysed.
        const ts = typeScriptFrontEnd();
        return { module: ts.lowerTypeScript(text, uri) };
      }
    }
  }

  analyze(uri: string, text: string, kind: SourceKind, options: AnalyzeOptions = {}): AnalyzedSource {
    const { module, notebook } = this.lower(uri, text, kind);
    return { module, notebook, findings: analyzeModule(module, options) };
  }
}
