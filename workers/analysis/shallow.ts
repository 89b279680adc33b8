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

import { typeCodes, type HeapGraph } from '../model/heap-graph.ts';
import { NO_SCRATCH, type Scratch } from '../model/scratch.ts';
import { nodeFlags, OWNABLE } from './node-flags.ts';
import { hasUserRoots, ROOT } from './roots.ts';

export { hasUserRoots, isUserRoot } from './roots.ts';

// Owners are stored plus one, so a fresh (zeroed) array means "unvisited".
const UNVISITED = 0;
const MULTIPLE = 0xffffffff;
export { OWNABLE } from './node-flags.ts';

/** Flags the nodes that can be owned (hidden, array, an external string's data) with OWNABLE. */
export function markOwnable(g: HeapGraph, flags: Uint8Array): void {
  const own = nodeFlags(g);
  for (let i = 0; i < g.nodeCount; i++) flags[i] |= own[i] & OWNABLE;
}

/**
 * Owners while they are found. Phase 1 (`direct`) takes the objects' own references, one edge at a
 * time — the dominator pass does it in its sequential sweep over every edge, for free —, phase 2
 * (`finish`) carries owners through chains of ownable nodes.
 */
export class Owners {
  /** Per node: 0 unvisited, owner + 1, or MULTIPLE. */
  readonly owner: Uint32Array;
  private stack = new Uint32Array(1024);
  private top = 0;
  /** Nodes that got an owner (each once), for the move. */
  private owned = new Uint32Array(1024);
  private ownedCount = 0;

  /** `owner`: a zeroed array of n entries (a fresh one by default). */
  constructor(n: number, owner: Uint32Array = new Uint32Array(n)) {
    this.owner = owner;
  }

  private push(x: number): void {
    if (this.top === this.stack.length) {
      const bigger = new Uint32Array(this.stack.length * 2);
      bigger.set(this.stack);
      this.stack = bigger;
    }
    this.stack[this.top++] = x;
  }

  private record(x: number): void {
    if (this.ownedCount === this.owned.length) {
      const bigger = new Uint32Array(this.owned.length * 2);
      bigger.set(this.owned);
      this.owned = bigger;
    }
    this.owned[this.ownedCount++] = x;
  }

  /** A non-weak edge from the object `from` (not ownable) to the ownable `to`. */
  direct(from: number, to: number): void {
    const current = this.owner[to];
    if (current === from + 1 || current === MULTIPLE) return;
    if (current === UNVISITED) {
      this.owner[to] = from + 1;
      this.push(to);
      this.record(to);
    } else this.owner[to] = MULTIPLE; // already queued; phase 2 reads its final owner
  }

  /** Phase 2, then the sizes moved: a copy of the file's column (narrow while sums fit 32 bits). */
  finish(g: HeapGraph, flags: Uint8Array, scratch: Scratch = NO_SCRATCH): Uint32Array | Float64Array {
    const c = typeCodes(g);
    const { firstEdge, edgeTo, edgeType, nodeType } = g;
    const owner = this.owner;
    const weak = c.edgeWeak;
    while (this.top > 0) {
      const node = this.stack[--this.top];
      const o = owner[node];
      for (let e = firstEdge[node], end = firstEdge[node + 1]; e < end; e++) {
        const to = edgeTo[e];
        if ((flags[to] & OWNABLE) === 0 || edgeType[e] === weak) continue;
        const current = owner[to];
        if (current === o || current === MULTIPLE) continue;
        if (current === UNVISITED) this.record(to);
        owner[to] = current === UNVISITED ? o : MULTIPLE;
        this.push(to);
      }
    }
    const synthetic = c.synthetic;
    let size: Uint32Array | Float64Array;
    if (g.selfSize instanceof Uint32Array) {
      size = scratch.take(g.nodeCount);
      size.set(g.selfSize);
    } else size = g.selfSize.slice();
    for (let k = 0; k < this.ownedCount; k++) {
      const i = this.owned[k];
      const stored = owner[i];
      if (stored === MULTIPLE) continue;
      const o = stored - 1;
      if (o === ROOT || nodeType[o] === synthetic) continue; // DevTools: nothing is moved onto roots
      const sum = size[o] + size[i];
      if (sum > 0xffffffff && !(size instanceof Float64Array)) size = Float64Array.from(size);
      size[o] = sum;
      size[i] = 0;
    }
    return size;
  }
}

/**
 * Self sizes after the move, or the graph's own array when nothing moves (no user roots). The
 * heap document gets them from analyzeHeap (moveShallowSizes), which finds the direct owners in
 * its own sweep over the edges; this is the same on its own.
 *
 * An owner is a fixpoint over the non-weak edges (an ownable node's owner is the join of what its
 * referrers carry: an object itself, or the owner of an ownable referrer; two different ones make
 * "several"), so the order of the work does not matter.
 */
export function shallowSizes(g: HeapGraph, options: { nodeFlags?: Uint8Array; scratch?: Scratch } = {}): Uint32Array | Float64Array {
  const c = typeCodes(g);
  if (!hasUserRoots(g, c) || g.nodeCount >= MULTIPLE - 1) return g.selfSize;
  // The load's flags (nodeFlags: OWNABLE set) when given, read only here.
  let flags = options.nodeFlags;
  if (!flags) {
    flags = new Uint8Array(g.nodeCount);
    markOwnable(g, flags);
  }
  const scratch = options.scratch ?? NO_SCRATCH;
  const owners = new Owners(g.nodeCount, scratch.takeZeroed(g.nodeCount));
  const { firstEdge, edgeTo, edgeType } = g;
  const weak = c.edgeWeak;
  for (let from = 0; from < g.nodeCount; from++) {
    if ((flags[from] & OWNABLE) !== 0) continue;
    for (let e = firstEdge[from], end = firstEdge[from + 1]; e < end; e++) {
      const to = edgeTo[e];
      if ((flags[to] & OWNABLE) !== 0 && edgeType[e] !== weak) owners.direct(from, to);
    }
  }
  const size = owners.finish(g, flags, scratch);
  scratch.give(owners.owner);
  return size;
}
