import path from 'node:path';
import type { AnalyzeOptions } from '../analysis/analyze';
import type { Finding, Severity } from '../model/finding';
import { allRules } from '../rules';
import type { Rule } from '../rules/rule';
import type { ServerSettings } from './settings';
import { GlobSet } from '../source/glob';
import {
  applySuppressions,
  parseDirectives,
  UNUSED_SUPPRESSION,
  unusedSuppressions,
  type Language,
} from './suppression';
import type { LoadedConfig, SeverityOverride } from './types';
import type { ProjectFacts } from '../project/facts';

/**
 * One layer of rule selection and settings. Layers apply in order: the config file, then the editor's
 * settings, then the command line. A layer's `select` replaces the selection so far; `extend-select`
 * adds to it; `ignore` removes from it. Within a layer the more specific code wins (`select = ["SKL1"]`
 * with `ignore = ["SKL101"]` runs SKL102-104; `select = ["SKL101"]` with `ignore = ["SKL1"]` runs SKL101);
 * on a tie, ignore wins. `per-file-ignores` and severity `"off"` apply last, whatever the layers say.
 */
export interface SettingsLayer {
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  severity?: Record<string, SeverityOverride>;
  seed?: number;
  failOn?: Severity;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_FAIL_ON: Severity = 'warning';

/** What applies to one file: the rules that run, their settings, and the filter applied to their findings. */
export interface FilePolicy {
  rules: Rule[];
  seed: number;
  failOn: Severity;
  severity: Record<string, SeverityOverride>;
  /** The configuration file in force, if any. */
  config: LoadedConfig | undefined;
  analyzeOptions(log?: (message: string) => void): AnalyzeOptions;
  /**
   * Applied to the rules' findings: severity overrides, then suppression comments read from `text`
   * (the text that was analysed). With `reportUnused`, unused suppressions are added as findings.
   */
  finish(
    findings: Finding[],
    text: string,
    language: Language,
    options?: { reportUnused?: boolean; uri?: string },
  ): { findings: Finding[]; suppressed: Finding[] };
}

function longestMatch(code: string, patterns: string[] | undefined): number {
  let best = -1;
  for (const p of patterns ?? []) {
    if (p === 'ALL') best = Math.max(best, 0);
    else if (code.startsWith(p)) best = Math.max(best, p.length);
  }
  return best;
}

/** The rule codes enabled by the layers (before per-file-ignores). */
export function selectCodes(layers: SettingsLayer[], codes: string[] = allRules.map((r) => r.meta.code)): Set<string> {
  const enabled = new Set(codes);
  for (const layer of layers) {
    for (const code of codes) {
      const ign = longestMatch(code, layer.ignore);
      if (layer.select && layer.select.length > 0) {
        const sel = Math.max(longestMatch(code, layer.select), longestMatch(code, layer.extendSelect));
        if (sel >= 0 && sel > ign) enabled.add(code);
        else enabled.delete(code);
      } else {
        const ext = longestMatch(code, layer.extendSelect);
        if (ext >= 0 && ext > ign) enabled.add(code);
        else if (ign >= 0) enabled.delete(code);
      }
    }
  }
  return enabled;
}

/** The layer the editor's settings make. `seed` counts only when it differs from the default (42), since
 * VS Code sends the default for a setting no one set, and the config file's seed must then win. */
export function editorLayer(settings: ServerSettings): SettingsLayer {
  return {
    select: settings.select.length > 0 ? settings.select : undefined,
    ignore: settings.ignore,
    severity: settings.severity,
    seed: settings.seed !== DEFAULT_SEED ? settings.seed : undefined,
  };
}

function configLayer(config: LoadedConfig | undefined): SettingsLayer {
  const c = config?.config;
  if (!c) return {};
  return {
    select: c.select,
    extendSelect: c.extendSelect,
    ignore: c.ignore,
    severity: c.severity,
    seed: c.seed,
    failOn: c.failOn,
  };
}

/** Codes that `per-file-ignores` turns off for `file` (an absolute path). */
export function perFileIgnored(config: LoadedConfig | undefined, file: string | undefined): string[] {
  const entries = config?.config.perFileIgnores;
  if (!entries || !file) return [];
  const rel = path.relative(config.dir, path.resolve(file)).split(path.sep).join('/');
  if (rel.startsWith('..') || path.isAbsolute(rel)) return [];
  const out: string[] = [];
  for (const e of entries) {
    if (new GlobSet().add([e.pattern]).ignores(rel)) out.push(...e.codes);
  }
  return out;
}

interface Selection {
  rules: Rule[];
  seed: number;
  failOn: Severity;
  severity: Record<string, SeverityOverride>;
  running: Set<string>;
}

/** Stands for an absent layer or configuration in the cache of selections. */
const NONE = {};
const selections = new WeakMap<object, WeakMap<object, WeakMap<object, Map<string, Selection>>>>();

/**
 * The rules, settings and severities the layers give, with the per-file-ignores for one file: the same
 * for every file under one configuration (`pipelint check` asked for it once per file: 1% of its time).
 * Kept per (configuration, editor, command line) objects, which their owners replace when they change.
 */
function selection(
  config: LoadedConfig | undefined,
  editor: SettingsLayer | undefined,
  cli: SettingsLayer | undefined,
  fileIgnores: string[],
): Selection {
  let byEditor = selections.get(config ?? NONE);
  if (!byEditor)
    selections.set(config ?? NONE, (byEditor = new WeakMap<object, WeakMap<object, Map<string, Selection>>>()));
  let byCli = byEditor.get(editor ?? NONE);
  if (!byCli) byEditor.set(editor ?? NONE, (byCli = new WeakMap<object, Map<string, Selection>>()));
  let byIgnores = byCli.get(cli ?? NONE);
  if (!byIgnores) byCli.set(cli ?? NONE, (byIgnores = new Map<string, Selection>()));
  const key = fileIgnores.join(',');
  let found = byIgnores.get(key);
  if (!found) byIgnores.set(key, (found = select(config, editor, cli, fileIgnores)));
  return found;
}

function select(
  config: LoadedConfig | undefined,
  editor: SettingsLayer | undefined,
  cli: SettingsLayer | undefined,
  fileIgnores: string[],
): Selection {
  const layers = [configLayer(config), editor ?? {}, cli ?? {}];
  const enabled = selectCodes(layers);
  const severity: Record<string, SeverityOverride> = {};
  let seed = DEFAULT_SEED;
  let failOn = DEFAULT_FAIL_ON;
  for (const l of layers) {
    Object.assign(severity, l.severity ?? {});
    if (l.seed !== undefined) seed = l.seed;
    if (l.failOn !== undefined) failOn = l.failOn;
  }
  // Keys may be prefixes (`SKL2 = "off"`): each rule takes its longest matching key, as `select` does.
  const keys = Object.keys(severity);
  for (const code of [...allRules.map((r) => r.meta.code), UNUSED_SUPPRESSION.code]) {
    const best = keys.filter((k) => code.startsWith(k)).sort((a, b) => b.length - a.length)[0];
    if (best !== undefined) severity[code] = severity[best];
  }
  for (const k of keys)
    if (!allRules.some((r) => r.meta.code === k) && k !== UNUSED_SUPPRESSION.code) delete severity[k];
  const rules = allRules.filter(
    (r) => enabled.has(r.meta.code) && longestMatch(r.meta.code, fileIgnores) < 0 && severity[r.meta.code] !== 'off',
  );
  return { rules, seed, failOn, severity, running: new Set(rules.map((r) => r.meta.code)) };
}

/**
 * Turns (file, its configuration, editor settings, command-line options, project facts) into what the
 * analysis runs with. The CLI and the language server both go through here, so a file gets the same findings in both.
 */
export function resolvePolicy(input: {
  file?: string;
  config?: LoadedConfig;
  editor?: SettingsLayer;
  cli?: SettingsLayer;
  project?: () => ProjectFacts | undefined;
}): FilePolicy {
  const { rules, seed, failOn, severity, running } = selection(
    input.config,
    input.editor,
    input.cli,
    perFileIgnored(input.config, input.file),
  );
  return {
    rules,
    seed,
    failOn,
    severity,
    config: input.config,
    analyzeOptions(log) {
      return { rules, settings: { seed }, log, project: input.project };
    },
    finish(findings, text, language, options = {}) {
      const remapped = findings
        .filter((f) => severity[f.code] !== 'off')
        .map((f) => {
          const sev = severity[f.code];
          return sev && sev !== 'off' && sev !== f.severity ? { ...f, severity: sev } : f;
        });
      const directives = parseDirectives(text, language);
      if (directives.length === 0) return { findings: remapped, suppressed: [] };
      const { kept, suppressed, used } = applySuppressions(remapped, directives);
      if (!options.reportUnused) return { findings: kept, suppressed };
      const uri = options.uri ?? findings[0]?.uri ?? input.file ?? '';
      const unused = unusedSuppressions(text, uri, directives, used, (code) => running.has(code));
      const all = [...kept, ...unused].sort(
        (a, b) =>
          a.range.start.line - b.range.start.line ||
          a.range.start.character - b.range.start.character ||
          a.code.localeCompare(b.code),
      );
      return { findings: all, suppressed };
    },
  };
}
