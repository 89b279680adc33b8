// Two heap snapshots of one process compared by object id, as DevTools' Comparison view does
// (HeapSnapshotDiffDataGrid.populateChildren → aggregatesForDiff, calculateSnapshotDiff): the
// earlier snapshot is classified with the later one's shape definitions (so `{a, b}` means the
// same in both), then per class key, objects only in the later one are new, objects only in the
// earlier one deleted; objects in both count as neither, whatever their sizes. Only objects the
// Summary counts (nonzero size after the move to owners) take part, on each side.
// With a third snapshot, memlab's leak candidates: objects allocated between the first two and
// still alive in the third.

import type { HeapGraph } from '../model/heap-graph.ts';
import { classIndex, type ClassIndex } from './classes.ts';

export interface ComparisonSide {
  g: HeapGraph;
  classes: ClassIndex;
  selfSize: ArrayLike<number>;
}

export interface ClassDiff {
  key: string;
  name: string;
  /** Head class id, or -1 when the class is only in the base. */
  headClass: number;
  newCount: number;
  deletedCount: number;
  allocSize: number;
  freedSize: number;
  /** New objects (head nodes) and deleted ones (base nodes), by id. */
  added: Uint32Array;
  deleted: Uint32Array;
}

/** Counted nodes by class key, each list ascending by id. */
function membersByKey(side: ComparisonSide, classOf: Uint32Array, keys: string[]): Map<string, number[]> {
  const { g, selfSize } = side;
  const out = new Map<string, number[]>();
  const byClass: number[][] = keys.map(() => []);
  for (let i = 0; i < g.nodeCount; i++) if (selfSize[i] !== 0) byClass[classOf[i]].push(i);
  const ids = g.nodeId;
  byClass.forEach((list, c) => {
    if (list.length === 0) return;
    list.sort((a, b) => ids[a] - ids[b] || a - b);
    const have = out.get(keys[c]);
    out.set(keys[c], have ? mergeById(have, list, ids) : list);
  });
  return out;
}

function mergeById(a: number[], b: number[], ids: Uint32Array): number[] {
  return [...a, ...b].sort((x, y) => ids[x] - ids[y] || x - y);
}

export function compareHeaps(head: ComparisonSide, base: ComparisonSide): ClassDiff[] {
  // The base, classified with the head's shapes.
  const baseClasses = classIndex(base.g, { domState: base.classes.domState, plain: base.classes.plain, definitions: head.classes.definitions });
  const headKeys = head.classes.classes.map((c) => c.key);
  const baseKeys = baseClasses.classes.map((c) => c.key);
  const headMembers = membersByKey(head, head.classes.classOf, headKeys);
  const baseMembers = membersByKey(base, baseClasses.classOf, baseKeys);
  const headClassOfKey = new Map(headKeys.map((k, i) => [k, i]));
  const nameOfKey = new Map<string, string>();
  baseClasses.classes.forEach((c) => nameOfKey.set(c.key, c.name));
  head.classes.classes.forEach((c) => nameOfKey.set(c.key, c.name));
  const out: ClassDiff[] = [];
  const keys = new Set([...baseMembers.keys(), ...headMembers.keys()]);
  const hid = head.g.nodeId;
  const bid = base.g.nodeId;
  for (const key of keys) {
    const b = baseMembers.get(key) ?? [];
    const h = headMembers.get(key) ?? [];
    const added: number[] = [];
    const deleted: number[] = [];
    let allocSize = 0;
    let freedSize = 0;
    let i = 0;
    let j = 0;
    while (i < b.length || j < h.length) {
      if (j >= h.length || (i < b.length && bid[b[i]] < hid[h[j]])) {
        deleted.push(b[i]);
        freedSize += base.selfSize[b[i++]];
      } else if (i >= b.length || bid[b[i]] > hid[h[j]]) {
        added.push(h[j]);
        allocSize += head.selfSize[h[j++]];
      } else {
        i++;
        j++;
      }
    }
    if (added.length === 0 && deleted.length === 0) continue;
    out.push({
      key,
      name: nameOfKey.get(key)!,
      headClass: headClassOfKey.get(key) ?? -1,
      newCount: added.length,
      deletedCount: deleted.length,
      allocSize,
      freedSize,
      added: Uint32Array.from(added),
      deleted: Uint32Array.from(deleted),
    });
  }
  return out;
}

/** For each node of `a`: 1 when an object with its id exists in `b`. */
export function presentIn(a: HeapGraph, b: HeapGraph): Uint8Array {
  const present = new Uint8Array(a.nodeCount);
  const ids = new Set<number>();
  for (let i = 0; i < b.nodeCount; i++) ids.add(b.nodeId[i]);
  for (let i = 0; i < a.nodeCount; i++) if (ids.has(a.nodeId[i])) present[i] = 1;
  return present;
}

/**
 * How much two snapshots share: base JavaScript objects (odd ids) whose id the head has, and of
 * those, how many are still the same kind of object (same type and name). Snapshots of one process
 * share most long-lived objects with their names; two processes share ids only by coincidence of
 * numbering, and then mostly not the objects.
 */
export function idOverlap(head: HeapGraph, base: HeapGraph): { headObjects: number; baseObjects: number; shared: number; sameObject: number } {
  const byId = new Map<number, number>();
  let headObjects = 0;
  for (let i = 0; i < head.nodeCount; i++) {
    if (head.nodeId[i] % 2 === 1) {
      headObjects++;
      byId.set(head.nodeId[i], i);
    }
  }
  let baseObjects = 0;
  let shared = 0;
  let sameObject = 0;
  for (let i = 0; i < base.nodeCount; i++) {
    if (base.nodeId[i] % 2 === 0) continue;
    baseObjects++;
    const h = byId.get(base.nodeId[i]);
    if (h === undefined) continue;
    shared++;
    if (head.nodeTypes[head.nodeType[h]] === base.nodeTypes[base.nodeType[i]] && head.strings[head.nodeName[h]] === base.strings[base.nodeName[i]]) sameObject++;
  }
  return { headObjects, baseObjects, shared, sameObject };
}

/** Nodes of `third` allocated after `first` and by `second`, still alive in `third`. */
export function leakCandidates(first: HeapGraph, second: HeapGraph, third: HeapGraph): Uint32Array {
  const secondInFirst = presentIn(second, first);
  const born = new Set<number>();
  for (let i = 0; i < second.nodeCount; i++) if (!secondInFirst[i]) born.add(second.nodeId[i]);
  const out: number[] = [];
  for (let i = 0; i < third.nodeCount; i++) if (born.has(third.nodeId[i])) out.push(i);
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
export function leaksByClass(
  third: HeapGraph,
  classes: ClassIndex,
  selfSize: ArrayLike<number>,
  retained: Uint32Array | Float64Array,
  distance: Int32Array,
  candidates: Uint32Array,
): LeakClass[] {
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
        shallowSize: nodes.reduce((s, n) => s + selfSize[n], 0),
        retainedSize: nodes.reduce((s, n) => s + retained[n], 0),
      };
    })
    .sort((a, b) => b.retainedSize - a.retainedSize || b.nodes.length - a.nodes.length);
}
