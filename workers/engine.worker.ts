// The engine in a Web Worker: parsing and grouping never run on the page's thread.
import * as Comlink from 'comlink';
import { installErrorTransfer } from './api/comlink.ts';
import type { FlameLayout } from './api/types.ts';
import { createEngine } from './engine/engine.ts';
import { DEFAULT_MEMORY_BUDGET } from './formats/input.ts';

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
// The page may ask for a smaller memory budget (its `?budget=` parameter, carried in the worker's
// name): only ever lower than the default, so no address can make the tab plan for more.
const asked = /:budget=(\d+)$/.exec(lockName)?.[1];
const memoryBudget = asked && Number(asked) > 0 ? Math.min(Number(asked), DEFAULT_MEMORY_BUDGET) : DEFAULT_MEMORY_BUDGET;
const engine = createEngine({ memoryBudget });
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
