// The class summary (DevTools' "Summary" view): objects grouped by constructor name, with count,
// shallow size and retained size — where an object nested (in the dominator tree) inside another
// object of the same class is not counted a second time.

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
  classOf: Uint32Array; // node → class
  rows: ClassRow[]; // by class id
}

/** A node's class as DevTools names it. */
export function classNames(g: HeapGraph): { names: string[]; classOf: Uint32Array } {
  const c = typeCodes(g);
  const ids = new Map<string, number>();
  const names: string[] = [];
  const classOf = new Uint32Array(g.nodeCount);
  const byType = g.nodeTypes.map((t, code) => (code === c.hidden ? '(system)' : code === c.code ? '(compiled code)' : `(${t})`));
  // Strings of all kinds are one class in DevTools.
  for (const code of [c.string, c.consString, c.slicedString]) if (code >= 0) byType[code] = '(string)';
  for (let i = 0; i < g.nodeCount; i++) {
    const t = g.nodeType[i];
    let name = t === c.object || t === c.native ? g.strings[g.nodeName[i]] : byType[t];
    // DevTools' "Detached <li>": DOM nodes cut from their document but still referenced.
    if (t === c.native && g.detachedness && g.detachedness[i] === 2) name = `Detached ${name}`;
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      ids.set(name, id);
    }
    classOf[i] = id;
  }
  return { names, classOf };
}

/** Children of each node in the dominator tree, CSR. */
export function dominatorChildren(g: HeapGraph, a: HeapAnalysis): { first: Uint32Array; list: Uint32Array } {
  const n = g.nodeCount;
  const first = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) if (i !== ROOT) first[a.dominator[i] + 1]++;
  for (let i = 0; i < n; i++) first[i + 1] += first[i];
  const fill = first.slice(0, n);
  const list = new Uint32Array(Math.max(0, n - 1));
  for (let i = 0; i < n; i++) if (i !== ROOT) list[fill[a.dominator[i]]++] = i;
  return { first, list };
}

export function classSummary(g: HeapGraph, a: HeapAnalysis): ClassIndex {
  const { names, classOf } = classNames(g);
  const rows: ClassRow[] = names.map((name) => ({ name, count: 0, shallowSize: 0, retainedSize: 0 }));
  for (let i = 0; i < g.nodeCount; i++) {
    const r = rows[classOf[i]];
    r.count++;
    r.shallowSize += g.selfSize[i];
  }
  // Walk the dominator tree depth first, counting how many nodes of each class are on the path
  // from the root: a node's retained size counts only when none above it has its class.
  const n = g.nodeCount;
  const { first, list } = dominatorChildren(g, a);
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
  return { names, classOf, rows };
}
