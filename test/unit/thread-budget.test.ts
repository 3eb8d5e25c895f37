import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import {
  AnalysisBudgetError,
  checkDeadline,
  CpuDeadline,
  threadCpuMs,
  withDeadline,
} from '../../server/src/model/budget';

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

test('deadlines started within 2% of their budget (at most 100 ms) of each other share one reading of the CPU clock', () => {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const pause = (ms: number) => Atomics.wait(cell, 0, 0, ms);
  const readSync = fs.readSync;
  let reads = 0;
  (fs as { readSync: unknown }).readSync = function (this: unknown, ...args: Parameters<typeof fs.readSync>) {
    reads++;
    return readSync.apply(this, args);
  };
  try {
    pause(120); // past the reuse of any earlier reading
    // The CLI's pace: a deadline every few milliseconds (parse, analysis, summary of each file).
    for (let i = 0; i < 8; i++) {
      assert.equal(new CpuDeadline(5000).passed(), false);
      pause(10);
    }
    assert.equal(reads, 1, 'one reading for eight deadlines 10 ms apart');
    // A small budget shares nothing: 2% of 100 ms is 2 ms.
    new CpuDeadline(100);
    assert.equal(reads, 2);
  } finally {
    fs.readSync = readSync;
  }
});
