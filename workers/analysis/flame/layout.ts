// Flame graph layouts, computed in the worker and handed to the page as transferable typed
// arrays: the renderer only maps rectangles to pixels.
//
// A layout is a tree in depth-first order (every node after its parent, children left-heavy:
// largest first), with each node's start and width in value units, its depth and its frame.
// Trees are built here by the allocation flames (flame/allocations.ts) and the dominator flame
// (flame/dominators.ts).

import type { FlameFrames, FlameLayout } from '../../api/types.ts';

/** A tree under construction: nodes keyed by (parent, frame). */
export class TreeBuilder {
  parent: number[] = [];
  frame: number[] = [];
  total: number[] = [];
  self: number[] = [];
  count: number[] = [];
  base: number[] = [];
  private index = new Map<number, number>();
  private readonly frameCount: number;

  constructor(frameCount: number) {
    this.frameCount = Math.max(1, frameCount);
  }

  child(parent: number, frame: number): number {
    const key = (parent + 1) * this.frameCount + frame;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.parent.length;
      this.parent.push(parent);
      this.frame.push(frame);
      this.total.push(0);
      this.self.push(0);
      this.count.push(0);
      this.base.push(0);
      this.index.set(key, i);
    }
    return i;
  }
}

/** Depth-first, largest child first; start offsets accumulate left to right. */
export function layoutTree(t: TreeBuilder, frames: FlameFrames, withBase: boolean, unit: string): FlameLayout {
  return layoutTreeWithSource(t, frames, withBase, unit).layout;
}

/** layoutTree, and for each laid-out node the tree node it came from (for per-node side tables). */
export function layoutTreeWithSource(t: TreeBuilder, frames: FlameFrames, withBase: boolean, unit: string): { layout: FlameLayout; source: Int32Array } {
  const n = t.parent.length;
  // Nodes are created parents first, so a backwards pass sees children before parents.
  const w = Float64Array.from(t.total);
  if (withBase) {
    const childHead = new Float64Array(n);
    const childBase = new Float64Array(n);
    const childWidth = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      const own = Math.max(t.total[i] - childHead[i], t.base[i] - childBase[i], 0);
      w[i] = own + childWidth[i];
      const p = t.parent[i];
      if (p >= 0) {
        childHead[p] += t.total[i];
        childBase[p] += t.base[i];
        childWidth[p] += w[i];
      }
    }
  }
  // Children of each node (index 0 = the roots) in CSR form, visible (non-zero) ones only,
  // each list sorted largest first.
  const first = new Int32Array(n + 2);
  for (let i = 0; i < n; i++) if (w[i] > 0) first[t.parent[i] + 2]++;
  for (let i = 1; i < n + 2; i++) first[i] += first[i - 1];
  const kids = new Int32Array(first[n + 1]);
  const fill = first.slice(0, n + 1);
  for (let i = 0; i < n; i++) if (w[i] > 0) kids[fill[t.parent[i] + 1]++] = i;
  for (let p = 0; p <= n; p++) {
    if (first[p + 1] - first[p] > 1) kids.subarray(first[p], first[p + 1]).sort((a, b) => w[b] - w[a] || a - b);
  }

  const m = kids.length;
  const out: FlameLayout = {
    length: m,
    start: new Float64Array(m),
    width: new Float64Array(m),
    total: new Float64Array(m),
    self: new Float64Array(m),
    count: new Float64Array(m),
    depth: new Int32Array(m),
    parent: new Int32Array(m),
    frame: new Int32Array(m),
    base: withBase ? new Float64Array(m) : null,
    rowStart: new Int32Array(0),
    rowNodes: new Int32Array(0),
    frames,
    maxDepth: 0,
    totalValue: 0,
    unit,
  };
  // Depth-first with an explicit stack of (tree node, its index in the output).
  const stackNode = new Int32Array(m + 1);
  const stackOut = new Int32Array(m + 1);
  let top = 0;
  let next = 0;
  let offset = 0;
  const source = new Int32Array(m);
  const emit = (node: number, parentOut: number, start: number, depth: number): number => {
    const i = next++;
    source[i] = node;
    out.start[i] = start;
    out.width[i] = w[node];
    out.total[i] = t.total[node];
    out.self[i] = t.self[node];
    out.count[i] = t.count[node];
    out.depth[i] = depth;
    out.parent[i] = parentOut;
    out.frame[i] = t.frame[node];
    if (out.base) out.base[i] = t.base[node];
    if (depth > out.maxDepth) out.maxDepth = depth;
    return i;
  };
  // Roots, pushed in reverse so the largest comes out first.
  const rootStart = new Float64Array(first[1] - first[0]);
  for (let k = first[0]; k < first[1]; k++) {
    rootStart[k - first[0]] = offset;
    offset += w[kids[k]];
  }
  out.totalValue = offset;
  for (let k = first[1] - 1; k >= first[0]; k--) {
    stackNode[top] = kids[k];
    stackOut[top] = -1;
    top++;
  }
  const startOf = new Float64Array(n);
  for (let k = first[0]; k < first[1]; k++) startOf[kids[k]] = rootStart[k - first[0]];
  while (top > 0) {
    top--;
    const node = stackNode[top];
    const parentOut = stackOut[top];
    const depth = parentOut < 0 ? 0 : out.depth[parentOut] + 1;
    const i = emit(node, parentOut, startOf[node], depth);
    let x = startOf[node];
    for (let k = first[node + 1]; k < first[node + 2]; k++) {
      startOf[kids[k]] = x;
      x += w[kids[k]];
    }
    for (let k = first[node + 2] - 1; k >= first[node + 1]; k--) {
      stackNode[top] = kids[k];
      stackOut[top] = i;
      top++;
    }
  }
  indexRows(out);
  return { layout: out, source };
}

/**
 * Nodes by depth: a stable counting sort of the depth-first order, so each row runs left to
 * right (a depth-first walk meets the nodes of one depth in order of their start) and the
 * renderer finds the node under the pointer by a binary search in one row.
 */
function indexRows(l: FlameLayout): void {
  const rows = l.length === 0 ? 0 : l.maxDepth + 1;
  const rowStart = new Int32Array(rows + 1);
  for (let i = 0; i < l.length; i++) rowStart[l.depth[i] + 1]++;
  for (let d = 0; d < rows; d++) rowStart[d + 1] += rowStart[d];
  const fill = rowStart.slice(0, rows);
  const rowNodes = new Int32Array(l.length);
  for (let i = 0; i < l.length; i++) rowNodes[fill[l.depth[i]]++] = i;
  l.rowStart = rowStart;
  l.rowNodes = rowNodes;
}
