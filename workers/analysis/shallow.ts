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
 * Self sizes after the move, or the graph's own array when nothing moves (no user roots).
 *
 * An owner is a fixpoint over the non-weak edges (an ownable node's owner is the join of what its
 * referrers carry: an object itself, or the owner of an ownable referrer; two different ones make
 * "several"), so it can be computed in any order. Two phases, both cheaper than DevTools' one
 * worklist over every node: one sequential pass over all edges for what objects reference
 * directly, then a worklist over ownable nodes only, to carry owners through internal chains.
 */
export function shallowSizes(g: HeapGraph): Uint32Array | Float64Array {
  const c = typeCodes(g);
  if (!hasUserRoots(g, c)) return g.selfSize;
  const n = g.nodeCount;
  if (n >= MULTIPLE) return g.selfSize;
  const { nodeType, nodeName, firstEdge, edgeTo, edgeType } = g;
  const externalString = g.strings.indexOf('system / ExternalStringData');
  // ownable[i]: hidden, array, or an external string's data; everything else owns itself.
  const ownable = new Uint8Array(n);
  const hidden = c.hidden;
  const array = c.array;
  const native = c.native;
  for (let i = 0; i < n; i++) {
    const t = nodeType[i];
    if (t === hidden || t === array || (t === native && externalString >= 0 && nodeName[i] === externalString)) ownable[i] = 1;
  }
  const owner = new Uint32Array(n).fill(UNVISITED);
  const weak = c.edgeWeak;
  let stack = new Uint32Array(1024);
  let top = 0;
  const push = (x: number) => {
    if (top === stack.length) {
      const bigger = new Uint32Array(stack.length * 2);
      bigger.set(stack);
      stack = bigger;
    }
    stack[top++] = x;
  };
  // Phase 1: objects' own references.
  for (let from = 0; from < n; from++) {
    if (ownable[from] === 1) continue;
    for (let e = firstEdge[from], end = firstEdge[from + 1]; e < end; e++) {
      const to = edgeTo[e];
      if (ownable[to] === 0 || edgeType[e] === weak) continue;
      const current = owner[to];
      if (current === from || current === MULTIPLE) continue;
      if (current === UNVISITED) {
        owner[to] = from;
        push(to);
      } else owner[to] = MULTIPLE; // already queued
    }
  }
  // Phase 2: through chains of ownable nodes (each is queued again when its owner changes).
  while (top > 0) {
    const node = stack[--top];
    const o = owner[node];
    for (let e = firstEdge[node], end = firstEdge[node + 1]; e < end; e++) {
      const to = edgeTo[e];
      if (ownable[to] === 0 || edgeType[e] === weak) continue;
      const current = owner[to];
      if (current === o || current === MULTIPLE) continue;
      owner[to] = current === UNVISITED ? o : MULTIPLE;
      push(to);
    }
  }
  const synthetic = c.synthetic;
  // Moved in a copy of the file's column (narrow while the sums fit 32 bits, as they do but for rare native blobs).
  let size: Uint32Array | Float64Array = g.selfSize.slice();
  for (let i = 0; i < n; i++) {
    const o = owner[i];
    if (ownable[i] === 0 || o === UNVISITED || o === MULTIPLE) continue;
    if (o === ROOT || nodeType[o] === synthetic) continue; // DevTools: nothing is moved onto roots
    const sum = size[o] + size[i];
    if (sum > 0xffffffff && !(size instanceof Float64Array)) size = Float64Array.from(size);
    size[o] = sum;
    size[i] = 0;
  }
  return size;
}
