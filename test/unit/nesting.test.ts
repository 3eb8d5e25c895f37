import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { loadPythonParser, lowerPythonText } from '../../server/src/python';
import { MAX_NESTING, nestingDepth } from '../../server/src/python/nesting';
import { listFixtures } from '../helpers/fixtures';
import { referenceNestingDepth } from '../helpers/nestingReference';

const EXAMPLES = path.join(__dirname, '..', '..', '.cache', 'sklearn-examples', 'examples');

let parser: Parser;
before(async () => {
  parser = await loadPythonParser();
});

const DEEP: Record<string, string> = {
  brackets: `x = ${'('.repeat(5000)}1${')'.repeat(5000)}\n`,
  lambdas: `f = ${'lambda x: '.repeat(5000)}x\n`,
  steps: `p = ${'Pipeline([("s", '.repeat(5000)}StandardScaler()\n`,
  unary: `y = ${'-'.repeat(5000)}1\n`,
  attributes: `z = ${'a.'.repeat(5000)}b\n`,
  indentation: Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('') + `${' '.repeat(1000)}pass\n`,
};

test('pathological nesting is recognised, and not parsed', () => {
  for (const [name, text] of Object.entries(DEEP)) {
    assert.ok(nestingDepth(text) > MAX_NESTING, name);
    const { module, tree } = lowerPythonText(parser, text, `${name}.py`);
    assert.equal(module.body.length, 0, name);
    assert.ok(module.hasErrors, `${name}: marked as not analysed`);
    tree.delete();
  }
});

test('real code is far below the bound: every fixture and a 300-deep but legal file', () => {
  for (const fx of listFixtures('python'))
    assert.ok(nestingDepth(fx.text) < 40, `${fx.name}: ${nestingDepth(fx.text)}`);
  const legal = `x = ${'('.repeat(150)}1${')'.repeat(150)}\n`;
  assert.ok(nestingDepth(legal) <= MAX_NESTING);
  const { module, tree } = lowerPythonText(parser, legal, 'legal.py');
  assert.equal(module.body.length, 1);
  tree.delete();
  assert.ok(nestingDepth(readFileSync(__filename, 'utf8')) < MAX_NESTING);
});

test('the estimate carries brackets and strings from line to line (exact values)', () => {
  const cases: [string, string, number][] = [
    ['brackets carried over lines', 'x = f(\n    [\n        {1: (2,\n', 6],
    ['a triple-quoted string over lines hides its brackets', 'x = ("""((((\n((((\n""", [1])\n', 2],
    ['an f-string counts the brackets of its fields', 'x = f"{a[(1)]}" + f"""{\n(b)}"""\n', 4],
    ['an escaped newline continues a one-line string', "x = ('((\\\n((' , [2])\n", 2],
    ['CRLF and lone CR end lines', 'if a:\r\n    b = [(\r\n        1)]\r  c = -~-1\r\n', 4],
    [
      'comments hide brackets; lambdas, unary runs and attribute chains add up',
      'y = lambda a: lambda b: - - -a.b.c.d  # ((((\n',
      8,
    ],
    ['a string still open at the end is counted as code', 'x = """((((\n', 4],
    ['NUL: everything counts', 'x = "((\0((" # [[\n', 6],
    ['tabs', '\tif a:\n\t\tif b:\n\t \t  c = ((1))\n', 5],
  ];
  for (const [name, text, depth] of cases) assert.equal(nestingDepth(text), depth, name);
});

test('the scan that skips runs with regular expressions equals the character scan (fixtures, examples, random text)', () => {
  const same = (text: string, what: string) => {
    for (const skipStrings of [true, false])
      assert.equal(nestingDepth(text, skipStrings), referenceNestingDepth(text, skipStrings), `${what} ${skipStrings}`);
  };
  for (const fx of [...listFixtures('python'), ...listFixtures('typescript')]) same(fx.text, fx.name);
  if (existsSync(EXAMPLES))
    for (const file of readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py')))
      same(readFileSync(path.join(EXAMPLES, file), 'utf8'), file);
  for (const [name, text] of Object.entries(DEEP)) same(text, name);
  // Random texts over every character and token the scan tells apart (seeded: a failure replays).
  const pieces = [
    ...Array.from('()[]{}"\'#\\ \t.,;=-+~!lafrtubFRB_1:*é\0'),
    '\n',
    '\r',
    '\r\n',
    'lambda',
    'lambd',
    '"""',
    "'''",
    'f"',
    "rb'",
  ];
  let seed = 18;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  for (let k = 0; k < 30_000; k++) {
    let text = '';
    for (let j = 1 + Math.floor(random() * 60); j > 0; j--) text += pieces[Math.floor(random() * pieces.length)];
    same(text, JSON.stringify(text));
  }
});
