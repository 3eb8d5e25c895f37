import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { loadPythonParser, lowerPythonText } from '../../server/src/python';
import { MAX_NESTING, nestingDepth } from '../../server/src/python/nesting';
import { listFixtures } from '../helpers/fixtures';

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
