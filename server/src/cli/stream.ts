import type { Engine } from '../analysis/engine';
import type { Severity } from '../model/finding';
import { summarizeModule, type FileSummary } from '../workspace/index';
import { PERSISTENCE_HINT } from './workspace';
import { CLI_INDEX_MAX_BYTES } from '../source/limits';
import type { ArtifactSave, WorkspaceView } from '../workspace/view';
import {
  checkSource,
  readSource,
  tooLarge,
  type CheckError,
  type CheckOptions,
  type FileResult,
  type LoweredOrError,
  type SourceRead,
} from './check';
import type { CheckPolicies } from './policy';
import type { WalkedFile } from '../source/walk';

/**
 * `pipelint check` over a share of the files, in one pass (issue 18): each file is read once, lowered
 * once, analysed, summarised for the workspace index, and dropped. Its outcome is final at once unless a
 * rule asked about other files (a load site, a lambda in a file that saves nothing): the rules ran against
 * an empty workspace that records the question, and those few files are analysed again, from the same
 * lowering, once every file's summary is in. Memory holds the outcomes (findings), the summaries and the
 * few deferred files, not every file's model.
 */

export type BaseOptions = Omit<CheckOptions, 'analyze' | 'finish'>;

export interface FileOutcome {
  result: FileResult | CheckError;
  failOn?: Severity;
  logs: string[];
}

export interface ShareFile {
  index: number;
  file: WalkedFile;
}

export interface ShareHooks {
  /** This share's summaries, in file order; resolves with the index of the whole run's. */
  exchange(summaries: { index: number; summary: FileSummary }[]): Promise<WorkspaceView>;
  /** A file's final outcome. */
  emit(index: number, outcome: FileOutcome): void;
}

/** A workspace that knows nothing and remembers being asked: the analysis that asked is redone later. */
class ProbeWorkspace implements WorkspaceView {
  asked = false;

  savesOf(): ArtifactSave[] {
    this.asked = true;
    return [];
  }

  picklingNeighboursOf(): string[] {
    this.asked = true;
    return [];
  }
}

interface Deferred {
  index: number;
  file: WalkedFile;
  read: SourceRead;
  lowered?: LoweredOrError;
}

/** An outcome as kept until the output: a notebook's result holds its cell map, not its sources. */
function kept(outcome: FileOutcome): FileOutcome {
  const r = outcome.result;
  if ('notebook' in r && r.notebook) return { ...outcome, result: { ...r, notebook: r.notebook.cellMap() } };
  return outcome;
}

export async function checkShare(
  engine: Engine,
  files: ShareFile[],
  policies: CheckPolicies,
  base: BaseOptions,
  hooks: ShareHooks,
): Promise<void> {
  const summaries: { index: number; summary: FileSummary }[] = [];
  const deferred: Deferred[] = [];
  for (const { index, file } of files) {
    const logs: string[] = [];
    const policy = policies.forFile(file, base, (m) => logs.push(m));
    const read = readSource(file, Math.max(base.maxFileBytes, CLI_INDEX_MAX_BYTES), base.maxFileBytes);
    if (!('source' in read)) {
      hooks.emit(index, { result: read, logs });
      continue;
    }
    const { text } = read.source;
    // Only files that persist something matter to other files; the rest are not summarised.
    const persists = PERSISTENCE_HINT.test(text);
    let lowered: LoweredOrError | undefined;
    const lower = (): LoweredOrError => {
      try {
        return engine.lower(file.display, text, read.kind);
      } catch (error) {
        return { error };
      }
    };
    const summarise = () => {
      if (!lowered || 'error' in lowered) return;
      try {
        summaries.push({ index, summary: summarizeModule(lowered.module) });
      } catch {
        // Reported by the analysis (or not analysed at all: the file is above --max-file-size).
      }
    };
    if (read.bytes.length > base.maxFileBytes) {
      if (persists) {
        lowered = lower();
        summarise();
      }
      hooks.emit(index, { result: tooLarge(file, read.bytes.length, base.maxFileBytes), logs });
      continue;
    }
    if (base.fix || base.diff) {
      // Fixes re-analyse the file round after round: against the whole workspace, in the second pass.
      if (persists) {
        lowered = lower();
        summarise();
      }
      deferred.push({ index, file, read, lowered });
      continue;
    }
    lowered = lower();
    const probe = new ProbeWorkspace();
    const result = await checkSource(
      engine,
      file,
      read,
      { ...policy.options, analyze: { ...policy.options.analyze, workspace: probe } },
      lowered,
    );
    if (persists) summarise();
    if (probe.asked) deferred.push({ index, file, read, lowered });
    else hooks.emit(index, kept({ result, failOn: 'findings' in result ? policy.failOn : undefined, logs }));
  }
  const workspace = await hooks.exchange(summaries);
  for (const { index, file, read, lowered } of deferred) {
    const logs: string[] = [];
    const policy = policies.forFile(file, base, (m) => logs.push(m));
    const result = await checkSource(
      engine,
      file,
      read,
      { ...policy.options, analyze: { ...policy.options.analyze, workspace } },
      lowered,
    );
    hooks.emit(index, kept({ result, failOn: 'findings' in result ? policy.failOn : undefined, logs }));
  }
}
