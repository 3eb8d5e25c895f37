import { parentPort } from 'node:worker_threads';
import { runAnalysisWorker } from './worker';

// Entry of dist/analysis-worker.js: the language server's analysis thread (see client.ts).
if (parentPort) runAnalysisWorker(parentPort);
