// Flame graph layouts, computed in the worker and handed to the page as transferable typed
// arrays: the renderer only maps rectangles to pixels.
//
// A layout is a tree in depth-first order (every node after its parent, children left-heavy:
// largest first), with each node's start and width in value units, its depth and its frame.
// Trees are built here by the allocation flames (flame/allocations.ts) and the dominator flame
// (flame/dominators.ts).

import type { FlameFrames, FlameLayout } from '../../api/types.ts';

/**
 * A tree's columns, parents first (every node after its parent): what the layout reads. A
 * TreeBuilder's arrays, or typed arrays taken as they are (a stack table already is a tree).
 */
export interface TreeColumns {
  parent: ArrayLike<number>;
  frame: ArrayLike<number>;
  total: ArrayLike<number>;
  self: ArrayLike<number>;
  count: ArrayLike<number>;
  /** The base profile's totals (differential graphs); null without one. */
  base: ArrayLike<number> | null;
}

/** A tree under construction: nodes keyed by (parent, frame). */
export class TreeBuilder implements TreeColumns {
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
export function layoutTree(t: TreeColumns, frames: FlameFrames, withBase: boolean, unit: string): FlameLayout {
  return layoutTreeWithSource(t, frames, withBase, unit).layout;
}

/** Sorts kids[from, to) largest width first, ties by node index (insertion sort for short lists). */
function sortChildren(kids: Int32Array, from: number, to: number, w: Float64Array): void {
  if (to - from > 24) {
    kids.subarray(from, to).sort((a, b) => w[b] - w[a] || a - b);
    return;
  }
  // Most lists are a few children long: an inline insertion sort is several times faster there
  // than a typed-array sort with a comparator (measured on the bench's 100 k-node tree).
  for (let i = from + 1; i < to; i++) {
    const k = kids[i];
    const wk = w[k];
    let j = i - 1;
    while (j >= from && (w[kids[j]] < wk || (w[kids[j]] === wk && kids[j] > k))) {
      kids[j + 1] = kids[j];
      j--;
    }
    kids[j + 1] = k;
  }
}

/** layoutTree, and for each laid-out node the tree node it came from (for per-node side tables). */
export function layoutTreeWithSource(t: TreeColumns, frames: FlameFrames, withBase: boolean, unit: string): { layout: FlameLayout; source: Int32Array } {
  const n = t.parent.length;
  const { parent, frame, total, self, count } = t;
  const base = withBase ? t.base : null;
  // Nodes are created parents first, so a backwards pass sees children before parents.
  const w = Float64Array.from(total);
  if (base) {
    const childHead = new Float64Array(n);
    const childBase = new Float64Array(n);
    const childWidth = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      const own = Math.max(total[i] - childHead[i], base[i] - childBase[i], 0);
      w[i] = own + childWidth[i];
      const p = parent[i];
      if (p >= 0) {
        childHead[p] += total[i];
        childBase[p] += base[i];
        childWidth[p] += w[i];
      }
    }
  }
  // Children of each node (index 0 = the roots) in CSR form, visible (non-zero) ones only,
  // each list sorted largest first.
  const first = new Int32Array(n + 2);
  for (let i = 0; i < n; i++) if (w[i] > 0) first[parent[i] + 2]++;
  for (let i = 1; i < n + 2; i++) first[i] += first[i - 1];
  const kids = new Int32Array(first[n + 1]);
  const fill = first.slice(0, n + 1);
  for (let i = 0; i < n; i++) if (w[i] > 0) kids[fill[parent[i] + 1]++] = i;
  for (let p = 0; p <= n; p++) if (first[p + 1] - first[p] > 1) sortChildren(kids, first[p], first[p + 1], w);

  const m = kids.length;
  const start = new Float64Array(m);
  const width = new Float64Array(m);
  const outTotal = new Float64Array(m);
  const outSelf = new Float64Array(m);
  const outCount = new Float64Array(m);
  const depthOf = new Int32Array(m);
  const parentOf = new Int32Array(m);
  const frameOf = new Int32Array(m);
  const outBase = base ? new Float64Array(m) : null;
  const source = new Int32Array(m);
  // Depth-first with an explicit stack of (tree node, its index in the output). A node's start is
  // set when its parent is emitted (children left to right from the parent's start).
  const stackNode = new Int32Array(m + 1);
  const stackOut = new Int32Array(m + 1);
  const startOf = new Float64Array(n);
  let top = 0;
  let offset = 0;
  for (let k = first[0]; k < first[1]; k++) {
    startOf[kids[k]] = offset;
    offset += w[kids[k]];
  }
  // Roots, pushed in reverse so the largest comes out first.
  for (let k = first[1] - 1; k >= first[0]; k--) {
    stackNode[top] = kids[k];
    stackOut[top] = -1;
    top++;
  }
  let maxDepth = 0;
  for (let i = 0; top > 0; i++) {
    top--;
    const node = stackNode[top];
    const up = stackOut[top];
    const depth = up < 0 ? 0 : depthOf[up] + 1;
    const x0 = startOf[node];
    source[i] = node;
    start[i] = x0;
    width[i] = w[node];
    outTotal[i] = total[node];
    outSelf[i] = self[node];
    outCount[i] = count[node];
    depthOf[i] = depth;
    parentOf[i] = up;
    frameOf[i] = frame[node];
    if (outBase) outBase[i] = base![node];
    if (depth > maxDepth) maxDepth = depth;
    const from = first[node + 1];
    const to = first[node + 2];
    let x = x0;
    for (let k = from; k < to; k++) {
      startOf[kids[k]] = x;
      x += w[kids[k]];
    }
    for (let k = to - 1; k >= from; k--) {
      stackNode[top] = kids[k];
      stackOut[top] = i;
      top++;
    }
  }
  const out: FlameLayout = {
    length: m,
    start,
    width,
    total: outTotal,
    self: outSelf,
    count: outCount,
    depth: depthOf,
    parent: parentOf,
    frame: frameOf,
    base: outBase,
    rowStart: new Int32Array(0),
    rowNodes: new Int32Array(0),
    frames,
    maxDepth,
    totalValue: offset,
    unit,
  };
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
