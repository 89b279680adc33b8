// The Summary's object filters, as DevTools defines them (HeapSnapshot.createFilter,
// createNodeIdFilter, createNamedFilter): each gives one flag per node, 1 = shown.
// - objects allocated between two snapshots of one process: ids in (earlier's largest JS object
//   id, later's], shown in the later snapshot;
// - objects retained by detached DOM nodes: reachable, but no longer once detached DOM nodes are
//   not entered (so only through them — the detached nodes themselves included);
// - objects retained by the DevTools console: likewise, without the console's own references
//   (edges named "… / DevTools console" from synthetic roots);
// - duplicated strings: strings whose text another string has too (flattened cons strings, one
//   of whose halves is empty, left out: V8 manages those).

import { nodeDisplayName, typeCodes, type HeapGraph } from '../model/heap-graph.ts';
import { NO_DISTANCE, reachedAvoiding } from './distances.ts';

export function idRangeFilter(g: HeapGraph, minNodeId: number, maxNodeId: number): Uint8Array {
  const out = new Uint8Array(g.nodeCount);
  for (let i = 0; i < g.nodeCount; i++) {
    const id = g.nodeId[i];
    if (id > minNodeId && id <= maxNodeId) out[i] = 1;
  }
  return out;
}

/** The largest odd (JavaScript object) id, DevTools' maxJSObjectId: where "allocated after this snapshot" starts. */
export function maxJsObjectId(g: HeapGraph): number {
  let max = 0;
  for (let i = 0; i < g.nodeCount; i++) {
    const id = g.nodeId[i];
    if (id % 2 === 1 && id > max) max = id;
  }
  return max;
}

/** Reachable nodes (by DevTools' distances) that the root no longer reaches when `refuse` edges are cut. */
function onlyThrough(g: HeapGraph, distance: Int32Array, refuse: (from: number, edge: number, to: number) => boolean): Uint8Array {
  const reached = reachedAvoiding(g, refuse);
  const out = new Uint8Array(g.nodeCount);
  for (let i = 0; i < g.nodeCount; i++) if (!reached[i] && distance[i] !== NO_DISTANCE) out[i] = 1;
  return out;
}

export function retainedByDetachedDom(g: HeapGraph, distance: Int32Array, domState: Uint8Array | null): Uint8Array {
  if (!domState) return onlyThrough(g, distance, () => false);
  return onlyThrough(g, distance, (_from, _edge, to) => domState[to] === 2);
}

export function retainedByConsole(g: HeapGraph, distance: Int32Array): Uint8Array {
  const c = typeCodes(g);
  const console = new Uint8Array(g.strings.length);
  g.strings.forEach((s, i) => {
    if (s.endsWith(' / DevTools console')) console[i] = 1;
  });
  return onlyThrough(g, distance, (from, edge) => {
    if (g.nodeType[from] !== c.synthetic) return false;
    const t = g.edgeType[edge];
    if (t === c.edgeElement || t === c.edgeHidden) return false;
    const name = g.edgeNameOrIndex[edge];
    // A shortcut whose name is a number has no string name in DevTools.
    if (t === c.edgeShortcut && !Number.isNaN(parseInt(g.strings[name], 10))) return false;
    return console[name] === 1;
  });
}

/** Strings (and cons strings) whose text another one has; every one of a group is flagged, the first too. */
export function duplicatedStrings(g: HeapGraph): Uint8Array {
  const c = typeCodes(g);
  const out = new Uint8Array(g.nodeCount);
  const first = new Map<string, number>();
  for (let i = 0; i < g.nodeCount; i++) {
    const t = g.nodeType[i];
    if (t !== c.string && t !== c.consString) continue;
    if (t === c.consString && isFlatConsString(g, i, c)) continue;
    const text = nodeDisplayName(g, i, c);
    const seen = first.get(text);
    if (seen === undefined) first.set(text, i);
    else {
      out[seen] = 1;
      out[i] = 1;
    }
  }
  return out;
}

function isFlatConsString(g: HeapGraph, node: number, c = typeCodes(g)): boolean {
  for (let e = g.firstEdge[node]; e < g.firstEdge[node + 1]; e++) {
    if (g.edgeType[e] !== c.edgeInternal) continue;
    const name = g.strings[g.edgeNameOrIndex[e]];
    if ((name === 'first' || name === 'second') && nodeDisplayName(g, g.edgeTo[e], c) === '') return true;
  }
  return false;
}

/**
 * Bytes the duplicates waste: for each text held by several strings, the shallow size of all
 * but the largest copy (what interning them would save).
 */
export function duplicateWaste(g: HeapGraph, selfSize: ArrayLike<number>, flags: Uint8Array): { groups: number; strings: number; wasted: number } {
  const c = typeCodes(g);
  const groups = new Map<string, { total: number; max: number }>();
  let strings = 0;
  for (let i = 0; i < g.nodeCount; i++) {
    if (!flags[i]) continue;
    strings++;
    const text = nodeDisplayName(g, i, c);
    const s = selfSize[i];
    const grp = groups.get(text);
    if (grp) {
      grp.total += s;
      grp.max = Math.max(grp.max, s);
    } else groups.set(text, { total: s, max: s });
  }
  let wasted = 0;
  for (const grp of groups.values()) wasted += grp.total - grp.max;
  return { groups: groups.size, strings, wasted };
}
