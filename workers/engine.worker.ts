// The engine in a Web Worker: parsing and grouping never run on the page's thread.
import * as Comlink from 'comlink';
import { transferables } from './analysis/flame.ts';
import { createEngine } from './engine.ts';

const engine = createEngine();
// Flame layouts are large typed arrays: move them to the page instead of copying.
const flame = engine.flame.bind(engine);
engine.flame = (id, query) => {
  const layout = flame(id, query);
  return Comlink.transfer(layout, transferables(layout));
};
Comlink.expose(engine);
