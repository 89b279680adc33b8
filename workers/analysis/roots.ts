// The snapshot's root and DevTools' user roots: the root's children that are not synthetic (the
// page's windows, Node's `global`) or are "(Document DOM trees)". Chromium 156 page snapshots have
// none (the root's one child is "(GC roots)"): DevTools then moves no shallow size and gives no
// distance the system offset.

import { typeCodes, type HeapGraph, type TypeCodes } from '../model/heap-graph.ts';

export const ROOT = 0;

export function isUserRoot(g: HeapGraph, node: number, c: TypeCodes = typeCodes(g)): boolean {
  return g.nodeType[node] !== c.synthetic || g.strings[g.nodeName[node]] === '(Document DOM trees)';
}

export function hasUserRoots(g: HeapGraph, c: TypeCodes = typeCodes(g)): boolean {
  for (let e = g.firstEdge[ROOT]; e < g.firstEdge[ROOT + 1]; e++) if (isUserRoot(g, g.edgeTo[e], c)) return true;
  return false;
}

/** DevTools' page-object entry points: the root's shortcut targets and its "(Document DOM trees)" element. */
export function pageEntries(g: HeapGraph, c: TypeCodes = typeCodes(g)): number[] {
  const out: number[] = [];
  for (let e = g.firstEdge[ROOT]; e < g.firstEdge[ROOT + 1]; e++) {
    const t = g.edgeType[e];
    const child = g.edgeTo[e];
    const domTrees = t === c.edgeElement && g.nodeType[child] === c.synthetic && g.strings[g.nodeName[child]] === '(Document DOM trees)';
    if (t === c.edgeShortcut || domTrees) out.push(child);
  }
  return out;
}

/** Whether the user roots are exactly the page entry points (so one search from them finds both). */
export function userRootsAreEntries(g: HeapGraph, c: TypeCodes = typeCodes(g)): boolean {
  const users = new Set<number>();
  for (let e = g.firstEdge[ROOT]; e < g.firstEdge[ROOT + 1]; e++) if (isUserRoot(g, g.edgeTo[e], c)) users.add(g.edgeTo[e]);
  const entries = new Set(pageEntries(g, c));
  return users.size === entries.size && [...users].every((u) => entries.has(u));
}
