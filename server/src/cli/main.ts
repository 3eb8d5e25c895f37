import { parseArgs } from 'node:util';
import path from 'node:path';
import { Engine } from '../engine';
import { ruleDoc } from '../docs';
import { allRules, ruleByCode } from '../rules';
import type { Severity } from '../model/finding';
import { diagram } from './diagram';
import { checkFile, type CheckError, type FileResult } from './check';
import { countAtOrAbove, toJson, toText, type CheckReport } from './format';
import { toGithub } from './formats/github';
import { toSarif } from './formats/sarif';
import { CheckPolicies, POLICY_OPTIONS } from './policy';
import { ConfigError } from '../config';
import { collectFiles } from './walk';
import { buildWorkspace } from '../workspace/build';
import { checkInWorkers, isCheckWorker, runCheckWorker, workerCount, type FileOutcome } from './parallel';

const USAGE = `Usage:
  pipelint check [PATH...] [--format text|json|sarif|github] [--select CODES] [--extend-select CODES]
                 [--ignore CODES] [--fix | --diff] [--fail-on error|warning|information] [--seed N]
                 [--config FILE | --isolated] [--report-unused-noqa]
  pipelint diagram FILE [--line N] -o OUT.html|OUT.svg
  pipelint rules [CODE]
  pipelint server --stdio
Exit codes: 0 no findings at or above the fail level, 1 findings, 2 usage, configuration or I/O error.`;

class UsageError extends Error {}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      ...POLICY_OPTIONS,
      fix: { type: 'boolean', default: false },
      diff: { type: 'boolean', default: false },
      'max-file-size': { type: 'string', default: '5000000' },
      'no-color': { type: 'boolean', default: false },
    },
  });
  if (!['text', 'json', 'sarif', 'github'].includes(values.format!)) throw new UsageError(`unknown --format "${values.format}" (text, json, sarif, github)`);
  // Rules, severities, seed and fail level per file: config file (nearest above it) + these flags.
  const policies = CheckPolicies.create(values);
  if (typeof policies === 'string') throw new UsageError(policies);
  const failOn = new Map<FileResult, Severity>();

  const started = performance.now();
  const { files, missing } = await collectFiles(positionals.length > 0 ? positionals : ['.'], process.cwd());
  const base = { maxFileBytes: Number(values['max-file-size']), fix: values.fix!, diff: values.diff! };
  // Many files: worker threads (same two phases, same output); a failing worker falls back to one thread.
  // --fix writes files, so it stays on one thread.
  const workers = values.fix ? 0 : workerCount(files.length);
  let outcomes: FileOutcome[] | undefined;
  if (workers > 1) outcomes = await checkInWorkers(files, values, base, workers).catch(() => undefined);
  if (!outcomes) {
    outcomes = [];
    // The workspace index (artifacts saved in one file, loaded in another) first; its lowerings are reused.
    const { engine, workspace } = await buildWorkspace(await Engine.create(), files);
    for (const file of files) {
      const logs: string[] = [];
      const policy = policies.forFile(file, base, (m) => logs.push(m));
      const result = await checkFile(engine, file, { ...policy.options, analyze: { ...policy.options.analyze, workspace } });
      outcomes.push({ result, failOn: policy.failOn, logs });
    }
  }
  const results: FileResult[] = [];
  const errors: CheckError[] = [...missing];
  const logs: string[] = [];
  for (const { result: r, failOn: level, logs: fileLogs } of outcomes) {
    logs.push(...fileLogs);
    if ('findings' in r) {
      results.push(r);
      failOn.set(r, level!);
      if (r.notFixed) errors.push({ path: r.file.display, message: r.notFixed });
    } else errors.push(r);
  }
  const report: CheckReport = { results, errors, durationMs: performance.now() - started };
  for (const l of logs) process.stderr.write(`pipelint: internal error (reported, other rules ran): ${l}\n`);
  if (values.diff) {
    // Like `ruff check --diff`: the diff on stdout, exit 1 when there is something to fix.
    process.stdout.write(results.map((r) => r.diff ?? '').join(''));
    const would = results.reduce((n, r) => n + (r.diff ? r.fixed : 0), 0);
    process.stderr.write(would > 0 ? `Would fix ${would} problem${would === 1 ? '' : 's'}.\n` : 'No safe fixes available.\n');
    for (const e of errors) process.stderr.write(`pipelint: ${e.path}: ${e.message}\n`);
    if (errors.some((e) => !e.message.startsWith('skipped'))) return 2;
    return would > 0 ? 1 : 0;
  }
  const color = process.stdout.isTTY === true && !values['no-color'] && !process.env.NO_COLOR;
  const out = values.format === 'json' ? toJson(report) : values.format === 'sarif' ? toSarif(report) : values.format === 'github' ? toGithub(report) : toText(report, color);
  if (out) process.stdout.write(out + '\n');
  if (errors.some((e) => !e.message.startsWith('skipped'))) return 2;
  return results.some((r) => countAtOrAbove(r.findings, failOn.get(r)!) > 0) ? 1 : 0;
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
    case 'diagram':
      return diagram(rest);
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

if (isCheckWorker()) void runCheckWorker();
else
  main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError || err instanceof ConfigError || (err as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`pipelint: ${err.message}\n`);
    } else {
      process.stderr.write(`pipelint: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    process.exitCode = 2;
  },
);
