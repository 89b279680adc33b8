// Two heap snapshots of one process compared by object id, as DevTools' Comparison view does:
// per class, objects new in the head, deleted since the base, and their sizes. With a third
// snapshot, memlab's leak candidates: objects allocated between the first two and still alive
// in the third.

import type { ClassComparison } from '../api/types.ts';
import type { HeapGraph } from '../model/heap-graph.ts';
import type { ClassIndex } from './classes.ts';

/** Node indices ordered by object id, for merge walks between snapshots. */
function byId(g: HeapGraph): Uint32Array {
  const order = new Uint32Array(g.nodeCount);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const ids = g.nodeId;
  return order.sort((a, b) => ids[a] - ids[b]);
}

/** For each node of `a`: 1 when an object with its id exists in `b`. */
export function presentIn(a: HeapGraph, b: HeapGraph): Uint8Array {
  const present = new Uint8Array(a.nodeCount);
  const oa = byId(a);
  const ob = byId(b);
  let j = 0;
  for (let k = 0; k < oa.length; k++) {
    const id = a.nodeId[oa[k]];
    while (j < ob.length && b.nodeId[ob[j]] < id) j++;
    if (j < ob.length && b.nodeId[ob[j]] === id) present[oa[k]] = 1;
  }
  return present;
}

export function compareHeaps(head: HeapGraph, headClasses: ClassIndex, base: HeapGraph, baseClasses: ClassIndex): ClassComparison[] {
  const rows = new Map<string, ClassComparison>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) {
      r = { name, newCount: 0, deletedCount: 0, countDelta: 0, allocSize: 0, freedSize: 0, sizeDelta: 0, count: 0, size: 0 };
      rows.set(name, r);
    }
    return r;
  };
  const headInBase = presentIn(head, base);
  for (let i = 0; i < head.nodeCount; i++) {
    const r = row(headClasses.names[headClasses.classOf[i]]);
    r.count++;
    r.size += head.selfSize[i];
    if (!headInBase[i]) {
      r.newCount++;
      r.allocSize += head.selfSize[i];
    }
  }
  const baseInHead = presentIn(base, head);
  for (let i = 0; i < base.nodeCount; i++) {
    if (baseInHead[i]) continue;
    const r = row(baseClasses.names[baseClasses.classOf[i]]);
    r.deletedCount++;
    r.freedSize += base.selfSize[i];
  }
  const out = [...rows.values()].filter((r) => r.newCount > 0 || r.deletedCount > 0);
  for (const r of out) {
    r.countDelta = r.newCount - r.deletedCount;
    r.sizeDelta = r.allocSize - r.freedSize;
  }
  // Like DevTools' default: biggest size change first.
  return out.sort((a, b) => Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta) || b.newCount - a.newCount || (a.name < b.name ? -1 : 1));
}

/** Nodes of `third` allocated after `first` and by `second`, still alive in `third`. */
export function leakCandidates(first: HeapGraph, second: HeapGraph, third: HeapGraph): Uint32Array {
  const secondInFirst = presentIn(second, first);
  // ids of objects born between the first and the second snapshot
  const born: number[] = [];
  for (let i = 0; i < second.nodeCount; i++) if (!secondInFirst[i]) born.push(second.nodeId[i]);
  const bornIds = Float64Array.from(born).sort();
  const out: number[] = [];
  for (let i = 0; i < third.nodeCount; i++) {
    const id = third.nodeId[i];
    // binary search
    let lo = 0;
    let hi = bornIds.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bornIds[mid] === id) {
        out.push(i);
        break;
      }
      if (bornIds[mid] < id) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return Uint32Array.from(out);
}

export interface LeakClass {
  classId: number;
  /** The class's candidates, largest retained size first. */
  nodes: number[];
  shallowSize: number;
  retainedSize: number;
}

/**
 * Leak candidates grouped by class, largest retained size first: reachable ones only (the
 * unreachable are about to be collected), and none of V8's synthetic roots, which get new ids
 * in every snapshot and are no objects of the program.
 */
export function leaksByClass(third: HeapGraph, classes: ClassIndex, retained: Float64Array, distance: Int32Array, candidates: Uint32Array): LeakClass[] {
  const synthetic = third.nodeTypes.indexOf('synthetic');
  const byClass = new Map<number, number[]>();
  for (const n of candidates) {
    if (distance[n] < 0 || third.nodeType[n] === synthetic) continue;
    const c = classes.classOf[n];
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(n);
  }
  return [...byClass.entries()]
    .map(([classId, nodes]) => {
      nodes.sort((a, b) => retained[b] - retained[a]);
      return {
        classId,
        nodes,
        shallowSize: nodes.reduce((s, n) => s + third.selfSize[n], 0),
        retainedSize: nodes.reduce((s, n) => s + retained[n], 0),
      };
    })
    .sort((a, b) => b.retainedSize - a.retainedSize || b.nodes.length - a.nodes.length);
}
