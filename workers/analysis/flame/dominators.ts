// The dominator tree of a heap snapshot drawn as a flame graph: width = retained size.

import type { FlameLayout } from '../../api/types.ts';
import type { HeapGraph } from '../../model/heap-graph.ts';
import type { ClassIndex } from '../classes.ts';
import { ROOT, type HeapAnalysis } from '../dominators.ts';
import { layoutTree, TreeBuilder } from './layout.ts';

/**
 * The dominator tree drawn as a flame graph: width = retained size. Objects smaller than
 * `minFraction` of the heap are left out (their space stays in their dominator's width), so a
 * heap of millions of objects stays a drawable few thousand rectangles.
 */
export function dominatorFlame(g: HeapGraph, a: HeapAnalysis, classes: ClassIndex, selfSize: ArrayLike<number> = g.selfSize, minFraction = 1 / 20000, maxNodes = 60000): FlameLayout {
  const threshold = a.retainedSize[ROOT] * minFraction;
  const n = g.nodeCount;
  // Children lists of the kept nodes only.
  const first = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (i !== ROOT && a.retainedSize[i] >= threshold) first[a.dominator[i] + 1]++;
  for (let i = 0; i < n; i++) first[i + 1] += first[i];
  const list = new Int32Array(first[n]);
  const fill = first.slice(0, n);
  for (let i = 0; i < n; i++) if (i !== ROOT && a.retainedSize[i] >= threshold) list[fill[a.dominator[i]]++] = i;

  const t = new TreeBuilder(1);
  const frameIds = new Map<number, number>();
  const func: string[] = [];
  const file: string[] = [];
  const frameFor = (node: number) => {
    const cls = classes.classOf[node];
    let f = frameIds.get(cls);
    if (f === undefined) {
      f = func.length;
      func.push(classes.names[cls]);
      file.push('');
      frameIds.set(cls, f);
    }
    return f;
  };
  // Every kept heap node is its own flame node (objects are not merged by class).
  const queue: { node: number; parent: number }[] = [{ node: ROOT, parent: -1 }];
  let kept = 0;
  for (let head = 0; head < queue.length && kept < maxNodes; head++) {
    const { node, parent } = queue[head];
    const i = t.parent.length;
    t.parent.push(parent);
    t.frame.push(frameFor(node));
    t.total.push(a.retainedSize[node]);
    t.self.push(selfSize[node]);
    t.count.push(1);
    t.base.push(0);
    kept++;
    for (let k = first[node]; k < first[node + 1]; k++) queue.push({ node: list[k], parent: i });
  }
  return layoutTree(t, { func, file, line: new Int32Array(func.length).fill(-1) }, false, 'bytes');
}
