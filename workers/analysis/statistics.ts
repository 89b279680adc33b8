// DevTools' Statistics (JSHeapSnapshot.calculateStatistics): where the heap's bytes are by kind —
// code, strings, JS arrays, typed arrays (their native backing stores), V8's system objects, other
// JS objects and other native (embedder) memory — over the shallow sizes after the move to owners.

import type { HeapStatistics } from '../api/types.ts';
import { typeCodes, type HeapGraph } from '../model/heap-graph.ts';

/**
 * `total` is the heap's total (the root's retained size plus the header's extra native bytes). A
 * JS array's elements store counts toward "JS arrays" only when the array is its one referrer.
 */
export function heapStatistics(g: HeapGraph, selfSize: ArrayLike<number>, total: number): HeapStatistics {
  const c = typeCodes(g);
  const arrayBufferData = g.strings.indexOf('system / JSArrayBufferData');
  const arrayName = g.strings.indexOf('Array');
  const elements = g.strings.indexOf('elements');
  let native = g.meta.extraNativeBytes ?? 0;
  let typedArrays = 0;
  let code = 0;
  let strings = 0;
  let jsArrays = 0;
  let system = 0;
  const { nodeType, nodeName } = g;
  // After the move to owners (selfSize is not the file's own column), a store that still has a
  // size has two referrers or more — one referrer, its array, would own it — so only snapshots
  // without the move need the count.
  const moved = selfSize !== g.selfSize;
  const inDegree = moved ? new Map<number, number>() : storeReferrers(g, selfSize, arrayName, elements);
  for (let i = 0; i < g.nodeCount; i++) {
    const t = nodeType[i];
    const size = selfSize[i];
    if (t === c.hidden) system += size;
    else if (t === c.native) {
      native += size;
      if (nodeName[i] === arrayBufferData && arrayBufferData >= 0) typedArrays += size;
    } else if (t === c.code) code += size;
    else if (t === c.string || t === c.consString || t === c.slicedString) strings += size;
    else if (arrayName >= 0 && nodeName[i] === arrayName) {
      jsArrays += size;
      if (moved) continue;
      for (let e = g.firstEdge[i]; e < g.firstEdge[i + 1]; e++) {
        if (g.edgeType[e] !== c.edgeInternal || g.edgeNameOrIndex[e] !== elements) continue;
        const store = g.edgeTo[e];
        if (inDegree.get(store) === 1) jsArrays += selfSize[store];
        break;
      }
    }
  }
  return {
    total,
    native: { total: native, typedArrays },
    v8heap: { total: total - native, code, jsArrays, strings, system },
  };
}

/**
 * The count of incoming edges (every kind: DevTools' retainersCount) of the elements stores of JS
 * arrays that still have a size. After the move to owners most have none (the array owns its
 * store), and the pass over every edge is skipped.
 */
function storeReferrers(g: HeapGraph, selfSize: ArrayLike<number>, arrayName: number, elements: number): Map<number, number> {
  const c = typeCodes(g);
  const counts = new Map<number, number>();
  if (arrayName < 0 || elements < 0) return counts;
  // A bit per node: the set fits a CPU cache, so the pass over every edge stays cheap.
  const wanted = new Int32Array((g.nodeCount + 31) >>> 5);
  let any = false;
  for (let i = 0; i < g.nodeCount; i++) {
    const t = g.nodeType[i];
    if (g.nodeName[i] !== arrayName || t === c.hidden || t === c.native || t === c.code || t === c.string || t === c.consString || t === c.slicedString) continue;
    for (let e = g.firstEdge[i]; e < g.firstEdge[i + 1]; e++) {
      if (g.edgeType[e] !== c.edgeInternal || g.edgeNameOrIndex[e] !== elements) continue;
      const store = g.edgeTo[e];
      if (selfSize[store] !== 0) {
        wanted[store >>> 5] |= 1 << (store & 31);
        any = true;
      }
      break;
    }
  }
  if (!any) return counts;
  const to = g.edgeTo;
  for (let e = 0; e < to.length; e++) {
    const x = to[e];
    if ((wanted[x >>> 5] & (1 << (x & 31))) !== 0) counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  return counts;
}
