// Shallow sizes as DevTools shows them (JSHeapSnapshot.calculateShallowSizes): V8's internal
// arrays and hidden objects (a Map's hash table, an object's properties store, a function's
// feedback) are counted in the size of the one object that owns them, and disappear from the
// Summary themselves. An internal node is owned by an object when every non-weak path from other
// objects into it runs through that object (through other internal nodes only); reached from two
// objects, it belongs to neither and keeps its size.
//
// DevTools skips this for snapshots without user roots (Chromium's "expose internals" snapshots,
// and every Chromium 156 page snapshot we have: the root's only child is "(GC roots)"), where it
// shows the allocations as V8 made them. So do we.

import { typeCodes, type HeapGraph, type TypeCodes } from '../model/heap-graph.ts';
import { ROOT } from './dominators.ts';

/** DevTools' user roots: children of the root that are not synthetic, or are "(Document DOM trees)". */
export function isUserRoot(g: HeapGraph, node: number, c: TypeCodes = typeCodes(g)): boolean {
  return g.nodeType[node] !== c.synthetic || g.strings[g.nodeName[node]] === '(Document DOM trees)';
}

export function hasUserRoots(g: HeapGraph, c: TypeCodes = typeCodes(g)): boolean {
  for (let e = g.firstEdge[ROOT]; e < g.firstEdge[ROOT + 1]; e++) if (isUserRoot(g, g.edgeTo[e], c)) return true;
  return false;
}

const UNVISITED = 0xffffffff;
const MULTIPLE = 0xfffffffe;

/**
 * Self sizes after the move, or the graph's own array when nothing moves (no user roots). The
 * owners are a fixpoint, so the worklist order does not matter; each node enters it at most three
 * times (as its own owner, on getting an owner, on getting a second one).
 */
export function shallowSizes(g: HeapGraph): Uint32Array | Float64Array {
  const c = typeCodes(g);
  if (!hasUserRoots(g, c)) return g.selfSize;
  const n = g.nodeCount;
  if (n >= MULTIPLE) return g.selfSize;
  const { nodeType, nodeName, firstEdge, edgeTo, edgeType } = g;
  const externalString = g.strings.indexOf('system / ExternalStringData');
  const owner = new Uint32Array(n);
  let stack = new Uint32Array(Math.max(16, n));
  let top = 0;
  const hidden = c.hidden;
  const array = c.array;
  const native = c.native;
  for (let i = 0; i < n; i++) {
    const t = nodeType[i];
    if (t === hidden || t === array || (t === native && externalString >= 0 && nodeName[i] === externalString)) owner[i] = UNVISITED;
    else {
      owner[i] = i;
      stack[top++] = i;
    }
  }
  const weak = c.edgeWeak;
  while (top > 0) {
    const node = stack[--top];
    const o = owner[node];
    for (let e = firstEdge[node], end = firstEdge[node + 1]; e < end; e++) {
      if (edgeType[e] === weak) continue;
      const to = edgeTo[e];
      const current = owner[to];
      if (current === to || current === o || current === MULTIPLE) continue;
      owner[to] = current === UNVISITED ? o : MULTIPLE;
      if (top === stack.length) {
        const bigger = new Uint32Array(stack.length * 2);
        bigger.set(stack);
        stack = bigger;
      }
      stack[top++] = to;
    }
  }
  const synthetic = c.synthetic;
  // Moved in a copy of the file's column (narrow while the sums fit 32 bits, as they do but for rare native blobs).
  let size: Uint32Array | Float64Array = g.selfSize.slice();
  for (let i = 0; i < n; i++) {
    const o = owner[i];
    if (o === i || o === UNVISITED || o === MULTIPLE) continue;
    if (o === ROOT || nodeType[o] === synthetic) continue; // DevTools: nothing is moved onto roots
    const sum = size[o] + size[i];
    if (sum > 0xffffffff && !(size instanceof Float64Array)) size = Float64Array.from(size);
    size[o] = sum;
    size[i] = 0;
  }
  return size;
}
