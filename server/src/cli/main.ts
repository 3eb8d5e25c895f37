// First: V8's flags for this process must be set before the rest of the bundle runs.
import { growYoungGenerationAtOnce } from './v8flags';
import { statSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../analysis/engine';
import { ruleDoc } from '../rules/docs';
import { allRules, ruleByCode } from '../rules';
import type { Severity } from '../model/finding';
import { commandHelp, didYouMean, parseCommand, UsageError, type CommandSpec } from './args';
import { DIAGRAM, diagram } from './diagram';
import { isSkipped, type CheckError, type FileResult } from './check';
import { countAtOrAbove, toJson, toText, type CheckReport } from './format';
import { toGithub } from './formats/github';
import { toSarif } from './formats/sarif';
import { CheckPolicies, type PolicyFlags } from './policy';
import { ConfigError } from '../config';
import { collectFiles } from '../source/walk';
import { CLI_MAX_FILE_BYTES } from '../source/limits';
import { WorkspaceIndex } from '../workspace/index';
import { checkShare } from './stream';
import { PIPELINT_VERSION } from '../config/version';
import { checkInWorkers, isCheckWorker, runCheckWorker, workerCount, type FileOutcome } from './parallel';

const CHECK: CommandSpec = {
  name: 'check',
  synopsis: '[PATH...] [options]',
  summary: 'Lints Python, notebooks and scikit.js TypeScript under PATH (default: the current directory).',
  positionals: { min: 0, max: Infinity, name: 'PATH' },
  options: {
    format: {
      type: 'string',
      default: 'text',
      value: 'FORMAT',
      choices: ['text', 'json', 'sarif', 'github'],
      help: 'output format',
    },
    select: {
      type: 'string',
      value: 'CODES',
      help: 'run only these rules (codes or prefixes, comma-separated: SKL1,SKL201)',
    },
    'extend-select': { type: 'string', value: 'CODES', help: 'run these rules too' },
    ignore: { type: 'string', value: 'CODES', help: 'do not run these rules' },
    fix: { type: 'boolean', default: false, help: 'write the safe fixes to the files' },
    diff: {
      type: 'boolean',
      default: false,
      help: 'print the safe fixes as a unified diff, write nothing (exit 1 if there are any)',
    },
    'fail-on': {
      type: 'string',
      value: 'LEVEL',
      choices: ['error', 'warning', 'information', 'hint'],
      help: 'exit 1 when a finding is at or above this level (default from config, else warning)',
    },
    seed: {
      type: 'string',
      value: 'N',
      help: 'the random_state the SKL201 fix inserts (default from config, else 42)',
    },
    config: { type: 'string', value: 'FILE', help: 'use this pipelint.toml / pyproject.toml for every file' },
    isolated: { type: 'boolean', default: false, help: 'ignore all configuration files' },
    'report-unused-noqa': { type: 'boolean', default: false, help: 'report `# noqa` comments that suppress nothing' },
    'max-file-size': { type: 'string', default: String(CLI_MAX_FILE_BYTES), value: 'BYTES', help: 'skip larger files' },
    'no-color': { type: 'boolean', default: false, help: 'no colours in text output (also NO_COLOR=1)' },
  },
  notes: ['Exit codes: 0 no findings at or above the fail level, 1 findings, 2 usage, configuration or I/O error.'],
};

const RULES: CommandSpec = {
  name: 'rules',
  synopsis: '[CODE]',
  summary: 'Lists the rules, or prints the documentation of one (by code or name).',
  positionals: { min: 0, max: 1, name: 'CODE' },
  options: {},
};

const SERVER: CommandSpec = {
  name: 'server',
  synopsis: '--stdio',
  summary: 'Runs the language server (for any LSP editor: Neovim, Helix, Emacs...).',
  positionals: { min: 0, max: 0, name: '' },
  options: {
    stdio: { type: 'boolean', help: 'talk LSP over stdin/stdout' },
    'node-ipc': { type: 'boolean', help: 'talk LSP over Node IPC (when started by a Node client)' },
    socket: { type: 'string', value: 'PORT', help: 'talk LSP over a socket on this port' },
    pipe: { type: 'string', value: 'NAME', help: 'talk LSP over this named pipe' },
    clientProcessId: { type: 'string', value: 'PID', help: 'exit when this process exits' },
  },
};

const COMMANDS: Record<string, CommandSpec> = { check: CHECK, diagram: DIAGRAM, rules: RULES, server: SERVER };

const USAGE = `Usage: pipelint COMMAND [options]

Commands:
  check [PATH...]         lint files and directories (text, JSON, SARIF or GitHub output; --fix, --diff)
  diagram FILE -o OUT     draw the pipelines of FILE as .html or .svg (or --json)
  rules [CODE]            list the rules, or print one rule's documentation
  server --stdio          run the language server

Run \`pipelint COMMAND --help\` for a command's options; \`pipelint --version\` for the version.
Exit codes: 0 no findings at or above the fail level, 1 findings, 2 usage, configuration or I/O error.`;

async function check(argv: string[]): Promise<number> {
  const { values: raw, positionals, help } = parseCommand(CHECK, argv);
  if (help) return printHelp(CHECK);
  const values = raw as unknown as PolicyFlags & {
    format: string;
    fix: boolean;
    diff: boolean;
    'max-file-size': string;
    'no-color': boolean;
  };
  // Ruff reads `--fix --diff` as "show the diff"; both together are more likely a slip than a plan, and
  // guessing wrong either writes files the user meant to preview or silently does not write them.
  if (values.fix && values.diff)
    throw new UsageError(
      '--fix and --diff cannot be used together: --diff shows the safe fixes without writing them, --fix writes them',
    );
  // Rules, severities, seed and fail level per file: config file (nearest above it) + these flags.
  // The config search stops at the repository root, or outside one at the working directory or a named path.
  const flags = { ...values, roots: [process.cwd(), ...positionals.map((p) => path.resolve(p))] };
  const policies = CheckPolicies.create(flags);
  if (typeof policies === 'string') throw new UsageError(policies);
  const failOn = new Map<FileResult, Severity>();

  const started = performance.now();
  const { files, missing } = await collectFiles(positionals.length > 0 ? positionals : ['.'], process.cwd());
  const base = { maxFileBytes: parseSize(values['max-file-size']), fix: values.fix, diff: values.diff };
  // Enough bytes to parse: worker threads (same one pass, same output); a failing worker falls back to one
  // thread. --fix writes files, so it stays on one thread.
  // The sizes (a stat per file) only when they decide or balance the workers: not for PIPELINT_WORKERS=0.
  let sizes: number[] | undefined;
  const sizesOf = () => (sizes ??= files.map((f) => sizeOf(f.absolute)));
  const workers = values.fix ? 0 : workerCount(files.length, () => sizesOf().reduce((a, b) => a + b, 0));
  let outcomes: FileOutcome[] | undefined;
  if (workers > 1) outcomes = await checkInWorkers(files, sizesOf(), flags, base, workers).catch(() => undefined);
  else growYoungGenerationAtOnce();
  if (!outcomes) {
    const done: FileOutcome[] = [];
    await checkShare(
      await Engine.create(),
      files.map((file, index) => ({ index, file })),
      policies,
      base,
      {
        exchange(summaries) {
          const workspace = new WorkspaceIndex();
          for (const s of summaries) workspace.update(s.summary);
          return Promise.resolve(workspace);
        },
        emit(index, outcome) {
          done[index] = outcome;
        },
      },
    );
    outcomes = done;
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
    process.stderr.write(
      would > 0 ? `Would fix ${would} problem${would === 1 ? '' : 's'}.\n` : 'No safe fixes available.\n',
    );
    for (const e of errors) process.stderr.write(`pipelint: ${e.path}: ${e.message}\n`);
    if (errors.some((e) => !isSkipped(e))) return 2;
    return would > 0 ? 1 : 0;
  }
  const color = process.stdout.isTTY && !values['no-color'] && !process.env.NO_COLOR;
  const out =
    values.format === 'json'
      ? toJson(report)
      : values.format === 'sarif'
        ? toSarif(report)
        : values.format === 'github'
          ? toGithub(report)
          : toText(report, color, { fixRan: values.fix });
  if (out) process.stdout.write(out + '\n');
  if (errors.some((e) => !isSkipped(e))) return 2;
  return results.some((r) => countAtOrAbove(r.findings, failOn.get(r)!) > 0) ? 1 : 0;
}

/** A file's size in bytes (0 when it cannot be read: reported by the check). */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** `--max-file-size`: bytes, or with a k/M suffix (`512k`, `5M`); anything else is a usage error, never "no limit". */
function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmM]?)[bB]?$/.exec(value.trim());
  const bytes = m ? Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1e3 : m[2].toLowerCase() === 'm' ? 1e6 : 1) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1)
    throw new UsageError(`--max-file-size must be a size in bytes, e.g. 5000000 or 5M (got "${value}")`);
  return Math.floor(bytes);
}

function rules(argv: string[]): number {
  const { positionals, help } = parseCommand(RULES, argv);
  if (help) return printHelp(RULES);
  const [code] = positionals;
  if (code) {
    const rule = ruleByCode(code) ?? allRules.find((r) => r.meta.name === code);
    if (!rule) {
      const names = allRules.flatMap((r) => [r.meta.code, r.meta.name]);
      throw new UsageError(`unknown rule "${code}"${didYouMean(code, names, '')}; \`pipelint rules\` lists them`);
    }
    process.stdout.write(ruleDoc(rule));
    return 0;
  }
  const rows = allRules.map((r) => [
    r.meta.code,
    r.meta.name,
    r.meta.defaultSeverity,
    r.meta.fix === 'none' ? '-' : r.meta.fix,
    r.meta.summary,
  ]);
  const widths = [0, 1, 2, 3].map((i) =>
    Math.max(...rows.map((row) => row[i].length), ['code', 'name', 'severity', 'fix'][i].length),
  );
  const fmt = (row: string[]) => row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]) : cell)).join('  ');
  process.stdout.write([fmt(['code', 'name', 'severity', 'fix', 'summary']), ...rows.map(fmt)].join('\n') + '\n');
  return 0;
}

function printHelp(spec: CommandSpec): number {
  process.stdout.write(commandHelp(spec));
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
    case 'server': {
      if (parseCommand(SERVER, rest).help) return printHelp(SERVER);
      // The language server bundle sits beside this one; it reads --stdio from process.argv.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the sibling bundle, loaded only for `server`
      require(path.join(__dirname, 'server.js'));
      return -1;
    }
    case '--version':
    case '-V':
      process.stdout.write(`pipelint ${PIPELINT_VERSION}\n`);
      return 0;
    case 'help': {
      // `pipelint help check` as git and npm allow.
      const spec = rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
      if (rest[0] !== undefined && !spec) throw unknownCommand(rest[0]);
      process.stdout.write(spec ? commandHelp(spec) : USAGE + '\n');
      return 0;
    }
    case undefined:
      process.stderr.write(USAGE + '\n');
      return 2;
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      throw unknownCommand(command);
  }
}

function unknownCommand(command: string): UsageError {
  const names = Object.keys(COMMANDS);
  if (command.startsWith('-')) {
    // `pipelint --fix`: a check option given without the command.
    const name = command.replace(/^-+/, '').split('=')[0];
    if (name in CHECK.options)
      return new UsageError(`${command} is an option of \`pipelint check\`: run \`pipelint check ${command}\``);
    return new UsageError(`unknown option ${command}; commands: ${names.join(', ')} (\`pipelint --help\`)`);
  }
  return new UsageError(
    `unknown command "${command}"${didYouMean(command, names, '')}; commands: ${names.join(', ')} (\`pipelint --help\`)`,
  );
}

/**
 * Ends the process once stdout and stderr have taken all that was written to them (writes to a pipe are
 * asynchronous: exiting at once cut a 1.3 MB JSON report to 438 KB). A command that has finished would
 * otherwise wait for V8's background compilers to finish optimizing code that will never run again before
 * Node exits: 5-30 ms after checking the 285 scikit-learn examples, 130-170 ms after checking one small file.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const flushed = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
}

if (isCheckWorker()) void runCheckWorker();
else
  main(process.argv.slice(2)).then(
    (code) => {
      // `pipelint server` (-1) keeps running.
      if (code >= 0) exitWhenFlushed(code);
    },
    (err: unknown) => {
      if (err instanceof UsageError || err instanceof ConfigError) {
        process.stderr.write(`pipelint: ${err.message}\n`);
      } else {
        process.stderr.write(`pipelint: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      }
      exitWhenFlushed(2);
    },
  );
