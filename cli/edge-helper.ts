// The CLI's second thread for heap snapshots (workers/formats/heapsnapshot/edge-range.ts): a
// worker thread reads the edges past the split point from the file itself while the main thread
// reads everything before them. HEAPLENS_THREADS=1 turns it off (one thread, as the browser
// reads).
import { Worker } from 'node:worker_threads';
import type { EdgeBounds, EdgeRange, EdgeRangeHelper } from '../workers/formats/heapsnapshot/edge-range-types.ts';
import { FileBlob } from './file-source.ts';

// Bundled, this module is part of dist-cli/heaplens.mjs and the worker dist-cli/edge-worker.mjs
// (vite.cli.config.ts). From the sources (tsx, for development), the worker is the .ts file, and
// the thread registers tsx's loader itself first: Node 20 does not pass `--import` hooks on to
// worker threads.
const ownWorker = new URL(import.meta.url.endsWith('.ts') ? './edge-worker.ts' : './edge-worker.mjs', import.meta.url);

/** The CLI's helper, unless HEAPLENS_THREADS=1 asks for one thread. */
export const edgeHelperFromEnv = (env: NodeJS.ProcessEnv): EdgeRangeHelper | undefined => (env.HEAPLENS_THREADS === '1' ? undefined : nodeEdgeHelper());

function start(workerUrl: URL, workerData: unknown): Worker {
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}

/** The helper, with the worker script at `workerUrl` (the bench passes the bundle's). */
export function nodeEdgeHelper(workerUrl: URL = ownWorker): EdgeRangeHelper {
  return (blob, task) => {
    if (!(blob instanceof FileBlob)) return { bounds: Promise.resolve(null), range: Promise.resolve(null), cancel: () => {} };
    let gotBounds: (b: EdgeBounds | null) => void = () => {};
    let gotRange: (r: EdgeRange | null) => void = () => {};
    const bounds = new Promise<EdgeBounds | null>((resolve) => (gotBounds = resolve));
    const range = new Promise<EdgeRange | null>((resolve) => (gotRange = resolve));
    // Whatever goes wrong in the thread, the main thread reads those edges itself.
    const giveUp = () => {
      gotBounds(null);
      gotRange(null);
    };
    let worker: Worker | null = null;
    try {
      worker = start(workerUrl, { path: blob.path, start: blob.start, end: blob.end, task });
      worker.on('message', (m: { bounds?: EdgeBounds | null; range?: EdgeRange | null }) => {
        if ('bounds' in m) gotBounds(m.bounds ?? null);
        if ('range' in m) {
          gotRange(m.range ?? null);
          void worker?.terminate();
        }
      });
      worker.once('error', giveUp);
      worker.once('exit', giveUp);
    } catch {
      giveUp();
    }
    return { bounds, range, cancel: () => void worker?.terminate() };
  };
}
