import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { loadPythonParser, lowerPythonText } from '../../server/src/python';
import type { Expr } from '../../server/src/model/ir';

// The values of Python literals as the lowering gives them to the rules (file paths, step names, seeds).

let parser: Parser;
before(async () => {
  parser = await loadPythonParser();
});

/** The value assigned by each line of `text`. */
function values(text: string): Expr[] {
  const { module, tree } = lowerPythonText(parser, text, 'literals.py');
  tree.delete();
  return module.body.map((s) => {
    assert.equal(s.k, 'assign');
    return s.k === 'assign' ? s.value : (undefined as never);
  });
}

test('strings: escapes, raw and byte prefixes in any case, triple quotes, f-strings', () => {
  const got = values(
    [
      `a = 'tab\\there'`,
      `b = r'C:\\data\\new'`,
      `c = Rb'''\\x41'''`,
      `d = b"\\x41"`,
      `e = U"caf\\u00e9"`,
      `f = f"model_{seed}.pkl"`,
      `g = "joined" 'parts'`,
    ].join('\n') + '\n',
  );
  const str = (e: Expr) => (e.k === 'str' ? e.value : `not a string: ${e.k}`);
  assert.deepEqual(got.map(str), ['tab\there', 'C:\\data\\new', '\\x41', 'A', 'café', null, 'joinedparts']);
  const fstring = got[5];
  assert.ok(fstring.k === 'str' && fstring.parts);
  assert.deepEqual(
    fstring.parts.map((p) => (typeof p === 'string' ? p : p.k)),
    ['model_', 'name', '.pkl'],
  );
});

test('numbers: underscores, bases, floats', () => {
  const got = values('a = 1_000_000\nb = 0x_FF\nc = 42\nd = 1e-3\ne = 0.5\n');
  assert.deepEqual(
    got.map((e) => (e.k === 'num' ? [e.value, e.raw] : e.k)),
    [
      [1_000_000, '1_000_000'],
      [255, '0x_FF'],
      [42, '42'],
      [0.001, '1e-3'],
      [0.5, '0.5'],
    ],
  );
});
