// What keeps an object alive, and what it holds, as DevTools' Retainers and Containment grids
// show them (createRetainingEdgesProvider, createEdgesProvider, ignoreNodeInRetainersView):
// - retainers of a node: its incoming edges except weak ones and the root's, closest retainer
//   first (by the retainer's distance for the retainers view), then by the retainer's name, then
//   as DevTools lists them (last edge first);
// - "ignore this retainer": distances for the retainers view are recomputed without entering the
//   ignored objects; what that leaves unreachable sorts last (BASE_UNREACHABLE_DISTANCE + its
//   distance), and a WeakMap value whose key or table became unreachable has its other edge
//   counted as cut too (one of the two is not enough to keep it);
// - containment of a node: all its outgoing edges, largest retained size first, then by edge name
//   (named before numbered, `__proto__` last).
// The retainer index (edges by target) is built by the heap document on the first question: it
// costs 4 bytes per edge and loading does not need it.

import { edgeName, edgeSource, typeCodes, type HeapGraph, type TypeCodes } from '../model/heap-graph.ts';
import { BASE_UNREACHABLE_DISTANCE, devtoolsDistances, NO_DISTANCE } from './distances.ts';
import { ROOT, WeakMapEdgeNames } from './dominators.ts';

export interface Retainers {
  /** Edges into node i are retainerEdge[firstRetainer[i] .. firstRetainer[i + 1]]. */
  firstRetainer: Uint32Array;
  retainerEdge: Uint32Array;
  /** The source node of each edge, by edge index. */
  edgeFrom: Uint32Array;
}

export function buildRetainers(g: HeapGraph): Retainers {
  const n = g.nodeCount;
  const firstRetainer = new Uint32Array(n + 1);
  const to = g.edgeTo;
  for (let e = 0; e < g.edgeCount; e++) firstRetainer[to[e] + 1]++;
  for (let i = 0; i < n; i++) firstRetainer[i + 1] += firstRetainer[i];
  const fill = firstRetainer.slice(0, n);
  const retainerEdge = new Uint32Array(g.edgeCount);
  for (let e = 0; e < g.edgeCount; e++) retainerEdge[fill[to[e]]++] = e;
  const edgeFrom = new Uint32Array(g.edgeCount);
  for (let i = 0; i < n; i++) edgeFrom.fill(i, g.firstEdge[i], g.firstEdge[i + 1]);
  return { firstRetainer, retainerEdge, edgeFrom };
}

/** Distances for the retainers view, with some objects ignored. */
export class RetainersView {
  readonly ignored = new Set<number>();
  private distances: Int32Array | null = null;
  private ignoredEdges = new Set<number>();
  private readonly weakMaps: WeakMapEdgeNames;

  constructor(
    private readonly g: HeapGraph,
    private readonly index: Retainers,
    /** DevTools' distances with nothing ignored. */
    private readonly base: Int32Array,
  ) {
    this.weakMaps = new WeakMapEdgeNames(g.strings);
  }

  ignore(node: number): void {
    this.ignored.add(node);
    this.recompute();
  }

  unignore(node: number): void {
    this.ignored.delete(node);
    this.recompute();
  }

  unignoreAll(): void {
    this.ignored.clear();
    this.recompute();
  }

  private recompute(): void {
    this.ignoredEdges = new Set();
    if (this.ignored.size === 0) {
      this.distances = null;
      return;
    }
    const flags = new Uint8Array(this.g.nodeCount);
    for (const n of this.ignored) flags[n] = 1;
    const d = (this.distances = devtoolsDistances(this.g, flags, this.weakMaps));
    // WeakMap pairs: an unreachable key or table cuts the value's other edge too.
    const c = typeCodes(this.g);
    const cut = new Map<number, Set<string>>();
    for (let i = 0; i < this.g.nodeCount; i++) {
      if (d[i] !== NO_DISTANCE) continue;
      for (let e = this.g.firstEdge[i]; e < this.g.firstEdge[i + 1]; e++) {
        if (this.g.edgeType[e] !== c.edgeInternal) continue;
        const part = this.weakMaps.parse(this.g.edgeNameOrIndex[e]);
        if (!part) continue;
        const to = this.g.edgeTo[e];
        let set = cut.get(to);
        if (!set) cut.set(to, (set = new Set()));
        set.add(part.pair);
      }
    }
    const { firstRetainer, retainerEdge } = this.index;
    for (const [target, pairs] of cut) {
      for (let r = firstRetainer[target]; r < firstRetainer[target + 1]; r++) {
        const e = retainerEdge[r];
        if (this.g.edgeType[e] !== c.edgeInternal) continue;
        const part = this.weakMaps.parse(this.g.edgeNameOrIndex[e]);
        if (part && pairs.has(part.pair)) this.ignoredEdges.add(e);
      }
    }
  }

  /** A node's distance in the retainers view (getDistanceForRetainersView). */
  distanceOf(node: number): number {
    const d = this.distances ?? this.base;
    if (d[node] === NO_DISTANCE) return Math.max(0, this.base[node]) + BASE_UNREACHABLE_DISTANCE;
    return d[node];
  }

  /** An edge's distance in the retainers view: its retainer's, or "unreachable" when the edge is cut. */
  edgeDistance(edge: number): number {
    if (this.ignoredEdges.has(edge)) return BASE_UNREACHABLE_DISTANCE;
    return this.distanceOf(this.index.edgeFrom[edge]);
  }
}

/** The edges DevTools lists as retainers of a node: not weak, not from the root. */
export function retainingEdges(g: HeapGraph, index: Retainers, node: number, c: TypeCodes = typeCodes(g)): number[] {
  const out: number[] = [];
  const { firstRetainer, retainerEdge, edgeFrom } = index;
  for (let r = firstRetainer[node]; r < firstRetainer[node + 1]; r++) {
    const e = retainerEdge[r];
    if (g.edgeType[e] === c.edgeWeak || edgeFrom[e] === ROOT) continue;
    out.push(e);
  }
  return out;
}

/** Retainers in the grid's default order: closest first, then the retainer's name, then last edge first. */
export function sortRetainers(edges: number[], index: Retainers, view: RetainersView, nameOf: (node: number) => string): number[] {
  const names = new Map<number, string>();
  const name = (e: number) => {
    let s = names.get(e);
    if (s === undefined) names.set(e, (s = nameOf(index.edgeFrom[e])));
    return s;
  };
  return edges.sort((a, b) => {
    const d = view.edgeDistance(a) - view.edgeDistance(b);
    if (d !== 0) return d;
    const na = name(a);
    const nb = name(b);
    return na < nb ? -1 : na > nb ? 1 : b - a;
  });
}

/** A node's outgoing edges for the containment grid, largest retained size first, then by name. */
export function containmentEdges(g: HeapGraph, node: number, retained: Uint32Array | Float64Array): number[] {
  const c = typeCodes(g);
  const out: number[] = [];
  for (let e = g.firstEdge[node]; e < g.firstEdge[node + 1]; e++) out.push(e);
  const hasString = (e: number) => g.edgeType[e] !== c.edgeElement && g.edgeType[e] !== c.edgeHidden;
  // DevTools compares edge names as strings, numbers too ("10" before "9").
  const label = (e: number): string => (hasString(e) ? g.strings[g.edgeNameOrIndex[e]] : String(g.edgeNameOrIndex[e]));
  return out.sort((a, b) => {
    const r = retained[g.edgeTo[b]] - retained[g.edgeTo[a]];
    if (r !== 0) return r;
    const la = label(a);
    const lb = label(b);
    if (lb === '__proto__') return -1;
    if (la === '__proto__') return 1;
    if (hasString(a) !== hasString(b)) return hasString(a) ? -1 : 1;
    return la < lb ? -1 : la > lb ? 1 : a - b;
  });
}

export interface PathStep {
  node: number;
  /** The edge from the next step (the retainer) to this node; '' for the last step (the root). */
  edge: string;
  edgeType: string;
  /** The edge index (-1 for the last step). */
  edgeIndex: number;
}

/** Up to `max` shortest retainer paths, each from the object (first) to the root (last), over `distance`. */
export function retainerPaths(g: HeapGraph, distance: Int32Array, index: Retainers, node: number, max = 5): PathStep[][] {
  const c = typeCodes(g);
  const { firstRetainer, retainerEdge } = index;
  const from = (e: number) => index.edgeFrom[e] ?? edgeSource(g, e);
  // The root counts as distance 0 here: DevTools gives it BASE_SYSTEM_DISTANCE when there are
  // user roots, which are its children at distance 1.
  const dist = (n: number) => (n === ROOT ? 0 : distance[n]);
  const usable = (e: number) => g.edgeType[e] !== c.edgeWeak && dist(from(e)) >= 0;
  // The closest retainer of x: one at distance d(x) − 1 when the search that made d went through it.
  const closest = (x: number): number => {
    let best = -1;
    let bestDistance = Infinity;
    for (let r = firstRetainer[x]; r < firstRetainer[x + 1]; r++) {
      const e = retainerEdge[r];
      if (!usable(e)) continue;
      const d = dist(from(e));
      if (d < bestDistance) [best, bestDistance] = [e, d];
    }
    return best;
  };
  const direct: number[] = [];
  const seen = new Set<number>();
  for (let r = firstRetainer[node]; r < firstRetainer[node + 1]; r++) {
    const e = retainerEdge[r];
    const source = from(e);
    if (!usable(e) || seen.has(source) || source === node) continue;
    seen.add(source);
    direct.push(e);
  }
  direct.sort((x, y) => dist(from(x)) - dist(from(y)) || x - y);
  const paths: PathStep[][] = [];
  for (const start of direct.slice(0, max)) {
    const path: PathStep[] = [{ node, edge: '', edgeType: '', edgeIndex: -1 }];
    const visited = new Set<number>([node]);
    for (let e = start; e >= 0; ) {
      const source = from(e);
      const step = path[path.length - 1];
      step.edge = edgeName(g, e, c);
      step.edgeType = g.edgeTypes[g.edgeType[e]];
      step.edgeIndex = e;
      if (visited.has(source)) break;
      visited.add(source);
      path.push({ node: source, edge: '', edgeType: '', edgeIndex: -1 });
      if (source === ROOT) break;
      e = closest(source);
    }
    paths.push(path);
  }
  return paths;
}
