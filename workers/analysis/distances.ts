// Distances as DevTools computes them (HeapSnapshot.calculateDistances, JSHeapSnapshot's filter):
// breadth first over non-weak edges, first from the user roots (the page's or process's globals,
// and "(Document DOM trees)") at distance 1, then from the root for what they did not reach, at
// BASE_SYSTEM_DISTANCE + hops when there were user roots (objects only the engine holds). Nodes
// reached by neither keep NO_DISTANCE. Three kinds of edge are not followed, as in DevTools:
// - `sloppy_function_map` of a native context (every sloppy function's map hangs there);
// - the descriptor values of a "(map descriptors)" array (elements 4, 7, 10, …): descriptor
//   arrays are shared between maps, so those links may not belong to the map at hand;
// - the first of a WeakMap value's two edges (key and table) that the search reaches: a value is
//   one further than the farther of its key and its table, which both must live to keep it.
// The retainers view recomputes them with some objects "ignored" (not entered).

import { typeCodes, type HeapGraph } from '../model/heap-graph.ts';
import { NO_SCRATCH, type Scratch } from '../model/scratch.ts';
import { WeakMapEdgeNames } from './weakmap-edges.ts';
import { DESCRIPTORS, NATIVE_CONTEXT, nodeFlags, PAGE } from './node-flags.ts';
import { isUserRoot, ROOT, userRootsAreEntries } from './roots.ts';

/** DevTools' constants (HeapSnapshotModel): "no distance", and the offsets the UI shows as "−". */
export const NO_DISTANCE = -5;
export const BASE_SYSTEM_DISTANCE = 100_000_000;
export const BASE_UNREACHABLE_DISTANCE = 200_000_000;

/** How DevTools prints a distance: the number while it is a real hop count from a user root, else "−". */
export function distanceText(d: number): string {
  return d >= 0 && d < BASE_SYSTEM_DISTANCE ? String(d) : '−';
}

/**
 * DevTools' distances of every node. `ignored` (one flag per node) are never entered — the
 * retainers view's "ignore this retainer".
 */
export function devtoolsDistances(g: HeapGraph, ignored: Uint8Array | null = null, weakMaps: WeakMapEdgeNames = new WeakMapEdgeNames(g.strings)): Int32Array {
  return search(g, ignored, weakMaps, nodeFlags(g), false);
}

/**
 * DevTools' distances, and the page objects its dominators need (what the user roots reach over
 * non-weak edges) found in the same search when the user roots are the page's entry points (they
 * are in every snapshot we have seen): the search's first pass reaches all of them but what only
 * the edges it refuses lead to, which a depth-first walk from those edges adds. They are set as
 * PAGE in `flags` (node-flags.ts), and `page` says whether they were (analyzeHeap finds them
 * itself otherwise).
 */
export function distancesAndPageObjects(g: HeapGraph, flags: Uint8Array = nodeFlags(g), scratch: Scratch = NO_SCRATCH): { distance: Int32Array; page: boolean } {
  const page = userRootsAreEntries(g);
  return { distance: search(g, null, new WeakMapEdgeNames(g.strings), flags, page, scratch), page };
}

function search(g: HeapGraph, ignored: Uint8Array | null, weakMaps: WeakMapEdgeNames, flags: Uint8Array, withPage: boolean, scratch: Scratch = NO_SCRATCH): Int32Array {
  const c = typeCodes(g);
  const n = g.nodeCount;
  const distance = new Int32Array(n).fill(NO_DISTANCE);
  const queue = scratch.take(n + 1); // written before it is read
  const s: BfsState = {
    g,
    distance,
    queue,
    ignored,
    weakMaps,
    pending: new Set<string>(),
    sloppy: g.strings.indexOf('sloppy_function_map'),
    weak: c.edgeWeak,
    internal: c.edgeInternal,
    element: c.edgeElement,
    hiddenEdge: c.edgeHidden,
    seen: new Int32Array((n + 31) >>> 5),
    refused: withPage ? [] : null,
    flags,
    special: specialBits(flags),
  };
  const mark = (x: number) => (s.seen[x >>> 5] |= 1 << (x & 31));
  let tail = 0;
  for (let e = g.firstEdge[ROOT]; e < g.firstEdge[ROOT + 1]; e++) {
    const child = g.edgeTo[e];
    if (!isUserRoot(g, child, c)) continue;
    distance[child] = 1;
    mark(child);
    queue[tail++] = child;
  }
  const userRoots = tail > 0;
  bfs(s, tail, 1);
  if (withPage) markPage(g, s);
  s.refused = null;
  distance[ROOT] = userRoots ? BASE_SYSTEM_DISTANCE : 0;
  mark(ROOT);
  queue[0] = ROOT;
  bfs(s, 1, distance[ROOT]);
  scratch.give(queue);
  return distance;
}

/** PAGE for the first pass's nodes, and for what the edges it refused lead to over non-weak edges. */
function markPage(g: HeapGraph, s: BfsState): void {
  const { seen, flags } = s;
  for (let i = 0; i < g.nodeCount; i++) if ((seen[i >>> 5] & (1 << (i & 31))) !== 0) flags[i] |= PAGE;
  const stack = s.refused!.filter((x) => (flags[x] & PAGE) === 0);
  for (const x of stack) flags[x] |= PAGE;
  const weak = s.weak;
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (let e = g.firstEdge[node], end = g.firstEdge[node + 1]; e < end; e++) {
      const to = g.edgeTo[e];
      if ((flags[to] & PAGE) !== 0 || g.edgeType[e] === weak) continue;
      flags[to] |= PAGE;
      stack.push(to);
    }
  }
}

interface BfsState {
  g: HeapGraph;
  distance: Int32Array;
  queue: Uint32Array;
  ignored: Uint8Array | null;
  weakMaps: WeakMapEdgeNames;
  /** WeakMap pairs one of whose edges the search has refused (shared by both passes). */
  pending: Set<string>;
  sloppy: number;
  weak: number;
  internal: number;
  element: number;
  hiddenEdge: number;
  /** Nodes with a distance, a bit each. */
  seen: Int32Array;
  /** Targets of edges the filter refused (collected in the first pass when page objects are wanted). */
  refused: number[] | null;
  /** Node flags: NATIVE_CONTEXT and DESCRIPTORS mark the nodes whose edges the filter looks at by name. */
  flags: Uint8Array;
  /** Those nodes, a bit each (the search reads this for every node it takes; it fits a CPU cache). */
  special: Int32Array;
}

function specialBits(flags: Uint8Array): Int32Array {
  const bits = new Int32Array((flags.length + 31) >>> 5);
  for (let i = 0; i < flags.length; i++) if ((flags[i] & (NATIVE_CONTEXT | DESCRIPTORS)) !== 0) bits[i >>> 5] |= 1 << (i & 31);
  return bits;
}

/** Breadth first from queue[0 .. tail) (all at distance `start`), with DevTools' filter (see the top of the file). */
function bfs(s: BfsState, tail: number, start: number): void {
  const { g, distance, queue, ignored, weakMaps, pending, sloppy, weak, internal, element, hiddenEdge, seen, refused, flags, special: specialBitset } = s;
  const { firstEdge, edgeTo, edgeType, edgeNameOrIndex } = g;
  const weakMapState = weakMaps.state;
  let head = 0;
  // The queue holds one level after the other: its children's distance is known without reading it.
  let levelEnd = tail;
  let d = start + 1;
  while (head < tail) {
    if (head === levelEnd) {
      levelEnd = tail;
      d++;
    }
    const node = queue[head++];
    let special = 0;
    if ((specialBitset[node >>> 5] & (1 << (node & 31))) !== 0) special = (flags[node] & NATIVE_CONTEXT) !== 0 ? 1 : 2;
    for (let e = firstEdge[node], end = firstEdge[node + 1]; e < end; e++) {
      const et = edgeType[e];
      if (et === weak) continue;
      const to = edgeTo[e];
      // A bit per node (fits a CPU cache) says whether `to` has its distance already.
      if ((seen[to >>> 5] & (1 << (to & 31))) !== 0) continue;
      if (ignored !== null && ignored[to] === 1) continue;
      if (special !== 0) {
        const indexed = et === element || et === hiddenEdge;
        if (special === 1 && !indexed && edgeNameOrIndex[e] === sloppy) {
          if (refused !== null) refused.push(to);
          continue;
        }
        if (special === 2) {
          // Edges with a string name parse as NaN and pass, as in DevTools.
          const index = indexed ? edgeNameOrIndex[e] : parseInt(g.strings[edgeNameOrIndex[e]], 10);
          if (!(index < 2 || index % 3 !== 1)) {
            if (refused !== null) refused.push(to);
            continue;
          }
          distance[to] = d;
          seen[to >>> 5] |= 1 << (to & 31);
          queue[tail++] = to;
          continue;
        }
      }
      if (et === internal && weakMapState[edgeNameOrIndex[e]] !== 1) {
        const part = weakMaps.parse(edgeNameOrIndex[e]);
        if (part !== null && !pending.delete(part.pair)) {
          pending.add(part.pair);
          if (refused !== null) refused.push(to);
          continue;
        }
      }
      distance[to] = d;
      seen[to >>> 5] |= 1 << (to & 31);
      queue[tail++] = to;
    }
  }
}

/**
 * What a plain breadth-first search from the root reaches (one flag per node) when it may not
 * follow the edges `refuse` names: the search behind DevTools' named filters.
 */
export function reachedAvoiding(g: HeapGraph, refuse: (from: number, edge: number, to: number) => boolean): Uint8Array {
  const c = typeCodes(g);
  const reached = new Uint8Array(g.nodeCount);
  const queue = new Uint32Array(g.nodeCount + 1);
  let tail = 0;
  reached[ROOT] = 1;
  queue[tail++] = ROOT;
  for (let head = 0; head < tail; head++) {
    const node = queue[head];
    for (let e = g.firstEdge[node], end = g.firstEdge[node + 1]; e < end; e++) {
      if (g.edgeType[e] === c.edgeWeak) continue;
      const to = g.edgeTo[e];
      if (reached[to] || refuse(node, e, to)) continue;
      reached[to] = 1;
      queue[tail++] = to;
    }
  }
  return reached;
}
