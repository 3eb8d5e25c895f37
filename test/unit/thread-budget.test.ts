import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { AnalysisBudgetError, checkDeadline, threadCpuMs, withDeadline } from '../../server/src/model/budget';

// A file's budget is its own thread's CPU time: the CLI's workers and the server's analysis thread run beside
// the thread that analyses it, and process.cpuUsage counts them all (a file could be skipped for another's work).

function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Sleeps this thread until another thread has used `ms` of CPU (or 60 s passed). */
function sleepWhileOthersUse(ms: number): void {
  const start = processCpuMs();
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + 60_000;
  while (processCpuMs() - start < ms && Date.now() < until) Atomics.wait(cell, 0, 0, 20);
}

async function withBusyThread(work: () => void): Promise<void> {
  const busy = new Worker('const end = Date.now() + 120000; while (Date.now() < end) {}', { eval: true });
  await new Promise((resolve) => busy.once('online', resolve));
  try {
    work();
  } finally {
    await busy.terminate();
  }
}

test("threadCpuMs counts the calling thread's CPU time, not another thread's", async () => {
  await withBusyThread(() => {
    const processStart = processCpuMs();
    const threadStart = threadCpuMs();
    sleepWhileOthersUse(1500);
    const other = processCpuMs() - processStart;
    const own = threadCpuMs() - threadStart;
    assert.ok(other >= 1500, `the busy thread used ${String(other)} ms`);
    assert.ok(own < 500, `this thread slept, yet threadCpuMs advanced ${String(own)} ms`);
  });
});

test("an analysis deadline is not used up by another thread's work; this thread's own work uses it", async () => {
  await withBusyThread(() => {
    withDeadline(1000, () => {
      sleepWhileOthersUse(1500);
      checkDeadline();
    });
  });
  assert.throws(
    () =>
      withDeadline(300, () => {
        const end = threadCpuMs() + 600;
        while (threadCpuMs() < end) checkDeadline();
      }),
    AnalysisBudgetError,
  );
});
