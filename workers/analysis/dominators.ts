// Dominator tree, retained sizes and distances of a heap graph.
//
// Which edges retain — Chrome DevTools' rules (HeapSnapshot.ts, computeIsEssentialEdge), so our
// retained sizes are the ones DevTools shows:
// - weak edges never retain; self edges are ignored; shortcut edges retain only from the root
//   (there they mark the user's global objects);
// - a WeakMap value is held by its key and its table together (V8 writes two internal edges,
//   "N / part of key (…) -> value (…) pair in WeakMap (table @id)"): the edge from the table is
//   skipped, so the value hangs under its key;
// - page-owned objects are those reachable from the root's shortcut edges (windows, globals) and
//   from "(Document DOM trees)"; an edge from a non-page object into a page object does not
//   retain, so references the debugger or the embedder adds do not steal page objects;
// - a node with no retaining edge at all (only weak ones, say) hangs off the root, with whatever
//   it alone reaches; nodes still unreached (cycles kept only by each other) hang off the root.
// memlab 2.0 (@memlab/core) differs in three places, selectable for comparison with
// `MEMLAB_RULES`: it marks as page-owned what the root reaches *except* through shortcuts and the
// DOM trees root, it keeps the WeakMap table's edge, and it hangs off the root only nodes whose
// retainers are all weak or shortcut edges.
//
// The dominators are computed with Semi-NCA (Lengauer–Tarjan's semidominators with path
// compression, then nearest common ancestors, as LLVM does it): iterative, over typed arrays in
// DFS-number space, no recursion (millions of nodes, chains deeper than any stack).

import { typeCodes, type HeapGraph, type TypeCodes } from '../model/heap-graph.ts';
import { NO_JOB, type JobControl } from '../model/job.ts';
import { NO_SCRATCH, type Scratch } from '../model/scratch.ts';
import { hasUserRoots, ROOT } from './roots.ts';
import { classifyEdges, type EdgeClasses } from './edge-classes.ts';
import { markOwnable, Owners } from './shallow.ts';
import { WeakMapEdgeNames } from './weakmap-edges.ts';

export { ROOT } from './roots.ts';
export { WeakMapEdgeNames } from './weakmap-edges.ts';

export { DEVTOOLS_RULES, MEMLAB_RULES, type RetentionRules } from './edge-classes.ts';
import { DEVTOOLS_RULES, type RetentionRules } from './edge-classes.ts';

export interface HeapAnalysis {
  rules: RetentionRules;
  /** The shallow sizes retained sizes sum: the file's, or DevTools' after the move to owners (moveShallowSizes). */
  selfSize: Uint32Array | Float64Array;
  /** Immediate dominator of each node; the root's is itself. */
  dominator: Uint32Array;
  /** 32-bit while the total fits (retainedSizes). */
  retainedSize: Uint32Array | Float64Array;
  totalSize: number;
  /** Nodes the root cannot reach over retaining edges, hung off the root. */
  unreachableCount: number;
  /** Hops from the root over non-weak edges; -1 when unreachable. Computed on first use. */
  readonly distance: Int32Array;
  /** Every node after its dominator (a preorder of the dominator tree). Computed on first use. */
  readonly order: Uint32Array;
}

/** Page-owned objects, flagged PAGE (see the rules above). */
export function pageObjects(g: HeapGraph, c: TypeCodes, rules: RetentionRules): Uint8Array {
  const flags = new Uint8Array(g.nodeCount);
  const stack = new Uint32Array(g.nodeCount);
  const { firstEdge, edgeTo, edgeType } = g;
  let top = 0;
  for (let e = firstEdge[ROOT]; e < firstEdge[ROOT + 1]; e++) {
    const t = edgeType[e];
    const child = edgeTo[e];
    const domTrees = t === c.edgeElement && g.nodeType[child] === c.synthetic && g.strings[g.nodeName[child]] === '(Document DOM trees)';
    const entry = rules.pageObjects === 'devtools' ? t === c.edgeShortcut || domTrees : t !== c.edgeShortcut && !domTrees;
    if (entry && !flags[child]) {
      flags[child] = 1;
      stack[top++] = child;
    }
  }
  const weak = c.edgeWeak;
  while (top > 0) {
    const node = stack[--top];
    for (let e = firstEdge[node], end = firstEdge[node + 1]; e < end; e++) {
      const child = edgeTo[e];
      if (flags[child] || edgeType[e] === weak) continue;
      flags[child] = 1;
      stack[top++] = child;
    }
  }
  return flags;
}

/**
 * Dominators and retained sizes over the retaining edges. Five passes, each a plain function
 * over typed arrays (the hot loops); between them the job reports progress and may cancel, so a
 * big snapshot's indexing can be stopped (the worker needs a turn of its event loop for that).
 */
export async function analyzeHeap(
  g: HeapGraph,
  options: {
    rules?: RetentionRules;
    job?: JobControl;
    /** Shallow sizes to sum (default: the file's). */
    selfSize?: Uint32Array | Float64Array;
    /** Move internal nodes' sizes to their owners first, as DevTools does (shallow.ts); the moved sizes are `selfSize`. */
    moveShallowSizes?: boolean;
    /**
     * Node flags (node-flags.ts) with PAGE set, when the caller found the page objects already
     * (the distance search does) and OWNABLE set (nodeFlags); taken over.
     */
    nodeFlags?: Uint8Array;
    /** Work arrays to take from, and to give the dead ones back to for the load's next passes. */
    scratch?: Scratch;
  } = {},
): Promise<HeapAnalysis> {
  const rules = options.rules ?? DEVTOOLS_RULES;
  const job = options.job ?? NO_JOB;
  const steps = 5;
  const step = async (k: number) => {
    job.progress('indexing', k, steps);
    await job.yield();
  };
  const c = typeCodes(g);
  const scratch = options.scratch ?? NO_SCRATCH;
  // One flag byte per node: page object (PAGE), ownable (OWNABLE), read once per edge by the sweep.
  const given = options.nodeFlags && rules.pageObjects === 'devtools' ? options.nodeFlags : null;
  const flags = given ?? pageObjects(g, c, rules);
  const owners = options.moveShallowSizes && hasUserRoots(g, c) && g.nodeCount < 0xfffffffe ? new Owners(g.nodeCount, scratch.takeZeroed(g.nodeCount)) : null;
  if (owners && !given) markOwnable(g, flags);
  const edges = classifyEdges(g, rules, flags, owners, scratch);
  const selfSize = owners ? owners.finish(g, flags, scratch) : (options.selfSize ?? g.selfSize);
  if (owners) scratch.give(owners.owner);
  await step(1);
  const dfs = numberNodes(g, edges, scratch);
  await step(2);
  const preds = predecessors(g, edges, dfs, scratch);
  await step(3);
  const idom = immediateDominators(dfs, { firstPred: edges.firstPred, pred: preds });
  // The predecessor lists are the biggest dead array now: retained sizes take its buffer.
  scratch.give(preds, edges.firstPred, dfs.link, dfs.semi);
  await step(4);
  const result = retainedSizes(g, dfs, idom, selfSize, scratch);
  scratch.give(idom, dfs.vertex);
  job.progress('indexing', steps, steps);
  return analysisOf(g, rules, selfSize, result.dominator, result.retainedSize, result.totalSize, g.nodeCount - dfs.reached);
}

/**
 * DFS numbering over retaining edges: from the root, then from orphans, then the rest. All later
 * arrays live in DFS-number space (1-based; 0 = none), where the hot loops stay cache-friendly.
 * `semi` and the odd entries of `link` serve as the DFS stack first, and those entries of `link` as
 * the predecessor lists' fill pointers next.
 */
interface Numbering {
  count: number;
  reached: number;
  num: Uint32Array; // node → number; later reused as `idom`
  vertex: Uint32Array; // number → node
  /** By number v: [2v] the DFS tree parent's number, later the forest link; [2v + 1] a work entry of each pass. */
  link: Uint32Array;
  semi: Uint32Array;
}

function numberNodes(g: HeapGraph, edges: EdgeClasses, scratch: Scratch): Numbering {
  const n = g.nodeCount;
  const { firstEdge, edgeTo } = g;
  const { retaining, firstPred, strong } = edges;
  // Every node gets a number, so vertex and link are written before they are read.
  const num = scratch.takeZeroed(n + 1);
  const vertex = scratch.take(n + 1);
  const link = scratch.take(2 * (n + 1));
  link[0] = 0;
  vertex[0] = 0;
  const semi = scratch.take(n + 1);
  const dfs: DfsState = { count: 0, num, vertex, link, stackNode: semi, retaining, firstPred, firstEdge, edgeTo };
  depthFirst(dfs, ROOT, 0);
  const reached = dfs.count;
  if (dfs.count < n) {
    for (let node = 0; node < n; node++) {
      if (num[node] !== 0) continue;
      const orphan = strong ? strong[node] === 0 : firstPred[node] === 0;
      if (orphan) depthFirst(dfs, node, 1);
    }
    for (let node = 0; node < n; node++) {
      if (num[node] !== 0) continue;
      num[node] = ++dfs.count;
      vertex[dfs.count] = node;
      link[2 * dfs.count] = 1;
    }
  }
  return { count: dfs.count, reached, num, vertex, link, semi };
}

/**
 * Predecessor lists in DFS-number order (the semidominator loop reads them in sequence), holding
 * the retainers' numbers; without the DFS tree edges (depthFirst took them out).
 */
function predecessors(g: HeapGraph, edges: EdgeClasses, dfs: Numbering, scratch: Scratch): Uint32Array {
  const n = g.nodeCount;
  const { firstEdge, edgeTo } = g;
  const { retaining, firstPred } = edges;
  const { count, num, vertex, link } = dfs;
  // The fill pointer of number w is link[2w + 1] (beside w's DFS parent, in the same cache line).
  link[1] = 0;
  for (let w = 1; w <= count; w++) link[2 * w + 1] = firstPred[vertex[w]];
  firstPred[0] = firstPred[1] = 0;
  for (let w = 1; w <= count; w++) {
    firstPred[w + 1] = firstPred[w] + link[2 * w + 1];
    link[2 * w + 1] = firstPred[w];
  }
  const pred = scratch.take(firstPred[count + 1]); // every entry is written
  for (let from = 0; from < n; from++) {
    const fromNumber = num[from];
    for (let e = firstEdge[from], end = firstEdge[from + 1]; e < end; e++) {
      if ((retaining[e >>> 5] & (1 << (e & 31))) === 0) continue;
      pred[link[2 * num[edgeTo[e]] + 1]++] = fromNumber;
    }
  }
  return pred;
}

/**
 * Semidominators (path-compressed eval over the processed forest, whose links are the `link`
 * entries of numbers above w), then idom = NCA(DFS parent, semidominator). Returns idom by DFS
 * number (in the array that held node → number).
 */
function immediateDominators(dfs: Numbering, edges: { firstPred: Uint32Array; pred: Uint32Array }): Uint32Array {
  const { count, semi } = dfs;
  const link = dfs.link;
  const { firstPred, pred } = edges;
  const idom = dfs.num; // node → number is not needed after predecessors()
  // link[2v] is v's forest link (its DFS parent until path compression shortens it), link[2v + 1]
  // the least semidominator on the compressed path (Lengauer–Tarjan's semi[label[v]]: the label
  // itself is never needed, only its semidominator, which is final once it is read). One random
  // read per visited node instead of three (parent, label, semi of the label).
  for (let i = 0; i <= count; i++) {
    idom[i] = link[2 * i];
    link[2 * i + 1] = i;
  }
  let pathStack = new Uint32Array(64);
  for (let w = count; w >= 2; w--) {
    let s = idom[w]; // the DFS parent (idom holds the parents until the NCA loop below)
    const last = w + 1;
    for (let p = firstPred[w], end = firstPred[w + 1]; p < end; p++) {
      const v = pred[p];
      // (The DFS parent, whose edge is not listed, is where s started.)
      if (v < w) {
        // Not processed yet: eval(v) is v itself, whose semidominator is its own number.
        if (v < s) s = v;
        continue;
      }
      let best: number;
      if (link[2 * v] < last) best = link[2 * v + 1];
      else {
        // eval(v) with path compression, iteratively.
        let sp = 0;
        let x = v;
        do {
          if (sp === pathStack.length) {
            const bigger = new Uint32Array(sp * 2);
            bigger.set(pathStack);
            pathStack = bigger;
          }
          pathStack[sp++] = x;
          x = link[2 * x];
        } while (link[2 * x] >= last);
        let pBest = link[2 * x + 1];
        const root = link[2 * x];
        do {
          const y = pathStack[--sp];
          link[2 * y] = root;
          const yBest = link[2 * y + 1];
          if (pBest < yBest) link[2 * y + 1] = pBest;
          else pBest = yBest;
        } while (sp > 0);
        best = link[2 * v + 1];
      }
      if (best < s) s = best;
    }
    semi[w] = s;
    link[2 * w + 1] = s;
  }
  for (let w = 2; w <= count; w++) {
    const s = semi[w];
    let d = idom[w];
    while (d > s) d = idom[d];
    idom[w] = d;
  }
  return idom;
}

/** Retained sizes: children before parents (reverse DFS order: a dominator's number is lower). */
function retainedSizes(g: HeapGraph, dfs: Numbering, idom: Uint32Array, selfSize: Uint32Array | Float64Array, scratch: Scratch): { dominator: Uint32Array; retainedSize: Uint32Array | Float64Array; totalSize: number } {
  const n = g.nodeCount;
  const { count, vertex } = dfs;
  let totalSize = 0;
  for (let i = 0; i < n; i++) totalSize += selfSize[i];
  // A retained size is at most the total: 32 bits hold them all unless the heap passes 4 GiB
  // (half the memory of 64-bit sizes; a bigger heap's are 64-bit floats, exact below 2^53).
  const retainedSize = totalSize <= 0xffffffff ? scratch.take(n) : scratch.takeFloat64(n);
  retainedSize.set(selfSize);
  for (let w = count; w >= 2; w--) retainedSize[vertex[idom[w]]] += retainedSize[vertex[w]];
  const dominator = scratch.take(n);
  dominator[ROOT] = ROOT;
  for (let w = 2; w <= count; w++) dominator[vertex[w]] = vertex[idom[w]];
  return { dominator, retainedSize, totalSize };
}

// Apart from analyzeHeap so the lazy getters' closure does not keep its temporaries alive.
function analysisOf(
  g: HeapGraph,
  rules: RetentionRules,
  selfSize: Uint32Array | Float64Array,
  dominator: Uint32Array,
  retainedSize: Uint32Array | Float64Array,
  totalSize: number,
  unreachableCount: number,
): HeapAnalysis {
  let distance: Int32Array | null = null;
  let order: Uint32Array | null = null;
  return {
    rules,
    selfSize,
    dominator,
    retainedSize,
    totalSize,
    unreachableCount,
    get distance() {
      return (distance ??= distances(g));
    },
    get order() {
      return (order ??= dominatorPreorder(g, dominator));
    },
  };
}

interface DfsState {
  count: number;
  num: Uint32Array;
  vertex: Uint32Array;
  link: Uint32Array;
  /** The DFS stack's nodes; its next edges are link[2 * depth + 1]. */
  stackNode: Uint32Array;
  retaining: Int32Array;
  /** Retaining in-edges per node, less the DFS tree edge into it once it is numbered. */
  firstPred: Uint32Array;
  firstEdge: Uint32Array;
  edgeTo: Uint32Array;
}

/** Numbers what `start` reaches over retaining edges, depth first, with an explicit stack. */
function depthFirst(s: DfsState, start: number, parentNumber: number): void {
  const { num, vertex, link, stackNode, retaining, firstPred, firstEdge, edgeTo } = s;
  let count = s.count;
  num[start] = ++count;
  vertex[count] = start;
  link[2 * count] = parentNumber;
  let top = 0;
  stackNode[top] = start;
  link[2 * top++ + 1] = firstEdge[start];
  while (top > 0) {
    const node = stackNode[top - 1];
    let e = link[2 * top - 1];
    const end = firstEdge[node + 1];
    let next = -1;
    for (; e < end; e++) {
      if ((retaining[e >>> 5] & (1 << (e & 31))) === 0) continue;
      const to = edgeTo[e];
      if (num[to] === 0) {
        next = to;
        break;
      }
    }
    if (next < 0) {
      top--;
      continue;
    }
    link[2 * top - 1] = e + 1;
    // The tree edge leaves the predecessor lists (its source, the DFS parent, is where the
    // semidominator search starts anyway): n fewer entries to store and to read.
    retaining[e >>> 5] &= ~(1 << (e & 31));
    firstPred[next]--;
    num[next] = ++count;
    vertex[count] = next;
    link[2 * count] = num[node];
    stackNode[top] = next;
    link[2 * top++ + 1] = firstEdge[next];
  }
  s.count = count;
}

/** Nodes in preorder of the dominator tree: every node after its dominator. */
function dominatorPreorder(g: HeapGraph, dominator: Uint32Array): Uint32Array {
  const n = g.nodeCount;
  const first = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) if (i !== ROOT) first[dominator[i] + 1]++;
  for (let i = 0; i < n; i++) first[i + 1] += first[i];
  const fill = first.slice(0, n);
  const children = new Uint32Array(n);
  for (let i = 0; i < n; i++) if (i !== ROOT) children[fill[dominator[i]]++] = i;
  const order = new Uint32Array(n);
  let head = 0;
  let tail = 0;
  order[tail++] = ROOT;
  while (head < tail) {
    const node = order[head++];
    for (let k = first[node]; k < first[node + 1]; k++) order[tail++] = children[k];
  }
  return order;
}

/**
 * Breadth-first hops from the root over non-weak edges (DevTools' "Distance"). As in DevTools, a
 * WeakMap value is reached only through the second of its two edges (key and table), so its
 * distance is one more than the farther of the two (crbug.com/1290800).
 */
export function distances(g: HeapGraph): Int32Array {
  const c = typeCodes(g);
  const weak = c.edgeWeak;
  const internal = c.edgeInternal;
  const weakMaps = new WeakMapEdgeNames(g.strings);
  const pending = new Set<string>();
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
      if (distance[to] !== -1) continue;
      const t = g.edgeType[e];
      if (t === weak) continue;
      if (t === internal) {
        const part = weakMaps.parse(g.edgeNameOrIndex[e]);
        if (part && !pending.delete(part.pair)) {
          pending.add(part.pair);
          continue;
        }
      }
      distance[to] = d;
      queue[tail++] = to;
    }
  }
  return distance;
}
