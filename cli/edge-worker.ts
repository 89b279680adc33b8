// The worker thread of cli/edge-helper.ts: finds a heap snapshot's edges section and reads it
// (workers/formats/heapsnapshot/edge-range.ts), posting the bounds as soon as they are known and
// then the columns, whose buffers are transferred (no copy).
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { findEdges, readEdgeRange } from '../workers/formats/heapsnapshot/edge-range.ts';
import type { EdgeRangeTask } from '../workers/formats/heapsnapshot/edge-range-types.ts';
import { FileBlob } from './file-source.ts';

const { path, start, end, task } = workerData as { path: string; start: number; end: number; task: EdgeRangeTask };
const blob = new FileBlob(path, start, end);

// The search for the sections' "]" through one reused buffer and Buffer's native indexOf:
// measured ~6× faster than reading the Blob's stream (a new array per piece, TypedArray indexOf).
const piece = Buffer.allocUnsafe(4 << 20);
const fd = openSync(path, 'r');
async function bracket(from: number): Promise<number> {
  for (let at = from; at < end - start; ) {
    const n = readSync(fd, piece, 0, Math.min(piece.length, end - start - at), start + at);
    if (n === 0) break;
    const k = piece.indexOf(0x5d, 0);
    if (k >= 0 && k < n) return at + k;
    at += n;
  }
  return -1;
}

const bounds = await findEdges(blob, bracket);
closeSync(fd);
parentPort!.postMessage({ bounds });
const range = bounds ? await readEdgeRange(blob.slice(bounds.start, bounds.end + 1).stream(), task, bounds) : null;
parentPort!.postMessage({ range }, range ? [range.type.buffer as ArrayBuffer, range.name.buffer as ArrayBuffer, range.to.buffer as ArrayBuffer] : []);
