// The engine in a Web Worker: parsing and grouping never run on the page's thread.
import * as Comlink from 'comlink';
import { installErrorTransfer } from './api/comlink.ts';
import type { FlameLayout } from './api/types.ts';
import { createEngine } from './engine/engine.ts';
import { DEFAULT_MEMORY_BUDGET } from './formats/input.ts';
import type { EdgeBounds, EdgeRange, EdgeRangeHelper } from './formats/heapsnapshot/edge-range.ts';

installErrorTransfer();
// Held for the worker's whole life: the browser frees it when the worker is gone, which is how
// the page learns of a death that sends no message (src/lib/engine-client.ts).
interface WorkerScope {
  name?: string;
  navigator?: { locks?: { request(name: string, hold: () => Promise<never>): Promise<unknown> } };
}
const scope = globalThis as WorkerScope;
const lockName = scope.name ?? '';
if (lockName.startsWith('heaplens-engine:')) void scope.navigator?.locks?.request(lockName, () => new Promise<never>(() => {}));
// `?threads=1` on the page (carried in the worker's name) reads heap snapshots on this thread only.
const threads = /:threads=1(?::|$)/.test(lockName) ? 1 : 2;

// The nested worker as this file uses it (declared here: the engine's files also compile without
// the DOM's types, for Node; Vite finds the worker by the `new Worker(new URL(…))` below).
interface EdgeWorker {
  onmessage: ((e: { data: { bounds?: EdgeBounds | null; range?: EdgeRange | null } }) => void) | null;
  onerror: (() => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}
declare const Worker: (new (url: URL, options: { type: 'module'; name: string }) => EdgeWorker) | undefined;

/**
 * A big heap snapshot's edges, read by a worker of this worker's own while this one reads the
 * rest (formats/heapsnapshot/edge-range.ts). When that worker cannot start or fails, both
 * answers are null and this worker reads the edges itself.
 */
const edgeHelper: EdgeRangeHelper = (blob, task) => {
  let gotBounds: (b: EdgeBounds | null) => void = () => {};
  let gotRange: (r: EdgeRange | null) => void = () => {};
  const bounds = new Promise<EdgeBounds | null>((resolve) => (gotBounds = resolve));
  const range = new Promise<EdgeRange | null>((resolve) => (gotRange = resolve));
  let worker: EdgeWorker | null = null;
  const stop = () => {
    worker?.terminate();
    gotBounds(null);
    gotRange(null);
  };
  try {
    const w = new Worker!(new URL('./edge.worker.ts', import.meta.url), { type: 'module', name: 'heaplens-edges' });
    worker = w;
    w.onmessage = (e) => {
      if ('bounds' in e.data) gotBounds(e.data.bounds ?? null);
      if ('range' in e.data) {
        gotRange(e.data.range ?? null);
        stop();
      }
    };
    w.onerror = stop;
    w.postMessage({ blob, task });
  } catch {
    stop();
  }
  return { bounds, range, cancel: stop };
};

// The page may ask for a smaller memory budget (its `?budget=` parameter, carried in the worker's
// name): only ever lower than the default, so no address can make the tab plan for more.
const asked = /:budget=(\d+)$/.exec(lockName)?.[1];
const memoryBudget = asked && Number(asked) > 0 ? Math.min(Number(asked), DEFAULT_MEMORY_BUDGET) : DEFAULT_MEMORY_BUDGET;
const engine = createEngine({ memoryBudget, ...(threads > 1 && typeof Worker === 'function' ? { edgeHelper } : {}) });
// Flame layouts are large typed arrays: move them to the page instead of copying.
const flame = engine.flame.bind(engine);
engine.flame = (id, query) => {
  const layout = flame(id, query);
  return Comlink.transfer(layout, transferables(layout));
};
Comlink.expose(engine);

function transferables(l: FlameLayout): ArrayBuffer[] {
  const arrays = [l.start, l.width, l.total, l.self, l.count, l.depth, l.parent, l.frame, l.rowStart, l.rowNodes, l.frames.line, ...(l.base ? [l.base] : [])];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
