import path from 'node:path';

export type SourceKind = 'python' | 'typescript' | 'notebook';

const EXTENSIONS: Record<string, SourceKind> = {
  '.py': 'python',
  '.pyi': 'python',
  '.ipynb': 'notebook',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'typescript',
  '.jsx': 'typescript',
  '.mjs': 'typescript',
  '.cjs': 'typescript',
};

/** Extensions the CLI picks up when walking a directory (plain .js only when named explicitly). */
export const WALKED_EXTENSIONS = new Set(['.py', '.ipynb', '.ts', '.tsx', '.mts', '.cts']);

export function kindOfPath(file: string): SourceKind | undefined {
  if (file.endsWith('.d.ts')) return undefined;
  return EXTENSIONS[path.extname(file).toLowerCase()];
}

/** LSP language ids to source kinds. */
export function kindOfLanguageId(languageId: string): SourceKind | undefined {
  switch (languageId) {
    case 'python':
      return 'python';
    case 'typescript':
    case 'typescriptreact':
    case 'javascript':
    case 'javascriptreact':
      return 'typescript';
    default:
      return undefined;
  }
}
