// A decoded pprof profile (decode.ts) with its frames (frames.ts) → the neutral allocation
// profile every analysis reads.
//
// How pprof's pieces land in the model, so that grouping gives `go tool pprof`'s numbers:
// - Frames: one per (function name, file, line, column). The function is Function.name; the
//   file is Function.filename cleaned as pprof cleans it (filepath.Clean; "" stays ""); pprof's
//   line 0 ("unknown") is -1. An unsymbolized location is the frame `0x4a3f10 (mapping)` in the
//   mapping's file, line -1: it keeps its address apart (pprof's -addresses) and groups by file
//   into one row per mapping (pprof's `[mapping]` of -files).
// - Stacks outermost first: a sample's locations are leaf first in the file, a location's lines
//   callee first; both are reversed, and drop_frames/keep_frames are applied (frames.ts).
// - Every sample type is a value column with its unit from the file; `_space`/`_objects` pair
//   up, and so do the two types of a profile that has one count and one other (a CPU profile's
//   samples and cpu). The default is default_sample_type, else the last type (pprof's rule).
// - Samples: all-zero ones are dropped and equal ones (same stack, same labels) summed, as
//   pprof's profile.Merge does before -traces prints them; no sum changes, the sample count
//   does.
// - Labels are kept as they are (string, or number and unit) in samples.labels. A label with
//   neither a string nor a number is dropped, as pprof's reader drops it.
// - `functionsByName`: pprof's -functions merges one function name across files.

import type { JobControl } from '../../model/job.ts';
import { formatBytes } from '../input.ts';
import { ProfileBuilder, type LabelTable, type Profile, type ValueType } from '../../model/profile.ts';
import type { PprofProfile } from './decode.ts';
import type { PprofFrames } from './frames.ts';

/** Go's filepath.Clean for the slash paths profiles carry (pprof cleans file names it shows). */
export function cleanPath(path: string): string {
  if (path === '' || !/\/\/|(^|\/)\.\.?(\/|$)|.\/$/.test(path)) return path;
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

const TIME_UNITS = new Set(['nanoseconds', 'microseconds', 'milliseconds', 'seconds', 'ns', 'us', 'ms', 's']);

function kindOf(type: string, unit: string): ValueType['kind'] {
  if (unit === 'bytes' || unit === 'byte') return 'size';
  if (unit === 'count' || unit === 'objects') return 'count';
  if (TIME_UNITS.has(unit)) return 'time';
  return /_(space|bytes)$/.test(type) ? 'size' : /_(objects|count)$/.test(type) ? 'count' : 'other';
}

/** Value columns with kinds and pairs (see the top of this file). */
export function valueTypesOf(sampleTypes: { type: string; unit: string }[]): ValueType[] {
  const types: ValueType[] = sampleTypes.map(({ type, unit }) => ({ name: type, unit, kind: kindOf(type, unit) }));
  for (const t of types) {
    const m = /^(.*)_(space|objects)$/.exec(t.name);
    if (!m) continue;
    const other = `${m[1]}_${m[2] === 'space' ? 'objects' : 'space'}`;
    if (types.some((x) => x.name === other)) t.pair = other;
  }
  if (types.length === 2 && !types.some((t) => t.pair)) {
    const [a, b] = types;
    if ((a.kind === 'count') !== (b.kind === 'count')) {
      a.pair = b.name;
      b.pair = a.name;
    }
  }
  return types;
}

/** A period in its unit: "512.0 KiB", "10 ms", "3 count". */
function periodText(value: number, unit: string): string {
  if (unit === 'bytes') return formatBytes(value);
  if (unit === 'nanoseconds') return value % 1e6 === 0 ? `${value / 1e6} ms` : `${value} ns`;
  return `${value} ${unit}`;
}

function describe(p: PprofProfile): string {
  const types = p.sampleTypes.map((t) => t.type).join(', ');
  // Period 1 of bytes is Go's MemProfileRate = 1: every allocation, nothing to say.
  const period = p.periodType && p.period > 1 ? `; one sample every ${periodText(p.period, p.periodType.unit)}` : '';
  return `pprof profile (${types}${period})`;
}

function notices(p: PprofProfile, types: ValueType[], frames: PprofFrames, samples: number): string[] {
  const out: string[] = [];
  if (p.samples.length === 0) {
    out.push(`This pprof profile holds no samples (${p.sampleTypes.map((t) => t.type).join(', ') || 'no sample types'}): the program recorded nothing while it was profiled, so every table is empty.`);
  } else if (samples === 0) {
    out.push('Every sample of this pprof profile is zero in every sample type, so every table is empty.');
  }
  if (samples > 0 && !types.some((t) => t.kind === 'size')) {
    const what = p.periodType ? `${p.periodType.type}/${p.periodType.unit}` : types.map((t) => `${t.name}/${t.unit}`).join(', ');
    out.push(`This is not a memory profile (${what}; no sample type counts bytes). heaplens shows it in its own units: ${types.map((t) => `${t.name} (${t.unit})`).join(', ')}.`);
  }
  if (frames.pruneWarning) out.push(`The profile's ${frames.pruneWarning}; go tool pprof ignores them too.`);
  return out;
}

/** Exact text of a numeric label, as pprof names it with an exact unit (-unit=byte: "3200B"). */
export function numericLabelText(value: number, unit: string): string {
  if (unit === '') return String(value);
  if (unit === 'bytes' || unit === 'byte') return `${value}B`;
  if (unit === 'nanoseconds' || unit === 'ns') return `${value}ns`;
  return `${value}${unit}`;
}

export async function toProfile(p: PprofProfile, f: PprofFrames, job: JobControl): Promise<Profile> {
  const b = new ProfileBuilder();
  const { strings } = p;
  const t = f.frames;

  // pprof frame → model frame.
  const frameOf = new Int32Array(t.length);
  const fileOfString = new Map<number, number>();
  const fileIndex = (x: number) => {
    let i = fileOfString.get(x);
    if (i === undefined) fileOfString.set(x, (i = b.intern(cleanPath(strings[x]))));
    return i;
  };
  for (let i = 0; i < t.length; i++) {
    const func = b.intern(t.label[i]);
    let file: number;
    if (t.unsymbolized[i]) file = b.intern(t.mapping[i] >= 0 ? p.mappings[t.mapping[i]].filename : '');
    else file = fileIndex(t.file[i]);
    const line = t.unsymbolized[i] || !(t.line[i] > 0) ? -1 : Math.min(t.line[i], 0x7fffffff);
    const column = t.unsymbolized[i] || !(t.column[i] > 0) ? -1 : Math.min(t.column[i], 0x7fffffff);
    frameOf[i] = b.frame(func, file, line, column);
  }
  await job.yield();

  // Stacks: the prefix tree of every sample's frames. A heap profile of 220 k samples makes
  // ~5 M stacks, so the (parent, frame) → stack lookup lives in typed arrays (StackTrie), not a
  // Map of number keys past 2^31 (which V8 boxes: 14 s against 1 s here).
  const { samples } = p;
  // At most one stack per frame of every sample (inlining aside): sized for that, it rarely grows.
  const trie = new StackTrie(Math.max(1024, Math.min(samples.location.length + 16, 1 << 26)));
  const { locationFrameStart, locationFrame, leafCut } = f;
  let noFrames = -1;

  // Labels per sample, as the set pprof's merge compares (order-free), interned to an id.
  const nt = p.sampleTypes.length;
  const { labelStart, labelKey, labelStr, labelNum, labelNumUnit } = samples;
  const labelSetOf = new Map<string, number>();
  const labelSets: number[][] = []; // id → indices into the decoded label columns of its first sample
  const keptLabel = (j: number) => labelStr[j] !== 0 || labelNum[j] !== 0 || labelNumUnit[j] !== 0;
  const labelSet = (s: number): number => {
    const a = labelStart[s];
    const e = labelStart[s + 1];
    if (a === e) return 0;
    const parts: string[] = [];
    const kept: number[] = [];
    for (let j = a; j < e; j++) {
      if (!keptLabel(j)) continue;
      kept.push(j);
      parts.push(labelStr[j] !== 0 ? `${labelKey[j]}s${labelStr[j]}` : `${labelKey[j]}n${labelNum[j]}u${labelNumUnit[j]}`);
    }
    if (kept.length === 0) return 0;
    parts.sort();
    const k = parts.join(',');
    let id = labelSetOf.get(k);
    if (id === undefined) {
      id = labelSets.length + 1;
      labelSetOf.set(k, id);
      labelSets.push(kept);
    }
    return id;
  };

  // At most one kept sample per decoded one: columns are sized for all and cut at the end.
  const sampleStack = new Int32Array(samples.length);
  const sampleLabels = new Int32Array(samples.length);
  const columns = p.sampleTypes.map(() => new Float64Array(samples.length));
  let n = 0;
  const firstOfStack = new Map<number, number>();
  const merged = new Map<string, number>();
  const { locationStart, location, values } = samples;
  for (let s = 0; s < samples.length; s++) {
    let zero = true;
    for (let v = s * nt; v < (s + 1) * nt; v++) if (values[v] !== 0) zero = false;
    if (zero) continue;
    let stack = -1;
    for (let j = locationStart[s + 1] - 1; j >= locationStart[s] + leafCut[s]; j--) {
      const loc = location[j];
      for (let k = locationFrameStart[loc]; k < locationFrameStart[loc + 1]; k++) stack = trie.child(stack, frameOf[locationFrame[k]]);
    }
    if (stack < 0) {
      // A sample without frames counts in pprof's totals under no node; here it needs a stack.
      if (noFrames < 0) noFrames = trie.child(-1, b.frame(b.intern('(no frames)'), b.intern(''), -1));
      stack = noFrames;
    }
    const ls = labelSet(s);
    // Equal samples merge: most stacks have one sample, so look at the stack's first one, and
    // only stacks with samples of several label sets need the map.
    let at = firstOfStack.get(stack);
    if (at !== undefined && sampleLabels[at] !== ls) at = merged.get(`${stack},${ls}`);
    if (at !== undefined) {
      for (let v = 0; v < nt; v++) columns[v][at] += values[s * nt + v];
      continue;
    }
    if (!firstOfStack.has(stack)) firstOfStack.set(stack, n);
    else merged.set(`${stack},${ls}`, n);
    sampleStack[n] = stack;
    sampleLabels[n] = ls;
    for (let v = 0; v < nt; v++) columns[v][n] = values[s * nt + v];
    n++;
    if ((s & 0xffff) === 0xffff) await job.yield();
  }

  const labels = labelSets.length ? labelTable(b, p, labelSets, sampleLabels.subarray(0, n)) : undefined;
  const valueTypes = valueTypesOf(p.sampleTypes);
  const last = valueTypes.at(-1)?.name;
  const named = p.defaultSampleType && valueTypes.some((v) => v.name === p.defaultSampleType) ? p.defaultSampleType : last;
  return {
    meta: {
      format: 'pprof',
      producer: describe(p),
      tracebackLimit: null,
      truncatedSamples: 0,
      captureTime: p.timeNanos ? p.timeNanos / 1e6 : null,
      hasFunctionNames: true,
      sampled: p.period > 1,
      ...(named ? { defaultValue: named } : {}),
      functionsByName: true,
      period: p.periodType ? { type: p.periodType.type, unit: p.periodType.unit, value: p.period } : null,
      durationNanos: p.durationNanos || null,
      comments: p.comments,
      docUrl: p.docUrl || null,
      notices: notices(p, valueTypes, f, n),
    },
    strings: b.strings,
    frames: b.frameTable(),
    stacks: trie.table(),
    samples: { stack: sampleStack.slice(0, n), values: columns.map((c) => c.slice(0, n)), ...(labels ? { labels } : {}), length: n },
    valueTypes,
  };
}

/** The label columns of the kept samples, each sample's labels those of its label set. */
function labelTable(b: ProfileBuilder, p: PprofProfile, sets: number[][], sampleSet: Int32Array): LabelTable {
  const { labelKey, labelStr, labelNum, labelNumUnit } = p.samples;
  const start = new Uint32Array(sampleSet.length + 1);
  let total = 0;
  for (let i = 0; i < sampleSet.length; i++) {
    start[i] = total;
    if (sampleSet[i] > 0) total += sets[sampleSet[i] - 1].length;
  }
  start[sampleSet.length] = total;
  const key = new Int32Array(total);
  const str = new Int32Array(total);
  const num = new Float64Array(total);
  const unit = new Int32Array(total);
  const intern = new Map<number, number>();
  const s = (x: number) => {
    let i = intern.get(x);
    if (i === undefined) intern.set(x, (i = b.intern(p.strings[x])));
    return i;
  };
  let k = 0;
  for (let i = 0; i < sampleSet.length; i++) {
    if (sampleSet[i] === 0) continue;
    for (const j of sets[sampleSet[i] - 1]) {
      key[k] = s(labelKey[j]);
      str[k] = labelStr[j] !== 0 ? s(labelStr[j]) : -1;
      num[k] = labelStr[j] !== 0 ? 0 : labelNum[j];
      unit[k] = labelStr[j] === 0 && labelNumUnit[j] !== 0 ? s(labelNumUnit[j]) : -1;
      k++;
    }
  }
  return { start, key, str, num, unit, length: total };
}

/**
 * The stack table as a trie: child(parent, frame) finds or adds the stack, parents first.
 *
 * Each node keeps its children as a list (head and next sibling); a node with more than
 * WIDE children has them in a hash table of (parent, frame) instead, so a wide node (the roots,
 * a dispatcher) is not scanned. Most steps of a big profile's walks add a node under a node just
 * added (its tail is new), and that is then an append at the end of the columns: a hash table of
 * every stack made each such step a random access into ~64 MB (5.6 M steps of the bench's pprof
 * profile: 1.0–1.4 s, against 0.3–0.5 s here).
 */
class StackTrie {
  private frame: Int32Array;
  private parent: Int32Array;
  /** By parent + 1 (index 0: the roots): the newest child, or -1. */
  private head: Int32Array;
  private next: Int32Array;
  /** By parent + 1: children counted up to WIDE + 1 (then they are in the hash table). */
  private fanout: Uint8Array;
  private slots = new Int32Array(1024).fill(-1);
  private mask = 1023;
  private hashed = 0;
  length = 0;

  constructor(capacity: number) {
    this.frame = new Int32Array(capacity);
    this.parent = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.head = new Int32Array(capacity + 1).fill(-1);
    this.fanout = new Uint8Array(capacity + 1);
  }

  private static hash(parent: number, frame: number): number {
    return (Math.imul(parent + 1, 0x9e3779b1) ^ Math.imul(frame + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  }

  child(parent: number, frame: number): number {
    const p = parent + 1;
    if (this.fanout[p] > WIDE) {
      const { slots, mask } = this;
      let h = StackTrie.hash(parent, frame) & mask;
      for (;;) {
        const s = slots[h];
        if (s < 0) break;
        if (this.parent[s] === parent && this.frame[s] === frame) return s;
        h = (h + 1) & mask;
      }
      const s = this.add(parent, frame);
      this.insert(s);
      return s;
    }
    for (let c = this.head[p]; c >= 0; c = this.next[c]) if (this.frame[c] === frame) return c;
    const s = this.add(parent, frame);
    this.next[s] = this.head[p];
    this.head[p] = s;
    if (++this.fanout[p] > WIDE) for (let c = s; c >= 0; c = this.next[c]) this.insert(c);
    return s;
  }

  private add(parent: number, frame: number): number {
    const s = this.length++;
    if (s === this.frame.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, fill: number): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        b.fill(fill, a.length);
        return b;
      };
      this.frame = grow(this.frame, 0);
      this.parent = grow(this.parent, 0);
      this.next = grow(this.next, 0);
      this.head = grow(this.head, -1);
      this.fanout = grow(this.fanout, 0);
    }
    this.frame[s] = frame;
    this.parent[s] = parent;
    return s;
  }

  private insert(s: number): void {
    if (++this.hashed * 2 > this.slots.length) this.rehash();
    const { slots, mask } = this;
    let h = StackTrie.hash(this.parent[s], this.frame[s]) & mask;
    while (slots[h] >= 0) h = (h + 1) & mask;
    slots[h] = s;
  }

  private rehash(): void {
    const old = this.slots;
    const size = old.length * 2;
    const slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (const s of old) {
      if (s < 0) continue;
      let h = StackTrie.hash(this.parent[s], this.frame[s]) & mask;
      while (slots[h] >= 0) h = (h + 1) & mask;
      slots[h] = s;
    }
    this.slots = slots;
    this.mask = mask;
  }

  table(): { frame: Int32Array; parent: Int32Array; length: number } {
    return { frame: this.frame.slice(0, this.length), parent: this.parent.slice(0, this.length), length: this.length };
  }
}

/** Children a trie node lists before they move to the hash table. */
const WIDE = 8;
