import type { Engine } from '../../server/src/analysis/engine';
import { fixText } from '../../server/src/cli/check';
import { buildPipelineGraph } from '../../server/src/graph/build';
import { AnalysisBudgetError } from '../../server/src/model/budget';
import { textOf, type FuzzInput } from './mutate';

export interface InProcessResult {
  name: string;
  bytes: number;
  ms: number;
  /** An exception out of the analysis (lowering, rules, fix-all or graph): a crash. */
  crash?: string;
  /** A rule that threw (contained by analyzeModule, but still a bug to count). */
  ruleFailures: string[];
  findings: number;
  /** Above ANALYSER_MAX_BYTES: not analysed in-process (the CLI and the server skip it too). */
  skipped?: boolean;
}

/**
 * The CLI's default --max-file-size (the server's default limit is lower, 2 MB). Above it inputs are
 * only run through the CLI and the server, which must skip them: tree-sitter's WASM parser aborts
 * (out of memory, and stays unusable in that process) on a single 10 MB list display.
 */
export const ANALYSER_MAX_BYTES = 5_000_000;

/** Fix-all re-analyses up to 10 times: only on inputs small enough for that to stay cheap. */
const FIX_ALL_LIMIT = 300_000;

function message(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 6).join('\n') : String(err);
}

/**
 * One input through the analyser in-process: lowering, every rule, the pipeline graph and (for inputs
 * under 300 KB) fix-all to convergence. Notebooks that are not notebooks are expected errors, not crashes.
 */
export function analyseInProcess(engine: Engine, input: FuzzInput): InProcessResult {
  if (input.bytes.length > ANALYSER_MAX_BYTES)
    return { name: input.name, bytes: input.bytes.length, ms: 0, ruleFailures: [], findings: 0, skipped: true };
  const text = textOf(input.bytes);
  const ruleFailures: string[] = [];
  const log = (m: string) => ruleFailures.push(m.split('\n').slice(0, 4).join('\n'));
  const started = performance.now();
  let findings = 0;
  let crash: string | undefined;
  try {
    if (input.kind === 'notebook' && !looksLikeNotebook(text)) {
      // The notebook reader must refuse it with an error (the CLI reports it under `errors`).
      try {
        engine.analyze(`/fuzz/${input.name}.ipynb`, text, 'notebook', { log });
      } catch (err) {
        if (!(err instanceof SyntaxError) && !/not a Jupyter notebook/.test(String(err))) throw err;
      }
    } else {
      const uri = `/fuzz/${input.name}`;
      const result = engine.analyze(uri, text, input.kind, { log });
      findings = result.findings.length;
      buildPipelineGraph(result.module, result.findings, { version: 1 });
      if (input.kind !== 'notebook' && text.length < FIX_ALL_LIMIT) fixText(engine, uri, text, input.kind, { log });
    }
  } catch (err) {
    // Over the analysis budget: reported and skipped by design (the CLI lists it under errors), not a crash.
    if (err instanceof AnalysisBudgetError)
      return {
        name: input.name,
        bytes: input.bytes.length,
        ms: performance.now() - started,
        ruleFailures,
        findings,
        skipped: true,
      };
    crash = message(err);
  }
  return {
    name: input.name,
    bytes: input.bytes.length,
    ms: performance.now() - started,
    crash,
    ruleFailures,
    findings,
  };
}

function looksLikeNotebook(text: string): boolean {
  try {
    const nb = JSON.parse(text);
    return !!nb && Array.isArray(nb.cells);
  } catch {
    return false;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
