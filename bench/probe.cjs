// Preloaded (NODE_OPTIONS=--require) into the processes the bench measures; does nothing unless
// PIPELINT_BENCH_PROBE names an output prefix. On exit it records peak memory and CPU time (process-wide,
// worker threads included); with PIPELINT_BENCH_PROBE_SIGNAL=1, SIGUSR2 runs a full GC and records memory.
'use strict';
const out = process.env.PIPELINT_BENCH_PROBE;
if (out && require('node:worker_threads').isMainThread) {
  const fs = require('node:fs');
  const snapshot = () => {
    const m = process.memoryUsage();
    const r = process.resourceUsage();
    return { pid: process.pid, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, maxRss: r.maxRSS * 1024, cpuUserUs: r.userCPUTime, cpuSystemUs: r.systemCPUTime };
  };
  process.on('exit', () => fs.writeFileSync(`${out}.${process.pid}.exit.json`, JSON.stringify(snapshot())));
  if (process.env.PIPELINT_BENCH_PROBE_SIGNAL === '1') {
    require('node:v8').setFlagsFromString('--expose-gc');
    const gc = require('node:vm').runInNewContext('gc');
    let seq = 0;
    process.on('SIGUSR2', () => {
      gc();
      fs.writeFileSync(`${out}.${process.pid}.${++seq}.json`, JSON.stringify(snapshot()));
    });
  }
}
