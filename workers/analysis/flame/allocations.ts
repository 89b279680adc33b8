// Flame graphs of allocation stacks: icicle (callers on top: the stack table is the tree),
// inverted (allocation sites on top), differential (the union of two profiles matched by frame
// content, `base` holding the base's widths), and speedscope's sandwich for one frame.

import type { FlameFrames, FlameLayout, TraceFilter } from '../../api/types.ts';
import type { Profile } from '../../model/profile.ts';
import { selectValues, type ValueSelection } from '../../model/values.ts';
import { subtreeSums, sumByStack } from '../group.ts';
import { layoutTree, TreeBuilder } from './layout.ts';

/** Per stack: the ranked value (widths) and the count shown beside it. */
interface Weights {
  size: Float64Array;
  count: Float64Array;
}

function weightsOf(profile: Profile, filters: TraceFilter[] | undefined, selection: ValueSelection): Weights {
  const sums = sumByStack(profile, filters);
  return { size: sums.values[selection.primary], count: selection.count >= 0 ? sums.values[selection.count] : new Float64Array(profile.stacks.length) };
}

function subtree(profile: Profile, w: Weights): Weights {
  const [size, count] = subtreeSums(profile, [w.size, w.count]);
  return { size, count };
}

const unitOf = (profile: Profile, selection: ValueSelection) => profile.valueTypes[selection.primary].unit;

function framesOf(profile: Profile): FlameFrames {
  const { frames, strings } = profile;
  return {
    func: Array.from(frames.func, (f) => (f >= 0 ? strings[f] : '')),
    file: Array.from(frames.file, (f) => strings[f]),
    line: Int32Array.from(frames.line),
  };
}

/** Adds a profile's filtered samples to the tree, outermost frame at depth 0 (or innermost when inverted). */
function addProfile(t: TreeBuilder, profile: Profile, sums: Weights, inverted: boolean, frameMap: Int32Array | null, intoBase: boolean): void {
  const { frame, parent } = profile.stacks;
  const n = profile.stacks.length;
  const map = (f: number) => (frameMap ? frameMap[f] : f);
  if (!inverted) {
    const node = new Int32Array(n);
    for (let s = 0; s < n; s++) node[s] = t.child(parent[s] >= 0 ? node[parent[s]] : -1, map(frame[s]));
    const { size, count } = subtree(profile, sums);
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

export function allocationFlame(profile: Profile, filters: TraceFilter[] | undefined, selection: ValueSelection, inverted: boolean): FlameLayout {
  const sums = weightsOf(profile, filters, selection);
  const frames = framesOf(profile);
  const unit = unitOf(profile, selection);
  if (inverted) {
    const t = new TreeBuilder(profile.frames.length);
    addProfile(t, profile, sums, true, null, false);
    return layoutTree(t, frames, false, unit);
  }
  // Top-down, the stack table already is the tree (one node per (parent, frame)): laid out as it is.
  const { size, count } = subtree(profile, sums);
  const { frame, parent } = profile.stacks;
  return layoutTree({ parent, frame, total: size, self: sums.size, count, base: null }, frames, false, unit);
}

/** The union of two profiles' trees, matched by frame content (file, line, function). */
export function differentialFlame(head: Profile, base: Profile, filters: TraceFilter[] | undefined, selection: ValueSelection, inverted: boolean): FlameLayout {
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
  addProfile(t, head, weightsOf(head, filters, selection), inverted, null, false);
  addProfile(t, base, weightsOf(base, filters, selectValues(base, head.valueTypes[selection.primary].name)), inverted, baseMap, true);
  return layoutTree(t, { func, file, line: Int32Array.from(line) }, true, unitOf(head, selection));
}

/**
 * speedscope's "sandwich" for one frame: its callees (everything it calls, merged over every
 * outermost call of it) or its callers (the stacks that lead to it, innermost call first).
 */
export function sandwichFlame(profile: Profile, filters: TraceFilter[] | undefined, selection: ValueSelection, focus: number, side: 'callers' | 'callees'): FlameLayout {
  const sums = weightsOf(profile, filters, selection);
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
    const { size, count } = subtree(profile, sums);
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
  return layoutTree(t, framesOf(profile), false, unitOf(profile, selection));
}
