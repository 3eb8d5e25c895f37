import { writeFileAtomic } from '../../server/src/fix/write';

/** Where the user chose to save an export: a `vscode.Uri`, or anything with its scheme and path. */
export interface ExportTarget {
  scheme: string;
  fsPath: string;
}

/**
 * Saves a diagram export (SVG, PNG) where the user chose. A local file goes through the CLI's own
 * atomic write (server/src/fix/write.ts): a symlinked file is written through to its target, mode bits,
 * owner and hard links are kept, a crash never leaves half a file. Other schemes (a remote or virtual
 * workspace) have no local path and go through the editor's file system (`viaEditor`).
 */
export async function saveExport(
  target: ExportTarget,
  bytes: Uint8Array,
  viaEditor: () => PromiseLike<void>,
): Promise<void> {
  if (target.scheme === 'file') return writeFileAtomic(target.fsPath, bytes);
  await viaEditor();
}
