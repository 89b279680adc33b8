// Flame graph layouts, computed in the worker and handed to the page as transferable typed
// arrays: the renderer only maps rectangles to pixels.
//
// A layout is a tree in depth-first order (every node after its parent, children left-heavy:
// largest first), with each node's start and width in value units (bytes), its depth and its
// frame. Three trees share the format: allocation stacks (icicle: callers on top; inverted:
// allocation sites on top), the dominator tree of a heap snapshot (width = retained size), and
// the union of two profiles for a differential graph (`base` holds the base's widths).

import type { TopQuery } from '../api.ts';
import type { HeapGraph } from '../model/heap-graph.ts';
import type { Profile } from '../model/profile.ts';
import type { ClassIndex } from './classes.ts';
import { ROOT, type HeapAnalysis } from './dominators.ts';
import { subtreeSums, sumByStack, type StackSums } from './group.ts';

export interface FlameFrames {
  func: string[]; // '' when the format has no function names
  file: string[];
  line: Int32Array; // -1 unknown
}

export interface FlameLayout {
  length: number;
  start: Float64Array;
  /** Drawn width: the inclusive size, or for a differential graph the larger of the two
   * profiles at each node, made additive (own part + children) so children always fit. */
  width: Float64Array;
  total: Float64Array; // inclusive size
  self: Float64Array;
  count: Float64Array; // inclusive count (objects, samples, blocks)
  depth: Int32Array;
  parent: Int32Array;
  frame: Int32Array; // index into frames
  /** Differential graphs only: the base profile's inclusive size at the same path. */
  base: Float64Array | null;
  frames: FlameFrames;
  maxDepth: number;
  totalValue: number;
}

/** A tree under construction: nodes keyed by (parent, frame). */
class TreeBuilder {
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
function layout(t: TreeBuilder, frames: FlameFrames, withBase: boolean): FlameLayout {
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
    frames,
    maxDepth: 0,
    totalValue: 0,
  };
  // Depth-first with an explicit stack of (tree node, its index in the output).
  const stackNode = new Int32Array(m + 1);
  const stackOut = new Int32Array(m + 1);
  let top = 0;
  let next = 0;
  let offset = 0;
  const emit = (node: number, parentOut: number, start: number, depth: number): number => {
    const i = next++;
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
  return out;
}

function framesOf(profile: Profile): FlameFrames {
  const { frames, strings } = profile;
  return {
    func: Array.from(frames.func, (f) => (f >= 0 ? strings[f] : '')),
    file: Array.from(frames.file, (f) => strings[f]),
    line: Int32Array.from(frames.line),
  };
}

/** Adds a profile's filtered samples to the tree, outermost frame at depth 0 (or innermost when inverted). */
function addProfile(t: TreeBuilder, profile: Profile, sums: StackSums, inverted: boolean, frameMap: Int32Array | null, intoBase: boolean): void {
  const { frame, parent } = profile.stacks;
  const n = profile.stacks.length;
  const map = (f: number) => (frameMap ? frameMap[f] : f);
  if (!inverted) {
    const node = new Int32Array(n);
    for (let s = 0; s < n; s++) node[s] = t.child(parent[s] >= 0 ? node[parent[s]] : -1, map(frame[s]));
    const { size, count } = subtreeSums(profile, sums);
    for (let s = 0; s < n; s++) {
      const i = node[s];
      if (intoBase) t.base[i] += size[s];
      else {
        t.total[i] += size[s];
        t.self[i] += sums.size[s];
        t.count[i] += count[s];
      }
    }
    return;
  }
  // Inverted: each stack's own samples walk from its innermost frame out to the root.
  for (let s = 0; s < n; s++) {
    if (sums.size[s] === 0 && sums.count[s] === 0) continue;
    let p = -1;
    for (let x = s; x >= 0; x = parent[x]) {
      p = t.child(p, map(frame[x]));
      if (intoBase) t.base[p] += sums.size[s];
      else {
        t.total[p] += sums.size[s];
        t.count[p] += sums.count[s];
      }
    }
    if (!intoBase) t.self[p] += sums.size[s];
  }
}

export function allocationFlame(profile: Profile, query: Pick<TopQuery, 'filters'>, inverted: boolean): FlameLayout {
  const t = new TreeBuilder(profile.frames.length);
  const sums = sumByStack(profile, query);
  if (inverted) addProfile(t, profile, sums, true, null, false);
  else {
    // Top-down, the stack table already is the tree (one node per (parent, frame)): copy it.
    const { frame, parent } = profile.stacks;
    const n = profile.stacks.length;
    const { size, count } = subtreeSums(profile, sums);
    t.parent = Array.from(parent);
    t.frame = Array.from(frame);
    t.total = Array.from(size);
    t.self = Array.from(sums.size);
    t.count = Array.from(count);
    t.base = new Array(n).fill(0);
  }
  return layout(t, framesOf(profile), false);
}

/** The union of two profiles' trees, matched by frame content (file, line, function). */
export function differentialFlame(head: Profile, base: Profile, query: Pick<TopQuery, 'filters'>, inverted: boolean): FlameLayout {
  const frames = framesOf(head);
  const key = (func: string, file: string, line: number) => `${func}\u0000${file}\u0000${line}`;
  const ids = new Map<string, number>();
  frames.func.forEach((f, i) => ids.set(key(f, frames.file[i], frames.line[i]), i));
  const baseFrames = framesOf(base);
  const func = [...frames.func];
  const file = [...frames.file];
  const line = Array.from(frames.line);
  const baseMap = new Int32Array(baseFrames.func.length);
  for (let i = 0; i < baseFrames.func.length; i++) {
    const k = key(baseFrames.func[i], baseFrames.file[i], baseFrames.line[i]);
    let id = ids.get(k);
    if (id === undefined) {
      id = func.length;
      func.push(baseFrames.func[i]);
      file.push(baseFrames.file[i]);
      line.push(baseFrames.line[i]);
      ids.set(k, id);
    }
    baseMap[i] = id;
  }
  const t = new TreeBuilder(func.length);
  addProfile(t, head, sumByStack(head, query), inverted, null, false);
  addProfile(t, base, sumByStack(base, query), inverted, baseMap, true);
  return layout(t, { func, file, line: Int32Array.from(line) }, true);
}

/**
 * speedscope's "sandwich" for one frame: its callees (everything it calls, merged over every
 * outermost call of it) or its callers (the stacks that lead to it, innermost call first).
 */
export function sandwichFlame(profile: Profile, query: Pick<TopQuery, 'filters'>, focus: number, side: 'callers' | 'callees'): FlameLayout {
  const sums = sumByStack(profile, query);
  const { frame, parent } = profile.stacks;
  const n = profile.stacks.length;
  const t = new TreeBuilder(profile.frames.length);
  if (side === 'callees') {
    const node = new Int32Array(n).fill(-1);
    for (let s = 0; s < n; s++) {
      const p = parent[s];
      if (p >= 0 && node[p] >= 0) node[s] = t.child(node[p], frame[s]);
      else if (frame[s] === focus) node[s] = t.child(-1, focus);
    }
    const { size, count } = subtreeSums(profile, sums);
    for (let s = 0; s < n; s++) {
      if (node[s] < 0) continue;
      // Stacks merged into one tree node are disjoint subtrees, so their sums add up.
      t.self[node[s]] += sums.size[s];
      t.total[node[s]] += size[s];
      t.count[node[s]] += count[s];
    }
  } else {
    // The innermost call of the focus frame on each stack, or -1.
    const innermost = new Int32Array(n).fill(-1);
    for (let s = 0; s < n; s++) {
      if (frame[s] === focus) innermost[s] = s;
      else if (parent[s] >= 0) innermost[s] = innermost[parent[s]];
    }
    for (let s = 0; s < n; s++) {
      const at = innermost[s];
      if (at < 0 || (sums.size[s] === 0 && sums.count[s] === 0)) continue;
      let p = -1;
      for (let x = at; x >= 0; x = parent[x]) {
        p = t.child(p, frame[x]);
        t.total[p] += sums.size[s];
        t.count[p] += sums.count[s];
      }
      if (at === s) t.self[t.child(-1, focus)] += sums.size[s];
    }
  }
  return layout(t, framesOf(profile), false);
}

/**
 * The dominator tree drawn as a flame graph: width = retained size. Objects smaller than
 * `minFraction` of the heap are left out (their space stays in their dominator's width), so a
 * heap of millions of objects stays a drawable few thousand rectangles.
 */
export function dominatorFlame(g: HeapGraph, a: HeapAnalysis, classes: ClassIndex, minFraction = 1 / 20000, maxNodes = 60000): FlameLayout {
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
    t.self.push(g.selfSize[node]);
    t.count.push(1);
    t.base.push(0);
    kept++;
    for (let k = first[node]; k < first[node + 1]; k++) queue.push({ node: list[k], parent: i });
  }
  return layout(t, { func, file, line: new Int32Array(func.length).fill(-1) }, false);
}

/** The typed arrays of a layout, for comlink's transfer list. */
export function transferables(l: FlameLayout): ArrayBuffer[] {
  const arrays = [l.start, l.width, l.total, l.self, l.count, l.depth, l.parent, l.frame, l.frames.line, ...(l.base ? [l.base] : [])];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
