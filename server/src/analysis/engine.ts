import type { Parser } from 'web-tree-sitter';
import { analyzeModule, type AnalyzeOptions } from './analyze';
import { frontEndsFor, lowerSource, type FrontEnds, type Lowered } from './lower';
import type { SourceKind } from '../source/languages';
import type { Finding } from '../model/finding';
import { loadPythonParser, PARSE_BUDGET_MS } from '../python';

export interface AnalyzedSource extends Lowered {
  findings: Finding[];
}

/** Modules lowered ahead (the CLI's workspace pass), by URI, with the text and kind they were lowered from. */
export type LoweredAhead = Map<string, { text: string; kind: SourceKind; result: Lowered }>;

/**
 * Lowers and analyses whole sources: the CLI's entry into the analysis. The language server keeps its
 * own per-document state (incremental trees) and calls the same lowering (lower.ts) and `analyzeModule`.
 */
export class Engine {
  private readonly frontEnds: FrontEnds;

  private constructor(
    readonly python: Parser,
    /** CPU time a file may take to parse before it is skipped (ParseBudgetError), plus 1 s per 100 KB. */
    readonly parseBudgetMs: number,
    private readonly ahead?: LoweredAhead,
  ) {
    this.frontEnds = frontEndsFor(python, parseBudgetMs);
  }

  static async create(options: { parseBudgetMs?: number } = {}): Promise<Engine> {
    return new Engine(await loadPythonParser(), options.parseBudgetMs ?? PARSE_BUDGET_MS);
  }

  /**
   * This engine, handing out each module of `ahead` once, for the same text and kind, instead of lowering
   * it again (the CLI lowers the files that save or load a model for the workspace index first).
   */
  reusing(ahead: LoweredAhead): Engine {
    return new Engine(this.python, this.parseBudgetMs, ahead);
  }

  lower(uri: string, text: string, kind: SourceKind): Lowered {
    const hit = this.ahead?.get(uri);
    if (hit && hit.text === text && hit.kind === kind) {
      this.ahead?.delete(uri);
      return hit.result;
    }
    return lowerSource(this.frontEnds, uri, text, kind);
  }

  analyze(uri: string, text: string, kind: SourceKind, options: AnalyzeOptions = {}): AnalyzedSource {
    const { module, notebook } = this.lower(uri, text, kind);
    return { module, notebook, findings: analyzeModule(module, options) };
  }
}
