// The engine worker's helper for heap snapshots (formats/heapsnapshot/edge-range.ts), in a
// worker of its own: finds the edges section of the file it is given and reads it, posting the
// bounds as soon as they are known and then the columns, whose buffers are transferred (no copy).
import { findEdges, readEdgeRange, type EdgeRangeTask } from './formats/heapsnapshot/edge-range.ts';

// The worker's global as this file uses it (declared here: the engine's files also compile without the DOM's types).
interface Scope {
  onmessage: ((e: { data: { blob: Blob; task: EdgeRangeTask } }) => void) | null;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}
const scope = globalThis as unknown as Scope;

scope.onmessage = async (e) => {
  const { blob, task } = e.data;
  try {
    const bounds = await findEdges(blob);
    scope.postMessage({ bounds });
    const range = bounds ? await readEdgeRange(blob.slice(bounds.start, bounds.end + 1).stream(), task, bounds) : null;
    scope.postMessage({ range }, range ? [range.type.buffer as ArrayBuffer, range.name.buffer as ArrayBuffer, range.to.buffer as ArrayBuffer] : []);
  } catch {
    scope.postMessage({ bounds: null, range: null }); // the engine reads the edges itself
  }
};
