// The class summary (DevTools' "Summary" view): objects grouped by constructor name, with count,
// shallow size and retained size — where an object nested (in the dominator tree) inside another
// object of the same class is not counted a second time. The pages the Heap view asks for are
// in heap-pages.ts.

import { typeCodes, type HeapGraph } from '../model/heap-graph.ts';
import { ROOT, type HeapAnalysis } from './dominators.ts';

export interface ClassRow {
  name: string;
  count: number;
  shallowSize: number;
  retainedSize: number;
}

export interface ClassIndex {
  names: string[];
  classOf: Uint32Array; // node → class id
  rows: ClassRow[]; // by class id
  /** DOM link state after DevTools' propagation: 0 unknown, 1 attached, 2 detached. */
  domState: Uint8Array | null;
}

/**
 * DevTools' propagation of the embedder's DOM states: what an attached DOM node reaches is
 * attached, what a detached one reaches and nothing attached does is detached. Only native
 * (embedder) nodes take a state; JavaScript objects in between are not entered.
 */
export function propagateDomState(g: HeapGraph): Uint8Array | null {
  if (!g.detachedness) return null;
  const c = typeCodes(g);
  const n = g.nodeCount;
  const state = new Uint8Array(n);
  const visited = new Uint8Array(n);
  const attached: number[] = [];
  const detached: number[] = [];
  const visit = (node: number, s: number) => {
    if (visited[node]) return;
    visited[node] = 1;
    if (g.nodeType[node] !== c.native) return;
    state[node] = s;
    (s === 1 ? attached : detached).push(node);
  };
  for (let i = 0; i < n; i++) if (g.detachedness[i] === 1 || g.detachedness[i] === 2) visit(i, g.detachedness[i]);
  const spread = (from: number, s: number) => {
    for (let e = g.firstEdge[from]; e < g.firstEdge[from + 1]; e++) {
      const t = g.edgeType[e];
      if (t === c.edgeHidden || t === c.edgeWeak) continue;
      visit(g.edgeTo[e], s);
    }
  };
  while (attached.length > 0) spread(attached.pop()!, 1);
  while (detached.length > 0) {
    const node = detached.pop()!;
    if (state[node] !== 1) spread(node, 2);
  }
  return state;
}

/** Nodes' classes as DevTools names them in the Summary. */
export function classNames(g: HeapGraph, domState: Uint8Array | null = propagateDomState(g)): { names: string[]; classOf: Uint32Array } {
  const c = typeCodes(g);
  const ids = new Map<string, number>();
  const names: string[] = [];
  const classOf = new Uint32Array(g.nodeCount);
  const byType = g.nodeTypes.map((t, code) => (code === c.hidden ? '(system)' : code === c.code ? '(compiled code)' : `(${t})`));
  const id = (name: string) => {
    let k = ids.get(name);
    if (k === undefined) {
      k = names.length;
      names.push(name);
      ids.set(name, k);
    }
    return k;
  };
  // Object and native nodes are named by their string; cache the class per string index.
  const byString = new Map<number, number>();
  for (let i = 0; i < g.nodeCount; i++) {
    const t = g.nodeType[i];
    if (t !== c.object && t !== c.native) {
      classOf[i] = id(byType[t]);
      continue;
    }
    const detached = domState !== null && domState[i] === 2;
    const key = detached ? -1 - g.nodeName[i] : g.nodeName[i];
    let k = byString.get(key);
    if (k === undefined) {
      let name = g.strings[g.nodeName[i]];
      // Blink names DOM nodes '<div id="a">'; their class is '<div>'.
      if (name.startsWith('<')) {
        const space = name.indexOf(' ');
        if (space > 0) name = `${name.slice(0, space)}>`;
      }
      if (detached) name = `Detached ${name}`;
      k = id(name);
      byString.set(key, k);
    }
    classOf[i] = k;
  }
  return { names, classOf };
}

/** Children of each node in the dominator tree, as CSR: children of i are list[first[i] .. first[i+1]]. */
export interface DominatorTree {
  first: Uint32Array;
  list: Uint32Array;
}

export function dominatorTree(g: HeapGraph, a: HeapAnalysis): DominatorTree {
  const n = g.nodeCount;
  const first = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) if (i !== ROOT) first[a.dominator[i] + 1]++;
  for (let i = 0; i < n; i++) first[i + 1] += first[i];
  const fill = first.slice(0, n);
  const list = new Uint32Array(Math.max(0, n - 1));
  for (let i = 0; i < n; i++) if (i !== ROOT) list[fill[a.dominator[i]]++] = i;
  return { first, list };
}

/** The class summary of a graph, given its dominator tree. */
export function classSummary(g: HeapGraph, a: HeapAnalysis, tree: DominatorTree = dominatorTree(g, a)): ClassIndex {
  const domState = propagateDomState(g);
  const { names, classOf } = classNames(g, domState);
  const rows: ClassRow[] = names.map((name) => ({ name, count: 0, shallowSize: 0, retainedSize: 0 }));
  for (let i = 0; i < g.nodeCount; i++) {
    const r = rows[classOf[i]];
    r.count++;
    r.shallowSize += g.selfSize[i];
  }
  // Walk the dominator tree depth first, counting how many nodes of each class are on the path
  // from the root: a node's retained size counts only when none above it has its class.
  const n = g.nodeCount;
  const { first, list } = tree;
  const onPath = new Uint32Array(names.length);
  const stack = new Uint32Array(n + 1);
  const next = new Uint32Array(n + 1);
  let depth = 0;
  stack[0] = ROOT;
  next[0] = first[ROOT];
  onPath[classOf[ROOT]]++;
  rows[classOf[ROOT]].retainedSize += a.retainedSize[ROOT];
  while (depth >= 0) {
    const node = stack[depth];
    if (next[depth] < first[node + 1]) {
      const child = list[next[depth]++];
      const k = classOf[child];
      if (onPath[k] === 0) rows[k].retainedSize += a.retainedSize[child];
      onPath[k]++;
      depth++;
      stack[depth] = child;
      next[depth] = first[child];
    } else {
      onPath[classOf[node]]--;
      depth--;
    }
  }
  return { names, classOf, rows, domState };
}
