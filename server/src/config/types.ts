import type { Severity } from '../model/finding';

export type SeverityOverride = Severity | 'off';

/** One `per-file-ignores` entry: a gitignore-style glob, relative to the config file's directory. */
export interface PerFileIgnore {
  pattern: string;
  codes: string[];
}

/**
 * The validated content of `[tool.pipelint]` (pyproject.toml) or of a pipelint.toml. Every key is
 * optional; unset keys fall through to the next layer (editor settings, command line) or the default.
 */
export interface PipelintConfig {
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  perFileIgnores?: PerFileIgnore[];
  severity?: Record<string, SeverityOverride>;
  seed?: number;
  failOn?: Severity;
}

export interface LoadedConfig {
  /** Absolute path of the file the configuration came from. */
  path: string;
  /** Its directory: per-file-ignores globs are relative to it. */
  dir: string;
  config: PipelintConfig;
}

/** A configuration problem, with the file, line (1-based) and key it is about. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly key: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${reason}`);
    this.name = 'ConfigError';
  }
}
