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
import { ROOT, WeakMapEdgeNames } from './dominators.ts';
import { isUserRoot } from './shallow.ts';

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
  const c = typeCodes(g);
  const n = g.nodeCount;
  const distance = new Int32Array(n).fill(NO_DISTANCE);
  const queue = new Uint32Array(n + 1);
  const s: BfsState = {
    g,
    distance,
    queue,
    ignored,
    weakMaps,
    pending: new Set<string>(),
    nativeContext: g.strings.indexOf('system / NativeContext'),
    descriptors: g.strings.indexOf('(map descriptors)'),
    sloppy: g.strings.indexOf('sloppy_function_map'),
    weak: c.edgeWeak,
    internal: c.edgeInternal,
    element: c.edgeElement,
    hiddenEdge: c.edgeHidden,
    hidden: c.hidden,
    array: c.array,
    seen: new Int32Array((n + 31) >>> 5),
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
  bfs(s, tail);
  distance[ROOT] = userRoots ? BASE_SYSTEM_DISTANCE : 0;
  mark(ROOT);
  queue[0] = ROOT;
  bfs(s, 1);
  return distance;
}

interface BfsState {
  g: HeapGraph;
  distance: Int32Array;
  queue: Uint32Array;
  ignored: Uint8Array | null;
  weakMaps: WeakMapEdgeNames;
  /** WeakMap pairs one of whose edges the search has refused (shared by both passes). */
  pending: Set<string>;
  nativeContext: number;
  descriptors: number;
  sloppy: number;
  weak: number;
  internal: number;
  element: number;
  hiddenEdge: number;
  hidden: number;
  array: number;
  /** Nodes with a distance, a bit each. */
  seen: Int32Array;
}

/** Breadth first from queue[0 .. tail), with DevTools' filter (see the top of the file). */
function bfs(s: BfsState, tail: number): void {
  const { g, distance, queue, ignored, weakMaps, pending, nativeContext, descriptors, sloppy, weak, internal, element, hiddenEdge, hidden, array, seen } = s;
  const { firstEdge, edgeTo, edgeType, edgeNameOrIndex, nodeType, nodeName } = g;
  const weakMapState = weakMaps.state;
  let head = 0;
  while (head < tail) {
    const node = queue[head++];
    const d = distance[node] + 1;
    const t = nodeType[node];
    const name = nodeName[node];
    const special = t === hidden && name === nativeContext && sloppy >= 0 ? 1 : t === array && name === descriptors ? 2 : 0;
    for (let e = firstEdge[node], end = firstEdge[node + 1]; e < end; e++) {
      const et = edgeType[e];
      if (et === weak) continue;
      const to = edgeTo[e];
      // A bit per node (fits a CPU cache) says whether `to` has its distance already.
      if ((seen[to >>> 5] & (1 << (to & 31))) !== 0) continue;
      if (ignored !== null && ignored[to] === 1) continue;
      if (special !== 0) {
        const indexed = et === element || et === hiddenEdge;
        if (special === 1 && !indexed && edgeNameOrIndex[e] === sloppy) continue;
        if (special === 2) {
          // Edges with a string name parse as NaN and pass, as in DevTools.
          const index = indexed ? edgeNameOrIndex[e] : parseInt(g.strings[edgeNameOrIndex[e]], 10);
          if (!(index < 2 || index % 3 !== 1)) continue;
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
