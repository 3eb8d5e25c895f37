// Child process of scripts/fuzz-long.ts: analyses the inputs it is sent (by index) in-process and
// reports each result; the parent kills and restarts it when an input exceeds its time bound.
import { Engine } from '../../server/src/analysis/engine';
import { makeConfigInput, runConfigInput } from './config';
import { analyseInProcess } from './harness';
import { loadSeeds, makeInput } from './mutate';

const seeds = loadSeeds();
const send = (m: unknown) => process.send!(m);
process.on('unhandledRejection', (r) => send({ type: 'rejection', message: String(r) }));
process.on('uncaughtException', (e) => send({ type: 'rejection', message: `uncaught: ${e.stack ?? e.message}` }));

void Engine.create().then((engine) => {
  process.on('message', (m: { target?: 'config'; seed: number; index: number; heavyRate: number }) => {
    if (m.target === 'config') {
      // Config files and globs (issue 16): parsed, located and matched; the parent bounds the time.
      const input = makeConfigInput(m.seed, m.index);
      send({
        type: 'config-result',
        index: m.index,
        name: input.name,
        bytes: input.text.length,
        ...runConfigInput(input),
      });
      return;
    }
    const input = makeInput(seeds, m.seed, m.index, m.heavyRate);
    const r = analyseInProcess(engine, input);
    send({ type: 'result', index: m.index, kind: input.kind, mutation: input.mutation, ...r });
  });
  send({ type: 'ready' });
});
