// Fuzz target for what a repository controls besides its code: config files (pyproject.toml,
// pipelint.toml) and globs (.gitignore, per-file-ignores). Each input is parsed, validated and located
// (lineOfKey), and its globs matched against paths. A ConfigError is the expected answer to bad input;
// any other exception is a crash; the caller bounds the time (a hang is killed).
import { GlobSet } from '../../server/src/source/glob';
import { lineOfKey, parseConfigText } from '../../server/src/config/load';
import { perFileIgnored } from '../../server/src/config/resolve';
import { ConfigError } from '../../server/src/config/types';
import { Rng } from './mutate';

export interface ConfigInput {
  name: string;
  file: 'pyproject.toml' | 'pipelint.toml';
  text: string;
  globs: string[];
  paths: string[];
}

const SEEDS = [
  '[tool.pipelint]\nselect = ["SKL1", "SKL201"]\nignore = ["SKL104"]\nseed = 7\nfail-on = "error"\n',
  '[tool.pipelint.per-file-ignores]\n"tests/**" = ["SKL201"]\n"__init__.py" = ["SKL101"]\n',
  '[tool.pipelint.severity]\nSKL101 = "error"\nSKL2 = "off"\n',
  'select = ["ALL"]\nextend-select = ["SKL3"]\n[severity]\nSKL301 = "hint"\n[per-file-ignores]\n"a/**/b/*.py" = ["SKL1"]\n',
  '[project]\nname = "x"\n\n[tool."pipelint"]\nignore = ["SKL101"]\n',
  'tool = { pipelint = { select = ["SKL2"], seed = 4294967295 } }\n',
  '[tool.pipelint]\nseed = -1\nbogus = true\nselect = "SKL101"\n',
];
const GLOB_PARTS = [
  '**',
  '*',
  '?',
  'a',
  'b',
  '[ab]',
  '[!a-c]',
  '[',
  ']',
  '\\',
  '!',
  '#',
  ' ',
  '.',
  '*.py',
  'a*b*c*',
  '**/**',
  '{a,b}',
  'é',
  '\u0000',
];
const PATH_PARTS = [
  'a',
  'b',
  'c',
  'x.py',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  '.hidden',
  'é',
  '[ab]',
  '*',
  'tests',
  '__init__.py',
];
const INSERTS = [
  '\n',
  '\r\n',
  '[',
  ']',
  '[[',
  '{',
  '}',
  '"',
  "'",
  '"""',
  '=',
  '.',
  '#',
  '\\',
  '\u0000',
  '\ufeff',
  'tool',
  'pipelint',
  'select = [',
  '"SKL101"',
  ',',
  '\t',
  '1e999',
  '-0',
  'inf',
  'nan',
  '1979-05-27T07:32:00Z',
];

function hostileGlob(rng: Rng): string {
  switch (rng.int(5)) {
    case 0:
      return 'a/' + '**/'.repeat(1 + rng.int(40)) + 'b';
    case 1:
      return '*a'.repeat(1 + rng.int(60)) + 'b';
    case 2:
      return '['.repeat(rng.int(200)) + ']'.repeat(rng.int(200));
    case 3:
      return '\\'.repeat(rng.int(100)) + '*'.repeat(rng.int(100));
    default:
      return Array.from({ length: 1 + rng.int(12) }, () => rng.pick(GLOB_PARTS)).join(rng.pick(['/', '', '/', '**']));
  }
}

function hostileText(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
      return '\n'.repeat(rng.int(200_000));
    case 1:
      return ' '.repeat(rng.int(200_000)) + rng.pick(['', 'x', '=', '\n']);
    case 2:
      return '['.repeat(rng.int(5_000)) + rng.pick(['', ']', 'a]']);
    case 3:
      return 'a = ' + '['.repeat(rng.int(5_000)) + ']'.repeat(rng.int(5_000));
    case 4:
      return 'x = { ' + 'a = { '.repeat(rng.int(3_000)) + '}'.repeat(rng.int(3_000));
    default:
      return `"${'\\'.repeat(rng.int(10_000))}" = 1`;
  }
}

/** Input number `index` of the stream: deterministic, reproducible from its name. */
export function makeConfigInput(streamSeed: number, index: number): ConfigInput {
  const rng = new Rng((streamSeed * 2_000_003 + index * 104_729) >>> 0);
  let text = rng.pick(SEEDS);
  const mutations: string[] = [];
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(text.length + 1);
    const m = rng.int(6);
    if (m === 0) {
      text = text.slice(0, at) + rng.pick(INSERTS) + text.slice(at);
      mutations.push('insert');
    } else if (m === 1) {
      text = text.slice(0, at) + text.slice(at + rng.int(20));
      mutations.push('cut');
    } else if (m === 2 && rng.chance(0.3)) {
      text = text.slice(0, at) + hostileText(rng) + text.slice(at);
      mutations.push('hostile');
    } else if (m === 3) {
      text += `\n[tool.pipelint.per-file-ignores]\n${JSON.stringify(hostileGlob(rng))} = ["SKL101"]\n`;
      mutations.push('glob');
    } else if (m === 4) {
      const b = Buffer.from(text, 'utf8');
      if (b.length > 0) b[rng.int(b.length)] ^= 1 << rng.int(8);
      text = b.toString('utf8');
      mutations.push('flip');
    } else {
      text = text.replace(/\n/g, rng.pick(['\r\n', '\r', '\n\n']));
      mutations.push('eol');
    }
  }
  const globs = Array.from({ length: 1 + rng.int(6) }, () => hostileGlob(rng));
  const paths = Array.from(
    { length: 1 + rng.int(6) },
    () => Array.from({ length: 1 + rng.int(40) }, () => rng.pick(PATH_PARTS)).join('/') + (rng.chance(0.3) ? '/' : ''),
  );
  return {
    name: `${index}-${mutations.join('+')}`,
    file: rng.chance(0.5) ? 'pyproject.toml' : 'pipelint.toml',
    text,
    globs,
    paths,
  };
}

/** Runs one input; returns the time and, if something other than a ConfigError was thrown, the crash. */
export function runConfigInput(input: ConfigInput): { ms: number; crash?: string } {
  const started = performance.now();
  try {
    const file = `/fuzz/project/${input.file}`;
    let config;
    try {
      config = parseConfigText(input.text, file);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
    }
    lineOfKey(input.text, ['tool', 'pipelint', 'select']);
    lineOfKey(input.text, ['severity', 'SKL2']);
    const gitignore = new GlobSet().add(input.globs.join('\n'));
    for (const p of input.paths) {
      gitignore.ignores(p);
      if (config) perFileIgnored({ path: file, dir: '/fuzz/project', config }, `/fuzz/project/${p}`);
    }
    return { ms: performance.now() - started };
  } catch (err) {
    return {
      ms: performance.now() - started,
      crash: err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 5).join('\n') : String(err),
    };
  }
}
