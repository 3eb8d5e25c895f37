import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Node, Parser } from 'web-tree-sitter';
import { loadPythonParser, lowerPythonText } from '../../server/src/python';
import { scanNesting } from '../../server/src/python/nesting';
import { codeRanges, parsePython } from '../../server/src/python/parser';
import { listFixtures } from '../helpers/fixtures';

// tree-sitter reads a Python text without its lines that hold only a comment (python/parser.ts, codeRanges).

const EXAMPLES = path.join(__dirname, '..', '..', '.cache', 'sklearn-examples', 'examples');

let parser: Parser;
before(async () => {
  parser = await loadPythonParser();
});

/** The comment runs of `text` as [first line, line after] pairs of row numbers. */
function commentRows(text: string): [number, number][] {
  const { comments } = scanNesting(text);
  const rows: [number, number][] = [];
  for (let k = 0; k < comments.length; k += 4) {
    // Offsets and rows agree: each run starts at the start of its row and ends at the start of the row after it.
    // (tree-sitter's rows: a lone CR is a line end too, as pipelint hands it the text, see normalizeForTreeSitter)
    const lines = text.replace(/\r(?!\n)/g, '\n').split('\n');
    const lineStart = (row: number) => lines.slice(0, row).join('\n').length + (row > 0 ? 1 : 0);
    assert.equal(comments[k], lineStart(comments[k + 1]), `start of ${JSON.stringify(text)}`);
    assert.equal(comments[k + 2], Math.min(lineStart(comments[k + 3]), text.length), `end of ${JSON.stringify(text)}`);
    rows.push([comments[k + 1], comments[k + 3]]);
  }
  return rows;
}

test('the lines left out: those holding only a comment, with the blank lines between them', () => {
  const cases: [string, string, [number, number][]][] = [
    ['a run of two, indented or not', 'x = 1\n# a\n    # b\ny = 2\n', [[1, 3]]],
    ['blank lines inside a run join it; before and after it they do not', 'x = 1\n\n# a\n\n# b\n\ny = 2\n', [[2, 5]]],
    [
      'at the start and at the end, without a final line break',
      '# a\nx = 1\n# b',
      [
        [0, 1],
        [2, 3],
      ],
    ],
    ['a comment after code stays', 'x = 1  # a\n', []],
    ['a line inside a triple-quoted string stays', 'x = """\n# not a comment\n"""\n# a\n', [[3, 4]]],
    ['a line inside an f-string stays', 'x = f"""{\n# a\ny}"""\n', []],
    ['a line after a backslash continuation stays', 'x = 1 + \\\n# a\n2\n', []],
    ['inside brackets', 'f(\n    # a\n    1,\n)\n', [[1, 2]]],
    ['CRLF and lone CR line ends', 'x = 1\r\n# a\r\n# b\ry = 2\r\n', [[1, 3]]],
    ['a string still open at the end: none', 'x = 1\n# a\ny = """\n', []],
    ['a NUL: none', 'x = "\0"\n# a\n', []],
  ];
  for (const [name, text, rows] of cases) assert.deepEqual(commentRows(text), rows, name);
});

test('the ranges read are the rest of the text, and none when nothing is left out or nothing else is left', () => {
  const text = '# head\nx = 1\n# a\n# b\ny = [1,\n  # c\n  2]';
  const ranges = codeRanges(scanNesting(text), text.length)!;
  assert.deepEqual(
    ranges.map((r) => [text.slice(r.startIndex, r.endIndex), r.startPosition, r.endPosition]),
    [
      ['x = 1\n', { row: 1, column: 0 }, { row: 2, column: 0 }],
      ['y = [1,\n', { row: 4, column: 0 }, { row: 5, column: 0 }],
      ['  2]', { row: 6, column: 0 }, { row: 6, column: 4 }],
    ],
  );
  assert.equal(codeRanges(scanNesting('x = 1\n'), 6), undefined);
  assert.equal(codeRanges(scanNesting('# only\n# comments\n'), 18), undefined);
});

/** Where a node's code ends: the end of its last child that is not a comment (or an empty token), all the way down. */
function codeEnd(n: Node): number {
  for (let i = n.childCount - 1; i >= 0; i--) {
    const c = n.child(i)!;
    if (c.type === 'comment' || (c.startIndex === c.endIndex && c.childCount === 0)) continue;
    return c.childCount > 0 ? codeEnd(c) : c.endIndex;
  }
  return n.endIndex;
}

/** Every node but comments, in order, with its type, start and the end of its code (the root's start is its first code's). */
function shape(root: Node): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'comment') continue;
    if (n !== root) out.push(`${n.type} ${n.startIndex}-${codeEnd(n)}${n.isMissing ? ' missing' : ''}`);
    for (let i = n.childCount - 1; i >= 0; i--) stack.push(n.child(i)!);
  }
  return out;
}

function sameParse(text: string, what: string): void {
  const whole = parser.parse(text)!;
  const without = parsePython(parser, text);
  try {
    const a = shape(whole.rootNode);
    const b = shape(without.rootNode);
    const at = a.findIndex((x, i) => x !== b[i]);
    assert.ok(at === -1 && a.length === b.length, `${what}: ${a[at]} read whole, ${b[at]} without comment lines`);
  } finally {
    whole.delete();
    without.delete();
  }
}

test('without its comment lines a file parses to the same tree but comments (fixtures, examples)', () => {
  for (const fx of listFixtures('python')) sameParse(fx.text, fx.name);
  if (existsSync(EXAMPLES))
    for (const file of readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py')))
      sameParse(readFileSync(path.join(EXAMPLES, file), 'utf8'), file);
});

test('comment lines put anywhere in valid code: strings, f-strings, brackets, continuations, blocks (seeded)', () => {
  const base = [
    'import numpy as np',
    'from sklearn.pipeline import make_pipeline',
    'DOC = """Text',
    'over lines',
    '"""',
    "RAW = r'''a\\",
    "b'''",
    'msg = f"""{np.pi:.2f}',
    '{ {"k": 1}["k"] }"""',
    'total = 1 + \\',
    '    2',
    'def fit(X, y=None):',
    '    if X is None:',
    '        return None',
    '    steps = [',
    '        ("scale", None),',
    '    ]',
    '    return make_pipeline(*steps)',
    'class Step:',
    '    def transform(self, X):',
    '        return X',
    'for i in range(3):',
    '    print(i)',
    '# """ it\'s a comment: its quotes open nothing',
    'y = 2',
  ];
  // Without quotes: put inside a string, such a line is the string's text and the code stays valid.
  const comments = ['# c', '    # indented', '        # deeper', '#', '#!'];
  let seed = 7;
  const random = (k: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  for (let round = 0; round < 300; round++) {
    const lines = [...base];
    for (let j = 0, count = 1 + random(6); j < count; j++)
      lines.splice(random(lines.length + 1), 0, comments[random(comments.length)]);
    const text = lines.join(random(2) ? '\n' : '\r\n') + (random(2) ? '\n' : '');
    sameParse(text, `round ${round}:\n${text}`);
  }
});

test('a compound statement ends at its last code, not at the comment lines after it (as in Python’s ast)', () => {
  const text = 'for i in range(3):\n    print(i)\n    # the end of the loop\nx = 1\n';
  const { module, tree } = lowerPythonText(parser, text, 'loop.py');
  tree.delete();
  assert.deepEqual(module.body[0].range.end, { line: 1, character: 12 });
  assert.equal(module.body.length, 2);
});

test('a string keeps its lines that start with #', () => {
  const text = 'QUERY = """\nselect 1\n# not a comment\n"""\n';
  const { module, tree } = lowerPythonText(parser, text, 'query.py');
  tree.delete();
  const stmt = module.body[0];
  assert.ok(stmt.k === 'assign' && stmt.value.k === 'str');
  assert.equal(stmt.value.value, '\nselect 1\n# not a comment\n');
});

test('a parse cancelled and resumed with the same ranges (the server parses a big file in slices) gives the same tree', () => {
  const lines = ['import numpy as np'];
  for (let i = 0; i < 3000; i++) {
    lines.push(`x_${i} = np.log1p(${i})`);
    if (i % 3 === 0) lines.push(`# comment ${i}`, `    # indented ${i}`);
    if (i % 100 === 0) lines.push('def f(X):', '    return X', '    # the end of f');
  }
  const text = lines.join('\n') + '\n';
  const includedRanges = codeRanges(scanNesting(text), text.length);
  assert.ok(includedRanges && includedRanges.length > 100);
  const whole = parser.parse(text, null, { includedRanges })!;
  let slices = 0;
  let calls = 0;
  // tree-sitter resumes a cancelled parse where it stopped: cancel at every 50th progress report.
  const resumed = () => parser.parse(text, null, { includedRanges, progressCallback: () => ++calls % 50 === 0 });
  let tree = resumed();
  for (; !tree; tree = resumed()) slices++;
  try {
    assert.ok(slices > 10, `${slices} slices`);
    assert.equal(tree.rootNode.toString(), whole.rootNode.toString());
    assert.equal(whole.rootNode.namedChildren.filter((c) => c?.type !== 'comment').length, 3000 + 1 + 30);
  } finally {
    tree.delete();
    whole.delete();
  }
});

test('at most 128 runs are left out, the longest (tree-sitter looks ranges up from the first at every token)', () => {
  // 300 runs of 1 to 3 comment lines, each after a line of code.
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    lines.push(`x_${i} = ${i}`);
    for (let j = 0; j <= i % 3; j++) lines.push(`# note ${i}.${j}`);
  }
  const text = lines.join('\n') + '\n';
  assert.equal(scanNesting(text).comments.length / 4, 300);
  const ranges = codeRanges(scanNesting(text), text.length)!;
  // 128 runs left out: the 100 of three lines, then the first 28 of two lines (the last run ends the text).
  assert.equal(ranges.length, 128);
  const skipped = ranges.map((r, i) => text.slice(r.endIndex, ranges[i + 1]?.startIndex ?? text.length));
  assert.equal(skipped.filter((s) => s.split('\n').length - 1 === 3).length, 100);
  assert.equal(skipped.filter((s) => s.split('\n').length - 1 === 2).length, 28);
  for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i].startIndex > ranges[i - 1].endIndex, 'in text order');
  sameParse(text, '300 runs');
});
