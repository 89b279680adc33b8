// Hit-testing a flame layout: the worker sends its nodes row by row (rowStart/rowNodes), each row
// left to right, so the node under the pointer is a binary search in one row, not a scan of
// every node on every mouse move.
import type { FlameLayout } from '../../workers/api/types.ts';

/** Pixels per row of a flame graph. */
export const ROW_HEIGHT = 18;

/** The node of row `depth` that covers value `v`, or -1. */
export function nodeAt(l: FlameLayout, depth: number, v: number): number {
  if (depth < 0 || depth + 1 >= l.rowStart.length) return -1;
  let lo = l.rowStart[depth];
  let hi = l.rowStart[depth + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const node = l.rowNodes[mid];
    if (v < l.start[node]) hi = mid - 1;
    else if (v >= l.start[node] + l.width[node]) lo = mid + 1;
    else return node;
  }
  return -1;
}

/** The node's neighbour in its row (dir −1 left, +1 right) that shares its parent, or -1. */
export function sibling(l: FlameLayout, node: number, dir: -1 | 1): number {
  const d = l.depth[node];
  for (let k = l.rowStart[d]; k < l.rowStart[d + 1]; k++) {
    if (l.rowNodes[k] !== node) continue;
    const next = l.rowNodes[k + dir];
    return k + dir >= l.rowStart[d] && k + dir < l.rowStart[d + 1] && l.parent[next] === l.parent[node] ? next : -1;
  }
  return -1;
}

/** A node's label: function and where, as much as the format records; for a heap, its class, count and edge. */
export function labelOf(l: FlameLayout, i: number): string {
  if (l.heap) return heapLabelOf(l, i);
  const f = l.frame[i];
  const func = l.frames.func[f];
  const file = l.frames.file[f];
  const line = l.frames.line[f];
  const where = file ? `${file}${line >= 0 ? `:${line}` : ''}` : '';
  return func ? (where ? `${func} ${where}` : func) : where;
}

const counts = new Intl.NumberFormat('en-US');

/**
 * A dominator flame rectangle as people read it: the class, how many objects the rectangle
 * stands for when more than one ("Record ×52,420"), and the edge its dominator holds it by.
 */
export function heapLabelOf(l: FlameLayout, i: number): string {
  const h = l.heap!;
  const name = l.frames.func[l.frame[i]];
  const n = h.objects[i];
  const edge = h.edge[i];
  return `${name}${n > 1 ? ` ×${counts.format(n)}` : ''}${edge ? ` · ${edge}` : ''}`;
}
