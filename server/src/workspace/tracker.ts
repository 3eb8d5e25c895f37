import { decodeSource, readRegularFile } from '../source/files';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { collectFiles } from '../source/walk';
import { kindOfPath, type SourceKind } from '../source/languages';
import { EDITOR_INDEX_MAX_BYTES } from '../source/limits';
import type { ModuleIR } from '../model/ir';
import { WorkspaceIndex, summarizeModule, type FileSummary } from './index';

/** Only files that persist something can matter to other files. */
const PERSISTS = /dump|load|toJSON|fromJSON|toObject|fromObject/;

/**
 * The language server's workspace index: open documents update it after each analysis (their own summary
 * only), workspace folder files are read from disk in the background, a few at a time, without blocking
 * requests. When what a file saves changes, the open files that load it are re-analysed.
 */
export class WorkspaceTracker {
  readonly index = new WorkspaceIndex();
  private scanning: Promise<IndexStats> | undefined;
  /** The workspace folders (paths) given to indexFolders. */
  private roots: string[] = [];

  /**
   * A document was closed. One outside the workspace folders (or not a file) leaves the index, so that
   * opening and closing many such documents does not grow it; files inside stay, they are on disk.
   * Returns the files that load what it saved (to re-analyse).
   */
  closed(uri: string): string[] {
    if (this.inFolders(uri)) return [];
    const previous = this.index.summary(uri);
    if (!previous) return [];
    this.index.remove(uri);
    return previous.saves.length > 0 ? this.index.dependentsOf(uri, previous) : [];
  }

  private inFolders(uri: string): boolean {
    if (!uri.startsWith('file:')) return false;
    let p: string;
    try {
      p = fileURLToPath(uri);
    } catch {
      return false;
    }
    return this.roots.some((r) => p === r || p.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
  }

  /** Records an analysed module; returns the open-or-not files that load what it saves, if that changed. */
  analyzed(uri: string, module: ModuleIR): string[] {
    let summary: FileSummary;
    try {
      summary = summarizeModule(module);
    } catch {
      return [];
    }
    return this.summarized(uri, summary);
  }

  /** As `analyzed`, with the module's summary made elsewhere (the server's analysis thread). */
  summarized(uri: string, summary: FileSummary): string[] {
    const previous = this.index.summary(uri);
    if (!this.index.update(summary)) return [];
    return this.index.dependentsOf(uri, previous);
  }

  /** Does this file load an artifact (so that a newly indexed save may change its findings)? */
  loadsSomething(uri: string): boolean {
    return (this.index.summary(uri)?.loads.length ?? 0) > 0;
  }

  /**
   * Reads the workspace folders' Python (and TypeScript) files in the background. `lower` lowers a text;
   * `isOpen` says whether the editor owns a file (its open version wins). Resolves when done.
   */
  indexFolders(
    folders: string[],
    lower: (uri: string, text: string, kind: SourceKind) => ModuleIR | undefined,
    isOpen: (uri: string) => boolean,
    log: (m: string) => void,
  ): Promise<IndexStats> {
    if (this.scanning) return this.scanning;
    const paths = folders.map((f) => (f.startsWith('file:') ? fileURLToPath(f) : f));
    this.roots = paths.map((p) => path.resolve(p));
    this.scanning = (async () => {
      const stats: IndexStats = { files: 0, indexed: 0, ms: 0 };
      if (paths.length === 0) return stats;
      const started = performance.now();
      const { files } = await collectFiles(paths, paths[0]);
      stats.files = files.length;
      let n = 0;
      for (const file of files) {
        const uri = pathToFileURL(file.absolute).href;
        const kind = kindOfPath(file.absolute);
        if (!kind || isOpen(uri) || this.index.has(uri)) continue;
        try {
          const bytes = await readRegularFile(file.absolute, EDITOR_INDEX_MAX_BYTES);
          if (!Buffer.isBuffer(bytes)) continue;
          const text = decodeSource(bytes, kind).text;
          if (!PERSISTS.test(text)) continue;
          const module = lower(uri, text, kind);
          if (module && !isOpen(uri)) {
            this.index.update(summarizeModule(module));
            stats.indexed++;
          }
        } catch (err) {
          log(`pipelint: workspace index skipped ${file.display}: ${err instanceof Error ? err.message : String(err)}`);
        }
        // Yield to pending requests between files.
        if (++n % 4 === 0) await new Promise((r) => setImmediate(r));
      }
      stats.ms = performance.now() - started;
      return stats;
    })();
    return this.scanning;
  }
}

/** What a workspace scan found: files walked, files that save or load a model (indexed), time taken. */
export interface IndexStats {
  files: number;
  indexed: number;
  ms: number;
}
