import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { analyzeModule, irNodeCount } from '../../server/src/analysis/analyze';
import { AnalysisBudgetError } from '../../server/src/model/budget';
import type { Rule } from '../../server/src/rules/rule';
import { semanticsOf } from '../../server/src/model/semantics';
import { loadPythonParser, lowerPythonText } from '../../server/src/python';
import { frontEndsFor, lowerSource } from '../../server/src/analysis/lower';
import { lambdasScript, pipelinesScript } from '../../bench/bigfiles';

const ROOT = path.join(__dirname, '..', '..');

// Issue 16 item 7: a file of 20,000 lambdas took 111 s, quadratic in Semantics.captures (each call scanned
// every function of the module for the ones nested in it). The work is counted, not timed: the functions
// `captures` examines must grow like the number of lambdas.
let parser: Parser;
before(async () => {
  parser = await loadPythonParser();
});

function captureWork(text: string): { work: number; findings: number } {
  const { module, tree } = lowerPythonText(parser, text, 'file:///big/lambdas.py');
  tree.delete();
  const findings = analyzeModule(module).filter((f) => f.code === 'SKL101').length;
  return { work: semanticsOf(module).work.captureFunctions, findings };
}

test('capture analysis of n lambdas examines O(n) functions, not O(n^2)', () => {
  const small = captureWork(lambdasScript(200));
  const large = captureWork(lambdasScript(800));
  // Every lambda is reported (and its fix asks for its captures): the work was done, not skipped.
  assert.equal(small.findings, 200);
  assert.equal(large.findings, 800);
  assert.ok(small.work >= 200, `captures examined ${small.work} functions for 200 lambdas`);
  // Four times the lambdas: about four times the work (quadratic was sixteen times).
  const ratio = large.work / small.work;
  assert.ok(ratio < 5, `work grew ${ratio.toFixed(1)}x for 4x the lambdas (${small.work} -> ${large.work})`);
});

test('captures of a function still include those of the functions nested in it', () => {
  const text = [
    'from sklearn.preprocessing import FunctionTransformer',
    'def build(scale, shift):',
    '    def inner(X):',
    '        return (lambda Z: Z * scale)(X) + shift',
    '    return FunctionTransformer(inner)',
    '',
  ].join('\n');
  const { module, tree } = lowerPythonText(parser, text, 'file:///big/nested.py');
  tree.delete();
  const sem = semanticsOf(module);
  const inner = module.functions.find((f) => f.name === 'inner')!;
  const lambda = module.functions.find((f) => f.kind === 'lambda')!;
  assert.deepEqual(
    sem.captures(inner.id).map((b) => b.name),
    ['shift', 'scale'],
  );
  assert.deepEqual(
    sem.captures(lambda.id).map((b) => b.name),
    ['scale'],
  );
});

// The analysis budget (server/src/model/budget.ts): over it, a file is reported and skipped. No clock: a
// budget already spent, and a model-size limit below the file's size.
describe('analysis budget', () => {
  const SKL201 = readFileSync(path.join(ROOT, 'test', 'fixtures', 'python', 'SKL201.py'), 'utf8');
  const lower = (text: string) => {
    const { module, tree } = lowerPythonText(parser, text, 'file:///budget/x.py');
    tree.delete();
    return module;
  };

  test('a rule that never returns is stopped inside, at a name lookup, and is not logged as a failed rule', () => {
    const module = lower(SKL201);
    const logged: string[] = [];
    let lookups = 0;
    const endless: Rule = {
      meta: {
        code: 'SKL999',
        name: 'endless',
        summary: '',
        defaultSeverity: 'warning',
        fix: 'none',
        languages: ['python'],
      },
      check(ctx) {
        for (;;) {
          ctx.sem.lookup('X', null, { line: 1e9, character: 0 });
          lookups++;
        }
      },
    };
    // 300 ms of CPU: far more than Semantics of this file takes, so the rule starts and is stopped in its loop.
    assert.throws(
      () => analyzeModule(module, { rules: [endless], budgetMs: 300, log: (m) => logged.push(m) }),
      (err) => err instanceof AnalysisBudgetError && err.message === 'too slow to analyse (over 0.3 s of CPU), skipped',
    );
    assert.ok(lookups > 0, `stopped after ${lookups} lookups`);
    assert.deepEqual(logged, []);
  });

  test('a model above the node limit is not analysed; within it, it is', () => {
    const module = lower(SKL201);
    const nodes = irNodeCount(module);
    assert.ok(nodes > 100, `${nodes} nodes`);
    assert.throws(() => analyzeModule(module, { maxIrNodes: nodes - 1 }), {
      message: `too large to analyse (over ${(nodes - 1).toLocaleString('en-US')} model nodes), skipped`,
    });
    assert.ok(analyzeModule(module, { maxIrNodes: nodes }).some((f) => f.code === 'SKL201'));
  });

  // The analysis counts the model only when the parse's syntax nodes (ModuleIR.nodeBound) pass the limit: the
  // bound must hold for every construct, the ones that lower one syntax node to one model node included.
  test("the parse's syntax nodes bound the model's nodes, for every construct and every Python fixture", () => {
    const constructs = [
      '...\n1\nx\n',
      'f = lambda: lambda: lambda: 0\nlambda: 0\nx = lambda a=lambda b=lambda: 0: 0: 0\n',
      'not not -~+x\na < b < c\na = b = c = d\na, (b, c) = d\nx += 1\nx[a] **= 2\n',
      "print(*a, **k)\nx = 'a' 'b' f'{c!r:>{w}}'\nx = a if b else c\nx = a[1:2:3, ::, ...]\nx = *a, *b\n",
      'import a.b.c as d\nfrom . import *\nfrom x import (a, b as c)\n',
      '@d\n@(lambda f: f)\ndef f[T](a, b=1, *c, d=2, **e) -> T:\n    global g\n    del x\n    assert y, z\n    return\n',
      'class A(B, metaclass=M):\n    x: int = 1\n    y: int\n    def m(self): pass\ntype X = int\n',
      'x = [a for a in b if c for d in e]\ny = {k: v for k, v in z}\nz = (a for a in b)\nw = {**a, "b": {c}}\n',
      'async def f():\n    await x\n    async for a in b: pass\n    async with c as d: pass\n    yield from f\n',
      'if (n := len(a)) > 10: pass\nmatch x:\n    case [a, *b]: pass\n    case {"k": v}: pass\n    case A(b=c): pass\n',
      'try:\n    pass\nexcept (A, B) as e:\n    raise C from e\nelse:\n    pass\nfinally:\n    pass\n',
      'with a as (b, c), d as e: pass\nfor a, (b, c) in d:\n    continue\nelse:\n    break\nwhile x: pass\n',
      'def (\nx = = 1\n)]}\nclass :\nprint >>f, x\nexec "x"\na;b;c\n',
    ];
    const dir = path.join(ROOT, 'test', 'fixtures', 'python');
    const fixtures = readdirSync(dir).filter((f) => f.endsWith('.py'));
    assert.ok(fixtures.length > 50, `${fixtures.length} fixtures`);
    for (const text of [...constructs, ...fixtures.map((f) => readFileSync(path.join(dir, f), 'utf8'))]) {
      const module = lower(text);
      assert.ok(module.nodeBound !== undefined);
      const nodes = irNodeCount(module);
      assert.ok(nodes <= module.nodeBound, `${nodes} model nodes, bound ${module.nodeBound}:\n${text.slice(0, 200)}`);
    }
  });

  test("a notebook's bound counts every cell, the ones lowered once for two cells too", () => {
    const cell = (source: string) => ({ cell_type: 'code', metadata: {}, outputs: [], source });
    const json = JSON.stringify({
      // `...` is one model node per syntax node: a cell's bound is one node above its count.
      cells: [cell('x = lambda: 0\n'), cell('...\n...\n...\n'), cell('...\n...\n...\n'), cell('...\n...\n...\n')],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    });
    const { module } = lowerSource(frontEndsFor(parser), 'file:///budget/x.ipynb', json, 'notebook');
    const nodes = irNodeCount(module);
    assert.ok(nodes <= module.nodeBound!, `${nodes} model nodes, bound ${module.nodeBound}`);
  });

  test('a model whose bound passes the limit is counted: over it, skipped; under it, analysed', () => {
    // `...` lowers one model node per syntax node: the bound is close to the count, and above it.
    const module = lower(`${SKL201}\n${'...\n'.repeat(400)}`);
    const nodes = irNodeCount(module);
    assert.ok(module.nodeBound! > nodes, `bound ${module.nodeBound}, ${nodes} nodes`);
    assert.throws(() => analyzeModule(module, { maxIrNodes: nodes - 1 }), AnalysisBudgetError);
    assert.ok(analyzeModule(module, { maxIrNodes: nodes }).some((f) => f.code === 'SKL201'));
    assert.ok(analyzeModule(module, { maxIrNodes: module.nodeBound! }).some((f) => f.code === 'SKL201'));
  });

  test('CLI: the file over budget is an error (exit 2), the others are checked', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-budget-'));
    writeFileSync(path.join(dir, 'experiments.py'), pipelinesScript(40_000)); // 4,957 model nodes
    writeFileSync(path.join(dir, 'train.py'), SKL201); // 235
    const run = (env: Record<string, string>, format: string) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pipelint.js'), 'check', '.', '--format', format], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, ...env },
        timeout: 300_000,
      });
    const json = run({ PIPELINT_MAX_IR_NODES: '2000' }, 'json');
    assert.equal(json.status, 2, json.stderr);
    const out = JSON.parse(json.stdout);
    assert.deepEqual(out.errors, [
      { path: 'experiments.py', message: 'too large to analyse (over 2,000 model nodes), skipped' },
    ]);
    assert.ok(out.findings.some((f: { path: string; code: string }) => f.path === 'train.py' && f.code === 'SKL201'));
    assert.ok(!out.findings.some((f: { path: string }) => f.path === 'experiments.py'));
    const text = run({ PIPELINT_ANALYSIS_BUDGET_MS: '-1000000000' }, 'text');
    assert.equal(text.status, 2, text.stderr);
    assert.match(text.stdout, /experiments\.py: error: too slow to analyse \(over -?[\d.]+ s of CPU\), skipped/);
    assert.match(text.stdout, /train\.py: error: too slow to analyse/);
  });
});
