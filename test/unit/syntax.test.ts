import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { applyEdits } from '../../server/src/fix/apply';
import { canonicalOf, syntaxOf } from '../../server/src/fix/syntax';
import type { CallExpr } from '../../server/src/model/calls';
import { walkExpr, type Expr, type ModuleIR } from '../../server/src/model/ir';
import { loadPythonParser, lowerPythonText } from '../../server/src/python';
import { pythonSyntax } from '../../server/src/python/syntax';
import { lowerTypeScript } from '../../server/src/typescript';
import { typescriptSyntax } from '../../server/src/typescript/syntax';

// The printers of the two front ends (model/syntax.ts): rules write source text through them.

let parser: Parser;
before(async () => {
  parser = await loadPythonParser();
});

function firstCall(m: ModuleIR): CallExpr {
  let found: CallExpr | undefined;
  const visit = (e: Expr) => {
    if (!found && e.k === 'call') found = e;
  };
  for (const s of m.body) {
    if (s.k === 'assign') walkExpr(s.value, visit);
    else if (s.k === 'expr') walkExpr(s.expr, visit);
  }
  assert.ok(found, 'a call');
  return found;
}

function withKeyword(m: ModuleIR, name: string, value: string): string | null {
  const edit = syntaxOf(m.language).insertKeywordArgument(m, firstCall(m), name, value);
  return edit ? applyEdits(m.text, [edit]).text : null;
}

test('syntaxOf / canonicalOf pick the printer of the module language', () => {
  assert.equal(syntaxOf('python'), pythonSyntax);
  assert.equal(syntaxOf('typescript'), typescriptSyntax);
  assert.equal(canonicalOf('python')('fitTransform'), 'fitTransform');
  assert.equal(canonicalOf('typescript')('fitTransform'), 'fit_transform');
});

test('literals and keyword arguments are written in the language', () => {
  assert.deepEqual(
    ['saga', true, false, null, 3].map((v) => pythonSyntax.literal(v)),
    ["'saga'", 'True', 'False', 'None', '3'],
  );
  assert.deepEqual(
    ['saga', true, false, null, 3].map((v) => typescriptSyntax.literal(v)),
    ["'saga'", 'true', 'false', 'null', '3'],
  );
  assert.equal(pythonSyntax.keywordArgument('random_state', '42'), 'random_state=42');
  assert.equal(typescriptSyntax.keywordArgument('randomState', '42'), 'randomState: 42');
  assert.equal(pythonSyntax.options, 'keywords');
  assert.equal(typescriptSyntax.options, 'options-object');
  assert.equal(pythonSyntax.moduleConstant('SEED', '42'), 'SEED = 42');
  assert.equal(typescriptSyntax.moduleConstant('SEED', '42'), null);
});

test('a keyword argument is inserted as a keyword (Python) or an options property (TypeScript)', () => {
  const py = (text: string) => lowerPythonText(parser, text, 'file:///t.py').module;
  assert.equal(withKeyword(py('m = KMeans(3)\n'), 'random_state', '0'), 'm = KMeans(3, random_state=0)\n');
  assert.equal(withKeyword(py('m = KMeans()\n'), 'random_state', '0'), 'm = KMeans(random_state=0)\n');
  assert.equal(
    withKeyword(py('m = KMeans(\n    3,\n)\n'), 'random_state', '0'),
    'm = KMeans(\n    3,\n    random_state=0,\n)\n',
  );
  const ts = (text: string) => lowerTypeScript(text, 'file:///t.ts');
  assert.equal(
    withKeyword(ts('const m = new KMeans();\n'), 'randomState', '0'),
    'const m = new KMeans({ randomState: 0 });\n',
  );
  assert.equal(
    withKeyword(ts('const m = new KMeans({ nClusters: 3 });\n'), 'randomState', '0'),
    'const m = new KMeans({ nClusters: 3, randomState: 0 });\n',
  );
  // Options that are not an object literal: no guess.
  assert.equal(withKeyword(ts('const m = new KMeans(opts);\n'), 'randomState', '0'), null);
});

test('dict keys: a string key is a property name in both languages, an identifier key only in TypeScript', () => {
  const py = lowerPythonText(parser, "d = {'a': 1, b: 2}\n", 'file:///t.py').module;
  const ts = lowerTypeScript("const d = { 'a': 1, b: 2 };\n", 'file:///t.ts');
  const keys = (m: ModuleIR) => {
    const s = m.body[0];
    assert.ok(s.k === 'assign' && s.value.k === 'dict');
    return s.value.entries.map((en) => (en.key ? syntaxOf(m.language).propertyName(en.key) : undefined));
  };
  assert.deepEqual(keys(py), ['a', undefined]);
  assert.deepEqual(keys(ts), ['a', 'b']);
});

test('a lambda is extracted into a def (Python); scikit.js offers no extraction', () => {
  assert.equal(
    pythonSyntax.extractFunction('square', 'lambda X, p=2: X ** p', 'X ** p', '\n'),
    'def square(X, p=2):\n    return X ** p',
  );
  assert.equal(
    pythonSyntax.extractFunction('pick', "lambda d={'a': 1}: d['a']", "d['a']", '\n'),
    "def pick(d={'a': 1}):\n    return d['a']",
  );
  assert.equal(
    pythonSyntax.extractFunction('f', 'lambda x: (\n  x + 1)', '(\n  x + 1)', '\n'),
    'def f(x):\n    return ((\n  x + 1))',
  );
  assert.equal(typescriptSyntax.extractFunction('f', '(x) => x + 1', 'x + 1', '\n'), null);
});

test('canonical: scikit.js camelCase names are the scikit-learn concepts', () => {
  const c = canonicalOf('typescript');
  assert.deepEqual(
    ['fit', 'partialFit', 'fitTransform', 'predictProba', 'inverseTransform', 'setParams', 'fitResample'].map(c),
    ['fit', 'partial_fit', 'fit_transform', 'predict_proba', 'inverse_transform', 'set_params', 'fit_resample'],
  );
  assert.deepEqual(['makePipeline', 'makeColumnTransformer', 'Pipeline', 'KMeans'].map(c), [
    'make_pipeline',
    'make_column_transformer',
    'Pipeline',
    'KMeans',
  ]);
});
