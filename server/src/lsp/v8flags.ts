import { setFlagsFromString } from 'node:v8';

/**
 * V8 tuning for the language server, a process that runs for hours and re-analyses a document on each keystroke.
 * Imported first by server.ts, so it runs before any analysis; V8's flags are per process, so the background
 * analysis thread shares them.
 *
 * No allocation-site pretenuring. A keystroke's analysis lives until the next keystroke replaces it, so V8 saw
 * its objects survive young-generation collections and had their allocation sites allocate straight into the old
 * generation: garbage that only a full collection frees, in old-space pages the kernel must map afresh (on this
 * machine's VM a minor page fault costs 15-20 µs). Typing into the 2,000-line scikit.js file in process (200
 * keystrokes, 2 alternated runs each): minor page faults outside the text update 76-77 -> 9 per keystroke
 * (median), CPU per keystroke 19.6 / 17.9 -> 16.5 / 16.8 ms, keystroke median 11.7 / 10.1 -> 9.0 / 9.5 ms.
 */
try {
  setFlagsFromString('--no-allocation-site-pretenuring');
} catch {
  // A runtime without the flag: the default is only slower.
}
