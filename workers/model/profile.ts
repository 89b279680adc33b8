// The neutral allocation profile: every allocation format (tracemalloc, .heapprofile, pprof,
// tracked heap snapshots) becomes this, and every analysis reads only this.
// Struct-of-arrays in the style of the Firefox Profiler's tables: compact, cache-friendly and
// transferable between threads.

import type { GroupBy, ProfileFormat, ValueTypeInfo } from '../api/types.ts';

export type { ProfileFormat };

/**
 * What one column of sample values measures. Sizes and counts pair up (`size` with `count`,
 * pprof's `inuse_space` with `inuse_objects`): `pair` names the other of the two.
 */
export interface ValueType extends ValueTypeInfo {
  pair?: string;
}

/**
 * The file of a frame that has no script (V8 builtins like `push` or typed-array constructors,
 * the runtime): one name in every view. Groupings key such frames by their function, not by this
 * shared "file", so builtins do not all merge into one row.
 */
export const NO_SCRIPT = '(no script)';

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
  /** Key–value labels per sample (pprof); absent when the format has none. */
  labels?: LabelTable;
  length: number;
}

/**
 * Sample labels, as pprof writes them (`Sample.label`): each a key with a string value, or a
 * number with an optional unit (Go's `bytes` per heap sample, `pprof.Do` labels, a Node
 * profile's `file`). A sample may carry several, also several of one key. Only the analyses
 * that ask for labels read this (a label filter, grouping under a label); all others ignore it.
 */
export interface LabelTable {
  /** Sample i's labels are [start[i], start[i + 1]); `start` has samples.length + 1 entries. */
  start: Uint32Array;
  key: Int32Array; // string index
  /** String index of a string label's value; -1 for a numeric label. */
  str: Int32Array;
  /** A numeric label's value (0 for a string label). */
  num: Float64Array;
  /** String index of a numeric label's unit; -1 when the file names none. */
  unit: Int32Array;
  length: number;
}

export interface ProfileMeta {
  format: ProfileFormat;
  /** e.g. "Python tracemalloc (pickle protocol 4, 4-field traces)" */
  producer: string;
  /** What the file's format version says, for a details tooltip ("pickle protocol 5, …"). */
  producerDetails?: string;
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
  /** The grouping a person wants first (a sampling profile: functions); absent: by line. */
  defaultGrouping?: GroupBy;
  /** Samples the file holds but the reader could not place (their node is missing from the call tree). */
  droppedSamples?: { count: number; size: number };
  /** The profile's own name, when the file records one (heaplens' compact form keeps it). */
  name?: string;
  /** Lines are where each function starts, not where it allocated (V8's sampling profiles). */
  linesAreFunctionStarts?: boolean;
  /**
   * Grouping by function keys on the function's name alone, as the producing tool does
   * (`go tool pprof -functions` merges one name across files); otherwise on name and file.
   */
  functionsByName?: boolean;
  /** How samples were taken (pprof's period_type and period: every 524288 bytes, every 10 ms). */
  period?: { type: string; unit: string; value: number } | null;
  /** How long the profile covers, in nanoseconds, when the file says. */
  durationNanos?: number | null;
  /** The producer's comments (pprof's `comment`). */
  comments?: string[];
  /** Where the producer documents this kind of profile (pprof's doc_url). */
  docUrl?: string | null;
  /** What a reader of the numbers should know: rules not applied, no memory in the file, no samples. */
  notices?: string[];
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
 * importer calls stack() once per frame of every distinct traceback, mostly from code V8 has
 * not compiled yet (a CLI process reads one file), so a lookup is written as one function with
 * no calls: the tracemalloc example's 212 k calls took ~25 ms through helper calls.
 */
export class ProfileBuilder {
  readonly strings: string[] = [];
  private stringIndex = new Map<string, number>();
  private frameFunc = new Int32Array(1024);
  private frameFile = new Int32Array(1024);
  private frameLine = new Int32Array(1024);
  private frameColumn = new Int32Array(1024);
  private frameCount = 0;
  private frameSlots = new HashSlots();
  private stackFrame = new Int32Array(1024);
  private stackParent = new Int32Array(1024);
  private stackCount = 0;
  private stackSlots = new HashSlots();

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
    // A multiply-xorshift round per field (murmur3's constant).
    let h = Math.imul(func ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul((h ^ (h >>> 15)) ^ file, 0x85ebca6b);
    h = Math.imul((h ^ (h >>> 15)) ^ line, 0x85ebca6b);
    h = Math.imul((h ^ (h >>> 15)) ^ column, 0x85ebca6b);
    h ^= h >>> 15;
    const slots = this.frameSlots.slots;
    const mask = slots.length - 1;
    let at = h & mask;
    for (let row = slots[at] - 1; row >= 0; row = slots[at] - 1) {
      if (this.frameFile[row] === file && this.frameLine[row] === line && this.frameFunc[row] === func && this.frameColumn[row] === column) return row;
      at = (at + 1) & mask;
    }
    const row = this.frameCount++;
    if (row === this.frameFunc.length) {
      this.frameFunc = grown(this.frameFunc);
      this.frameFile = grown(this.frameFile);
      this.frameLine = grown(this.frameLine);
      this.frameColumn = grown(this.frameColumn);
    }
    this.frameFunc[row] = func;
    this.frameFile[row] = file;
    this.frameLine[row] = line;
    this.frameColumn[row] = column;
    this.frameSlots.put(at, h, row);
    return row;
  }

  /** The stack `frame` called from `parent` (-1 for a root frame). */
  stack(parent: number, frame: number): number {
    let h = Math.imul(parent ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul((h ^ (h >>> 15)) ^ frame, 0x85ebca6b);
    h ^= h >>> 15;
    const slots = this.stackSlots.slots;
    const mask = slots.length - 1;
    let at = h & mask;
    for (let row = slots[at] - 1; row >= 0; row = slots[at] - 1) {
      if (this.stackFrame[row] === frame && this.stackParent[row] === parent) return row;
      at = (at + 1) & mask;
    }
    const row = this.stackCount++;
    if (row === this.stackFrame.length) {
      this.stackFrame = grown(this.stackFrame);
      this.stackParent = grown(this.stackParent);
    }
    this.stackFrame[row] = frame;
    this.stackParent[row] = parent;
    this.stackSlots.put(at, h, row);
    return row;
  }

  frameTable(): FrameTable {
    const n = this.frameCount;
    return {
      func: this.frameFunc.slice(0, n),
      file: this.frameFile.slice(0, n),
      line: this.frameLine.slice(0, n),
      column: this.frameColumn.slice(0, n),
      length: n,
    };
  }

  stackTable(): StackTable {
    const n = this.stackCount;
    return { frame: this.stackFrame.slice(0, n), parent: this.stackParent.slice(0, n), length: n };
  }
}

function grown(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Open addressing with linear probing: slot = row + 1 (0 = empty), each slot's hash kept
 * beside it so that growing never needs the rows' keys again. At most half full.
 */
class HashSlots {
  slots = new Int32Array(2048);
  private hashes = new Int32Array(2048);
  private count = 0;

  /** Fills the empty slot `at` (found by the caller's probe for `hash`) with `row`. */
  put(at: number, hash: number, row: number): void {
    this.slots[at] = row + 1;
    this.hashes[at] = hash;
    if (2 * ++this.count > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] === 0) continue;
      let at = hashes[i] & mask;
      while (this.slots[at] !== 0) at = (at + 1) & mask;
      this.slots[at] = slots[i];
      this.hashes[at] = hashes[i];
    }
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
