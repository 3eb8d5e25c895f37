import type { EntityInfo } from '../knowledge/types';
import type { Finding, Fix, RelatedLocation, Severity } from '../model/finding';
import type { ModuleIR, Range } from '../model/ir';
import type { ProjectFacts } from '../project/facts';
import type { Semantics } from '../model/semantics';
import type { WorkspaceView } from '../workspace/view';
import type { Syntax } from '../model/syntax';

export interface RuleMeta {
  code: string;
  /** kebab-case; reads as "allow <name>" and names the doc file docs/rules/<name>.md. */
  name: string;
  summary: string;
  defaultSeverity: Severity;
  fix: 'safe' | 'unsafe' | 'none';
  /** Languages the rule applies to (both front ends lower into the same model). */
  languages: ('python' | 'typescript')[];
}

export interface AnalysisSettings {
  /** Seed used by fixes when the module has no seed constant. */
  seed: number;
}

export interface Report {
  range: Range;
  message: string;
  fix?: Fix | null;
  related?: RelatedLocation[];
  /** Overrides the rule's default severity (e.g. information when a global seed was set). */
  severity?: Severity;
}

export interface RuleContext {
  module: ModuleIR;
  sem: Semantics;
  settings: AnalysisSettings;
  lookup(qname: string | undefined): EntityInfo | undefined;
  /** The printer of the module's language: rules write and read source text through it, not by testing the language. */
  syntax: Syntax;
  /** The library concept a name of the module's language stands for (scikit.js `fitTransform` -> `fit_transform`). */
  canonical(name: string): string;
  /** Other files of the workspace (artifacts saved and loaded), when known. */
  workspace?: WorkspaceView;
  /**
   * Facts about the project the file belongs to (its requirement files), read on first use and cached per
   * directory by the driver; undefined when the file is not on disk (an untitled buffer, a test string).
   */
  project(): ProjectFacts | undefined;
  /** Results computed once per module and shared by several rules (keyed by the producer). */
  memo<T>(key: string, compute: () => T): T;
  report(r: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}

export type { Finding };
