// How the pickle interpreter (pickle-reader.ts) stores values: (kind, payload) pairs in typed
// arrays, never one JS object per value, and tracemalloc's traces in columns of their own.

export const enum Kind {
  Mark = 0,
  Int = 1,
  Str = 2,
  Tuple = 3,
  List = 4,
  Dict = 5,
  None = 6,
  Bool = 7,
  Global = 8,
  Object = 9,
  Float = 10,
  /**
   * A tuple shaped like one of tracemalloc's traces, (int, int, tuple) or (int, int, tuple, int)
   * with int32 first and last items; its payload is a row of TraceColumns. Every tuple of that
   * shape is stored this way, whichever opcodes built it, so a dump's trace list is uniform.
   */
  Trace = 11,
  /** Only in the memo: a Trace whose row the memo's runs give (Memo.pushTraceRow). */
  TraceRun = 12,
}

const KIND_NAMES = ['mark', 'int', 'str', 'tuple', 'list', 'dict', 'None', 'bool', 'class', 'object', 'float', 'tuple', 'tuple'];

export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? 'value';
}

/** Growable pair of (kind, payload) columns: the value stack, the memo, tuple and list storage. */
export class ValueColumn {
  kinds: Uint8Array;
  payloads: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.payloads = new Float64Array(capacity);
  }
  grow(min: number): void {
    let cap = Math.max(16, this.kinds.length * 2);
    while (cap < min) cap *= 2;
    const k = new Uint8Array(cap);
    k.set(this.kinds);
    const p = new Float64Array(cap);
    p.set(this.payloads);
    this.kinds = k;
    this.payloads = p;
  }
}

/**
 * The pickle memo. A dump memoizes every trace right after it, 1.9 M of them in the bench dump;
 * the fast path stores those as runs (memo index i .. i + n holds trace rows r .. r + n) and
 * writes one byte per trace instead of nine. Why it matters: on a fresh process most of the
 * parse's time went to first touches of new memory (page faults), in proportion to the bytes
 * written per trace, and the memo's payload column was the largest of them.
 */
export class Memo extends ValueColumn {
  // A run ends where a new traceback is memoized: a few thousand in a dump. Growing these while
  // the parse loop runs threw V8's compiled loop away, so they start big enough for most dumps.
  private runMemo = new Int32Array(1 << 14);
  private runRow = new Int32Array(1 << 14);
  private runLength = new Int32Array(1 << 14);
  private runCount = 0;

  /** Stores a value at `index` (BINPUT); entries it skips stay unset (a Mark with payload -1). */
  put(index: number, kind: Kind, payload: number): void {
    if (index >= this.kinds.length) this.grow(index + 1);
    this.kinds[index] = kind;
    this.payloads[index] = payload;
    if (index >= this.length) {
      for (let i = this.length; i < index; i++) {
        this.kinds[i] = Kind.Mark;
        this.payloads[i] = -1;
      }
      this.length = index + 1;
    }
  }

  /** Stores a value at the next index (MEMOIZE). */
  push(kind: Kind, payload: number): void {
    const i = this.length;
    if (i === this.kinds.length) this.grow(i + 1);
    this.kinds[i] = kind;
    this.payloads[i] = payload;
    this.length = i + 1;
  }

  has(index: number): boolean {
    return index < this.length && !(this.kinds[index] === Kind.Mark && this.payloads[index] === -1);
  }

  /** Memoizes trace row `row` at the next index, as MEMOIZE does. */
  pushTraceRow(row: number): void {
    const i = this.length;
    if (i === this.kinds.length) this.grow(i + 1);
    this.kinds[i] = Kind.TraceRun;
    this.length = i + 1;
    const r = this.runCount - 1;
    if (r >= 0 && this.runMemo[r] + this.runLength[r] === i && this.runRow[r] + this.runLength[r] === row) this.runLength[r]++;
    else this.newRun(i, row);
  }

  /** The kind of entry i as a value. */
  kindOf(i: number): Kind {
    const k = this.kinds[i] as Kind;
    return k === Kind.TraceRun ? Kind.Trace : k;
  }

  payloadOf(i: number): number {
    return this.kinds[i] === Kind.TraceRun ? this.rowOf(i) : this.payloads[i];
  }

  private rowOf(i: number): number {
    // The last run starting at or before i (runs are in index order).
    let lo = 0;
    let hi = this.runCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runMemo[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.runRow[lo] + (i - this.runMemo[lo]);
  }

  private newRun(i: number, row: number): void {
    if (this.runCount === this.runMemo.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.runMemo = grow(this.runMemo);
      this.runRow = grow(this.runRow);
      this.runLength = grow(this.runLength);
    }
    this.runMemo[this.runCount] = i;
    this.runRow[this.runCount] = row;
    this.runLength[this.runCount++] = 1;
  }
}

/** TraceColumns.flags bits. */
export const FIELDS3 = 1;
export const TRUNCATED = 2;

/**
 * The trace-shaped tuples, one row each: 12 bytes written a trace (size, frames; flags when
 * set, domain when not 0) instead of four (kind, payload) items (36 bytes) plus a tuple index,
 * and the importer reads them as columns.
 */
export class TraceColumns {
  domain: Int32Array;
  size: Float64Array;
  /** The frames tuple (a tuple id of the reader). */
  frames: Int32Array;
  /** FIELDS3: a 3-field trace (Python ≤ 3.8); TRUNCATED: total_nframe exceeds its frames. */
  flags: Uint8Array;
  length = 0;
  // What the importer would otherwise learn in extra passes over every row, counted here while
  // the parse is at each row anyway: the rows where each frames tuple is first used (in row
  // order), how many rows have 3 fields, how many have more frames than they kept.
  firstUses: Int32Array;
  firstUseCount = 0;
  fields3 = 0;
  truncated = 0;
  /** Per frames tuple: 1 once a row uses it. */
  private seen: Uint8Array;

  constructor(
    capacity: number,
    private readonly tuples: TupleStore,
  ) {
    // Sized so as not to grow during a dump's parse: a typed-array field V8 sees replaced makes
    // it discard every compiled function that read it (the parse loop included) and compile
    // them again. One entry per tuple the store has room for; tracebacks are a few thousand.
    this.seen = new Uint8Array(tuples.start.length);
    this.firstUses = new Int32Array(1 << 14);
    this.domain = new Int32Array(capacity);
    this.size = new Float64Array(capacity);
    this.frames = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  add(domain: number, size: number, frames: number, nframe: number): number {
    const i = this.length;
    if (i === this.size.length) this.grow();
    // Columns start zeroed, and nearly every domain is 0 (Python's own allocator): not writing
    // those leaves the domain column's memory untouched, so the system never has to map it.
    if (domain !== 0) this.domain[i] = domain;
    this.size[i] = size;
    this.frames[i] = frames;
    this.length = i + 1;
    if (frames >= this.seen.length || this.seen[frames] === 0) this.firstUse(frames, i);
    // total_nframe itself is not kept: only what the importer asks of it. Flags of 0 (most
    // traces) are not written, like domains of 0.
    if (nframe < 0) {
      this.flags[i] = FIELDS3;
      this.fields3++;
    } else if (nframe > this.tuples.length[frames]) {
      this.flags[i] = TRUNCATED;
      this.truncated++;
    }
    return i;
  }

  private firstUse(frames: number, row: number): void {
    if (frames >= this.seen.length) {
      const seen = new Uint8Array(Math.max(frames + 1, this.seen.length * 2));
      seen.set(this.seen);
      this.seen = seen;
    }
    this.seen[frames] = 1;
    if (this.firstUseCount === this.firstUses.length) {
      const rows = new Int32Array(this.firstUses.length * 2);
      rows.set(this.firstUses);
      this.firstUses = rows;
    }
    this.firstUses[this.firstUseCount++] = row;
  }

  private grow(): void {
    const cap = Math.max(1024, this.size.length * 2);
    const d = new Int32Array(cap);
    d.set(this.domain);
    this.domain = d;
    const s = new Float64Array(cap);
    s.set(this.size);
    this.size = s;
    const f = new Int32Array(cap);
    f.set(this.frames);
    this.frames = f;
    const g = new Uint8Array(cap);
    g.set(this.flags);
    this.flags = g;
  }
}

/** Whether a number is exactly an int32 (a trace's domain and total_nframe are stored as one). */
export const isInt32 = (v: number): boolean => (v | 0) === v;

/** LONG1/LONG4's little-endian two's complement; a bigint when no double holds it exactly. */
export function readLong(b: Uint8Array, pos: number, len: number): number | bigint {
  if (len === 0) return 0;
  if (len <= 6) {
    let v = 0;
    for (let i = len - 1; i >= 0; i--) v = v * 256 + b[pos + i];
    if (b[pos + len - 1] & 0x80) v -= 2 ** (8 * len);
    return v;
  }
  let v = 0n;
  for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[pos + i]);
  if (b[pos + len - 1] & 0x80) v -= 1n << BigInt(8 * len);
  return v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER) ? v : Number(v);
}

/** Sets the (str key, value) pairs at from..to into `dict`; says what is wrong, if anything. */
export function fillDict(
  dict: Map<string, { kind: Kind; payload: number }>,
  strings: string[],
  from: number,
  to: number,
  kinds: Uint8Array,
  payloads: Float64Array,
): string | null {
  if ((to - from) % 2 !== 0) return 'a dict with a key and no value';
  for (let i = from; i < to; i += 2) {
    if (kinds[i] !== Kind.Str) return `a dict key that is a ${kindName(kinds[i])}, not a str`;
    dict.set(strings[payloads[i]], { kind: kinds[i + 1] as Kind, payload: payloads[i + 1] });
  }
  return null;
}

/** UTF-8 bytes start..end as a string. */
export function decodeString(b: Uint8Array, start: number, end: number, decoder: { decode(b: Uint8Array): string }): string {
  // Short ASCII names (file names, attribute names) are the common case; fromCharCode avoids
  // TextDecoder's per-call overhead for them.
  if (end - start <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (b[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
  }
  return decoder.decode(b.subarray(start, end));
}

/** Tuple i holds items start[i] .. start[i] + length[i] of `items`. */
export class TupleStore {
  readonly items: ValueColumn;
  start: Int32Array;
  length: Int32Array;
  count = 0;
  constructor(itemCapacity: number, tupleCapacity: number) {
    this.items = new ValueColumn(itemCapacity);
    this.start = new Int32Array(tupleCapacity);
    this.length = new Int32Array(tupleCapacity);
  }

  /** A new tuple of the `n` values at `from` of (kinds, payloads). */
  add(kinds: Uint8Array, payloads: Float64Array, from: number, n: number): number {
    const id = this.newId();
    const items = this.items;
    if (items.length + n > items.kinds.length) items.grow(items.length + n);
    // A plain loop: tuples are tiny, and subarray() would allocate two views per tuple.
    const ik = items.kinds;
    const ip = items.payloads;
    for (let i = 0, at = items.length; i < n; i++, at++) {
      ik[at] = kinds[from + i];
      ip[at] = payloads[from + i];
    }
    this.start[id] = items.length;
    this.length[id] = n;
    items.length += n;
    return id;
  }

  /** A new pair: a traceback's frame, (filename, lineno). */
  addPair(k0: Kind, p0: number, k1: Kind, p1: number): number {
    const id = this.newId();
    const items = this.items;
    const at = items.length;
    if (at + 2 > items.kinds.length) items.grow(at + 2);
    items.kinds[at] = k0;
    items.payloads[at] = p0;
    items.kinds[at + 1] = k1;
    items.payloads[at + 1] = p1;
    this.start[id] = at;
    this.length[id] = 2;
    items.length = at + 2;
    return id;
  }

  private newId(): number {
    const id = this.count++;
    if (id === this.start.length) {
      const s = new Int32Array(id * 2);
      s.set(this.start);
      this.start = s;
      const l = new Int32Array(id * 2);
      l.set(this.length);
      this.length = l;
    }
    return id;
  }
}

/**
 * A pickled list. A dump's trace list is appended a thousand traces at a time, and they are
 * trace rows 0, 1, 2, … in order: while that holds the list only counts them (`traceFrom` is
 * its first row) instead of copying 9 bytes a trace; anything else makes it a plain column.
 */
export class PickleList extends ValueColumn {
  traceFrom = -1;

  constructor() {
    super(16);
  }

  /** Appends the `count` values at `from`; `spare` is how many more items growth may add. */
  append(kinds: Uint8Array, payloads: Float64Array, from: number, count: number, spare: number): void {
    if (count === 0) return;
    if (this.length === 0 || this.traceFrom >= 0) {
      const first = this.length === 0 ? payloads[from] : this.traceFrom + this.length;
      let run = true;
      for (let i = 0; i < count; i++) {
        if (kinds[from + i] !== Kind.Trace || payloads[from + i] !== first + i) {
          run = false;
          break;
        }
      }
      if (run) {
        if (this.length === 0) this.traceFrom = first;
        this.length += count;
        return;
      }
      this.materialize(count + spare);
    }
    if (this.length + count > this.kinds.length) this.grow(this.length + count + spare);
    this.kinds.set(kinds.subarray(from, from + count), this.length);
    this.payloads.set(payloads.subarray(from, from + count), this.length);
    this.length += count;
  }

  /** Writes a run of trace rows out as values, so that the list can hold anything. */
  materialize(extra = 0): void {
    if (this.traceFrom < 0) return;
    if (this.length + extra > this.kinds.length) this.grow(this.length + extra);
    this.kinds.fill(Kind.Trace, 0, this.length);
    for (let i = 0; i < this.length; i++) this.payloads[i] = this.traceFrom + i;
    this.traceFrom = -1;
  }
}

/** Opcode names for error messages about opcodes we refuse. */
export const REFUSED: Record<number, string> = {
  0x52: 'REDUCE (it calls a function)',
  0x69: 'INST (it calls a class)',
  0x6f: 'OBJ (it calls a class)',
  0x92: 'NEWOBJ_EX',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};
