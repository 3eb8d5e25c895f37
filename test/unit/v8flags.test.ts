import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const FLAGS = path.join(__dirname, '..', '..', 'server', 'src', 'cli', 'v8flags.ts');

/** The sizes (MB) of the young generation while a child process that loads v8flags.ts keeps objects. */
function youngGenerationSizes(oneThread: boolean): number[] {
  const script = `
    const flags = require(${JSON.stringify(FLAGS)});
    if (${String(oneThread)}) flags.growYoungGenerationAtOnce();
    const v8 = require('node:v8');
    const kept = [];
    const sizes = [];
    for (let i = 0; i < 100000; i++) {
      kept.push({ i, list: [i] });
      const mb = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
      if (sizes[sizes.length - 1] !== mb) sizes.push(mb);
    }
    process.stdout.write(JSON.stringify(sizes));`;
  // -e: process.argv[1] is the first argument.
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, 'pipelint', 'check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as number[];
}

test('a check on one thread grows its young generation to the maximum at once; otherwise V8 doubles it', () => {
  const oneThread = youngGenerationSizes(true);
  const workers = youngGenerationSizes(false);
  // V8's default, kept with worker threads and by the server: 1, 2, 4, 8, 16, 32 MB (both semi-spaces).
  assert.ok(workers.length >= 4, `workers: ${workers.join(' ')}`);
  assert.equal(Math.max(...oneThread), Math.max(...workers));
  assert.ok(oneThread.length <= 3, `one thread: ${oneThread.join(' ')}`);
});
