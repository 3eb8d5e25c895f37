import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { resolvePolicy } from '../../server/src/config';
import { Engine } from '../../server/src/analysis/engine';
import { applyEdits } from '../../server/src/fix/apply';
import type { Finding } from '../../server/src/model/finding';
import {
  applySuppressions,
  directiveCodeAt,
  parseDirectives,
  pythonComments,
  suppressLineEdit,
  unusedSuppressions,
} from '../../server/src/config/suppression';

const finding = (code: string, line: number): Finding => ({
  uri: 'x',
  code,
  name: code,
  severity: 'warning',
  message: 'm',
  range: { start: { line, character: 4 }, end: { line, character: 9 } },
  fix: null,
  related: [],
});

function kept(text: string, language: 'python' | 'typescript', findings: Finding[]): string[] {
  return applySuppressions(findings, parseDirectives(text, language)).kept.map(
    (f) => `${f.range.start.line}:${f.code}`,
  );
}

describe('suppression: Python', () => {
  test('# noqa: CODE suppresses that code on its line only', () => {
    const text = 'a = f()  # noqa: SKL101\nb = f()\n';
    assert.deepEqual(kept(text, 'python', [finding('SKL101', 0), finding('SKL102', 0), finding('SKL101', 1)]), [
      '0:SKL102',
      '1:SKL101',
    ]);
  });
  test('several codes, commas or spaces, a reason after them', () => {
    const text = 'a = f()  # noqa: SKL101,SKL102 SKL103 reviewed by ana\n';
    assert.deepEqual(
      kept(text, 'python', [finding('SKL101', 0), finding('SKL102', 0), finding('SKL103', 0), finding('SKL201', 0)]),
      ['0:SKL201'],
    );
  });
  test('bare # noqa suppresses everything on the line; case-insensitive; after another comment', () => {
    assert.deepEqual(kept('a = f()  # NOQA\n', 'python', [finding('SKL101', 0), finding('SKL201', 0)]), []);
    assert.deepEqual(kept('a = f()  # type: ignore  # noqa: SKL201\n', 'python', [finding('SKL201', 0)]), []);
  });
  test('# pipelint: disable-file=CODES anywhere in the file; bare disable-file suppresses all', () => {
    const text = 'import x\n# pipelint: disable-file=SKL201, SKL301\na = 1\n';
    assert.deepEqual(kept(text, 'python', [finding('SKL201', 2), finding('SKL301', 0), finding('SKL101', 2)]), [
      '2:SKL101',
    ]);
    assert.deepEqual(kept('# pipelint: disable-file\n', 'python', [finding('SKL201', 5)]), []);
  });
  test('a noqa inside a string is not a directive', () => {
    const text = 's = "# noqa: SKL101"\nt = """\n# noqa\n"""\n';
    assert.deepEqual(kept(text, 'python', [finding('SKL101', 0), finding('SKL101', 2)]), ['0:SKL101', '2:SKL101']);
  });
  test('`# noqa:` without codes suppresses nothing', () => {
    assert.deepEqual(kept('a = f()  # noqa: lambda is fine\n', 'python', [finding('SKL101', 0)]), ['0:SKL101']);
  });
});

describe('suppression: TypeScript', () => {
  test('// pipelint-disable-next-line CODE', () => {
    const text =
      'const a = 1;\n  // pipelint-disable-next-line SKL201\n  const k = new KMeans();\nconst j = new KMeans();\n';
    assert.deepEqual(kept(text, 'typescript', [finding('SKL201', 2), finding('SKL201', 3), finding('SKL101', 2)]), [
      '3:SKL201',
      '2:SKL101',
    ]);
  });
  test('bare next-line, same-line and file directives; block comments', () => {
    assert.deepEqual(
      kept('// pipelint-disable-next-line\nx();\n', 'typescript', [finding('SKL201', 1), finding('SKL101', 1)]),
      [],
    );
    assert.deepEqual(
      kept('x(); // pipelint-disable-line SKL101 -- reviewed\n', 'typescript', [finding('SKL101', 0)]),
      [],
    );
    assert.deepEqual(
      kept('/* pipelint-disable-file SKL101 */\nx();\ny();\n', 'typescript', [
        finding('SKL101', 1),
        finding('SKL201', 2),
      ]),
      ['2:SKL201'],
    );
  });
  test('directives inside strings and templates are ignored', () => {
    const text =
      'const s = "// pipelint-disable-next-line";\nx();\nconst t = `${a} // pipelint-disable-next-line`;\ny();\n';
    assert.deepEqual(kept(text, 'typescript', [finding('SKL201', 1), finding('SKL201', 3)]), ['1:SKL201', '3:SKL201']);
  });
});

describe('suppression: unused directives (--report-unused-noqa)', () => {
  test('reports unused and unknown codes, with a safe fix that removes them', () => {
    const text = 'a = f()  # noqa: SKL101, SKL999\nb = 2  # noqa\nc = 3\n';
    const directives = parseDirectives(text, 'python');
    const { used } = applySuppressions([finding('SKL101', 0)], directives);
    const unused = unusedSuppressions(text, 'x.py', directives, used, () => true);
    // A bare `# noqa` may serve flake8 or Ruff: not pipelint's to report or remove.
    assert.deepEqual(
      unused.map((f) => `${f.range.start.line}:${f.code}:${f.message}`),
      ['0:SKL001:unused `noqa` directive: SKL999 (unknown rule)'],
    );
    const fixed = applyEdits(
      text,
      unused.flatMap((f) => f.fix!.edits),
    ).text;
    assert.equal(fixed, 'a = f()  # noqa: SKL101\nb = 2  # noqa\nc = 3\n');
  });
  test("other linters' codes are neither reported nor removed; a reason after the codes stays a comment", () => {
    const text =
      'import os  # noqa: F401\nz = 3  # noqa: SKL102 because reasons\nw = 5  # noqa: E501, SKL101\n# pipelint: disable-file\nq = 1  # noqa: lambda is fine\n';
    const directives = parseDirectives(text, 'python');
    const unused = unusedSuppressions(text, 'x.py', directives, applySuppressions([], directives).used, () => true);
    assert.deepEqual(
      unused.map((f) => `${f.range.start.line}:${f.message}:${f.fix ? 'fix' : 'no fix'}`),
      [
        '1:unused `noqa` directive: SKL102:fix',
        '2:unused `noqa` directive: SKL101:fix',
        '3:unused blanket `disable-file` directive:fix',
        '4:`noqa` directive without rule codes suppresses nothing (expected e.g. "SKL101"):no fix',
      ],
    );
    assert.equal(
      applyEdits(
        text,
        unused.flatMap((f) => f.fix?.edits ?? []),
      ).text,
      'import os  # noqa: F401\nz = 3  # because reasons\nw = 5  # noqa: E501\nq = 1  # noqa: lambda is fine\n',
    );
  });
  test('a TypeScript directive alone on its line is removed with its line', () => {
    const text = 'x();\n// pipelint-disable-next-line SKL201\ny();\n';
    const directives = parseDirectives(text, 'typescript');
    const unused = unusedSuppressions(text, 'x.ts', directives, applySuppressions([], directives).used, () => true);
    assert.equal(applyEdits(text, unused[0].fix!.edits).text, 'x();\ny();\n');
  });
  test('codes of rules that did not run are "not enabled"', () => {
    const policy = resolvePolicy({ cli: { ignore: ['SKL102'] } });
    const out = policy.finish([], 'a = 1  # noqa: SKL102\n', 'python', { reportUnused: true, uri: 'a.py' }).findings;
    assert.equal(out[0].message, 'unused `noqa` directive: SKL102 (not enabled)');
  });
});

describe('suppression: editor helpers', () => {
  test('suppress on this line (Python): append, extend, or put before an existing comment', () => {
    const apply = (text: string, line: number, code: string) => {
      const e = suppressLineEdit(text, 'python', line, code);
      return e ? applyEdits(text, [e]).text : undefined;
    };
    assert.equal(apply('a = f(lambda x: x)   \n', 0, 'SKL101'), 'a = f(lambda x: x)  # noqa: SKL101\n');
    assert.equal(apply('a = f()  # noqa: SKL101\n', 0, 'SKL201'), 'a = f()  # noqa: SKL101, SKL201\n');
    assert.equal(apply('a = f()  # noqa\n', 0, 'SKL201'), undefined);
    assert.equal(apply('a = f()  # the model\n', 0, 'SKL201'), 'a = f()  # noqa: SKL201  # the model\n');
    assert.equal(apply('s = """abc\ndef"""\n', 0, 'SKL201'), undefined, 'inside a string');
    assert.equal(apply('a = f() + \\\n  1\n', 0, 'SKL201'), undefined, 'line continuation');
  });
  test('suppress on this line (TypeScript): a directive above, indented like the line', () => {
    const text = 'function f() {\n    const k = new KMeans({ nClusters: 3 });\n}\n';
    const e = suppressLineEdit(text, 'typescript', 1, 'SKL201')!;
    const once = applyEdits(text, [e]).text;
    assert.equal(
      once,
      'function f() {\n    // pipelint-disable-next-line SKL201\n    const k = new KMeans({ nClusters: 3 });\n}\n',
    );
    const twice = applyEdits(once, [suppressLineEdit(once, 'typescript', 2, 'SKL101')!]).text;
    assert.match(twice, /pipelint-disable-next-line SKL201 SKL101\n/);
  });
  test('hover: the code under the cursor in a directive', () => {
    const d = parseDirectives('a = 1  # noqa: SKL101, SKL2O1\n', 'python');
    assert.equal(directiveCodeAt(d, { line: 0, character: 17 })?.code, 'SKL101');
    assert.equal(directiveCodeAt(d, { line: 0, character: 25 })?.code, 'SKL2O1');
    assert.equal(directiveCodeAt(d, { line: 0, character: 2 }), undefined);
  });
});

describe('suppression: end to end through the policy', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
  });
  test('a real finding is suppressed by # noqa and comes back without it', () => {
    const src = (comment: string) =>
      `from sklearn.preprocessing import FunctionTransformer\nft = FunctionTransformer(lambda x: x + 1)${comment}\n`;
    const policy = resolvePolicy({});
    const run = (text: string) =>
      policy
        .finish(engine.analyze('a.py', text, 'python', policy.analyzeOptions()).findings, text, 'python')
        .findings.map((f) => f.code);
    assert.deepEqual(run(src('')), ['SKL101']);
    assert.deepEqual(run(src('  # noqa: SKL101')), []);
    assert.deepEqual(run(src('  # noqa: SKL102')), ['SKL101']);
  });
});

test('Python comments: strings of every kind are skipped, an unterminated one ends at its line (or the file)', () => {
  const text = [
    'a = "# not" # one',
    "b = '\\'# x' # two",
    'c = """',
    '# inside """ # three',
    "d = '''a\\'''b''' # four",
    "e = 'open # five",
    '# six\r# seven',
    'f = """never closed # no',
  ].join('\n');
  const strings: { start: number; end: number }[] = [];
  const comments = pythonComments(text, strings).map((c) => text.slice(c.start, c.end));
  assert.deepEqual(comments, ['# one', '# two', '# three', '# four', '# six', '# seven']);
  assert.deepEqual(
    strings.map((s) => text.slice(s.start, s.end)),
    ['"# not"', "'\\'# x'", '"""\n# inside """', "'''a\\'''b'''", "'open # five", '"""never closed # no'],
  );
  // A file without `noqa` or `pipelint` holds no directive; one with them only in strings neither.
  assert.deepEqual(parseDirectives('x = 1  # fine\n', 'python'), []);
  assert.deepEqual(parseDirectives('s = "# noqa"\n', 'python'), []);
  assert.equal(parseDirectives('s = "x"  # NoQA: skl101\n', 'python').length, 1);
});
