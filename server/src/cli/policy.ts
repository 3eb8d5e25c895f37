import path from 'node:path';
import {
  ConfigError,
  ConfigResolver,
  isKnownSelector,
  resolvePolicy,
  type FilePolicy,
  type LoadedConfig,
  type SettingsLayer,
} from '../config';
import type { SourceKind } from '../source/languages';
import { ProjectFactsResolver } from '../project/facts';
import type { Severity } from '../model/finding';
import type { CheckOptions } from './check';
import type { WalkedFile } from '../source/walk';

/** The `pipelint check` flags that choose rules and settings (the others are the command's own). */
export interface PolicyFlags {
  select?: string;
  'extend-select'?: string;
  ignore?: string;
  seed?: string;
  'fail-on'?: string;
  config?: string;
  isolated?: boolean;
  'report-unused-noqa'?: boolean;
  /** Not a flag: where the config search stops outside a repository (the working directory, the paths named). */
  roots?: string[];
}

export const POLICY_OPTIONS = {
  select: { type: 'string' },
  'extend-select': { type: 'string' },
  ignore: { type: 'string' },
  seed: { type: 'string' },
  'fail-on': { type: 'string' },
  config: { type: 'string' },
  isolated: { type: 'boolean', default: false },
  'report-unused-noqa': { type: 'boolean', default: false },
} as const;

const FAIL_LEVELS = ['error', 'warning', 'information', 'hint'];

function codes(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  return list
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

/**
 * Per-file policies for `pipelint check`: each file gets the nearest config file above it (or the one
 * named by --config; none with --isolated), with the command-line flags on top. A broken config file
 * throws a ConfigError (exit 2).
 */
export class CheckPolicies {
  private readonly resolver: ConfigResolver;
  private readonly cli: SettingsLayer;
  private readonly explicit: LoadedConfig | undefined;
  /** Requirement files above each file (SKL501), searched up to the same root as the config. */
  private readonly project: ProjectFactsResolver;

  private constructor(private readonly flags: PolicyFlags) {
    this.resolver = new ConfigResolver({ roots: flags.roots ?? [process.cwd()] });
    this.project = new ProjectFactsResolver(this.resolver.roots);
    this.cli = {
      select: codes(flags.select),
      extendSelect: codes(flags['extend-select']),
      ignore: codes(flags.ignore),
      seed: flags.seed !== undefined ? Number(flags.seed) : undefined,
      failOn: flags['fail-on'] as Severity | undefined,
    };
    this.explicit =
      flags.config !== undefined && !flags.isolated
        ? relativeErrors(() => this.resolver.explicit(flags.config!))
        : undefined;
  }

  /** Validates the flags: a usage problem comes back as a one-line message. */
  static create(flags: PolicyFlags): CheckPolicies | string {
    for (const key of ['select', 'extend-select', 'ignore'] as const) {
      for (const c of codes(flags[key]) ?? [])
        if (!isKnownSelector(c)) return `unknown rule code "${c}" in --${key} (see \`pipelint rules\`)`;
    }
    // The same range as the config file's `seed`: numpy's RandomState takes 0 .. 2**32 - 1.
    if (flags.seed !== undefined && (!/^\d+$/.test(flags.seed) || Number(flags.seed) > 2 ** 32 - 1))
      return '--seed must be an integer between 0 and 4294967295';
    if (flags['fail-on'] !== undefined && !FAIL_LEVELS.includes(flags['fail-on']))
      return `unknown --fail-on "${flags['fail-on']}" (error, warning, information, hint)`;
    return new CheckPolicies(flags);
  }

  policyFor(file: WalkedFile): FilePolicy {
    const config = this.flags.isolated
      ? undefined
      : (this.explicit ?? relativeErrors(() => this.resolver.forFile(file.absolute)));
    // Requirement files are named like the analysed file: relative to the same directory it was given from.
    const displayDir = path.dirname(file.display);
    const absDir = path.dirname(path.resolve(file.absolute));
    const toUri = (abs: string) => path.join(displayDir, path.relative(absDir, abs));
    return resolvePolicy({
      file: file.absolute,
      config,
      cli: this.cli,
      project: () => this.project.factsFor(file.absolute, toUri),
    });
  }

  /** checkFile options for one file, and the level at which its findings fail the run. */
  forFile(
    file: WalkedFile,
    base: Omit<CheckOptions, 'analyze' | 'finish'>,
    log: (m: string) => void,
  ): { options: CheckOptions; failOn: Severity } {
    const policy = this.policyFor(file);
    const reportUnused = this.flags['report-unused-noqa'] === true;
    const finish = (findings: Parameters<FilePolicy['finish']>[0], text: string, kind: SourceKind) =>
      policy.finish(findings, text, kind === 'typescript' ? 'typescript' : 'python', {
        reportUnused,
        uri: file.display,
      }).findings;
    return { options: { ...base, analyze: policy.analyzeOptions(log), finish }, failOn: policy.failOn };
  }
}

/** Config errors name the file relative to the working directory when it is below it, as paths are shown. */
function relativeErrors<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const rel = path.relative(process.cwd(), err.file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw err;
    throw new ConfigError(rel, err.line, err.key, err.reason);
  }
}
