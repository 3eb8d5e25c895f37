import { setFlagsFromString } from 'node:v8';

/**
 * V8 tuning for the short-lived CLI process (imported first by main.ts, so it runs before any other module
 * of the bundle; V8's flags are per process, so check workers share them). The language server (`pipelint
 * server`) runs for hours and keeps V8's interrupt budget (its own flags: lsp/v8flags.ts).
 *
 * A `pipelint check` run lasts a second or a few, and V8's optimizing compiler (TurboFan) spent about a third
 * of its CPU time compiling functions on background threads, most of them before their optimized code
 * could pay (285 scikit-learn examples on one thread: about 1.3 s of the 2.9 s of CPU were on V8's helper
 * threads). A larger interrupt budget (600,000 instead of 67,584 bytes of bytecode run) makes a function wait
 * for more of its own work before it is optimized: only the really hot ones are. Measured, 6 alternated runs
 * at load 6: 300,000 took CPU 2.96 -> 2.36 s, the main thread's unchanged (1.58 -> 1.59 s). With the code
 * cache (launch.ts) and today's analysis, 9 alternated runs on one thread (medians): 300,000 -> 600,000 took
 * CPU 1,150 -> 1,080 ms, wall 870 -> 870 ms (450,000: 1,100 and 880 ms); 1,000,000 cost wall time.
 */
const INTERRUPT_BUDGET = 600_000;

if (process.argv[2] !== 'server') {
  try {
    setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  } catch {
    // A runtime without the flag: the defaults are only slower.
  }
}

/**
 * No allocation-site pretenuring, for the check and for `pipelint server` (which sets it again in lsp/v8flags.ts).
 * A file's model and analysis survive a young-generation collection or two and are garbage after the file, so V8
 * had their allocation sites allocate straight into the old generation: garbage that only a full collection
 * frees, in pages the kernel maps afresh. 285 scikit-learn examples on one thread, 6 alternated runs (medians):
 * CPU 1,950 -> 1,860 ms, peak memory 124 -> 110 MB, minor page faults 26,400 -> 24,000; instructions of the
 * model_selection folder (callgrind) 2,454M -> 2,443M.
 */
try {
  setFlagsFromString('--no-allocation-site-pretenuring');
} catch {
  // A runtime without the flag: the default is only slower.
}

const SEMI_SPACE_GROWTH = 16;

/**
 * For a check on one thread: V8 grows the young generation to its maximum (16 MB) at its first growth. It
 * starts at 1 MB and doubles after a scavenge with many survivors: a check spent its first second scavenging
 * a young generation too small for one file's tree and model, and promoting short-lived objects to the old
 * generation (29 -> 18-19 collections per check of the 285 examples). The start size is fixed when the
 * process starts; only the growth can be set from inside, and it applies to every thread: with worker threads
 * each would hold a full young generation (32 MB) for the whole run, so they keep V8's doubling (max RSS of
 * 1,995 files on 2 threads varied 222-275 MB from run to run either way).
 */
export function growYoungGenerationAtOnce(): void {
  try {
    setFlagsFromString(`--semi-space-growth-factor=${SEMI_SPACE_GROWTH}`);
  } catch {
    // A runtime without the flag: the default is only slower.
  }
}

/** V8's own growth factor (unchanged since at least V8 9). */
const DEFAULT_SEMI_SPACE_GROWTH = 2;

/**
 * Undoes growYoungGenerationAtOnce. V8 accepts a code cache only under the flags it was made under: the launcher
 * (launch.ts) makes the check's at exit, for the next process, which starts with V8's growth factor.
 */
export function undoYoungGenerationGrowth(): void {
  try {
    setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_SEMI_SPACE_GROWTH}`);
  } catch {
    // A runtime without the flag never changed it.
  }
}
