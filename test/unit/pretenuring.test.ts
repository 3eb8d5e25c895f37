import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const SRC = path.join(__dirname, '..', '..', 'server', 'src');

/**
 * The lines V8 prints (--trace-pretenuring-statistics) when it weighs allocating a site's objects straight into
 * the old generation, in a child that first loads `flagsModule` (none: V8's defaults) and then keeps batches of
 * objects from two allocation sites alive across young-generation collections, as an analysis does.
 */
function pretenuringDecisions(flagsModule: string | undefined): number {
  const script = `
    ${flagsModule ? `require(${JSON.stringify(flagsModule)});` : ''}
    const kept = [];
    const make = (i) => ({ i, list: [i, i + 1] });
    for (let round = 0; round < 60; round++) {
      const batch = [];
      for (let i = 0; i < 50000; i++) batch.push(make(i));
      kept.push(batch);
      if (kept.length > 8) kept.shift();
    }`;
  const r = spawnSync(process.execPath, ['--trace-pretenuring-statistics', '--import', 'tsx', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((line) => line.includes('pretenuring:')).length;
}

test('V8 weighs pretenuring the workload by default (the control: the trace does show it)', () => {
  assert.ok(pretenuringDecisions(undefined) > 0);
});

test('the language server and the CLI turn allocation-site pretenuring off', () => {
  assert.equal(pretenuringDecisions(path.join(SRC, 'lsp', 'v8flags.ts')), 0);
  assert.equal(pretenuringDecisions(path.join(SRC, 'cli', 'v8flags.ts')), 0);
});
