import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProjectFactsResolver } from '../project/facts';
import type { ServerSettings } from './settings';
import { ConfigResolver } from './load';
import { editorLayer, resolvePolicy, type FilePolicy } from './resolve';
import { ConfigError } from './types';

/**
 * The language server's side of configuration: the nearest config file above each document (re-read
 * when it changes on disk), the editor's settings on top. A broken config file never stops the server:
 * the document is analysed with the defaults (and the editor's settings) and the user is told once per
 * distinct problem.
 */
export class DocumentPolicies {
  private readonly resolver = new ConfigResolver({ revalidate: true });
  private readonly told = new Set<string>();
  /** Requirement files above each document (SKL501), up to the same root as the config search. */
  private readonly project = new ProjectFactsResolver(this.resolver.roots, { revalidate: true });

  constructor(private readonly notify: (message: string) => void) {}

  policyFor(uri: string, settings: ServerSettings): FilePolicy {
    let file: string | undefined;
    let config;
    if (uri.startsWith('file:')) {
      try {
        file = fileURLToPath(uri);
        config = this.resolver.forFile(file);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        if (!this.told.has(err.message)) {
          this.told.add(err.message);
          this.notify(`pipelint: ${err.message}. Using the default settings until the file is fixed.`);
        }
      }
    }
    const onDisk = file;
    return resolvePolicy({
      file,
      config,
      editor: editorLayer(settings),
      project: onDisk ? () => this.project.factsFor(onDisk, (abs) => pathToFileURL(abs).href) : undefined,
    });
  }

  /** The workspace folders (file URIs): outside a repository, the config search stops at them. */
  setWorkspaceFolders(uris: string[]): void {
    const roots: string[] = [];
    for (const uri of uris) {
      try {
        if (uri.startsWith('file:')) roots.push(fileURLToPath(uri));
      } catch {
        /* not a local folder */
      }
    }
    this.resolver.setRoots(roots);
  }

  /** A config or requirement file was created, changed or deleted. */
  changed(): void {
    this.resolver.clear();
    this.project.clear();
  }
}
