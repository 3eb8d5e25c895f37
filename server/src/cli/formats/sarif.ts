import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ruleDoc } from '../../rules/docs';
import type { Finding, Severity } from '../../model/finding';
import type { Range } from '../../model/ir';
import { allRules } from '../../rules';
import { UNUSED_SUPPRESSION } from '../../config/suppression';
import { shownRange, type FileResult } from '../check';
import type { CheckReport } from '../format';
import pkg from '../../../../package.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** Web address of a rule's doc (docs/rules/<name>.md in the repository); PIPELINT_DOCS_URL overrides the base. */
export function ruleHelpUri(name: string): string {
  const repo =
    (pkg as { homepage?: string; repository?: { url?: string } | string }).homepage ??
    (typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url) ??
    '';
  const base =
    process.env.PIPELINT_DOCS_URL ?? `${repo.replace(/^git\+/, '').replace(/\.git$/, '')}/blob/main/docs/rules`;
  return `${base.replace(/\/$/, '')}/${name}.md`;
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
  properties: { fix: string; tags: string[] };
}

function ruleDescriptors(): SarifRule[] {
  const rules: SarifRule[] = allRules.map((r) => {
    const doc = ruleDoc(r);
    return {
      id: r.meta.code,
      name: r.meta.name,
      shortDescription: { text: r.meta.summary },
      fullDescription: { text: r.meta.summary },
      helpUri: ruleHelpUri(r.meta.name),
      help: { text: `${r.meta.summary}\n\nSee ${ruleHelpUri(r.meta.name)}`, markdown: doc },
      defaultConfiguration: { level: LEVEL[r.meta.defaultSeverity] },
      properties: { fix: r.meta.fix, tags: ['scikit-learn', ...r.meta.languages] },
    };
  });
  const summary =
    'A suppression comment (`# noqa`, `pipelint-disable-*`) that suppresses nothing (reported with --report-unused-noqa).';
  rules.push({
    id: UNUSED_SUPPRESSION.code,
    name: UNUSED_SUPPRESSION.name,
    shortDescription: { text: summary },
    fullDescription: { text: summary },
    helpUri: ruleHelpUri('../configuration').replace('/rules/../', '/'),
    help: { text: summary, markdown: summary },
    defaultConfiguration: { level: 'warning' },
    properties: { fix: 'safe', tags: ['suppression'] },
  });
  return rules;
}

function region(r: Range) {
  return {
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  };
}

function artifact(display: string) {
  if (path.isAbsolute(display)) return { uri: pathToFileURL(display).href };
  return {
    uri: display.split(path.sep).join('/').split('/').map(encodeURIComponent).join('/'),
    uriBaseId: '%SRCROOT%',
  };
}

function location(result: FileResult, f: { range: Range }, cwd: string, message?: string) {
  const loc: Record<string, unknown> = { physicalLocation: { artifactLocation: artifact(result.file.display) } };
  if (result.notebook) {
    // Lines of a notebook finding are lines of its code cell, not of the .ipynb file: say which cell.
    const { cell, start, end } = shownRange(result.notebook, f.range);
    loc.properties = {
      cell,
      startLine: start.line,
      startColumn: start.column,
      endLine: end.line,
      endColumn: end.column,
    };
    loc.logicalLocations = [{ name: `cell ${cell}`, kind: 'module' }];
  } else {
    (loc.physicalLocation as Record<string, unknown>).region = region(f.range);
  }
  if (message) loc.message = { text: message };
  return loc;
}

/** SARIF 2.1.0: one run, every rule's metadata (help URI, doc as markdown), results with fixes. */
export function toSarif(report: CheckReport, cwd: string = process.cwd()): string {
  const rules = ruleDescriptors();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.results.flatMap((r) =>
    r.findings.map((f: Finding) => {
      const res: Record<string, unknown> = {
        ruleId: f.code,
        ...(index.has(f.code) ? { ruleIndex: index.get(f.code) } : {}),
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [location(r, f, cwd)],
      };
      if (f.related.length > 0) {
        res.relatedLocations = f.related.map((rel, id) => {
          const sameFile = rel.uri === f.uri;
          const loc = sameFile
            ? location(r, rel, cwd, rel.message)
            : {
                physicalLocation: { artifactLocation: artifact(rel.uri), region: region(rel.range) },
                message: { text: rel.message },
              };
          return { id, ...loc };
        });
      }
      if (f.fix && !r.notebook) {
        res.fixes = [
          {
            description: { text: f.fix.title },
            artifactChanges: [
              {
                artifactLocation: artifact(r.file.display),
                replacements: f.fix.edits.map((e) => ({
                  deletedRegion: region(e.range),
                  insertedContent: { text: e.newText },
                })),
              },
            ],
            properties: { safety: f.fix.safety },
          },
        ];
      }
      return res;
    }),
  );
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pipelint',
            version: pkg.version,
            semanticVersion: pkg.version,
            informationUri: ruleHelpUri('x').replace(/\/docs\/rules\/x\.md$/, ''),
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd).href.replace(/\/?$/, '/') } },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: report.errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: artifact(e.path) } }],
            })),
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}
