// The dominator tree of a heap snapshot drawn as a flame graph: width = retained size, so each
// rectangle is what would be freed with the object, and its children are what it alone keeps.
//
// Real heaps give objects thousands of small children (a Map's 5,000 entries), each far narrower
// than a pixel: drawn one by one they leave the parent blank. So the children of one rectangle are
// grouped by class: "Entry ×5,000" is one rectangle as wide as all of them, and its children are
// the children of all its members, grouped again. A class keeps its widest members apart (up to
// a few) when each is wide enough to draw. What is still too narrow after that becomes one "rest"
// rectangle per parent, so every byte a parent retains beyond its own size is covered by a child.

import type { FlameLayout } from '../../api/types.ts';
import { edgeText, typeCodes, type HeapGraph } from '../../model/heap-graph.ts';
import type { ClassIndex, DominatorTree } from '../classes.ts';
import { ROOT, type HeapAnalysis } from '../dominators.ts';
import { layoutTreeWithSource, TreeBuilder } from './layout.ts';

/** Objects of one class under one parent drawn on their own, when each is wide enough. */
const MAX_APART = 8;

const KIND_OBJECT = 0;
const KIND_GROUP = 1;
const KIND_REST = 2;

interface Rect {
  members: number[];
  total: number;
  self: number;
  kind: number;
  classId: number;
}

export interface DominatorFlameOptions {
  /** Rectangles narrower than this share of the heap are not drawn apart (they join their parent's rest). */
  minFraction?: number;
  maxNodes?: number;
}

export function dominatorFlame(
  g: HeapGraph,
  a: HeapAnalysis,
  classes: ClassIndex,
  selfSize: ArrayLike<number>,
  tree: DominatorTree,
  options: DominatorFlameOptions = {},
): FlameLayout {
  const minFraction = options.minFraction ?? 1 / 20000;
  const maxNodes = options.maxNodes ?? 60000;
  const retained = a.retainedSize;
  const threshold = retained[ROOT] * minFraction;
  const c = typeCodes(g);
  const { first, list } = tree;
  const { classOf } = classes;

  const t = new TreeBuilder(1);
  const frameIds = new Map<number, number>();
  const func: string[] = [];
  const file: string[] = [];
  const frameOf = (classId: number) => {
    let f = frameIds.get(classId);
    if (f === undefined) {
      f = func.length;
      func.push(classId >= 0 ? classes.names[classId] : '(smaller objects)');
      file.push('');
      frameIds.set(classId, f);
    }
    return f;
  };
  const heapNode: number[] = [];
  const objects: number[] = [];
  const kinds: number[] = [];
  const edges: string[] = [];

  /** How `node`'s dominator refers to it, when by a direct edge. */
  const edgeFrom = (node: number): string => {
    const d = a.dominator[node];
    for (let e = g.firstEdge[d]; e < g.firstEdge[d + 1]; e++) if (g.edgeTo[e] === node && g.edgeType[e] !== c.edgeWeak) return edgeText(g, e, c);
    return '';
  };
  const add = (r: Rect, parent: number): number => {
    const i = t.parent.length;
    t.parent.push(parent);
    t.frame.push(frameOf(r.kind === KIND_REST ? -1 : r.classId));
    t.total.push(r.total);
    t.self.push(r.self);
    t.count.push(r.members.length);
    t.base.push(0);
    let largest = -1;
    for (const m of r.members) if (largest < 0 || retained[m] > retained[largest]) largest = m;
    heapNode.push(r.kind === KIND_REST ? -1 : largest);
    objects.push(r.members.length);
    kinds.push(r.kind);
    if (r.kind === KIND_OBJECT) edges.push(r.members[0] === ROOT ? '' : edgeFrom(r.members[0]));
    else if (r.kind === KIND_GROUP) {
      // A group's edge when all its members hang by the same name (a Map's entries all by "table"...).
      const e = edgeFrom(r.members[0]);
      let same = e !== '';
      for (let k = 1; same && k < r.members.length && k < 64; k++) same = edgeFrom(r.members[k]) === e;
      edges.push(same ? e : '');
    } else edges.push('');
    return i;
  };

  /** The children rectangles of a rectangle's members: by class, the widest apart, the rest together. */
  const childrenOf = (members: number[]): Rect[] => {
    const byClass = new Map<number, number[]>();
    for (const m of members) {
      for (let k = first[m]; k < first[m + 1]; k++) {
        const child = list[k];
        const cls = classOf[child];
        let group = byClass.get(cls);
        if (!group) byClass.set(cls, (group = []));
        group.push(child);
      }
    }
    const out: Rect[] = [];
    const rect = (nodes: number[], classId: number): Rect => {
      let total = 0;
      let self = 0;
      for (const n of nodes) {
        total += retained[n];
        self += selfSize[n];
      }
      return { members: nodes, total, self, kind: nodes.length === 1 ? KIND_OBJECT : KIND_GROUP, classId };
    };
    for (const [cls, nodes] of byClass) {
      if (nodes.length === 1) {
        out.push(rect(nodes, cls));
        continue;
      }
      const wide = nodes.filter((n) => retained[n] >= threshold);
      if (wide.length > 0 && wide.length <= MAX_APART) {
        for (const n of wide) out.push(rect([n], cls));
        const narrow = nodes.filter((n) => retained[n] < threshold);
        if (narrow.length > 0) out.push(rect(narrow, cls));
      } else out.push(rect(nodes, cls));
    }
    const drawn = out.filter((r) => r.total >= threshold);
    const rest = out.filter((r) => r.total < threshold && r.total > 0);
    if (rest.length > 0) {
      const members = rest.flatMap((r) => r.members);
      drawn.push({ members, total: rest.reduce((s, r) => s + r.total, 0), self: rest.reduce((s, r) => s + r.self, 0), kind: KIND_REST, classId: -1 });
    }
    return drawn;
  };

  const rootRect: Rect = { members: [ROOT], total: retained[ROOT], self: selfSize[ROOT], kind: KIND_OBJECT, classId: classOf[ROOT] };
  const queue: { rect: Rect; index: number }[] = [{ rect: rootRect, index: add(rootRect, -1) }];
  for (let head = 0; head < queue.length && t.parent.length < maxNodes; head++) {
    const { rect, index } = queue[head];
    if (rect.kind === KIND_REST) continue; // its members are each too narrow to show apart
    for (const child of childrenOf(rect.members)) {
      if (t.parent.length >= maxNodes) break;
      const i = add(child, index);
      if (child.kind !== KIND_REST && child.total > child.self) queue.push({ rect: child, index: i });
    }
  }
  const { layout, source } = layoutTreeWithSource(t, { func, file, line: new Int32Array(func.length).fill(-1) }, false, 'bytes');
  layout.heap = {
    node: Int32Array.from(source, (k) => heapNode[k]),
    objects: Float64Array.from(source, (k) => objects[k]),
    kind: Uint8Array.from(source, (k) => kinds[k]),
    edge: Array.from(source, (k) => edges[k]),
  };
  return layout;
}

/**
 * How much of each rectangle's children area is drawn: per rectangle with something under it,
 * (Σ children's widths) / (width − own size). Returns the width-weighted mean and the worst
 * rectangle wider than 1 % of the heap.
 */
export function flameCoverage(l: FlameLayout): { weighted: number; worst: number; parents: number } {
  const childSum = new Float64Array(l.length);
  for (let i = 0; i < l.length; i++) if (l.parent[i] >= 0) childSum[l.parent[i]] += l.total[i];
  let covered = 0;
  let under = 0;
  let worst = 1;
  let parents = 0;
  for (let i = 0; i < l.length; i++) {
    const space = l.total[i] - l.self[i];
    if (space <= 0 || (l.heap && l.heap.kind[i] === KIND_REST)) continue;
    parents++;
    covered += Math.min(space, childSum[i]);
    under += space;
    if (l.total[i] >= l.totalValue / 100) worst = Math.min(worst, childSum[i] / space);
  }
  return { weighted: under === 0 ? 1 : covered / under, worst, parents };
}
