// Grouping samples by file, line, function or traceback, in self, inclusive or
// tracemalloc-cumulative mode, with the order of tracemalloc's Snapshot.statistics():
// descending by (size, count, traceback).
//
// Work is done per stack node, never per sample more than once: samples are first summed into
// their stack (after the filters), then stacks into groups.

import { HeaplensError, type FrameOut, type GroupBy, type Mode, type TopQuery } from '../api.ts';
import type { Profile } from '../model/profile.ts';
import { sampleMask } from './filter.ts';

/** Sizes and counts of the filtered samples, summed per stack (self) . */
export interface StackSums {
  size: Float64Array;
  count: Float64Array;
  totalSize: number;
  totalCount: number;
}

export function sumByStack(profile: Profile, query: Pick<TopQuery, 'filters'>): StackSums {
  const mask = sampleMask(profile, query.filters);
  const n = profile.stacks.length;
  const size = new Float64Array(n);
  const count = new Float64Array(n);
  const { stack, values, length } = profile.samples;
  const sv = values[0];
  const cv = values[1];
  let totalSize = 0;
  let totalCount = 0;
  for (let i = 0; i < length; i++) {
    if (mask && mask[i] === 0) continue;
    const s = stack[i];
    size[s] += sv[i];
    count[s] += cv[i];
    totalSize += sv[i];
    totalCount += cv[i];
  }
  return { size, count, totalSize, totalCount };
}

/** Group keys: for each frame, the id of its group, and one representative frame per group. */
export interface KeyMap {
  ofFrame: Int32Array;
  representative: Int32Array; // key → a frame
  count: number;
}

export function keyMap(profile: Profile, by: Exclude<GroupBy, 'traceback'>): KeyMap {
  const { frames } = profile;
  const ofFrame = new Int32Array(frames.length);
  const ids = new Map<number, number>();
  const reps: number[] = [];
  // Keys pack two string/line ids in one exact double (both < 2^26 in any real profile).
  for (let f = 0; f < frames.length; f++) {
    let k: number;
    if (by === 'file') k = frames.file[f];
    else if (by === 'line') k = frames.file[f] * 0x1_0000_0000 + (frames.line[f] + 1);
    else k = frames.file[f] * 0x1_0000_0000 + (frames.func[f] + 1);
    let id = ids.get(k);
    if (id === undefined) {
      id = reps.length;
      ids.set(k, id);
      reps.push(f);
    } else if (by === 'function' && frames.line[f] < frames.line[reps[id]]) {
      reps[id] = f; // a function's first line stands for it
    }
    ofFrame[f] = id;
  }
  return { ofFrame, representative: Int32Array.from(reps), count: reps.length };
}

export interface Groups {
  by: GroupBy;
  /** Group ids in display order. */
  order: Int32Array;
  size: Float64Array; // by group id
  count: Float64Array;
  totalSize: number;
  totalCount: number;
  keys: KeyMap | null; // null for traceback (group id = stack id)
}

/** Subtree sums: what each stack and everything called from it holds. */
export function subtreeSums(profile: Profile, sums: StackSums): { size: Float64Array; count: Float64Array } {
  const size = Float64Array.from(sums.size);
  const count = Float64Array.from(sums.count);
  const parent = profile.stacks.parent;
  for (let s = profile.stacks.length - 1; s >= 0; s--) {
    const p = parent[s];
    if (p >= 0) {
      size[p] += size[s];
      count[p] += count[s];
    }
  }
  return { size, count };
}

/**
 * For each stack: 1 when its group does not also appear further out on the same stack, so that
 * inclusive mode counts a sample once per group even under recursion.
 */
function outermostOfKey(profile: Profile, keyOfStack: Int32Array, keyCount: number): Uint8Array {
  const n = profile.stacks.length;
  const parent = profile.stacks.parent;
  // Children in CSR form for an iterative depth-first walk.
  const childStart = new Int32Array(n + 2);
  for (let s = 0; s < n; s++) childStart[parent[s] + 2]++;
  for (let i = 1; i < n + 2; i++) childStart[i] += childStart[i - 1];
  const children = new Int32Array(n);
  const fill = childStart.slice(0, n + 1);
  for (let s = 0; s < n; s++) children[fill[parent[s] + 1]++] = s;

  const onPath = new Int32Array(keyCount);
  const outermost = new Uint8Array(n);
  const walk = new Int32Array(n + 1);
  const next = new Int32Array(n + 1); // next child index to visit, per walk depth
  let depth = 0;
  walk[0] = -1;
  next[0] = childStart[0];
  while (depth >= 0) {
    const node = walk[depth];
    if (next[depth] < childStart[node + 2]) {
      const child = children[next[depth]++];
      const k = keyOfStack[child];
      outermost[child] = onPath[k] === 0 ? 1 : 0;
      onPath[k]++;
      depth++;
      walk[depth] = child;
      next[depth] = childStart[child + 1];
    } else {
      if (node >= 0) onPath[keyOfStack[node]]--;
      depth--;
    }
  }
  return outermost;
}

export function groupBy(profile: Profile, sums: StackSums, by: GroupBy, mode: Mode): Groups {
  if (by === 'function' && !profile.meta.hasFunctionNames) {
    throw new HeaplensError(
      `${profile.meta.format} profiles record no function names (tracemalloc keeps only file and line): group by line or file instead.`,
    );
  }
  if (by === 'traceback' && mode !== 'self') {
    throw new HeaplensError('Inclusive and cumulative modes group by file, line or function; a whole traceback is always "self".');
  }
  const n = profile.stacks.length;
  let keys: KeyMap | null = null;
  let size: Float64Array;
  let count: Float64Array;
  if (by === 'traceback') {
    size = sums.size;
    count = sums.count;
  } else {
    keys = keyMap(profile, by);
    const keyOfStack = new Int32Array(n);
    for (let s = 0; s < n; s++) keyOfStack[s] = keys.ofFrame[profile.stacks.frame[s]];
    size = new Float64Array(keys.count);
    count = new Float64Array(keys.count);
    if (mode === 'self') {
      for (let s = 0; s < n; s++) {
        size[keyOfStack[s]] += sums.size[s];
        count[keyOfStack[s]] += sums.count[s];
      }
    } else {
      const sub = subtreeSums(profile, sums);
      const once = mode === 'inclusive' ? outermostOfKey(profile, keyOfStack, keys.count) : null;
      for (let s = 0; s < n; s++) {
        if (once && once[s] === 0) continue;
        size[keyOfStack[s]] += sub.size[s];
        count[keyOfStack[s]] += sub.count[s];
      }
    }
  }
  const present: number[] = [];
  for (let g = 0; g < size.length; g++) if (count[g] !== 0 || size[g] !== 0) present.push(g);
  const order = Int32Array.from(present);
  const cmp = tracebackComparator(profile, by, keys);
  order.sort((a, b) => size[b] - size[a] || count[b] - count[a] || cmp(b, a));
  return { by, order, size, count, totalSize: sums.totalSize, totalCount: sums.totalCount, keys };
}

/** Python's str ordering: by code point (JS's `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1; // a surrogate starts a code point above every BMP unit
      return x - y;
    }
  }
  return a.length - b.length;
}

/**
 * Orders two groups the way tracemalloc orders their Traceback objects: tuples of
 * (filename, lineno) frames, oldest first, compared element by element.
 */
function tracebackComparator(profile: Profile, by: GroupBy, keys: KeyMap | null): (a: number, b: number) => number {
  const { frames, strings, stacks } = profile;
  const compareFrame = (fa: number, fb: number): number => {
    if (fa === fb) return 0;
    const c = compareCodePoints(strings[frames.file[fa]], strings[frames.file[fb]]);
    if (c !== 0 || by === 'file') return c;
    if (by === 'function') return compareCodePoints(strings[frames.func[fa]] ?? '', strings[frames.func[fb]] ?? '');
    return frames.line[fa] - frames.line[fb];
  };
  if (keys) return (a, b) => compareFrame(keys.representative[a], keys.representative[b]);
  return (a, b) => {
    const pa = pathOf(stacks, a);
    const pb = pathOf(stacks, b);
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const c = compareFrame(pa[i], pb[i]);
      if (c !== 0) return c;
    }
    return pa.length - pb.length;
  };
}

function pathOf(stacks: Profile['stacks'], s: number): number[] {
  const out: number[] = [];
  for (let x = s; x >= 0; x = stacks.parent[x]) out.push(stacks.frame[x]);
  return out.reverse();
}

export function frameOut(profile: Profile, frame: number, by: GroupBy): FrameOut {
  const { frames, strings } = profile;
  const func = frames.func[frame];
  return {
    file: strings[frames.file[frame]],
    line: by === 'file' || by === 'function' ? (by === 'function' && frames.line[frame] >= 0 ? frames.line[frame] : null) : frames.line[frame],
    function: by === 'file' || func < 0 ? null : strings[func],
  };
}

/** The frames of a group, outermost first. */
export function groupFrames(profile: Profile, groups: Groups, g: number): FrameOut[] {
  if (groups.keys) return [frameOut(profile, groups.keys.representative[g], groups.by)];
  return pathOf(profile.stacks, g).map((f) => frameOut(profile, f, 'traceback'));
}

/** Stacks whose samples belong to group `g` (self: innermost; otherwise anywhere on the stack). */
export function stacksInGroup(profile: Profile, groups: Groups, g: number, mode: Mode): Uint8Array {
  const n = profile.stacks.length;
  const inGroup = new Uint8Array(n);
  if (!groups.keys) {
    if (g >= 0 && g < n) inGroup[g] = 1;
    return inGroup;
  }
  const ofFrame = groups.keys.ofFrame;
  const { frame, parent } = profile.stacks;
  for (let s = 0; s < n; s++) {
    const here = ofFrame[frame[s]] === g ? 1 : 0;
    inGroup[s] = mode === 'self' ? here : here | (parent[s] >= 0 ? inGroup[parent[s]] : 0);
  }
  return inGroup;
}
