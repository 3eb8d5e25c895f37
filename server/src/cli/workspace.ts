import { decodeSource, readRegularFile } from '../source/files';
import type { Engine } from '../analysis/engine';
import { kindOfPath, type SourceKind } from '../source/languages';
import { WorkspaceIndex, summarizeModule } from '../workspace/index';

interface Walked {
  absolute: string;
  display: string;
}

const MAX_BYTES = 5_000_000;

/**
 * The CLI's workspace: lowers every walked file once, records what it saves and loads, and returns an
 * engine whose `lower` hands the same lowered module to the analysis that follows (one lowering per file).
 * Files that cannot be read or decoded are left to the analysis, which reports them.
 */
export async function buildWorkspace(
  engine: Engine,
  files: Walked[],
): Promise<{ engine: Engine; workspace: WorkspaceIndex }> {
  const workspace = new WorkspaceIndex();
  const lowered = new Map<string, { text: string; kind: SourceKind; result: ReturnType<Engine['lower']> }>();
  for (const file of files) {
    const kind = kindOfPath(file.absolute);
    if (!kind) continue;
    let text: string;
    try {
      const bytes = await readRegularFile(file.absolute, MAX_BYTES);
      if (!Buffer.isBuffer(bytes)) continue;
      text = decodeSource(bytes, kind).text;
    } catch {
      continue;
    }
    // Only files that persist something matter to other files; skip the lowering cost for the rest.
    if (!/dump|load|toJSON|fromJSON|toObject|fromObject/.test(text)) continue;
    try {
      const result = engine.lower(file.display, text, kind);
      lowered.set(file.display, { text, kind, result });
      workspace.update(summarizeModule(result.module));
    } catch {
      // Reported by the analysis.
    }
  }
  const caching: unknown = Object.create(engine, {
    lower: {
      value(uri: string, text: string, kind: SourceKind) {
        const hit = lowered.get(uri);
        if (hit && hit.text === text && hit.kind === kind) {
          lowered.delete(uri);
          return hit.result;
        }
        return engine.lower(uri, text, kind);
      },
    },
  });
  return { engine: caching as Engine, workspace };
}
