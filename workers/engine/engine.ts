// The one engine object: the web worker exposes it through comlink, the CLI and the tests call it
// directly. It is the table of open documents and running jobs; every question is delegated to
// the document it is about, which answers with a small page.

import { HeaplensError } from '../api/errors.ts';
import type { EngineApi } from '../api/types.ts';
import { importFile } from '../formats/registry.ts';
import { inputOf } from '../formats/input.ts';
import type { EdgeRangeHelper } from '../formats/heapsnapshot/edge-range-types.ts';
import { AllocationDocument } from './allocation-document.ts';
import { HeapDocument } from './heap-document.ts';
import { JobTable } from './jobs.ts';
import { allocationsOf, summarize, type OpenDocument } from './summary.ts';

/**
 * `memoryBudget`: bytes of memory readers may plan for (default: formats/input.ts). `edgeHelper`:
 * the host's way to read part of a heap snapshot's edges on a second thread (edge-range.ts), for
 * files opened from a Blob.
 */
export function createEngine(options: { memoryBudget?: number; edgeHelper?: EdgeRangeHelper } = {}): EngineApi {
  const documents = new Map<number, OpenDocument>();
  const jobs = new JobTable();
  let nextId = 1;

  const get = (id: number): OpenDocument => {
    const doc = documents.get(id);
    if (!doc) throw new HeaplensError('not-open', `No open profile has id ${id}: it was closed or never opened.`);
    return doc;
  };

  /** The allocation profile of an open file, or an error saying how to record one. */
  const allocations = (id: number): AllocationDocument => {
    const doc = get(id);
    const a = allocationsOf(doc);
    if (!a) {
      throw new HeaplensError(
        'no-allocation-stacks',
        `${doc.name} is a heap snapshot without allocation stacks, so it cannot be grouped by file, line or function. ` +
          'Record one with `node --track-heap-objects`, or with DevTools\' "Allocation instrumentation on timeline"; ' +
          'the class summary (heaplens summary) works on every snapshot.',
      );
    }
    return a;
  };

  const heap = (id: number): HeapDocument => {
    const doc = get(id);
    if (!(doc instanceof HeapDocument)) throw new HeaplensError('wrong-kind', `${doc.name} is not a heap snapshot.`);
    return doc;
  };

  return {
    async open(source, name, jobId, onProgress, openOptions = {}) {
      const job = jobs.control(jobId, onProgress);
      const heapMode = openOptions.heap ?? 'full';
      try {
        const { imported } = await importFile(inputOf(source, undefined, options.edgeHelper), job, { memoryBudget: options.memoryBudget, heapMode });
        let doc: OpenDocument;
        if (imported.kind === 'heap') {
          job.progress('indexing', 0, 1);
          await job.yield();
          doc = await HeapDocument.open(name, imported.graph, job, { mode: heapMode });
        } else doc = new AllocationDocument(imported.profile.meta.name ?? name, imported.profile);
        const id = nextId++;
        documents.set(id, doc);
        return summarize(id, doc);
      } finally {
        jobs.end(jobId);
      }
    },
    cancel: (jobId) => jobs.cancel(jobId),
    close: (id) => void documents.delete(id),
    top: (id, query) => allocations(id).top(query),
    tracebacksOf: (id, query, key, limit) => allocations(id).tracebacksOf(query, key, limit),
    diff: (headId, baseId, query) => allocations(headId).diff(allocations(baseId), query),
    diffTracebacksOf: (headId, baseId, query, frames, limit) => allocations(headId).diffTracebacksOf(allocations(baseId), query, frames, limit),
    flame(id, query) {
      if (query.kind === 'dominators') return heap(id).flame();
      const base = query.baseId !== undefined && query.baseId !== null && !query.sandwich ? allocations(query.baseId) : null;
      return allocations(id).flame(query, base);
    },
    exportCompact: (id) => allocations(id).exportCompact(),
    heapClasses: (id, query) => heap(id).classRows(query),
    heapObjects: (id, classId, range) => heap(id).objects(classId, range),
    heapRetainers: (id, node, maxPaths) => heap(id).retainers(node, maxPaths),
    heapDominated: (id, node, range) => heap(id).dominated(node, range),
    heapDetached: (id, range) => heap(id).detached(range),
    heapCompare: (headId, baseId, range) => heap(headId).compare(heap(baseId), range),
    heapFindObject: (id, objectId) => heap(id).findObject(objectId),
    heapObjectAt: (id, node) => heap(id).objectAt(node),
    heapStatistics: (id) => heap(id).statistics,
    heapDuplicateStrings: (id) => heap(id).duplicateStrings(),
    heapRetainingEdges: (id, node, query) => heap(id).retainerState.retainers(node, query),
    heapRetainerChain: (id, node, depth) => heap(id).retainerState.firstChain(node, depth),
    heapIgnoreRetainer: (id, node) => heap(id).retainerState.ignore(node),
    heapUnignoreRetainer: (id, node) => heap(id).retainerState.unignore(node),
    heapUnignoreAllRetainers: (id) => heap(id).retainerState.unignoreAll(),
    heapContainment: (id, node, query) => heap(id).retainerState.containment(node, query),
    heapComparisonObjects: (headId, baseId, classKey, query) => heap(headId).comparisonObjects(heap(baseId), classKey, query),
    heapIdOverlap: (headId, baseId) => heap(headId).idOverlap(heap(baseId)),
    heapTimeline: (id) => {
      const samples = heap(id).samples();
      return samples ? { samples } : null;
    },
    heapTimelineSelection: (id, fromMs, toMs) => heap(id).timelineSelection(fromMs, toMs),
    heapAllocations: (id, range) => heap(id).allocationRows(range),
    heapAllocationCallers: (id, path) => heap(id).allocationCallers(path),
    heapAllocationStack: (id, node) => heap(id).allocationStack(node),
    heapLeaks: (firstId, secondId, thirdId, range) => heap(thirdId).leaks(heap(firstId), heap(secondId), range),
  };
}
