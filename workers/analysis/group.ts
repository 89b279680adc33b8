// Grouping samples by file, line, function or traceback, in self, inclusive or
// tracemalloc-cumulative mode, with the order of tracemalloc's Snapshot.statistics():
// descending by (size, count, traceback).
//
// Work is done per stack node, never per sample more than once: samples are first summed into
// their stack (after the filters), then stacks into groups. Every value column is summed (a
// pprof profile has four); which one ranks the rows is the query's ValueSelection.

import { HeaplensError } from '../api/errors.ts';
import type { FrameOut, GroupBy, Mode, TraceFilter } from '../api/types.ts';
import { NO_SCRIPT, type Profile } from '../model/profile.ts';
import type { ValueSelection } from '../model/values.ts';
import { sampleMask } from './filter.ts';

/** Every value column of the filtered samples, summed per stack (self), and their totals. */
export interface StackSums {
  values: Float64Array[]; // by value type, then stack
  totals: number[]; // by value type
}

export function sumByStack(profile: Profile, filters: TraceFilter[] | undefined): StackSums {
  const mask = sampleMask(profile, filters);
  const n = profile.stacks.length;
  const { stack, length } = profile.samples;
  const values: Float64Array[] = [];
  const totals: number[] = [];
  const columns = profile.samples.values;
  if (!mask && columns.length === 2) {
    // The common case (a size and a count, no filter): both columns in one pass over the
    // samples' stacks, the same additions in the same order as one pass each.
    const [a, b] = columns;
    const outA = new Float64Array(n);
    const outB = new Float64Array(n);
    let totalA = 0;
    let totalB = 0;
    for (let i = 0; i < length; i++) {
      const s = stack[i];
      outA[s] += a[i];
      outB[s] += b[i];
      totalA += a[i];
      totalB += b[i];
    }
    return { values: [outA, outB], totals: [totalA, totalB] };
  }
  // One pass per column: each a tight loop over two typed arrays.
  for (const column of columns) {
    const out = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < length; i++) {
      if (mask && mask[i] === 0) continue;
      out[stack[i]] += column[i];
      total += column[i];
    }
    values.push(out);
    totals.push(total);
  }
  return { values, totals };
}

/** Sums of only the stacks flagged in `keep` (the tracebacks of one group). */
export function restrictSums(sums: StackSums, keep: Uint8Array): StackSums {
  const values = sums.values.map((column) => {
    const out = new Float64Array(column.length);
    for (let s = 0; s < column.length; s++) if (keep[s] !== 0) out[s] = column[s];
    return out;
  });
  return { values, totals: values.map((v) => v.reduce((a, x) => a + x, 0)) };
}

/** Group keys: for each frame, the id of its group, and one representative frame per group. */
export interface KeyMap {
  ofFrame: Int32Array;
  representative: Int32Array; // key → a frame
  count: number;
}

/**
 * What makes two frames one group:
 * - file: the file.
 * - line: file, line and function, so two functions on one line stay apart (pprof's -lines
 *   names a node "function file:line"; tracemalloc frames have no function, so it changes
 *   nothing there).
 * - function: function and file, or the function's name alone when the format's own tool
 *   merges one name across files (`meta.functionsByName`: pprof's -functions).
 */
export function keyMap(profile: Profile, by: Exclude<GroupBy, 'traceback'>): KeyMap {
  const { frames } = profile;
  const ofFrame = new Int32Array(frames.length);
  const ids = new Map<number | string, number>();
  const reps: number[] = [];
  const noScript = profile.strings.indexOf(NO_SCRIPT);
  const byName = !!profile.meta.functionsByName;
  // Keys pack two string/line ids in one exact double (both < 2^26 in any real profile); three
  // do not fit, so a line's key is text. A frame without a script is keyed by its function in
  // every grouping (builtins are not one "file").
  for (let f = 0; f < frames.length; f++) {
    let k: number | string;
    if (frames.file[f] === noScript && noScript >= 0) k = noScript * 0x1_0000_0000 + (frames.func[f] + 1);
    else if (by === 'file') k = frames.file[f];
    else if (by === 'line') k = `${frames.file[f]},${frames.line[f]},${frames.func[f]}`;
    else k = byName ? frames.func[f] : frames.file[f] * 0x1_0000_0000 + (frames.func[f] + 1);
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
  /** By value type, then group id. */
  values: Float64Array[];
  /** Totals of the filtered samples, by value type. */
  totals: number[];
  keys: KeyMap | null; // null for traceback (group id = stack id)
}

/** Subtree sums of some value columns: what each stack and everything called from it holds. */
export function subtreeSums(profile: Profile, columns: Float64Array[]): Float64Array[] {
  const out = columns.map((c) => Float64Array.from(c));
  const parent = profile.stacks.parent;
  for (const sub of out) {
    for (let s = profile.stacks.length - 1; s >= 0; s--) {
      const p = parent[s];
      if (p >= 0) sub[p] += sub[s];
    }
  }
  return out;
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

export function groupBy(profile: Profile, sums: StackSums, by: GroupBy, mode: Mode, selection: ValueSelection): Groups {
  if (by === 'function' && !profile.meta.hasFunctionNames) {
    throw new HeaplensError(
      'unsupported-query',
      `${profile.meta.format} profiles record no function names (tracemalloc keeps only file and line): group by line or file instead.`,
    );
  }
  if (by === 'traceback' && mode !== 'self') {
    throw new HeaplensError('unsupported-query', 'Inclusive and cumulative modes group by file, line or function; a whole traceback is always "self".');
  }
  const n = profile.stacks.length;
  let keys: KeyMap | null = null;
  let values: Float64Array[];
  if (by === 'traceback') {
    values = sums.values;
  } else {
    const k = (keys = keyMap(profile, by));
    const keyOfStack = new Int32Array(n);
    for (let s = 0; s < n; s++) keyOfStack[s] = k.ofFrame[profile.stacks.frame[s]];
    values = sums.values.map(() => new Float64Array(k.count));
    if (mode === 'self') {
      sums.values.forEach((column, t) => {
        const out = values[t];
        for (let s = 0; s < n; s++) out[keyOfStack[s]] += column[s];
      });
    } else {
      const sub = subtreeSums(profile, sums.values);
      const once = mode === 'inclusive' ? outermostOfKey(profile, keyOfStack, k.count) : null;
      sub.forEach((column, t) => {
        const out = values[t];
        for (let s = 0; s < n; s++) {
          if (once && once[s] === 0) continue;
          out[keyOfStack[s]] += column[s];
        }
      });
    }
  }
  const first = values[selection.primary];
  const second = values[selection.secondary];
  const present: number[] = [];
  for (let g = 0; g < first.length; g++) if (second[g] !== 0 || first[g] !== 0) present.push(g);
  const order = Int32Array.from(present);
  const cmp = tracebackComparator(profile, by, keys);
  order.sort((a, b) => first[b] - first[a] || second[b] - second[a] || cmp(b, a));
  return { by, order, values, totals: sums.totals, keys };
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
  const file = strings[frames.file[frame]];
  // A frame without a script is its function, whatever the grouping: no line, and its name.
  if (file === NO_SCRIPT) return { file, line: null, function: func < 0 ? null : strings[func] };
  return {
    file,
    line: by === 'file' || by === 'function' ? (by === 'function' && frames.line[frame] >= 0 ? frames.line[frame] : null) : frames.line[frame],
    function: by === 'file' || func < 0 ? null : strings[func],
  };
}

/**
 * A group's identity from its frames, for matching groups of two profiles (diffs): the same
 * parts keyMap groups by, so a function whose first line moved is still one function.
 */
export function identityOf(frames: FrameOut[], by: GroupBy, functionsByName: boolean): string {
  return frames
    .map((f) => {
      if (f.file === NO_SCRIPT) return `${f.file}\u0000${f.function ?? ''}`; // a builtin is its function
      if (by === 'file') return f.file;
      if (by === 'function') return functionsByName ? `\u0000${f.function ?? ''}` : `${f.file}\u0000${f.function ?? ''}`;
      return `${f.file}\u0000${f.line ?? ''}\u0000${f.function ?? ''}`;
    })
    .join('\u0001');
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

/**
 * A row search: text (case-insensitive) that a file or function must contain, or `/regex/flags`.
 * A regular expression that does not compile is a HeaplensError the search box shows.
 */
export function rowMatcher(search: string): ((frames: FrameOut[]) => boolean) | null {
  const s = search.trim();
  if (!s) return null;
  const re = /^\/(.+)\/([a-z]*)$/.exec(s);
  if (re) {
    let rx: RegExp;
    try {
      rx = new RegExp(re[1], re[2]);
    } catch (e) {
      throw new HeaplensError('unsupported-query', `The search ${s} is not a regular expression JavaScript reads: ${(e as Error).message}.`);
    }
    return (frames) => frames.some((f) => rx.test(f.file) || (f.function !== null && rx.test(f.function)));
  }
  const lower = s.toLowerCase();
  return (frames) => frames.some((f) => f.file.toLowerCase().includes(lower) || (f.function ?? '').toLowerCase().includes(lower));
}

/**
 * The groups of `order` whose frames match `search`, from `offset`, at most `limit`; and how
 * many match in all. Frames are built only for the rows returned (and for searching).
 */
export function pageOfGroups(profile: Profile, groups: Groups, order: ArrayLike<number>, search: string, offset: number, limit: number): { total: number; rows: { key: number; frames: FrameOut[] }[] } {
  const rows: { key: number; frames: FrameOut[] }[] = [];
  const matches = rowMatcher(search);
  if (!matches) {
    for (let i = offset; i < order.length && rows.length < limit; i++) rows.push({ key: order[i], frames: groupFrames(profile, groups, order[i]) });
    return { total: order.length, rows };
  }
  let total = 0;
  for (let i = 0; i < order.length; i++) {
    const frames = groupFrames(profile, groups, order[i]);
    if (!matches(frames)) continue;
    if (total >= offset && rows.length < limit) rows.push({ key: order[i], frames });
    total++;
  }
  return { total, rows };
}
