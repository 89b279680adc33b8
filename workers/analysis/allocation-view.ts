// DevTools' Allocation view (AllocationProfile.ts) of a snapshot with allocation traces
// (.heaptimeline, `node --track-heap-objects`): one row per function that allocated, with what it
// allocated since tracking began (count, size: from V8's trace tree) and what of that is still
// alive (live count, live size: this snapshot's objects carrying the trace node), bottom-up —
// a row opens to its callers, merged by function, level by level. Every live size is a shallow
// size after the move to owners, as in DevTools.
//
// Rows and caller nodes are named by their path of function indices ([function, caller, caller's
// caller, …]): stable across calls, unlike DevTools' running ids.

import type { AllocationFrame, AllocationRow } from '../api/types.ts';
import type { AllocationTraces, HeapGraph } from '../model/heap-graph.ts';

interface BottomUp {
  fn: number;
  count: number;
  size: number;
  liveCount: number;
  liveSize: number;
  /** Ids of the allocating trace nodes whose stacks pass here. */
  traceIds: number[];
  callers: BottomUp[];
}

export class AllocationView {
  private readonly t: AllocationTraces;
  /** Per trace-tree node (preorder index): live objects and bytes. */
  private readonly liveCount: Float64Array;
  private readonly liveSize: Float64Array;
  /** Per function: its trace-tree nodes that allocated (count ≠ 0), in tree order. */
  private readonly tops: number[][];
  private readonly indexOfId = new Map<number, number>();
  private readonly bottomUp = new Map<number, BottomUp>();
  private rowsCache: AllocationRow[] | null = null;

  constructor(
    private readonly g: HeapGraph,
    selfSize: ArrayLike<number>,
  ) {
    const t = g.traces!;
    this.t = t;
    const nodes = t.treeId.length;
    for (let i = 0; i < nodes; i++) this.indexOfId.set(t.treeId[i], i);
    this.liveCount = new Float64Array(nodes);
    this.liveSize = new Float64Array(nodes);
    const trace = g.traceNodeId;
    if (trace) {
      for (let i = 0; i < g.nodeCount; i++) {
        const k = this.indexOfId.get(trace[i]);
        if (k === undefined) continue;
        this.liveCount[k]++;
        this.liveSize[k] += selfSize[i];
      }
    } else {
      // No trace ids in the nodes: every object counts for trace node 0, if the tree has one.
      const k = this.indexOfId.get(0);
      if (k !== undefined) {
        this.liveCount[k] = g.nodeCount;
        for (let i = 0; i < g.nodeCount; i++) this.liveSize[k] += selfSize[i];
      }
    }
    this.tops = Array.from({ length: t.functionName.length }, () => []);
    for (let i = 0; i < nodes; i++) if (t.treeCount[i] !== 0) this.tops[t.treeFunction[i]].push(i);
  }

  /** Whether the snapshot has an Allocation view at all. */
  static available(g: HeapGraph): boolean {
    return g.traces !== null && g.traces.functionName.length > 0;
  }

  private frame(fn: number): Omit<AllocationFrame, 'path'> {
    const t = this.t;
    return {
      function: this.g.strings[t.functionName[fn]],
      script: this.g.strings[t.scriptName[fn]],
      scriptId: t.scriptId[fn],
      line: t.line[fn],
      column: t.column[fn],
    };
  }

  /** The view's rows: functions that allocated, largest traced size first (ties in function order). */
  rows(): AllocationRow[] {
    if (this.rowsCache) return this.rowsCache;
    const out: AllocationRow[] = [];
    for (let fn = 0; fn < this.tops.length; fn++) {
      const tops = this.tops[fn];
      if (tops.length === 0) continue;
      let count = 0;
      let size = 0;
      let liveCount = 0;
      let liveSize = 0;
      for (const k of tops) {
        count += this.t.treeCount[k];
        size += this.t.treeSize[k];
        liveCount += this.liveCount[k];
        liveSize += this.liveSize[k];
      }
      // Function 0 is the trace tree's "(root)": it has no callers to open.
      out.push({ path: [fn], ...this.frame(fn), count, size, liveCount, liveSize, hasCallers: fn !== 0 });
    }
    this.rowsCache = out.sort((a, b) => b.size - a.size);
    return out;
  }

  private root(fn: number): BottomUp | null {
    const cached = this.bottomUp.get(fn);
    if (cached) return cached;
    const tops = this.tops[fn];
    if (!tops || tops.length === 0) return null;
    const t = this.t;
    const root: BottomUp = { fn, count: 0, size: 0, liveCount: 0, liveSize: 0, traceIds: [], callers: [] };
    for (const top of tops) {
      const count = t.treeCount[top];
      const size = t.treeSize[top];
      const liveCount = this.liveCount[top];
      const liveSize = this.liveSize[top];
      const id = t.treeId[top];
      let node = root;
      for (let k = top; ; ) {
        node.count += count;
        node.size += size;
        node.liveCount += liveCount;
        node.liveSize += liveSize;
        node.traceIds.push(id);
        k = t.treeParent[k];
        if (k < 0) break;
        const callerFn = t.treeFunction[k];
        let caller = node.callers.find((x) => x.fn === callerFn);
        if (!caller) node.callers.push((caller = { fn: callerFn, count: 0, size: 0, liveCount: 0, liveSize: 0, traceIds: [], callers: [] }));
        node = caller;
      }
    }
    this.bottomUp.set(fn, root);
    return root;
  }

  private at(path: number[]): BottomUp | null {
    let node = path.length > 0 ? this.root(path[0]) : null;
    for (let k = 1; node && k < path.length; k++) node = node.callers.find((x) => x.fn === path[k]) ?? null;
    return node;
  }

  private row(node: BottomUp, path: number[]): AllocationRow {
    return { path, ...this.frame(node.fn), count: node.count, size: node.size, liveCount: node.liveCount, liveSize: node.liveSize, hasCallers: node.callers.length > 0 };
  }

  /**
   * The callers of a row or caller node, as DevTools opens one: the chain while there is exactly
   * one caller, then the callers where it branches. Null for a path that names no node.
   */
  callers(path: number[]): { singleCallers: AllocationRow[]; branchingCallers: AllocationRow[] } | null {
    let node = this.at(path);
    if (!node) return null;
    let p = path;
    const singleCallers: AllocationRow[] = [];
    while (node.callers.length === 1) {
      node = node.callers[0];
      p = [...p, node.fn];
      singleCallers.push(this.row(node, p));
    }
    const end = p;
    const branchingCallers = node.callers.map((x) => this.row(x, [...end, x.fn]));
    return { singleCallers, branchingCallers };
  }

  /** Trace-node ids of the allocations a row or caller node stands for (the Summary's allocation filter). */
  traceIds(path: number[]): number[] {
    return this.at(path)?.traceIds ?? [];
  }

  /** An object's allocation stack, innermost frame first, "(root)" last; null when it was not traced. */
  stack(traceNodeId: number): AllocationFrame[] | null {
    if (traceNodeId === 0) return null;
    const out: AllocationFrame[] = [];
    const t = this.t;
    const path: number[] = [];
    for (let k = this.indexOfId.get(traceNodeId) ?? -1; k >= 0; k = t.treeParent[k]) {
      path.push(t.treeFunction[k]);
      out.push({ ...this.frame(t.treeFunction[k]), path: [...path] });
    }
    return out;
  }
}
