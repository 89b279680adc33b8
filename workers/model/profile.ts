// The neutral allocation profile: every allocation format (tracemalloc, .heapprofile, pprof,
// tracked heap snapshots) becomes this, and every analysis reads only this.
// Struct-of-arrays in the style of the Firefox Profiler's tables: compact, cache-friendly and
// transferable between threads.

import type { ProfileFormat, ValueTypeInfo } from '../api/types.ts';

export type { ProfileFormat };

/**
 * What one column of sample values measures. Sizes and counts pair up (`size` with `count`,
 * pprof's `inuse_space` with `inuse_objects`): `pair` names the other of the two.
 */
export interface ValueType extends ValueTypeInfo {
  pair?: string;
}

export interface FrameTable {
  func: Int32Array; // string index, -1 when the format records no function name
  file: Int32Array; // string index
  line: Int32Array; // 1-based, -1 unknown (tracemalloc writes 0 for "<unknown>")
  column: Int32Array; // -1 unknown
  length: number;
}

/** A prefix tree of frames, outermost first: stack i is `frame[i]` called from stack `parent[i]`. */
export interface StackTable {
  frame: Int32Array;
  parent: Int32Array; // -1 = a root frame; always parent[i] < i
  length: number;
}

export interface SampleTable {
  stack: Int32Array;
  /** One array per value type, same order as `Profile.valueTypes`. */
  values: Float64Array[];
  /** tracemalloc's address-space domain (0 = Python's allocator); absent for other formats. */
  domain?: Int32Array;
  length: number;
}

export interface ProfileMeta {
  format: ProfileFormat;
  /** e.g. "Python tracemalloc (pickle protocol 4, 4-field traces)" */
  producer: string;
  /** tracemalloc's traceback_limit; null when the format has none. */
  tracebackLimit: number | null;
  /** Number of samples whose recorded stack is shorter than the real one (total_nframe > frames). */
  truncatedSamples: number;
  /** Capture time in ms since the epoch, when the file records it. */
  captureTime: number | null;
  /** Whether frames carry function names (tracemalloc: no). */
  hasFunctionNames: boolean;
  /** Whether samples are estimates (sampling profilers). */
  sampled: boolean;
  /** The value type ranked by default; absent: the first size, else the first value type. */
  defaultValue?: string;
}

export interface Profile {
  meta: ProfileMeta;
  strings: string[];
  frames: FrameTable;
  stacks: StackTable;
  samples: SampleTable;
  valueTypes: ValueType[];
}

/**
 * Builds the string, frame and stack tables with interning, as importers need.
 *
 * Frames and stacks are interned in open-addressing hash tables of row numbers, compared
 * against the rows themselves: no key string or boxed number per lookup (a Map keyed by
 * `parent * 2^30 + frame` boxed a double on every call, and overflowed past 2^30 frames). An
 * importer calls stack() once per frame of every distinct traceback, so this is on the hot path.
 */
export class ProfileBuilder {
  readonly strings: string[] = [];
  private stringIndex = new Map<string, number>();
  private frameFunc = new GrowableInt32();
  private frameFile = new GrowableInt32();
  private frameLine = new GrowableInt32();
  private frameColumn = new GrowableInt32();
  private frameSlots = new RowTable();
  private stackFrame = new GrowableInt32();
  private stackParent = new GrowableInt32();
  private stackSlots = new RowTable();

  intern(s: string): number {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    return i;
  }

  frame(func: number, file: number, line: number, column = -1): number {
    const table = this.frameSlots;
    const hash = mix(mix(mix(mix(0x9e3779b9, func), file), line), column);
    const fu = this.frameFunc.data;
    const fi = this.frameFile.data;
    const li = this.frameLine.data;
    const co = this.frameColumn.data;
    const mask = table.slots.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const row = table.slots[at] - 1;
      if (row < 0) break;
      if (fi[row] === file && li[row] === line && fu[row] === func && co[row] === column) return row;
    }
    const row = this.frameFunc.length;
    this.frameFunc.push(func);
    this.frameFile.push(file);
    this.frameLine.push(line);
    this.frameColumn.push(column);
    table.add(hash, row);
    return row;
  }

  /** The stack `frame` called from `parent` (-1 for a root frame). */
  stack(parent: number, frame: number): number {
    const table = this.stackSlots;
    const hash = mix(mix(0x9e3779b9, parent), frame);
    const fr = this.stackFrame.data;
    const pa = this.stackParent.data;
    const mask = table.slots.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const row = table.slots[at] - 1;
      if (row < 0) break;
      if (fr[row] === frame && pa[row] === parent) return row;
    }
    const row = this.stackFrame.length;
    this.stackFrame.push(frame);
    this.stackParent.push(parent);
    table.add(hash, row);
    return row;
  }

  frameTable(): FrameTable {
    return {
      func: this.frameFunc.toArray(),
      file: this.frameFile.toArray(),
      line: this.frameLine.toArray(),
      column: this.frameColumn.toArray(),
      length: this.frameFunc.length,
    };
  }

  stackTable(): StackTable {
    return { frame: this.stackFrame.toArray(), parent: this.stackParent.toArray(), length: this.stackFrame.length };
  }
}

/** One round of a multiply-xorshift hash over 32-bit values. */
function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x85ebca6b);
  return h ^ (h >>> 15);
}

/**
 * Open addressing with linear probing: slot = row + 1 (0 = empty), hashes kept beside the slots
 * so that growing never needs the rows' keys again. At most half full.
 */
class RowTable {
  slots = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private count = 0;

  add(hash: number, row: number): void {
    if (2 * (this.count + 1) > this.slots.length) this.rehash(this.slots.length * 2);
    this.place(hash, row);
    this.count++;
  }

  private place(hash: number, row: number): void {
    const mask = this.slots.length - 1;
    let at = hash & mask;
    while (this.slots[at] !== 0) at = (at + 1) & mask;
    this.slots[at] = row + 1;
    this.hashes[at] = hash;
  }

  private rehash(size: number): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    for (let i = 0; i < slots.length; i++) if (slots[i] !== 0) this.place(hashes[i], slots[i] - 1);
  }
}

export class GrowableInt32 {
  /** The storage; rows at `length` and beyond are unused. */
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export class GrowableFloat64 {
  /** The storage; rows at `length` and beyond are unused. */
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** Frames of a stack, outermost first. */
export function stackFrames(profile: Profile, stack: number): number[] {
  const out: number[] = [];
  for (let s = stack; s !== -1; s = profile.stacks.parent[s]) out.push(profile.stacks.frame[s]);
  return out.reverse();
}
