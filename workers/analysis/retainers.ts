// What keeps an object alive: its shortest retainer paths to the root, one through each of its
// closest direct retainers (weak edges skipped), as DevTools' Retainers pane leads to the root.
// The retainer index (edges by target) is built by the heap document on the first question about
// a snapshot: loading does not need it, and it costs 4 bytes per edge.

import { edgeName, edgeSource, typeCodes, type HeapGraph } from '../model/heap-graph.ts';
import { ROOT, type HeapAnalysis } from './dominators.ts';

export interface Retainers {
  /** Edges into node i are retainerEdge[firstRetainer[i] .. firstRetainer[i + 1]]. */
  firstRetainer: Uint32Array;
  retainerEdge: Uint32Array;
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
  return { firstRetainer, retainerEdge };
}

export interface PathStep {
  node: number;
  /** The edge from the next step (the retainer) to this node; '' for the last step (the root). */
  edge: string;
  edgeType: string;
}

/** Up to `max` paths, each from the object (first) to the root (last), shortest first. */
export function retainerPaths(g: HeapGraph, a: HeapAnalysis, index: Retainers, node: number, max = 5): PathStep[][] {
  const c = typeCodes(g);
  const { firstRetainer, retainerEdge } = index;
  const distance = a.distance;
  const usable = (e: number) => g.edgeType[e] !== c.edgeWeak && distance[edgeSource(g, e)] >= 0;
  // The closest retainer of x: one at distance d(x) − 1 when the BFS that made d went through it.
  const closest = (x: number): number => {
    let best = -1;
    let bestDistance = Infinity;
    for (let r = firstRetainer[x]; r < firstRetainer[x + 1]; r++) {
      const e = retainerEdge[r];
      if (!usable(e)) continue;
      const d = distance[edgeSource(g, e)];
      if (d < bestDistance) [best, bestDistance] = [e, d];
    }
    return best;
  };
  const direct: number[] = [];
  const seen = new Set<number>();
  for (let r = firstRetainer[node]; r < firstRetainer[node + 1]; r++) {
    const e = retainerEdge[r];
    const from = edgeSource(g, e);
    if (!usable(e) || seen.has(from) || from === node) continue;
    seen.add(from);
    direct.push(e);
  }
  direct.sort((x, y) => distance[edgeSource(g, x)] - distance[edgeSource(g, y)] || x - y);
  const paths: PathStep[][] = [];
  for (const start of direct.slice(0, max)) {
    const path: PathStep[] = [{ node, edge: '', edgeType: '' }];
    const visited = new Set<number>([node]);
    for (let e = start; e >= 0; ) {
      const from = edgeSource(g, e);
      path[path.length - 1].edge = edgeName(g, e, c);
      path[path.length - 1].edgeType = g.edgeTypes[g.edgeType[e]];
      if (visited.has(from)) break;
      visited.add(from);
      path.push({ node: from, edge: '', edgeType: '' });
      if (from === ROOT) break;
      e = closest(from);
    }
    paths.push(path);
  }
  return paths;
}
