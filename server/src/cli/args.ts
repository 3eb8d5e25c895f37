import { parseArgs } from 'node:util';

/**
 * Command-line parsing with our own messages. node's `parseArgs` in strict mode reports a mistyped flag as
 * "Unknown option '--selct'. To specify a positional argument starting with a '-', place it ... '-- "--selct"",
 * with no suggestion and no way out; here it is parsed leniently (tokens) and every problem becomes one
 * line that names the command, suggests the nearest option, and points at `--help`.
 */

/** A usage problem: printed as `pipelint: <message>` with exit code 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  default?: string | boolean;
  /** Placeholder of the value in the help text (`CODES`, `N`). */
  value?: string;
  /** The values accepted, for the help text and "did you mean". */
  choices?: readonly string[];
  help: string;
}

export interface CommandSpec {
  name: string;
  /** Arguments after the command name, as in the usage line (`[PATH...] [options]`). */
  synopsis: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Fewest and most positional arguments. */
  positionals: { min: number; max: number; name: string };
  /** Lines after the option list. */
  notes?: string[];
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

/** Parses `argv` (the arguments after the command name) against `spec`; throws UsageError with our wording. */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  const options: Record<string, OptionSpec> = { ...spec.options, help: HELP_OPTION };
  const hint = `run \`pipelint ${spec.name} --help\` for its options`;
  const terminator = argv.indexOf('--');
  // `-selct` would otherwise be read as the short flags -s -e -l -c -t.
  for (const arg of terminator < 0 ? argv : argv.slice(0, terminator)) {
    if (
      /^-[A-Za-z][A-Za-z-]+$/.test(arg) &&
      !Object.values(options).some((o) => o.short === arg[1] && o.type === 'string')
    ) {
      throw new UsageError(
        `unknown option ${arg} for \`pipelint ${spec.name}\`${didYouMean(arg.slice(1), Object.keys(options), '--')}; ${hint}`,
      );
    }
  }
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const values: Parsed['values'] = {};
  for (const [k, o] of Object.entries(spec.options)) if (o.default !== undefined) values[k] = o.default;
  const positionals: string[] = [];
  let help = false;
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue;
    const o = options[t.name];
    if (!o) {
      const names = Object.keys(options);
      throw new UsageError(
        `unknown option ${t.rawName} for \`pipelint ${spec.name}\`${didYouMean(t.name, names, '--')}; ${hint}`,
      );
    }
    if (t.name === 'help') {
      help = true;
      continue;
    }
    if (o.type === 'boolean') {
      if (t.inlineValue) throw new UsageError(`${t.rawName} takes no value (got "${t.value}")`);
      values[t.name] = true;
      continue;
    }
    // A string option: its value is the next argument unless that is one of our options (`--seed --fix`).
    const looksLikeOption =
      !t.inlineValue && t.value !== undefined && /^--?[A-Za-z]/.test(t.value) && isOption(t.value, options);
    if (t.value === undefined || looksLikeOption) {
      throw new UsageError(
        `${t.rawName} needs a value${o.value ? ` (${o.value}${o.choices ? `: ${o.choices.join(', ')}` : ''})` : ''}`,
      );
    }
    if (o.choices && !o.choices.includes(t.value)) {
      throw new UsageError(
        `unknown ${t.rawName} "${t.value}"${didYouMean(t.value, o.choices, '')}; expected one of ${o.choices.join(', ')}`,
      );
    }
    values[t.name] = t.value;
  }
  if (!help) {
    const { min, max, name } = spec.positionals;
    if (positionals.length < min)
      throw new UsageError(`\`pipelint ${spec.name}\` needs ${name}; usage: pipelint ${spec.name} ${spec.synopsis}`);
    if (positionals.length > max) {
      const extra = positionals[max];
      throw new UsageError(
        max === 0
          ? `\`pipelint ${spec.name}\` takes no arguments (got "${extra}")`
          : `\`pipelint ${spec.name}\` takes ${max === 1 ? `one ${name}` : `at most ${max} ${name}`} (got "${extra}" too); usage: pipelint ${spec.name} ${spec.synopsis}`,
      );
    }
  }
  return { values, positionals, help };
}

function isOption(arg: string, options: Record<string, OptionSpec>): boolean {
  if (arg.startsWith('--')) return arg.slice(2).split('=')[0] in options;
  return Object.values(options).some((o) => o.short === arg[1]);
}

/** The help text of one command: usage, summary, options with their values and defaults. */
export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    const extra = [
      o.choices ? `one of ${o.choices.join(', ')}` : '',
      o.default !== undefined && o.default !== false ? `default ${o.default}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return [flag, extra ? `${o.help} (${extra})` : o.help];
  });
  const width = Math.max(...rows.map((r) => r[0].length));
  return [
    `Usage: pipelint ${spec.name} ${spec.synopsis}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    ...(spec.notes ? ['', ...spec.notes] : []),
    '',
  ].join('\n');
}

/** ` (did you mean --select?)` when one candidate is close to `word` (an edit or two, or a clear prefix). */
export function didYouMean(word: string, candidates: readonly string[], prefix: string): string {
  const best = closest(word, candidates);
  return best === undefined ? '' : ` (did you mean ${prefix}${best}?)`;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(Math.max(w.length, best.length) / 3))) return best;
  // `--ext` for `--extend-select`: an unambiguous prefix of three letters or more.
  const prefixed = w.length >= 3 ? candidates.filter((c) => c.toLowerCase().startsWith(w)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
