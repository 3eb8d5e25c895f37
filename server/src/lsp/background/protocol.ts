import type { Finding } from '../../model/finding';
import type { Position } from '../../model/ir';
import type { ProjectFacts } from '../../project/facts';
import type { AnalysisSettings } from '../../rules/rule';
import type { FileSummary } from '../../workspace/index';

/** What the server asks its analysis thread: lower and analyse one text (structured-clone safe). */
export interface BackgroundRequest {
  t: 'analyze';
  id: number;
  /** The thread's incremental state (tree, lowered statements) is kept per slot: a document, or its fix-all copy. */
  slot: string;
  uri: string;
  text: string;
  kind: 'python' | 'typescript';
  codes: string[];
  settings: AnalysisSettings;
  project: ProjectFacts | undefined;
  /** The workspace index's summaries (artifacts saved and loaded by other files). */
  workspace: FileSummary[];
  /** Also return where the "Pipeline diagram" lenses go. */
  lenses: boolean;
  /** Keep the slot's tree and lowering for the next version (false for fix-all's one-off copies). */
  keep: boolean;
}

export interface BackgroundDrop {
  t: 'drop';
  slot: string;
}

export type BackgroundResult =
  | {
      t: 'done';
      id: number;
      /** Raw findings (before the policy's severities and suppressions, which the server applies). */
      findings: Finding[];
      summary: FileSummary | undefined;
      lenses: { start: Position; call: Position }[];
      notAnalysed: string | undefined;
      logs: string[];
      lowerMs: number;
      totalMs: number;
    }
  /** The file went over its parse or analysis budget: reported and skipped, as on the main thread. */
  | { t: 'budget'; id: number; stage: 'parse' | 'analysis'; message: string }
  /** `stopped`: the thread itself died on it (out of memory): the file is not sent again until reopened. */
  | { t: 'failed'; id: number; message: string; stopped?: boolean };
