import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { analyzeModule } from '../../server/src/analyze';
import { semanticsOf } from '../../server/src/model/semantics';
import { loadPythonParser, lowerPythonText } from '../../server/src/python';
import { lambdasScript } from '../../bench/bigfiles';

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
  assert.deepEqual(sem.captures(inner.id).map((b) => b.name), ['shift', 'scale']);
  assert.deepEqual(sem.captures(lambda.id).map((b) => b.name), ['scale']);
});
