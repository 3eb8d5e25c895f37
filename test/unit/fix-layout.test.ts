import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { fixText } from '../../server/src/cli/check';
import { Engine } from '../../server/src/analysis/engine';
import { applyEdits } from '../../server/src/fix/apply';
import { listFixtures } from '../helpers/fixtures';

/**
 * What the fixes write: PEP 8 spacing around the functions that SKL101/SKL102 extract or move (two blank
 * lines before and after a top-level def, E302/E305), and one seed constant per module shared by every SKL201
 * fix of a fix-all.
 */

/** Blank lines directly above `line` (comments right above a def belong to it). */
function blanksAbove(lines: string[], line: number): number {
  let l = line;
  while (l > 0 && /^#/.test(lines[l - 1])) l--;
  let k = 0;
  while (l - k - 1 >= 0 && lines[l - k - 1].trim() === '') k++;
  return l - k === 0 ? 2 : k; // the top of the file needs none
}

/** Blank lines after the block of the top-level def starting at `line` (2 when nothing follows). */
function blanksAfter(lines: string[], line: number): number {
  let end = line + 1;
  while (end < lines.length && (lines[end].trim() === '' || /^\s/.test(lines[end]))) end++;
  if (end >= lines.length) return 2;
  let k = 0;
  while (lines[end - 1 - k].trim() === '') k++;
  return k;
}

/** PEP 8 complaints about the top-level defs named `names` in `text`. */
function spacingProblems(text: string, names: string[]): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (const name of names) {
    const line = lines.findIndex((l) => l.startsWith(`def ${name}(`));
    if (line < 0) {
      out.push(`${name}: no top-level def`);
      continue;
    }
    if (blanksAbove(lines, line) !== 2) out.push(`${name}: ${blanksAbove(lines, line)} blank line(s) above (E302)`);
    if (blanksAfter(lines, line) !== 2)
      out.push(`${name}: ${blanksAfter(lines, line)} blank line(s) after (E305/E303)`);
  }
  return out;
}

describe('fix layout', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
  });

  test('every def extracted or moved by a fix-all of a fixture has two blank lines around it', () => {
    let checked = 0;
    for (const fx of listFixtures('python').filter((f) => f.name.endsWith('.py'))) {
      const findings = engine.analyze(fx.name, fx.text, 'python', {}).findings;
      const names = findings
        .filter((f) => (f.code === 'SKL101' || f.code === 'SKL102') && f.fix?.safety === 'safe')
        .map((f) => /`([A-Za-z_]\w*)`$/.exec(f.fix!.title)?.[1])
        .filter((n): n is string => n !== undefined);
      if (names.length === 0) continue;
      const fixed = fixText(engine, fx.name, fx.text, 'python', {});
      assert.deepEqual(spacingProblems(fixed.text, names), [], `${fx.name} after fix-all:\n${fixed.text}`);
      checked += names.length;
    }
    assert.ok(checked >= 8, `checked ${checked} defs`);
  });

  const script = (body: string) =>
    `"""Churn experiments."""\nimport numpy as np\nfrom sklearn.ensemble import RandomForestClassifier\nfrom sklearn.model_selection import KFold, train_test_split\nfrom sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import FunctionTransformer\n${body}`;
  const body = `
X = np.random.rand(60, 3)
y = (X[:, 0] > 0.5).astype(int)
X_train, X_test, y_train, y_test = train_test_split(X, y)
cv = KFold(3, shuffle=True)
model = make_pipeline(FunctionTransformer(lambda Z: Z * 2), RandomForestClassifier(n_estimators=5))


def tune():
    return RandomForestClassifier(max_depth=3)
`;

  test('fix-all adds one SEED constant after the imports and every SKL201 fix uses it', () => {
    const fixed = fixText(engine, 'a.py', script(body), 'python', {});
    assert.equal(fixed.text.match(/^SEED = 42$/gm)?.length, 1, fixed.text);
    assert.equal(fixed.text.match(/random_state=SEED/g)?.length, 4, fixed.text);
    assert.doesNotMatch(fixed.text, /random_state=42/);
    assert.deepEqual(
      fixed.findings.filter((f) => f.code === 'SKL201'),
      [],
    );
    // The constant sits right after the imports, before the extracted def, both PEP 8-spaced.
    assert.match(
      fixed.text,
      /import FunctionTransformer\n\nSEED = 42\n\n\ndef _func\(Z\):\n {4}return Z \* 2\n\n\nX = /,
    );
    assert.deepEqual(spacingProblems(fixed.text, ['_func', 'tune']), []);
  });

  test('one round of fix-all (all safe edits at once) still writes the constant once', () => {
    const text = script(body);
    const safe = engine.analyze('a.py', text, 'python', {}).findings.filter((f) => f.fix?.safety === 'safe');
    assert.ok(safe.filter((f) => f.code === 'SKL201').length >= 4);
    const once = applyEdits(
      text,
      safe.flatMap((f) => f.fix!.edits),
    ).text;
    assert.equal(once.match(/^SEED = 42$/gm)?.length, 1, once);
  });

  test("the configured seed is the constant's value; a single quick fix adds it too", () => {
    const fixed = fixText(engine, 'a.py', script(body), 'python', { settings: { seed: 7 } });
    assert.match(fixed.text, /^SEED = 7$/m);
    const one = engine.analyze('a.py', script(body), 'python', {}).findings.find((f) => f.code === 'SKL201')!;
    assert.match(one.fix!.title, /random_state=SEED.*`SEED = 42` after the imports/);
    assert.match(applyEdits(script(body), one.fix!.edits).text, /^SEED = 42$/m);
  });

  test("the module's own seed constant is reused, and nothing is added", () => {
    const fixed = fixText(engine, 'a.py', script(`RANDOM_STATE = 0\n${body}`), 'python', {});
    assert.doesNotMatch(fixed.text, /^SEED =/m);
    assert.equal(fixed.text.match(/random_state=RANDOM_STATE/g)?.length, 4);
  });

  test('the literal seed when SEED means something else; the constant is defined before its first use', () => {
    const taken = fixText(engine, 'a.py', script(`SEED = "v2"\n${body}`), 'python', {});
    assert.equal(taken.text.match(/random_state=42/g)?.length, 4, taken.text);
    // Imports that go on after the first code: the constant follows the leading import block, above every use.
    const late = `import numpy as np\nfrom sklearn.model_selection import train_test_split\nsplit = train_test_split(np.arange(10))\nfrom sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier()\n`;
    const fixed = fixText(engine, 'b.py', late, 'python', {}).text;
    assert.ok(
      fixed.indexOf('SEED = 42') >= 0 && fixed.indexOf('SEED = 42') < fixed.indexOf('random_state=SEED'),
      fixed,
    );
  });

  test('identical edits from several fixes are applied once; overlapping ones are still dropped', () => {
    const at = { line: 0, character: 0 };
    const edit = { range: { start: at, end: at }, newText: 'SEED = 1\n' };
    const r = applyEdits('x = 1\n', [
      edit,
      { ...edit },
      { range: { start: at, end: { line: 0, character: 1 } }, newText: 'y' },
    ]);
    assert.equal(r.text, 'SEED = 1\ny = 1\n');
  });
});
