// DevTools' Summary rows (HeapSnapshot.buildAggregates, calculateClassesRetainedSize): per class,
// the objects that pass the filter and have a size (after shallow sizes moved to owners, objects
// of size 0 are not shown, nor counted), their summed shallow size, the smallest distance, and a
// retained size that does not count an object twice: walking the dominator tree from the root, an
// object's retained size is added to its class unless an object of the same class above it was
// (so a linked list of 1,000 entries retains what its head retains, not 1,000 times that).

import type { ClassIndex, DominatorTree } from './classes.ts';
import { NO_SCRATCH, type Scratch } from '../model/scratch.ts';
import { ROOT } from './dominators.ts';

export interface SummaryRow {
  classId: number;
  count: number;
  shallowSize: number;
  retainedSize: number;
  /** The smallest DevTools distance of the class's objects (NO_DISTANCE when one is unreached). */
  distance: number;
}

/**
 * The Summary of the nodes `filter` flags (all when null), one row per class that has any. Rows
 * come in class id order (the first object's order); sortSummary orders them as a column does.
 */
export function summaryRows(
  index: ClassIndex,
  selfSize: ArrayLike<number>,
  /** Null (both) when the snapshot was opened without the dominator pass: retained sizes stay 0. */
  tree: DominatorTree | null,
  retained: Uint32Array | Float64Array | null,
  distance: Int32Array,
  filter: Uint8Array | null = null,
  scratch: Scratch = NO_SCRATCH,
): SummaryRow[] {
  const { classOf } = index;
  const k = index.classes.length;
  const count = new Float64Array(k);
  const shallow = new Float64Array(k);
  const retainedOf = new Float64Array(k);
  const minDistance = new Int32Array(k).fill(0x7fffffff);
  // A sequential pass for counts, sizes and distances, which also flags the counted nodes (a bit
  // each: the tree walk's random reads then stay in a CPU cache), then the walk for retained sizes.
  const counted = new Int32Array((classOf.length + 31) >>> 5);
  for (let i = 0; i < classOf.length; i++) {
    const size = selfSize[i];
    if (size === 0 || (filter !== null && filter[i] !== 1)) continue;
    const c = classOf[i];
    count[c]++;
    shallow[c] += size;
    if (distance[i] < minDistance[c]) minDistance[c] = distance[i];
    counted[i >>> 5] |= 1 << (i & 31);
  }
  if (tree && retained) classWalk(classOf, counted, tree, retained, retainedOf, scratch);
  const rows: SummaryRow[] = [];
  for (let c = 0; c < k; c++) {
    if (count[c] === 0) continue;
    rows.push({ classId: c, count: count[c], shallowSize: shallow[c], retainedSize: retainedOf[c], distance: minDistance[c] });
  }
  return rows;
}

/**
 * Depth first over the dominator tree; onPath[c] counts the counted objects of class c on the
 * path from the root (only those with children: a leaf hides nothing). One flat loop over typed
 * arrays (no closures: this runs over every node at load).
 */
function classWalk(classOf: Uint32Array, counted: Int32Array, tree: DominatorTree, retained: Uint32Array | Float64Array, retainedOf: Float64Array, scratch: Scratch): void {
  const { first, list } = tree;
  const n = classOf.length;
  const onPath = new Uint32Array(retainedOf.length);
  // Both are written at a depth before they are read there.
  const stack = scratch.take(n + 1);
  const next = scratch.take(n + 1);
  const marked = new Uint8Array(n + 1);
  let depth = 0;
  let node = ROOT;
  for (;;) {
    // Enter `node` at `depth`.
    let mark = 0;
    if ((counted[node >>> 5] & (1 << (node & 31))) !== 0) {
      const c = classOf[node];
      if (onPath[c] === 0) {
        retainedOf[c] += retained[node];
        if (first[node] !== first[node + 1]) {
          onPath[c]++;
          mark = 1;
        }
      }
    }
    stack[depth] = node;
    next[depth] = first[node];
    marked[depth] = mark;
    // Find the next node to enter: a child of the deepest node with one left, leaving the rest.
    for (;;) {
      const top = stack[depth];
      const k = next[depth];
      if (k < first[top + 1]) {
        next[depth] = k + 1;
        node = list[k];
        depth++;
        break;
      }
      if (marked[depth]) onPath[classOf[top]]--;
      if (depth === 0) {
        scratch.give(stack, next);
        return;
      }
      depth--;
    }
  }
}

export type ClassSortKey = 'name' | 'count' | 'shallowSize' | 'retainedSize' | 'distance';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The Summary sorted as DevTools' grid sorts a column (HeapSnapshotConstructorsDataGrid
 * sortFields): name, then retained size descending; distance, then retained size descending;
 * count, shallow or retained size, then name. The class key breaks what is left of ties.
 */
export function sortSummary(rows: SummaryRow[], index: ClassIndex, by: ClassSortKey = 'retainedSize', ascending = false): SummaryRow[] {
  const name = (r: SummaryRow) => index.classes[r.classId].name;
  const key = (r: SummaryRow) => index.classes[r.classId].key;
  const dir = ascending ? 1 : -1;
  const first = (a: SummaryRow, b: SummaryRow): number => {
    switch (by) {
      case 'name':
        return dir * cmp(name(a), name(b)) || b.retainedSize - a.retainedSize;
      case 'distance':
        return dir * (a.distance - b.distance) || b.retainedSize - a.retainedSize;
      case 'count':
        return dir * (a.count - b.count) || cmp(name(a), name(b));
      case 'shallowSize':
        return dir * (a.shallowSize - b.shallowSize) || cmp(name(a), name(b));
      default:
        return dir * (a.retainedSize - b.retainedSize) || cmp(name(a), name(b));
    }
  };
  return rows.sort((a, b) => first(a, b) || cmp(key(a), key(b)));
}
