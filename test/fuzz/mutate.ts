import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The fuzzer's mutation engine: deterministic (a seed gives the same inputs on every machine), derived
 * from real code (the fixtures and scikit-learn's example scripts), and aimed at what an editor sends a
 * language server while code is being typed: half-written files, broken encodings, odd line endings,
 * pathological nesting and sizes.
 */

export type FuzzKind = 'python' | 'typescript' | 'notebook';

export interface Seed {
  name: string;
  kind: FuzzKind;
  text: string;
}

export interface FuzzInput {
  /** Stable name: `<index>-<mutation>-<seed file>`. */
  name: string;
  kind: FuzzKind;
  mutation: string;
  /** The bytes a file on disk would hold (may be invalid UTF-8). */
  bytes: Buffer;
}

const ROOT = path.join(__dirname, '..', '..');
export const EXAMPLES = path.join(ROOT, '.cache', 'sklearn-examples', 'examples');

/** Small, fast PRNG (mulberry32): deterministic across platforms. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

function walkFiles(dir: string, re: RegExp, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walkFiles(full, re, out);
    else if (re.test(name)) out.push(full);
  }
  return out;
}

/** The fixtures (Python, TypeScript, notebooks) and, when fetched, scikit-learn's example scripts. */
export function loadSeeds(options: { examples?: boolean } = {}): Seed[] {
  const seeds: Seed[] = [];
  const fixtures = path.join(ROOT, 'test', 'fixtures');
  for (const file of walkFiles(path.join(fixtures, 'python'), /\.(py|ipynb)$/)) {
    seeds.push({
      name: path.relative(fixtures, file),
      kind: file.endsWith('.ipynb') ? 'notebook' : 'python',
      text: readFileSync(file, 'utf8'),
    });
  }
  for (const file of walkFiles(path.join(fixtures, 'typescript'), /\.(ts|tsx|mts|cts)$/)) {
    if (file.endsWith('.d.ts')) continue;
    seeds.push({ name: path.relative(fixtures, file), kind: 'typescript', text: readFileSync(file, 'utf8') });
  }
  if (options.examples !== false) {
    for (const file of walkFiles(EXAMPLES, /\.py$/))
      seeds.push({
        name: `examples/${path.relative(EXAMPLES, file)}`,
        kind: 'python',
        text: readFileSync(file, 'utf8'),
      });
  }
  return seeds;
}

/** A notebook whose code cells are the given source split at blank lines (and a markdown cell or two). */
export function toNotebook(source: string, rng: Rng, copies = 1): string {
  const cells: unknown[] = [];
  for (let c = 0; c < copies; c++) {
    for (const chunk of source.split(/\n\s*\n/)) {
      if (rng.chance(0.1)) cells.push({ cell_type: 'markdown', metadata: {}, source: ['# notes\n'] });
      const lines = chunk.split('\n').map((l, i, a) => (i < a.length - 1 ? `${l}\n` : l));
      if (rng.chance(0.1)) lines.unshift('%matplotlib inline\n');
      cells.push({
        cell_type: 'code',
        execution_count: null,
        metadata: {},
        outputs: [],
        source: rng.chance(0.5) ? lines : lines.join(''),
      });
    }
  }
  return JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
}

type Mutator = (text: string, rng: Rng, seed: Seed, all: Seed[]) => { text?: string; bytes?: Buffer; kind?: FuzzKind };

const lines = (t: string) => t.split('\n');

function nesting(kind: FuzzKind, rng: Rng, depth: number): string {
  if (kind === 'typescript') {
    const open = rng.pick(['(', '[', '{', 'f(', 'new Pipeline([', '() => ', '{ a: ']);
    const close = { '(': ')', '[': ']', '{': '}', 'f(': ')', 'new Pipeline([': '])', '() => ': '', '{ a: ': '}' }[
      open
    ]!;
    return `const x = ${open.repeat(depth)}1${rng.chance(0.5) ? close.repeat(depth) : ''};\n`;
  }
  switch (rng.int(6)) {
    case 0:
      return `x = ${'('.repeat(depth)}1${rng.chance(0.5) ? ')'.repeat(depth) : ''}\n`;
    case 1:
      return `x = ${'['.repeat(depth)}${rng.chance(0.5) ? ']'.repeat(depth) : ''}\n`;
    case 2:
      return `f = ${'lambda x: '.repeat(depth)}x\n`;
    case 3:
      return `p = ${'Pipeline([("s", '.repeat(depth)}StandardScaler()${rng.chance(0.5) ? ')])'.repeat(depth) : ''}\n`;
    case 4: {
      // Deeply indented blocks (each level one more space; 1,000 levels already make 0.5 MB).
      const levels = Math.min(depth, 1000);
      let s = '';
      for (let i = 0; i < levels; i++) s += `${' '.repeat(i)}if x:\n`;
      return `${s}${' '.repeat(levels)}pass\n`;
    }
    default:
      return `y = ${'-'.repeat(depth)}1 + ${'a.'.repeat(depth)}b\n`;
  }
}

/** Each mutator is named; the name goes into the input's name and the figures. */
export const MUTATORS: Record<string, Mutator> = {
  cut: (t, rng) => ({ text: t.slice(0, rng.int(t.length + 1)) }),
  'cut-middle': (t, rng) => {
    const a = rng.int(t.length + 1);
    const b = a + rng.int(Math.min(400, t.length - a + 1));
    return { text: t.slice(0, a) + t.slice(b) };
  },
  'byte-flips': (t, rng) => {
    const b = Buffer.from(t, 'utf8');
    const n = 1 + rng.int(20);
    for (let i = 0; i < n && b.length > 0; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
    return { bytes: b };
  },
  'delete-lines': (t, rng) => {
    const ls = lines(t);
    const n = 1 + rng.int(Math.max(1, Math.floor(ls.length / 5)));
    for (let i = 0; i < n && ls.length > 0; i++) ls.splice(rng.int(ls.length), 1 + rng.int(3));
    return { text: ls.join('\n') };
  },
  'duplicate-lines': (t, rng) => {
    const ls = lines(t);
    const n = 1 + rng.int(10);
    for (let i = 0; i < n && ls.length > 0; i++) {
      const at = rng.int(ls.length);
      const len = 1 + rng.int(6);
      ls.splice(rng.int(ls.length + 1), 0, ...ls.slice(at, at + len));
    }
    return { text: ls.join('\n') };
  },
  'swap-lines': (t, rng) => {
    const ls = lines(t);
    for (let i = 0; i < 5 && ls.length > 1; i++) {
      const a = rng.int(ls.length);
      const b = rng.int(ls.length);
      [ls[a], ls[b]] = [ls[b], ls[a]];
    }
    return { text: ls.join('\n') };
  },
  splice: (t, rng, _seed, all) => {
    const other = rng.pick(all).text;
    const a = rng.int(other.length + 1);
    const chunk = other.slice(a, a + rng.int(2000));
    const at = rng.int(t.length + 1);
    return { text: t.slice(0, at) + chunk + t.slice(at) };
  },
  'deep-nesting': (t, rng, seed) => {
    const at = lineBoundary(t, rng);
    return { text: t.slice(0, at) + nesting(seed.kind, rng, 5000) + t.slice(at) };
  },
  'huge-line': (t, rng, seed) => {
    // A single line of 10 MB (above every size limit: the entry points must skip it) or of 4 MB (under
    // the CLI's limit: analysed): a long literal, a long expression, or a long call chain.
    const size = rng.pick([4_000_000, 10_000_000]);
    const unit = rng.pick(
      seed.kind === 'typescript'
        ? ['"aaaaaaaaaa" + ', 'x, ', '1+']
        : ['"aaaaaaaaaa" + ', 'x, ', '1+', 'a.', '(lambda: 0), '],
    );
    const body = unit.repeat(Math.ceil(size / unit.length));
    const line = seed.kind === 'typescript' ? `const big = [${body}0];\n` : `big = [${body}0]\n`;
    const at = lineBoundary(t, rng);
    return { text: t.slice(0, at) + line + t.slice(at) };
  },
  nul: (t, rng) => {
    let s = t;
    const n = 1 + rng.int(10);
    for (let i = 0; i < n; i++) {
      const at = rng.int(s.length + 1);
      s = s.slice(0, at) + '\0'.repeat(1 + rng.int(3)) + s.slice(at);
    }
    return { text: s };
  },
  bom: (t) => ({ text: `\ufeff${t}` }),
  crlf: (t) => ({ text: t.replace(/\n/g, '\r\n') }),
  'lone-cr': (t, rng) => ({
    text: rng.chance(0.5) ? t.replace(/\n/g, '\r') : t.replace(/\n/g, () => rng.pick(['\n', '\r', '\r\n'])),
  }),
  'mixed-tabs': (t, rng) => ({
    text: t.replace(/^( {4})+/gm, (m) =>
      rng.chance(0.5) ? m.replace(/ {4}/g, () => rng.pick(['\t', '    ', ' \t', '\t '])) : m,
    ),
  }),
  'invalid-utf8': (t, rng) => {
    const b = Buffer.from(t, 'utf8');
    const bad = [
      [0xff],
      [0xc3],
      [0xe2, 0x82],
      [0xed, 0xa0, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0x80],
      [0xc0, 0xaf],
    ];
    const parts: Buffer[] = [];
    let cursor = 0;
    const cuts = Array.from({ length: 1 + rng.int(5) }, () => rng.int(b.length + 1)).sort((x, y) => x - y);
    for (const c of cuts) {
      parts.push(b.subarray(cursor, c), Buffer.from(rng.pick(bad)));
      cursor = c;
    }
    parts.push(b.subarray(cursor));
    return { bytes: Buffer.concat(parts) };
  },
  unicode: (t, rng) => {
    // Astral characters, combining marks, RTL marks and lone surrogates in identifiers and strings.
    const chars = ['\u{1F600}', 'é', 'e\u0301', '\u202e', '\u200b', '\ud800', '\udfff', 'ß', '名前', '\u2028'];
    let s = t;
    for (let i = 0; i < 1 + rng.int(15); i++) {
      const at = rng.int(s.length + 1);
      s = s.slice(0, at) + rng.pick(chars) + s.slice(at);
    }
    return { text: s };
  },
  'token-soup': (t, rng, seed) => {
    const toks =
      seed.kind === 'typescript'
        ? ['(', ')', '{', '}', '=>', 'new ', 'Pipeline', ',', ';', '`${', '/*', '"', "'", 'async ', 'await ']
        : [
            '(',
            ')',
            ':',
            'lambda',
            'def ',
            'class ',
            '"""',
            "'",
            'f"{',
            '\\',
            ',',
            '=',
            '@',
            'async ',
            'yield ',
            '**',
            'joblib.dump(',
            'Pipeline([',
          ];
    let s = t;
    for (let i = 0; i < 1 + rng.int(30); i++) {
      const at = rng.int(s.length + 1);
      s = s.slice(0, at) + rng.pick(toks) + s.slice(at);
    }
    return { text: s };
  },
  'as-notebook': (t, rng, seed) =>
    seed.kind === 'typescript' ? { text: t } : { kind: 'notebook', text: toNotebook(t, rng) },
  'huge-notebook': (t, rng, seed) =>
    seed.kind === 'typescript'
      ? { text: t }
      : { kind: 'notebook', text: toNotebook(t, rng, Math.max(1, Math.floor(3_000_000 / Math.max(1, t.length)))) },
  'broken-notebook': (t, rng, seed) => {
    const nb = seed.kind === 'notebook' ? t : toNotebook(t, rng);
    const variants = [
      nb.slice(0, rng.int(nb.length)),
      nb.replace('"cells"', '"cellz"'),
      nb.replace(/"source": /, '"source": 42, "x": '),
      '{"cells": [null, 1, {"cell_type": "code", "source": [1, null]}]}',
      '[]',
      'null',
      '{"cells": {}}',
    ];
    return { kind: 'notebook', text: rng.pick(variants) };
  },
  empty: () => ({ text: '' }),
};

function lineBoundary(t: string, rng: Rng): number {
  const at = rng.int(t.length + 1);
  const nl = t.lastIndexOf('\n', at - 1);
  return nl + 1;
}

/** The mutations that make very large inputs, drawn less often. */
export const HEAVY = new Set(['huge-line', 'huge-notebook']);

/**
 * Input number `index` of the stream with this seed: deterministic and independent of the other inputs
 * (so a failure is reproduced from its name alone). Heavy mutations are drawn with `heavyRate`;
 * 1 in 4 inputs stacks a second mutation on the first.
 */
export function makeInput(seeds: Seed[], streamSeed: number, index: number, heavyRate = 0.01): FuzzInput {
  const rng = new Rng((streamSeed * 1_000_003 + index * 7919) >>> 0);
  const seed = rng.pick(seeds);
  const light = Object.keys(MUTATORS).filter((m) => !HEAVY.has(m));
  const first = rng.chance(heavyRate) ? rng.pick([...HEAVY]) : rng.pick(light);
  const names = [first];
  if (!HEAVY.has(first) && first !== 'empty' && rng.chance(0.25))
    names.push(rng.pick(light.filter((m) => !m.includes('notebook') && m !== 'empty')));
  let kind: FuzzKind = seed.kind;
  let text = seed.text;
  let bytes: Buffer | undefined;
  for (const m of names) {
    if (bytes) text = bytes.toString('utf8');
    const r = MUTATORS[m](text, rng, { ...seed, kind }, seeds);
    kind = r.kind ?? kind;
    bytes = r.bytes;
    text = r.text ?? text;
  }
  return {
    name: `${index}-${names.join('+')}-${seed.name.replace(/[\\/]/g, '_')}`,
    kind,
    mutation: names.join('+'),
    bytes: bytes ?? Buffer.from(text, 'utf8'),
  };
}

export function extensionOf(kind: FuzzKind): string {
  return kind === 'python' ? '.py' : kind === 'notebook' ? '.ipynb' : '.ts';
}

/**
 * The text an editor would hold for these bytes: invalid UTF-8 decoded with replacement characters,
 * a BOM removed as the CLI does.
 */
export function textOf(bytes: Buffer): string {
  const t = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
}
