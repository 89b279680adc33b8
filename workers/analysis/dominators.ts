// Dominator tree, retained sizes and distances of a heap graph.
//
// Which edges retain (the rules DevTools and memlab share, so our numbers match theirs):
// - weak edges never retain; shortcut edges retain only from the root (they mark user globals);
//   self edges are ignored;
// - "page objects" are those reachable from the root (not through its shortcut edges nor through
//   the "(Document DOM trees)" root); an edge from a non-page object into a page object does not
//   retain, so debugger and detached-tree references do not steal page objects;
// - nodes the root cannot reach: one whose retainers are all weak or shortcut (or that has none)
//   hangs off the root together with what it reaches; whatever is left (cycles kept only by each
//   other) hangs off the root too.
// The dominators are those of that graph, computed with Lengauer–Tarjan (path compression),
// iteratively over typed arrays: heaps have millions of nodes and chains deeper than any stack.

import { typeCodes, type HeapGraph } from '../model/heap-graph.ts';

export const ROOT = 0;

export interface Retainers {
  /** Retainers of node i are retainerEdge/retainerNode[firstRetainer[i] .. firstRetainer[i + 1]]. */
  firstRetainer: Uint32Array;
  retainerEdge: Uint32Array;
  retainerNode: Uint32Array;
}

export interface HeapAnalysis {
  retainers: Retainers;
  dominator: Uint32Array; // immediate dominator (the root's is itself)
  retainedSize: Float64Array;
  /** Hops from the root over non-weak edges; -1 when unreachable. Computed on first use. */
  readonly distance: Int32Array;
  /** Nodes in the order their retained sizes were summed: every node after its dominator. */
  order: Uint32Array;
  totalSize: number;
}

export function buildRetainers(g: HeapGraph): Retainers {
  const n = g.nodeCount;
  const firstRetainer = new Uint32Array(n + 1);
  const to = g.edgeTo;
  for (let e = 0; e < g.edgeCount; e++) firstRetainer[to[e] + 1]++;
  for (let i = 0; i < n; i++) firstRetainer[i + 1] += firstRetainer[i];
  const fill = firstRetainer.slice(0, n);
  const retainerEdge = new Uint32Array(g.edgeCount);
  const retainerNode = new Uint32Array(g.edgeCount);
  for (let from = 0; from < n; from++) {
    for (let e = g.firstEdge[from], end = g.firstEdge[from + 1]; e < end; e++) {
      const slot = fill[to[e]]++;
      retainerEdge[slot] = e;
      retainerNode[slot] = from;
    }
  }
  return { firstRetainer, retainerEdge, retainerNode };
}

/** Page objects: reachable from the root, not through its shortcuts nor the detached DOM trees root. */
function pageObjects(g: HeapGraph): Uint8Array {
  const c = typeCodes(g);
  const flags = new Uint8Array(g.nodeCount);
  const stack = new Uint32Array(g.nodeCount);
  let top = 0;
  for (let e = g.firstEdge[ROOT]; e < g.firstEdge[ROOT + 1]; e++) {
    const t = g.edgeType[e];
    const child = g.edgeTo[e];
    if (t === c.edgeShortcut) continue;
    if (t === c.edgeElement && g.nodeType[child] === c.synthetic && g.strings[g.nodeName[child]] === '(Document DOM trees)') continue;
    if (!flags[child]) {
      flags[child] = 1;
      stack[top++] = child;
    }
  }
  while (top > 0) {
    const node = stack[--top];
    for (let e = g.firstEdge[node], end = g.firstEdge[node + 1]; e < end; e++) {
      const child = g.edgeTo[e];
      if (flags[child] || g.edgeType[e] === c.edgeWeak) continue;
      flags[child] = 1;
      stack[top++] = child;
    }
  }
  return flags;
}

export function analyzeHeap(g: HeapGraph, retainers = buildRetainers(g)): HeapAnalysis {
  const n = g.nodeCount;
  const c = typeCodes(g);
  const weak = c.edgeWeak;
  const shortcut = c.edgeShortcut;
  const page = pageObjects(g);
  const { firstEdge, edgeTo, edgeType } = g;
  const { firstRetainer, retainerEdge, retainerNode } = retainers;

  const essential = (from: number, e: number, to: number): boolean => {
    if (from === to) return false;
    const t = edgeType[e];
    if (t === weak) return false;
    if (from === ROOT) return true;
    if (t === shortcut) return false;
    return !(page[to] && !page[from]);
  };

  // Vertices are numbered 1..n by DFS order; 0 means "none". Arrays are indexed by node + 1.
  const semi = new Uint32Array(n + 1);
  const vertex = new Uint32Array(n + 1);
  const parent = new Uint32Array(n + 1);
  const ancestor = new Uint32Array(n + 1);
  const label = new Uint32Array(n + 1);
  const dom = new Uint32Array(n + 1);
  const cursor = new Uint32Array(n);
  let count = 0;

  const dfs = (start: number): void => {
    let v = start + 1;
    cursor[start] = firstEdge[start];
    while (v !== 0) {
      if (semi[v] === 0) {
        semi[v] = ++count;
        vertex[count] = v;
        label[v] = v;
      }
      const node = v - 1;
      let next = parent[v];
      const end = firstEdge[node + 1];
      while (cursor[node] < end) {
        const e = cursor[node]++;
        const to = edgeTo[e];
        if (semi[to + 1] === 0 && essential(node, e, to)) {
          parent[to + 1] = v;
          cursor[to] = firstEdge[to];
          next = to + 1;
          break;
        }
      }
      v = next;
    }
  };

  const root = ROOT + 1;
  dfs(ROOT);
  if (count < n) {
    // Orphans: unreachable nodes whose retainers are all weak or shortcut edges.
    for (let node = 0; node < n; node++) {
      if (semi[node + 1] !== 0) continue;
      let onlyWeak = true;
      for (let r = firstRetainer[node]; r < firstRetainer[node + 1]; r++) {
        const t = edgeType[retainerEdge[r]];
        if (t !== weak && t !== shortcut) {
          onlyWeak = false;
          break;
        }
      }
      if (onlyWeak) {
        parent[node + 1] = root;
        dfs(node);
      }
    }
    // The rest: cycles kept alive only by each other.
    for (let node = 0; node < n; node++) {
      if (semi[node + 1] === 0) {
        parent[node + 1] = root;
        semi[node + 1] = ++count;
        vertex[count] = node + 1;
        label[node + 1] = node + 1;
      }
    }
  }

  // eval with iterative path compression.
  const path = new Uint32Array(n + 1);
  const evaluate = (v: number): number => {
    if (ancestor[v] === 0) return v;
    let depth = 0;
    let x = v;
    while (ancestor[ancestor[x]] !== 0) {
      path[depth++] = x;
      x = ancestor[x];
    }
    while (depth > 0) {
      const w = path[--depth];
      const a = ancestor[w];
      if (semi[label[a]] < semi[label[w]]) label[w] = label[a];
      ancestor[w] = ancestor[a];
    }
    return label[v];
  };

  // Buckets as linked lists: each vertex waits in at most one bucket.
  const bucketHead = new Uint32Array(n + 1);
  const bucketNext = new Uint32Array(n + 1);
  for (let i = count; i >= 2; i--) {
    const w = vertex[i];
    const node = w - 1;
    let hasRetainer = false;
    for (let r = firstRetainer[node]; r < firstRetainer[node + 1]; r++) {
      const from = retainerNode[r];
      if (!essential(from, retainerEdge[r], node)) continue;
      hasRetainer = true;
      const u = evaluate(from + 1);
      if (semi[u] < semi[w]) semi[w] = semi[u];
    }
    if (!hasRetainer || parent[w] === root) {
      // Hung off the root (an orphan or a leftover cycle) or retained by it: the root is a
      // candidate semidominator too.
      if (!hasRetainer || semi[root] < semi[w]) semi[w] = Math.min(semi[w], semi[root]);
    }
    const s = vertex[semi[w]];
    bucketNext[w] = bucketHead[s];
    bucketHead[s] = w;
    ancestor[w] = parent[w]; // link
    const p = parent[w];
    for (let v = bucketHead[p]; v !== 0; v = bucketNext[v]) {
      const u = evaluate(v);
      dom[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = 0;
  }
  dom[root] = root;
  for (let i = 2; i <= count; i++) {
    const w = vertex[i];
    if (dom[w] !== vertex[semi[w]]) dom[w] = dom[dom[w]];
  }

  const dominator = new Uint32Array(n);
  const retainedSize = Float64Array.from(g.selfSize);
  const order = new Uint32Array(n);
  let totalSize = 0;
  for (let i = 1; i <= count; i++) {
    const node = vertex[i] - 1;
    order[i - 1] = node;
    dominator[node] = dom[vertex[i]] - 1;
    totalSize += g.selfSize[node];
  }
  // Children before parents: reverse DFS order adds each node into its dominator.
  for (let i = count - 1; i >= 1; i--) {
    const node = order[i];
    retainedSize[dominator[node]] += retainedSize[node];
  }
  // Distances are only needed once someone looks at objects: the class table comes first.
  let distance: Int32Array | null = null;
  return {
    retainers,
    dominator,
    retainedSize,
    order,
    totalSize,
    get distance() {
      return (distance ??= distances(g));
    },
  };
}

/** Breadth-first hops from the root over non-weak edges (DevTools' "Distance"). */
export function distances(g: HeapGraph): Int32Array {
  const weak = typeCodes(g).edgeWeak;
  const distance = new Int32Array(g.nodeCount).fill(-1);
  const queue = new Uint32Array(g.nodeCount);
  let head = 0;
  let tail = 0;
  distance[ROOT] = 0;
  queue[tail++] = ROOT;
  while (head < tail) {
    const node = queue[head++];
    const d = distance[node] + 1;
    for (let e = g.firstEdge[node], end = g.firstEdge[node + 1]; e < end; e++) {
      const to = g.edgeTo[e];
      if (distance[to] !== -1 || g.edgeType[e] === weak) continue;
      distance[to] = d;
      queue[tail++] = to;
    }
  }
  return distance;
}
