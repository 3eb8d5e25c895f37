import { decodeSource, readRegularFile } from '../source/files';
import type { Engine, LoweredAhead } from '../analysis/engine';
import { kindOfPath } from '../source/languages';
import { CLI_INDEX_MAX_BYTES } from '../source/limits';
import { WorkspaceIndex, summarizeModule } from '../workspace/index';

/** Only files that persist something matter to other files: the others need no summary. */
export const PERSISTENCE_HINT = /dump|load|toJSON|fromJSON|toObject|fromObject/;

interface Walked {
  absolute: string;
  display: string;
}

/**
 * The CLI's workspace: lowers every walked file once, records what it saves and loads, and returns an
 * engine that hands the same lowered module to the analysis that follows (one lowering per file).
 * Files that cannot be read or decoded are left to the analysis, which reports them.
 */
export async function buildWorkspace(
  engine: Engine,
  files: Walked[],
): Promise<{ engine: Engine; workspace: WorkspaceIndex }> {
  const workspace = new WorkspaceIndex();
  const lowered: LoweredAhead = new Map();
  for (const file of files) {
    const kind = kindOfPath(file.absolute);
    if (!kind) continue;
    let text: string;
    try {
      const bytes = await readRegularFile(file.absolute, CLI_INDEX_MAX_BYTES);
      if (!Buffer.isBuffer(bytes)) continue;
      text = decodeSource(bytes, kind).text;
    } catch {
      continue;
    }
    // Only files that persist something matter to other files; skip the lowering cost for the rest.
    if (!PERSISTENCE_HINT.test(text)) continue;
    try {
      const result = engine.lower(file.display, text, kind);
      lowered.set(file.display, { text, kind, result });
      workspace.update(summarizeModule(result.module));
    } catch {
      // Reported by the analysis.
    }
  }
  return { engine: engine.reusing(lowered), workspace };
}
