// Allocation timelines (.heaptimeline: DevTools' "Allocation instrumentation on timeline"). V8
// samples, while recording, the last object id it handed out; every live JS object (odd id) then
// falls in the interval its id was allocated in. A bar is the bytes of one interval's objects that
// are still alive at the end (HeapSnapshot.buildSamples), and brushing a time range selects the
// objects allocated in it (HeapTimelineOverview.updateGrid), by id range.

import type { HeapSample } from '../api/types.ts';
import type { HeapGraph } from '../model/heap-graph.ts';

/** The first index whose value is ≥ x (values ascending). */
function lowerBound(values: Float64Array | number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose value is > x. */
function upperBound(values: Float64Array | number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The timeline's bars; null when the snapshot has no samples. Timestamps in ms since the recording began. */
export function heapSamples(g: HeapGraph, selfSize: ArrayLike<number>): HeapSample[] | null {
  const s = g.samples;
  if (!s || s.length === 0) return null;
  const sizes = new Float64Array(s.length);
  const ids = s.lastAssignedId;
  for (let i = 0; i < g.nodeCount; i++) {
    const id = g.nodeId[i];
    if (id % 2 === 0) continue; // JS objects have odd ids; native ones were not sampled
    const k = lowerBound(ids, id);
    if (k === s.length) continue; // allocated while the snapshot was taken
    sizes[k] += selfSize[i];
  }
  return Array.from(sizes, (size, i) => ({ timestamp: s.timestampUs[i] / 1000, lastAssignedId: ids[i], size }));
}

export interface TimelineSelection {
  /** Objects with minNodeId < id ≤ maxNodeId were allocated in the range (maxNodeId Infinity: up to the end). */
  minNodeId: number;
  maxNodeId: number;
  /** Bytes of the bars inside the range, as DevTools shows beside the selection. */
  size: number;
  /** The samples covered, [fromIndex, toIndex). */
  fromIndex: number;
  toIndex: number;
}

/**
 * The id range and size of a time window [fromMs, toMs], as DevTools' overview computes them.
 * The id range reaches one interval past the bars summed (DevTools does this; kept so the
 * numbers match it).
 */
export function timelineSelection(samples: HeapSample[], fromMs: number, toMs: number): TimelineSelection {
  const times = samples.map((s) => s.timestamp);
  const fromIndex = lowerBound(times, fromMs);
  const toIndex = upperBound(times, toMs);
  let size = 0;
  for (let i = fromIndex; i < toIndex; i++) size += samples[i].size;
  const minNodeId = fromIndex > 0 ? samples[fromIndex - 1].lastAssignedId : 0;
  const maxNodeId = toIndex < samples.length ? samples[toIndex].lastAssignedId : Infinity;
  return { minNodeId, maxNodeId, size, fromIndex, toIndex };
}
