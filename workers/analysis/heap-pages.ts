// The lists the Heap view pages through, as pure functions over indexes that the heap document
// builds once and keeps: the objects of a class (those the Summary counts: nonzero size, passing
// the filter), sorted as DevTools' grid sorts them; what an object dominates; detached DOM
// elements; objects by id.

import type { HeapObjectSortKey } from '../api/types.ts';
import { nodeDisplayName, type HeapGraph } from '../model/heap-graph.ts';
import type { ClassIndex, DominatorTree } from './classes.ts';

/** Nodes grouped by class (one counting pass), as CSR: class c's nodes are all[first[c] .. first[c + 1]]. */
export interface ClassMembers {
  first: Uint32Array;
  all: Uint32Array;
  /** Per class: the sort its slice is in ('' = node order). */
  sortedBy: string[];
}

/** The members of every class that the Summary counts: objects of nonzero size passing `filter`. */
export function classMembers(index: ClassIndex, selfSize: ArrayLike<number>, filter: Uint8Array | null = null): ClassMembers {
  const { classOf } = index;
  const k = index.classes.length;
  const n = classOf.length;
  const counted = (i: number) => selfSize[i] !== 0 && (filter === null || filter[i] === 1);
  const first = new Uint32Array(k + 1);
  for (let i = 0; i < n; i++) if (counted(i)) first[classOf[i] + 1]++;
  for (let c = 0; c < k; c++) first[c + 1] += first[c];
  const fill = first.slice(0, k);
  const all = new Uint32Array(first[k]);
  for (let i = 0; i < n; i++) if (counted(i)) all[fill[classOf[i]]++] = i;
  return { first, all, sortedBy: new Array(k).fill('') };
}

export interface ObjectFacts {
  g: HeapGraph;
  selfSize: ArrayLike<number>;
  retained: Uint32Array | Float64Array;
  distance: Int32Array;
  /** Display names (DevTools' node.name()), computed on demand for a name sort. */
  name?: (node: number) => string;
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A comparator of nodes as DevTools' object grid sorts a column (HeapSnapshotInstanceNode):
 * retained or shallow size, name or id, then id ascending; distance, then retained size
 * descending; node order breaks what is left.
 */
export function objectComparator(f: ObjectFacts, by: HeapObjectSortKey = 'retainedSize', ascending = false): (a: number, b: number) => number {
  const dir = ascending ? 1 : -1;
  const { g, selfSize, retained, distance } = f;
  const id = g.nodeId;
  const names = new Map<number, string>();
  const name = (n: number) => {
    let s = names.get(n);
    if (s === undefined) names.set(n, (s = f.name ? f.name(n) : nodeDisplayName(g, n)));
    return s;
  };
  switch (by) {
    case 'name':
      return (a, b) => dir * cmpStr(name(a), name(b)) || id[a] - id[b] || a - b;
    case 'id':
      return (a, b) => dir * (id[a] - id[b]) || a - b;
    case 'shallowSize':
      return (a, b) => dir * (selfSize[a] - selfSize[b]) || id[a] - id[b] || a - b;
    case 'distance':
      return (a, b) => dir * (distance[a] - distance[b]) || retained[b] - retained[a] || a - b;
    default:
      return (a, b) => dir * (retained[a] - retained[b]) || id[a] - id[b] || a - b;
  }
}

/** A class's objects in the asked order (the CSR slice is sorted in place and remembered). */
export function membersOf(m: ClassMembers, classId: number, f: ObjectFacts, by: HeapObjectSortKey = 'retainedSize', ascending = false): Uint32Array {
  if (!(classId >= 0 && classId < m.sortedBy.length)) return new Uint32Array(0);
  const list = m.all.subarray(m.first[classId], m.first[classId + 1]);
  const want = `${by}:${ascending}`;
  if (m.sortedBy[classId] !== want) {
    list.sort(objectComparator(f, by, ascending));
    m.sortedBy[classId] = want;
  }
  return list;
}

const byRetained = (r: Uint32Array | Float64Array) => (a: number, b: number) => r[b] - r[a] || a - b;

/** What a node dominates (keeps alive alone), largest retained size first. */
export function dominatedBy(tree: DominatorTree, node: number, retained: Uint32Array | Float64Array): Uint32Array {
  if (!(node >= 0 && node + 1 < tree.first.length)) return new Uint32Array(0);
  return tree.list.slice(tree.first[node], tree.first[node + 1]).sort(byRetained(retained));
}

/** What a detached DOM node is: an element (Blink names them '<tag …>'), a text node, or neither. */
export function detachedKind(g: HeapGraph, node: number): 'element' | 'text' | null {
  const name = g.strings[g.nodeName[node]];
  if (name.startsWith('<')) return 'element';
  return name === 'Text' && g.nodeTypes[g.nodeType[node]] === 'native' ? 'text' : null;
}

/**
 * Detached DOM nodes — elements and text nodes the page cut from its document but still
 * references (after DevTools' propagation of the embedder's states) —, largest retained first.
 */
export function detachedElements(g: HeapGraph, index: ClassIndex, retained: Uint32Array | Float64Array): Uint32Array {
  const domState = index.domState;
  if (!domState) return new Uint32Array(0);
  const found: number[] = [];
  for (let i = 0; i < g.nodeCount; i++) if (domState[i] === 2 && detachedKind(g, i) !== null) found.push(i);
  return Uint32Array.from(found).sort(byRetained(retained));
}

/** Node indices ordered by object id, for lookups by @id and merge walks between snapshots. */
export function nodesById(g: HeapGraph): Uint32Array {
  const order = new Uint32Array(g.nodeCount);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const ids = g.nodeId;
  return order.sort((a, b) => ids[a] - ids[b] || a - b);
}

/** The node with object id `id` (the first, should ids repeat), or -1. */
export function nodeWithId(g: HeapGraph, byId: Uint32Array, id: number): number {
  let lo = 0;
  let hi = byId.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (g.nodeId[byId[mid]] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < byId.length && g.nodeId[byId[lo]] === id ? byId[lo] : -1;
}

/** Elements of a list from `offset`, at most `limit`. */
export function slice<T extends { subarray(a: number, b: number): T; length: number }>(list: T, offset = 0, limit = Infinity): T {
  const start = Math.max(0, offset);
  return list.subarray(start, Math.min(list.length, start + limit));
}
