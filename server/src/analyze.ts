import { lookupEntity } from './knowledge';
import type { EntityInfo } from './knowledge/types';
import type { Finding } from './model/finding';
import type { ModuleIR } from './model/ir';
import { semanticsOf } from './model/semantics';
import { allRules } from './rules';
import type { AnalysisSettings, Rule, RuleContext } from './rules/rule';
import type { WorkspaceView } from './workspace/view';
import type { ProjectFacts } from './project/facts';

export const DEFAULT_SETTINGS: AnalysisSettings = { seed: 42 };

export interface AnalyzeOptions {
  settings?: AnalysisSettings;
  rules?: Rule[];
  workspace?: WorkspaceView;
  /** The project's facts (requirement files), computed only when a rule asks. */
  project?: () => ProjectFacts | undefined;
  /** Receives rule failures; one broken rule never hides the findings of the others. */
  log?: (message: string) => void;
}

/** Runs the rules over one lowered module. */
export function analyzeModule(module: ModuleIR, options: AnalyzeOptions = {}): Finding[] {
  const sem = semanticsOf(module);
  const findings: Finding[] = [];
  const memo = new Map<string, unknown>();
  const entityCache = new Map<string, EntityInfo | undefined>();
  let project: { facts: ProjectFacts | undefined } | undefined;
  for (const rule of options.rules ?? allRules) {
    if (!rule.meta.languages.includes(module.language)) continue;
    const ctx: RuleContext = {
      module,
      sem,
      settings: options.settings ?? DEFAULT_SETTINGS,
      workspace: options.workspace,
      project() {
        project ??= { facts: options.project?.() };
        return project.facts;
      },
      lookup(qname) {
        if (!qname) return undefined;
        if (!entityCache.has(qname)) entityCache.set(qname, lookupEntity(qname));
        return entityCache.get(qname);
      },
      memo<T>(key: string, compute: () => T): T {
        if (!memo.has(key)) memo.set(key, compute());
        return memo.get(key) as T;
      },
      report(r) {
        findings.push({
          uri: module.uri,
          code: rule.meta.code,
          name: rule.meta.name,
          severity: r.severity ?? rule.meta.defaultSeverity,
          message: r.message,
          range: r.range,
          fix: r.fix ?? null,
          related: r.related ?? [],
        });
      },
    };
    try {
      rule.check(ctx);
    } catch (err) {
      options.log?.(`rule ${rule.meta.code} failed on ${module.uri}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
  return findings;
}
