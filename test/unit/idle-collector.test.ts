import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapSpaceStatistics } from 'node:v8';
import { IdleCollector, type YoungGeneration } from '../../server/src/lsp/idleCollector';

// The server empties the young generation between keystrokes (issue 18), so that a keystroke does not pay
// for a scavenge inside its latency.

const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A young generation of 16 units that a keystroke's work fills by `perKeystroke` units; overflowing it
 * inside a keystroke is a scavenge the keystroke pays for (it empties the space, keeping 0.5 units).
 */
class ModelHeap {
  used = 0;
  scavengesInside = 0;
  collections = 0;
  work(units: number): void {
    this.used += units;
    if (this.used > 16) {
      this.scavengesInside++;
      this.used = 0.5 + (this.used - 16);
    }
  }
  readonly young = (): YoungGeneration => ({ used: this.used, available: 16 - this.used });
  readonly collect = () => {
    this.collections++;
    this.used = 0.5;
  };
}

for (const perKeystroke of [2, 4, 7, 11]) {
  test(`keystrokes filling ${perKeystroke} of 16 units meet no scavenge with the collector between them`, async () => {
    const heap = new ModelHeap();
    const collector = new IdleCollector(heap.collect, heap.young);
    for (let k = 0; k < 100; k++) {
      heap.work(perKeystroke);
      collector.afterPublish(() => false);
      await turn();
    }
    assert.equal(heap.scavengesInside, 0);
    // Collected only as often as needed: not after every keystroke when several fit.
    const fit = Math.floor(15.5 / perKeystroke);
    assert.ok(heap.collections <= Math.ceil(100 / Math.max(1, fit - 1)), `${heap.collections} collections`);

    const control = new ModelHeap();
    for (let k = 0; k < 100; k++) control.work(perKeystroke);
    assert.ok(control.scavengesInside >= Math.floor((100 * perKeystroke) / 16) - 1, 'the model can fail');
  });
}

test('nothing is collected while an analysis waits; the next look collects', async () => {
  const heap = new ModelHeap();
  const collector = new IdleCollector(heap.collect, heap.young);
  heap.work(12);
  for (let k = 0; k < 10; k++) {
    collector.afterPublish(() => true);
    await turn();
  }
  assert.equal(heap.collections, 0, 'a collection ran although busy() said an analysis waits');
  collector.afterPublish(() => false);
  await turn();
  assert.equal(heap.collections, 1);
});

test("V8's collector is reached without a command-line flag, gc is not left on the global object, and it empties the young generation", async () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'the test runs without --expose-gc');
  let calls = 0;
  const real = new IdleCollector();
  assert.equal(real.available, true);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  const collector = new IdleCollector(
    (options) => {
      calls++;
      (real as unknown as { collect: (o: typeof options) => void }).collect(options);
    },
    () => ({ used: 12, available: 4 }),
  );
  const youngUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
  const garbage: object[] = [];
  for (let i = 0; i < 20_000; i++) garbage.push({ i, list: [i] });
  garbage.length = 0;
  const before = youngUsed();
  collector.afterPublish(() => false);
  await turn();
  assert.equal(calls, 1);
  assert.ok(youngUsed() < before / 2, `young generation ${before} -> ${youngUsed()} bytes`);
});
