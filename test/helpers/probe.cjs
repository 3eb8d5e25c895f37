// Preloaded (--require) into the processes the bench and the memory tests measure; does nothing unless
// PIPELINT_BENCH_PROBE names an output prefix. On exit it records peak memory and CPU time (process-wide,
// worker threads included) and, on Linux, the CPU time of each thread (sampled every 50 ms from
// /proc/self/task: the busiest thread is the critical path on an idle machine); with
// PIPELINT_BENCH_PROBE_SIGNAL=1, SIGUSR2 runs a full GC and records memory.
'use strict';
const out = process.env.PIPELINT_BENCH_PROBE;
if (out && require('node:worker_threads').isMainThread) {
  const fs = require('node:fs');
  const threads = new Map();
  const sampleThreads = () => {
    try {
      for (const tid of fs.readdirSync('/proc/self/task')) {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        threads.set(tid, { name, cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / 100 });
      }
    } catch {
      /* not Linux */
    }
  };
  setInterval(sampleThreads, 50).unref();
  const snapshot = () => {
    const m = process.memoryUsage();
    const r = process.resourceUsage();
    sampleThreads();
    const busiest = [...threads.values()].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 4);
    return {
      pid: process.pid,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      maxRss: r.maxRSS * 1024,
      cpuUserUs: r.userCPUTime,
      cpuSystemUs: r.systemCPUTime,
      threads: busiest,
    };
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
