import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnalysisService } from '../../server/src/lsp/service';

test('a failing rule: every failure in the output channel, one notification per session', () => {
  const errors: string[] = [];
  const warnings: string[] = [];
  const connection = {
    console: {
      error: (m: string) => errors.push(m),
      log: () => undefined,
      info: () => undefined,
      warn: () => undefined,
    },
    window: { showWarningMessage: (m: string) => (warnings.push(m), Promise.resolve(undefined)) },
  };
  const service = new AnalysisService(connection as never, new Promise(() => undefined));
  service.ruleFailed(
    'rule SKL301 failed on file:///home/u/My%20Project/train.py: TypeError: x is undefined\n    at check (rules/x.ts:1:1)',
  );
  service.ruleFailed('rule SKL201 failed on file:///home/u/other.py: RangeError');
  assert.equal(errors.length, 2);
  assert.match(
    errors[0],
    /^pipelint: rule SKL301 failed on .*TypeError: x is undefined\n {4}at check/,
    'the stack goes to the output',
  );
  assert.deepEqual(warnings, [
    'pipelint: rule SKL301 failed on train.py; the other rules ran. Details are in the output ("pipelint: Show Output"); this is shown once per session.',
  ]);
});
