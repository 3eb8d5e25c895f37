// Child process of scripts/fuzz-long.ts: analyses the inputs it is sent (by index) in-process and
// reports each result; the parent kills and restarts it when an input exceeds its time bound.
import { Engine } from '../../server/src/engine';
import { analyseInProcess } from './harness';
import { loadSeeds, makeInput } from './mutate';

const seeds = loadSeeds();
const send = (m: unknown) => process.send!(m);
process.on('unhandledRejection', (r) => send({ type: 'rejection', message: String(r) }));
process.on('uncaughtException', (e) => send({ type: 'rejection', message: `uncaught: ${e.stack ?? e.message}` }));

void Engine.create().then((engine) => {
  process.on('message', (m: { seed: number; index: number; heavyRate: number }) => {
    const input = makeInput(seeds, m.seed, m.index, m.heavyRate);
    const r = analyseInProcess(engine, input);
    send({ type: 'result', index: m.index, kind: input.kind, mutation: input.mutation, ...r });
  });
  send({ type: 'ready' });
});
