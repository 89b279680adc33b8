// What keeps an object alive: its shortest retainer paths to the root, one through each of its
// closest direct retainers (weak edges skipped), as DevTools' Retainers pane leads to the root.

import { edgeName, typeCodes, type HeapGraph } from '../model/heap-graph.ts';
import { ROOT, type HeapAnalysis } from './dominators.ts';

export interface PathStep {
  node: number;
  /** The edge from the next step (the retainer) to this node; '' for the first step. */
  edge: string;
  edgeType: string;
}

/** Up to `max` paths, each from the object (first) to the root (last). */
export function retainerPaths(g: HeapGraph, a: HeapAnalysis, node: number, max = 5): PathStep[][] {
  const c = typeCodes(g);
  const { firstRetainer, retainerEdge, retainerNode } = a.retainers;
  const usable = (r: number) => g.edgeType[retainerEdge[r]] !== c.edgeWeak && a.distance[retainerNode[r]] >= 0;
  // The closest retainer of x: one at distance d(x) − 1 (it exists by the BFS that made d).
  const closest = (x: number): number => {
    let best = -1;
    for (let r = firstRetainer[x]; r < firstRetainer[x + 1]; r++) {
      if (!usable(r)) continue;
      if (best < 0 || a.distance[retainerNode[r]] < a.distance[retainerNode[best]]) best = r;
    }
    return best;
  };
  const direct: number[] = [];
  const seen = new Set<number>();
  for (let r = firstRetainer[node]; r < firstRetainer[node + 1]; r++) {
    if (!usable(r) || seen.has(retainerNode[r])) continue;
    seen.add(retainerNode[r]);
    direct.push(r);
  }
  direct.sort((x, y) => a.distance[retainerNode[x]] - a.distance[retainerNode[y]]);
  const paths: PathStep[][] = [];
  for (const start of direct.slice(0, max)) {
    const path: PathStep[] = [{ node, edge: '', edgeType: '' }];
    let r = start;
    const visited = new Set<number>([node]);
    while (r >= 0) {
      const from = retainerNode[r];
      const e = retainerEdge[r];
      path[path.length - 1].edge = edgeName(g, e, c);
      path[path.length - 1].edgeType = g.edgeTypes[g.edgeType[e]];
      if (visited.has(from)) break;
      visited.add(from);
      path.push({ node: from, edge: '', edgeType: '' });
      if (from === ROOT) break;
      r = closest(from);
    }
    paths.push(path);
  }
  return paths;
}
