// The lists the Heap view pages through, as pure functions over indexes that the heap document
// builds once and keeps: classes in display order, the objects of a class, what an object
// dominates, detached DOM elements. Each list is sorted when first asked for.

import type { HeapGraph } from '../model/heap-graph.ts';
import type { ClassIndex, DominatorTree } from './classes.ts';

/** Class ids, largest retained size first, then shallow size, then count; ties keep id order. */
export function classOrder(index: ClassIndex): number[] {
  return index.rows
    .map((_, id) => id)
    .filter((id) => index.rows[id].count > 0)
    .sort((a, b) => {
      const x = index.rows[a];
      const y = index.rows[b];
      return y.retainedSize - x.retainedSize || y.shallowSize - x.shallowSize || y.count - x.count || a - b;
    });
}

/** Nodes grouped by class (one counting pass), as CSR: class c's nodes are all[first[c] .. first[c + 1]]. */
export interface ClassMembers {
  first: Uint32Array;
  all: Uint32Array;
  /** Per class: 1 once its slice has been sorted by retained size. */
  sorted: Uint8Array;
}

export function classMembers(index: ClassIndex, nodeCount: number): ClassMembers {
  const { classOf, rows } = index;
  const first = new Uint32Array(rows.length + 1);
  for (let i = 0; i < nodeCount; i++) first[classOf[i] + 1]++;
  for (let c = 0; c < rows.length; c++) first[c + 1] += first[c];
  const fill = first.slice(0, rows.length);
  const all = new Uint32Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) all[fill[classOf[i]]++] = i;
  return { first, all, sorted: new Uint8Array(rows.length) };
}

const byRetained = (r: Float64Array) => (a: number, b: number) => r[b] - r[a] || a - b;

/** A class's objects, largest retained size first (sorted in place on first use). */
export function membersOf(m: ClassMembers, classId: number, retained: Float64Array): Uint32Array {
  if (!(classId >= 0 && classId < m.sorted.length)) return new Uint32Array(0);
  const list = m.all.subarray(m.first[classId], m.first[classId + 1]);
  if (!m.sorted[classId]) {
    list.sort(byRetained(retained));
    m.sorted[classId] = 1;
  }
  return list;
}

/** What a node dominates (keeps alive alone), largest retained size first. */
export function dominatedBy(tree: DominatorTree, node: number, retained: Float64Array): Uint32Array {
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
export function detachedElements(g: HeapGraph, index: ClassIndex, retained: Float64Array): Uint32Array {
  const domState = index.domState;
  if (!domState) return new Uint32Array(0);
  const found: number[] = [];
  for (let i = 0; i < g.nodeCount; i++) if (domState[i] === 2 && detachedKind(g, i) !== null) found.push(i);
  return Uint32Array.from(found).sort(byRetained(retained));
}

/** Elements of a list from `offset`, at most `limit`. */
export function slice<T extends { subarray(a: number, b: number): T; length: number }>(list: T, offset = 0, limit = Infinity): T {
  const start = Math.max(0, offset);
  return list.subarray(start, Math.min(list.length, start + limit));
}
