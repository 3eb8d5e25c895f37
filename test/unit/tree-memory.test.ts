import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Node, Parser } from 'web-tree-sitter';
import { loadPythonParser, normalizeForTreeSitter } from '../../server/src/python';
import { Lowerer } from '../../server/src/python/lower';
import { agreesWithCalls, sameNode, setTreeMemory, treeMemory, type TreeMemory } from '../../server/src/python/memory';
import { listFixtures } from '../helpers/fixtures';

/**
 * The lowering reads node types, ends, children and fields from tree-sitter's memory (python/memory.ts): it
 * must agree with tree-sitter's own calls on every node, and the model must be the one the calls give.
 */
let parser: Parser;
let memory: TreeMemory;
before(async () => {
  parser = await loadPythonParser();
  const m = treeMemory();
  assert.ok(m, 'the memory reader passed its check against the calls at load');
  memory = m;
});

const TEXTS = (): [string, string][] => [
  ...listFixtures('python')
    .filter((f) => f.file.endsWith('.py'))
    .map((f): [string, string] => [f.name, f.text]),
  ['non-ASCII and CRLF', 'x = "é😀"\r\ny = f(x,\r\n  "😀")\r\n'],
  ['lone CR', 'a = 1\rb = g(a,\r c)\r'],
  ['long tokens', `s = "${'x'.repeat(2000)}"\n${'n'.repeat(600)} = s\n`],
  ['broken', 'def f(:\n  x = (1 +\n'],
];

test('types and ends read from memory equal the calls, on every node of every fixture', () => {
  let nodes = 0;
  for (const [name, text] of TEXTS()) {
    const tree = parser.parse(normalizeForTreeSitter(text))!;
    const stack: Node[] = [tree.rootNode];
    while (stack.length > 0) {
      const n = stack.pop()!;
      nodes++;
      assert.equal(memory.type(n), n.type, `${name}: type at ${n.startIndex}`);
      assert.equal(memory.endIndex(n), n.endIndex, `${name}: end of ${n.type} at ${n.startIndex}`);
      for (const c of n.children) if (c) stack.push(c);
    }
    tree.delete();
  }
  assert.ok(nodes > 10_000, `${nodes} nodes`);
});

test('children, named children and every field read from memory equal the calls, on every node of every fixture', () => {
  let nodes = 0;
  let withFields = 0;
  for (const [name, text] of TEXTS()) {
    const tree = parser.parse(normalizeForTreeSitter(text))!;
    const fields = tree.language.fields.map((_, i) => i);
    const stack: Node[] = [tree.rootNode];
    while (stack.length > 0) {
      const n = stack.pop()!;
      nodes++;
      if (!agreesWithCalls(memory, n, fields)) {
        // Say which part differs.
        assert.deepEqual(ids(memory.children(n)), ids(n.children), `${name}: children of ${n.type} at ${n.startIndex}`);
        assert.deepEqual(
          ids(memory.namedChildren(n)),
          ids(n.namedChildren),
          `${name}: named children at ${n.startIndex}`,
        );
        assert.ok(sameNode(memory.firstNamedChild(n), n.firstNamedChild), `${name}: first named at ${n.startIndex}`);
        for (const f of fields) {
          assert.deepEqual(ids([memory.childForFieldId(n, f)]), ids([n.childForFieldId(f)]), `${name}: field ${f}`);
          assert.deepEqual(ids(memory.childrenForFieldId(n, f)), ids(n.childrenForFieldId(f)), `${name}: fields ${f}`);
        }
        assert.fail(`${name}: ${n.type} at ${n.startIndex}`);
      }
      if (fields.some((f) => n.childForFieldId(f))) withFields++;
      for (const c of n.children) if (c) stack.push(c);
    }
    tree.delete();
  }
  assert.ok(nodes > 10_000 && withFields > 1_000, `${nodes} nodes, ${withFields} with fields`);
});

const ids = (ns: (Node | null)[]): string[] =>
  ns.map((c) =>
    c
      ? `${c.id}@${c.startIndex}:${c.startPosition.row}:${c.startPosition.column}/${(c as unknown as { 0: number })[0]}`
      : 'null',
  );

test('the lowering through memory equals the lowering through calls', () => {
  for (const [name, text] of TEXTS()) {
    const tree = parser.parse(normalizeForTreeSitter(text))!;
    const fast = JSON.stringify(new Lowerer(text, 'u').module(tree.rootNode));
    setTreeMemory(undefined);
    try {
      const calls = JSON.stringify(new Lowerer(text, 'u').module(tree.rootNode));
      assert.equal(fast, calls, name);
    } finally {
      setTreeMemory(memory);
      tree.delete();
    }
  }
});
