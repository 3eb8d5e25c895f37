import { parseArgs } from 'node:util';
import path from 'node:path';
import { Engine } from '../engine';
import { ruleDoc } from '../docs';
import { allRules, ruleByCode } from '../rules';
import type { Severity } from '../model/finding';
import { checkFile, type CheckError, type FileResult } from './check';
import { countAtOrAbove, toJson, toText, type CheckReport } from './format';
import { collectFiles } from './walk';

const USAGE = `Usage:
  pipelint check [PATH...] [--format text|json] [--select CODES] [--ignore CODES] [--fix] [--fail-on LEVEL]
  pipelint rules [CODE]
  pipelint server --stdio
Exit codes: 0 no findings at or above the fail level, 1 findings, 2 usage, configuration or I/O error.`;

class UsageError extends Error {}

function codes(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

function matches(code: string, patterns: string[]): boolean {
  return patterns.some((p) => p === 'ALL' || code.startsWith(p));
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      select: { type: 'string' },
      ignore: { type: 'string' },
      fix: { type: 'boolean', default: false },
      'fail-on': { type: 'string', default: 'warning' },
      'max-file-size': { type: 'string', default: '5000000' },
      seed: { type: 'string' },
      'no-color': { type: 'boolean', default: false },
    },
  });
  if (!['text', 'json'].includes(values.format!)) throw new UsageError(`unknown --format "${values.format}" (text, json)`);
  const failOn = values['fail-on'] as Severity;
  if (!['error', 'warning', 'information', 'hint'].includes(failOn)) throw new UsageError(`unknown --fail-on "${failOn}" (error, warning, information)`);
  const select = codes(values.select);
  const ignore = codes(values.ignore);
  for (const c of [...select, ...ignore]) {
    if (c !== 'ALL' && !allRules.some((r) => r.meta.code.startsWith(c))) throw new UsageError(`unknown rule code "${c}" (see \`pipelint rules\`)`);
  }
  const rules = allRules.filter((r) => (select.length === 0 || matches(r.meta.code, select)) && !matches(r.meta.code, ignore));
  const seed = values.seed !== undefined ? Number(values.seed) : 42;
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer`);

  const started = performance.now();
  const { files, missing } = await collectFiles(positionals.length > 0 ? positionals : ['.'], process.cwd());
  const engine = await Engine.create();
  const results: FileResult[] = [];
  const errors: CheckError[] = missing.map((p) => ({ path: p, message: 'no such file or directory' }));
  const logs: string[] = [];
  for (const file of files) {
    const r = await checkFile(engine, file, { analyze: { rules, settings: { seed }, log: (m) => logs.push(m) }, maxFileBytes: Number(values['max-file-size']), fix: values.fix! });
    if ('findings' in r) results.push(r);
    else errors.push(r);
  }
  const report: CheckReport = { results, errors, durationMs: performance.now() - started };
  const out = values.format === 'json' ? toJson(report) : toText(report, process.stdout.isTTY === true && !values['no-color'] && !process.env.NO_COLOR);
  process.stdout.write(out + '\n');
  for (const l of logs) process.stderr.write(`pipelint: internal error (reported, other rules ran): ${l}\n`);
  if (errors.some((e) => !e.message.startsWith('skipped'))) return 2;
  return countAtOrAbove(results.flatMap((r) => r.findings), failOn) > 0 ? 1 : 0;
}

function rules(argv: string[]): number {
  const [code] = argv;
  if (code) {
    const rule = ruleByCode(code) ?? allRules.find((r) => r.meta.name === code);
    if (!rule) throw new UsageError(`unknown rule "${code}" (see \`pipelint rules\`)`);
    process.stdout.write(ruleDoc(rule));
    return 0;
  }
  const rows = allRules.map((r) => [r.meta.code, r.meta.name, r.meta.defaultSeverity, r.meta.fix === 'none' ? '-' : r.meta.fix, r.meta.summary]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length), ['code', 'name', 'severity', 'fix'][i].length));
  const fmt = (row: string[]) => row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]) : cell)).join('  ');
  process.stdout.write([fmt(['code', 'name', 'severity', 'fix', 'summary']), ...rows.map(fmt)].join('\n') + '\n');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return check(rest);
    case 'rules':
      return rules(rest);
    case 'server':
      // The language server bundle sits beside this one; it reads --stdio from process.argv.
      require(path.join(__dirname, 'server.js'));
      return -1;
    case '--version':
    case '-V':
      process.stdout.write(`pipelint ${require('../../../package.json').version}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`pipelint: ${err.message}\n`);
    } else {
      process.stderr.write(`pipelint: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    process.exitCode = 2;
  },
);
