// Runs fuzz cases for test/unit/fuzz.test.ts in a worker thread, so a case that runs away can be
// stopped (the test terminates the thread) without stopping the suite. Each case goes through
// the engine (the registry, the importer, and for heap snapshots the indexing) or, for a
// format whose importer is not registered yet, straight to its decoder.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { createEngine } = await import('../../workers/engine/engine.ts');
const { HeaplensError } = await import('../../workers/api/errors.ts');
const { decodePprof } = await import('../../workers/formats/pprof/decode.ts');
const { pprofFrames } = await import('../../workers/formats/pprof/frames.ts');

const engine = createEngine();

async function run(mode, bytes) {
  if (mode === 'spin') for (;;); // the harness's own check: a case that never ends
  if (mode === 'pprof-decoder') {
    pprofFrames(decodePprof(bytes));
    return;
  }
  const s = await engine.open(bytes, 'fuzz');
  try {
    if (s.hasAllocations) engine.top(s.id, { by: 'line', limit: 5 });
    if (s.heap) engine.heapClasses(s.id, { limit: 5 });
  } finally {
    engine.close(s.id);
  }
}

parentPort.on('message', async ({ id, mode, bytes }) => {
  const t0 = performance.now();
  let reply;
  try {
    await run(mode, bytes);
    reply = { outcome: 'opened' };
  } catch (e) {
    if (e instanceof HeaplensError) {
      // A raw exception the registry's last net coded is still a reader bug: reported apart.
      reply = e.cause ? { outcome: 'netted', code: e.code, message: e.message, stack: String(e.cause?.stack ?? e.cause) } : { outcome: 'coded', code: e.code, message: e.message };
    } else reply = { outcome: 'uncoded', message: String(e?.message ?? e), stack: String(e?.stack ?? e) };
  }
  parentPort.postMessage({ id, ms: performance.now() - t0, ...reply });
});
parentPort.postMessage({ ready: true });
