// V8 heap snapshots (.heapsnapshot from DevTools or Node) and allocation timelines (.heaptimeline).
import type { Importer } from '../importer.ts';
import { parseHeapSnapshot } from './scanner.ts';

export const heapSnapshotImporter: Importer = {
  format: 'heapsnapshot',
  describe: 'V8 heap snapshots (.heapsnapshot)',
  sniff(_head, text) {
    const json = text.replace(/^\uFEFF?\s*/, '');
    return json.startsWith('{') && !/^\{\s*"heaplens"\s*:/.test(json) && (/"snapshot"\s*:/.test(json) || /"meta"\s*:\s*\{\s*"node_fields"/.test(json));
  },
  // Streamed: snapshots can be far larger than one ArrayBuffer or string may be; the header's
  // counts are checked against what the file can hold and the memory they take before anything
  // is allocated.
  maxBytes: Number.MAX_SAFE_INTEGER,
  async open(input, job) {
    const bounds = { length: input.length, maxLength: input.maxLength, compressedSize: input.size, memoryBudget: input.memoryBudget, heapMode: input.heapMode };
    return { kind: 'heap', graph: await parseHeapSnapshot(input.stream(), bounds, job, (consumed) => input.progress(job, 'parsing', consumed), input.split) };
  },
};
