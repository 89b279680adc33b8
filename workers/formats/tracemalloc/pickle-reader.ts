// A small pickle interpreter that turns opcodes into plain data and never evaluates anything.
//
// Why hand-written (and not the `pickleparser` package): a tracemalloc dump of 2 M traces is tens
// of millions of opcodes; a generic reader that makes one JS object per value took 2.6 s and
// ~470 MB there, and it mis-decodes large negative integers. This one keeps values as (kind,
// payload) pairs in typed arrays, so a trace costs a few array writes and no allocation.
//
// It is the measured hot path of `heaplens top` on a dump: a trace is 7 opcodes (MARK, 3 ints,
// a memo get, TUPLE, MEMOIZE), a traceback's frame 4 (memo get, int, TUPLE2, MEMOIZE), and they
// are nearly all of a dump. So a MARK first tries to read whole traces (pickle-fast.ts tracesAt)
// and a memo get of a string whole frames (framesAt): one dispatch instead of seven or four, no
// mark stack, the trace straight into TraceColumns. Anything else, or a trace split by a FRAME
// opcode, goes through the general loop, which stores trace-shaped tuples the same way.
//
// It accepts protocols 2–5 and only the globals the caller allows; REDUCE, INST, OBJ, extension
// codes and persistent ids are refused: with those a pickle can call any function.

import { HeaplensError } from '../../api/errors.ts';
import { framesAt, tracesAt } from './pickle-fast.ts';
import { decodeString, fillDict, isInt32, Kind, kindName, Memo, PickleList, readLong, REFUSED, TraceColumns, TupleStore, ValueColumn } from './pickle-values.ts';

export { Kind, kindName };

export interface PickleObject {
  global: number; // index into allowed globals
  state: { kind: Kind; payload: number } | null;
}

export interface PickleResult {
  protocol: number;
  root: { kind: Kind; payload: number };
}

/**
 * Reads the pickle in `bytes`. `allowedGlobals` are "module.name" strings; any other global is an
 * error naming it, so the user learns what the file really holds.
 */
export class PickleReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  pos = 0;
  protocol = 0;
  done = false;

  readonly strings: string[] = [];
  // Room for a batch of 1,000 traces and a traceback being built, so it never grows mid-file.
  readonly stack = new ValueColumn(4096);
  readonly memo: Memo;
  readonly tuples: TupleStore;
  /** Trace-shaped tuples (Kind.Trace values), one row each. */
  readonly traces: TraceColumns;
  readonly lists: PickleList[] = [];
  readonly dicts: Map<string, { kind: Kind; payload: number }>[] = [];
  readonly objects: PickleObject[] = [];
  /** Stack heights at each open MARK. */
  private marks = new Int32Array(64);
  private markCount = 0;
  private readonly decoder = new TextDecoder('utf-8');
  private root: { kind: Kind; payload: number } | null = null;

  constructor(
    bytes: Uint8Array,
    private readonly allowedGlobals: string[],
    private readonly describe: string,
    /** false: every opcode through the general loop (the tests' reference for the fast paths). */
    private readonly fastPaths = true,
  ) {
    this.bytes = bytes;
    // Sized from what tracemalloc dumps hold per byte, so big files do not pay for repeated
    // doubling: a trace takes 13–15 bytes (one memo entry and one trace row); a frame tuple
    // (~8 bytes, two items) is shared by all the traces of its traceback, so tuples are few.
    const n = bytes.length;
    this.memo = new Memo(Math.max(1024, Math.ceil(n / 10)));
    this.tuples = new TupleStore(Math.max(1 << 16, Math.ceil(n / 16)), Math.max(1 << 14, Math.ceil(n / 32)));
    this.traces = new TraceColumns(Math.max(1024, Math.ceil(n / 10)), this.tuples);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  result(): PickleResult {
    if (!this.root) throw new HeaplensError('truncated', `${this.describe} is incomplete: the pickle has no STOP opcode.`);
    return { protocol: this.protocol, root: this.root };
  }

  tupleOf(id: number): { start: number; length: number } {
    return { start: this.tuples.start[id], length: this.tuples.length[id] };
  }

  private truncated(): never {
    throw new HeaplensError(
      'truncated',
      `${this.describe} is truncated: it ends at byte ${this.bytes.length.toLocaleString('en-US')} in the middle of the pickle. ` +
        'The file was probably cut off while it was written or copied; dump the snapshot again.',
    );
  }

  private corrupt(what: string, at: number): never {
    throw new HeaplensError('corrupt', `${this.describe} is corrupt at byte ${at.toLocaleString('en-US')}: ${what}.`);
  }

  /**
   * Replaces the top n values of the stack with the tuple of them: a Trace row when the tuple
   * is shaped like a trace, else a tuple of `tuples`. The stack only shrinks, so the
   * caller's views of its arrays stay valid.
   */
  private pushTuple(n: number): void {
    const st = this.stack;
    const from = st.length - n;
    const sk = st.kinds;
    const sp = st.payloads;
    if (
      (n === 3 || n === 4) &&
      sk[from] === Kind.Int &&
      sk[from + 1] === Kind.Int &&
      sk[from + 2] === Kind.Tuple &&
      isInt32(sp[from]) &&
      (n === 3 || (sk[from + 3] === Kind.Int && isInt32(sp[from + 3])))
    ) {
      const row = this.traces.add(sp[from], sp[from + 1], sp[from + 2], n === 4 ? sp[from + 3] : -1);
      sk[from] = Kind.Trace;
      sp[from] = row;
      st.length = from + 1;
      return;
    }
    const id = this.tuples.add(sk, sp, from, n);
    sk[from] = Kind.Tuple;
    sp[from] = id;
    st.length = from + 1;
  }

  private popMark(at: number): number {
    if (this.markCount === 0) this.corrupt('an opcode needs a MARK that is not there', at);
    return this.marks[--this.markCount];
  }

  private pushMark(top: number): void {
    if (this.markCount === this.marks.length) {
      const m = new Int32Array(this.marks.length * 2);
      m.set(this.marks);
      this.marks = m;
    }
    this.marks[this.markCount++] = top;
  }

  /**
   * Runs opcodes until `budget` bytes have been consumed or STOP is reached.
   *
   * Only the opcodes that make up a dump are handled here; every other one goes through step().
   * Why: V8 compiles this loop on the fly (OSR) while it runs, and a branch it first takes after
   * that throws the compiled code away ("insufficient type feedback"). With all ~40 opcodes in
   * one loop, reading the example dump recompiled it five times at 16–65 ms each; this loop is
   * small, all its branches are taken in the first kilobytes, and it compiles in ~2 ms.
   */
  run(budget: number): void {
    const b = this.bytes;
    const n = b.length;
    const limit = Math.min(n, this.pos + budget);
    if (!this.fastPaths) {
      while (this.pos < limit && !this.done) this.step();
      if (this.pos >= n && !this.done) this.truncated();
      return;
    }
    const stack = this.stack;
    const memo = this.memo;
    const view = this.view;
    let pos = this.pos;
    let top = stack.length;
    let kinds = stack.kinds;
    let payloads = stack.payloads;
    while (pos < limit) {
      if (top === kinds.length) {
        stack.length = top;
        stack.grow(top + 1);
        kinds = stack.kinds;
        payloads = stack.payloads;
      }
      const op = b[pos];
      if (op === 0x28) {
        // MARK: most often the start of a batch of traces
        const before = this.traces.length;
        const end = tracesAt(b, pos, memo, this.traces, stack, top);
        if (this.traces.length === before) {
          this.pushMark(top);
          pos++;
        } else {
          top += this.traces.length - before;
          pos = end;
        }
        continue;
      }
      if ((op === 0x6a && pos + 5 <= n) || (op === 0x68 && pos + 2 <= n)) {
        // LONG_BINGET, BINGET: most often a frame's file name (then read the traceback's frames
        // at once), or a traceback in a trace that did not fit traceAt.
        const before = this.tuples.count;
        const end = framesAt(b, pos, memo, this.tuples, stack, top);
        if (this.tuples.count !== before) {
          top += this.tuples.count - before;
          pos = end;
          continue;
        }
        const i = op === 0x6a ? view.getUint32(pos + 1, true) : b[pos + 1];
        this.checkMemo(i, pos);
        pos += op === 0x6a ? 5 : 2;
        kinds[top] = memo.kindOf(i);
        payloads[top++] = memo.payloadOf(i);
        continue;
      }
      if (op === 0x4b && pos + 2 <= n) {
        // BININT1
        kinds[top] = Kind.Int;
        payloads[top++] = b[pos + 1];
        pos += 2;
        continue;
      }
      if (op === 0x94 && top > 0) {
        // MEMOIZE
        pos = this.memoizeTop(pos, kinds[top - 1] as Kind, payloads[top - 1]);
        continue;
      }
      if (op === 0x74 && this.markCount > 0 && this.marks[this.markCount - 1] <= top) {
        // TUPLE: a traceback's frames, and a trace that brings its new traceback along
        const m = this.marks[--this.markCount];
        stack.length = top;
        this.pushTuple(top - m);
        top = stack.length;
        pos++;
        continue;
      }
      if (op === 0x65 && this.markCount > 0) {
        // APPENDS: a batch of traces into the list
        const m = this.marks[this.markCount - 1];
        if (m >= 1 && m <= top && kinds[m - 1] === Kind.List) {
          this.markCount--;
          const list = this.lists[payloads[m - 1]];
          list.append(kinds, payloads, m, top - m, list.length >= 1 << 16 ? Math.ceil((n - pos) / 12) : 0);
          top = m;
          pos++;
          continue;
        }
      }
      if (op === 0x95 && pos + 9 <= n) {
        // FRAME: a length hint for buffered readers; all bytes are here already
        pos += 9;
        continue;
      }
      // Everything else, and these where they would fail: one opcode by the general step().
      this.pos = pos;
      stack.length = top;
      this.step();
      if (this.done) return;
      pos = this.pos;
      top = stack.length;
      kinds = stack.kinds;
      payloads = stack.payloads;
    }
    this.pos = pos;
    stack.length = top;
    if (pos >= n && !this.done) this.truncated();
  }

  /** Runs the one opcode at `pos`, whichever it is: the general interpreter. */
  private step(): void {
    const b = this.bytes;
    const n = b.length;
    const stack = this.stack;
    const memo = this.memo;
    let pos = this.pos;
    let top = stack.length;
    if (top === stack.kinds.length) stack.grow(top + 1);
    const kinds = stack.kinds;
    const payloads = stack.payloads;
    const at = pos;
    const op = b[pos++];
    {
      switch (op) {
        case 0x4b: // BININT1
          if (pos + 1 > n) this.truncated();
          kinds[top] = Kind.Int;
          payloads[top++] = b[pos];
          pos += 1;
          break;
        case 0x4d: // BININT2
          if (pos + 2 > n) this.truncated();
          kinds[top] = Kind.Int;
          payloads[top++] = b[pos] | (b[pos + 1] << 8);
          pos += 2;
          break;
        case 0x4a: // BININT (signed 32-bit)
          if (pos + 4 > n) this.truncated();
          kinds[top] = Kind.Int;
          payloads[top++] = this.view.getInt32(pos, true);
          pos += 4;
          break;
        case 0x8a: {
          // LONG1: little-endian two's complement of n bytes (sizes ≥ 2^31)
          if (pos + 1 > n) this.truncated();
          const len = b[pos++];
          if (pos + len > n) this.truncated();
          kinds[top] = Kind.Int;
          payloads[top++] = this.readLong(pos, len, at);
          pos += len;
          break;
        }
        case 0x8b: {
          // LONG4
          if (pos + 4 > n) this.truncated();
          const len = this.view.getInt32(pos, true);
          pos += 4;
          if (len < 0) this.corrupt('LONG4 with a negative length', at);
          if (pos + len > n) this.truncated();
          kinds[top] = Kind.Int;
          payloads[top++] = this.readLong(pos, len, at);
          pos += len;
          break;
        }
        case 0x94: // MEMOIZE
          this.memoPut(memo.length, top, kinds, payloads, at);
          break;
        case 0x71: // BINPUT
          if (pos + 1 > n) this.truncated();
          this.memoPut(b[pos++], top, kinds, payloads, at);
          break;
        case 0x72: // LONG_BINPUT
          if (pos + 4 > n) this.truncated();
          this.memoPut(this.view.getUint32(pos, true), top, kinds, payloads, at);
          pos += 4;
          break;
        case 0x68: // BINGET
        case 0x6a: {
          // LONG_BINGET
          const wide = op === 0x6a;
          if (pos + (wide ? 4 : 1) > n) this.truncated();
          const i = wide ? this.view.getUint32(pos, true) : b[pos];
          pos += wide ? 4 : 1;
          this.checkMemo(i, at);
          kinds[top] = memo.kindOf(i);
          payloads[top++] = memo.payloadOf(i);
          break;
        }
        case 0x8c: {
          // SHORT_BINUNICODE
          if (pos + 1 > n) this.truncated();
          const len = b[pos++];
          if (pos + len > n) this.truncated();
          kinds[top] = Kind.Str;
          payloads[top++] = this.decodeString(pos, pos + len);
          pos += len;
          break;
        }
        case 0x58: {
          // BINUNICODE
          if (pos + 4 > n) this.truncated();
          const len = this.view.getUint32(pos, true);
          pos += 4;
          if (pos + len > n) this.truncated();
          kinds[top] = Kind.Str;
          payloads[top++] = this.decodeString(pos, pos + len);
          pos += len;
          break;
        }
        case 0x8d: {
          // BINUNICODE8
          if (pos + 8 > n) this.truncated();
          const len = Number(this.view.getBigUint64(pos, true));
          pos += 8;
          if (pos + len > n) this.truncated();
          kinds[top] = Kind.Str;
          payloads[top++] = this.decodeString(pos, pos + len);
          pos += len;
          break;
        }
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const k = op - 0x84;
          if (top < k) this.corrupt('a tuple of more items than the stack holds', at);
          for (let i = top - k; i < top; i++) if (kinds[i] === Kind.Mark) this.corrupt('a MARK inside a tuple', at);
          stack.length = top;
          this.pushTuple(k);
          top = stack.length;
          break;
        }
        case 0x29: {
          // EMPTY_TUPLE
          stack.length = top;
          this.pushTuple(0);
          top = stack.length;
          break;
        }
        case 0x28: // MARK
          this.pushMark(top);
          break;
        case 0x74: {
          // TUPLE
          const m = this.popMark(at);
          if (m > top) this.corrupt('a MARK above the top of the stack', at);
          stack.length = top;
          this.pushTuple(top - m);
          top = stack.length;
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.lists.push(new PickleList());
          kinds[top] = Kind.List;
          payloads[top++] = this.lists.length - 1;
          break;
        case 0x6c: {
          // LIST
          const m = this.popMark(at);
          if (m > top) this.corrupt('a MARK above the top of the stack', at);
          const list = new PickleList();
          list.append(kinds, payloads, m, top - m, 0);
          top = m;
          this.lists.push(list);
          kinds[top] = Kind.List;
          payloads[top++] = this.lists.length - 1;
          break;
        }
        case 0x61: {
          // APPEND
          if (top < 2 || kinds[top - 2] !== Kind.List) this.corrupt('APPEND to something that is not a list', at);
          this.lists[payloads[top - 2]].append(kinds, payloads, top - 1, 1, 0);
          top--;
          break;
        }
        case 0x65: {
          // APPENDS
          const m = this.popMark(at);
          // (A MARK above the top: an opcode since took values from under it.)
          if (m < 1 || m > top || kinds[m - 1] !== Kind.List) this.corrupt('APPENDS to something that is not a list', at);
          const list = this.lists[payloads[m - 1]];
          // A dump's trace list is appended 1,000 at a time until the end of the file; once a
          // list is long, let it grow to what the rest of the file can hold at one item per
          // ~12 bytes rather than double ~17 times (bounded by the file size).
          list.append(kinds, payloads, m, top - m, list.length >= 1 << 16 ? Math.ceil((n - pos) / 12) : 0);
          top = m;
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.dicts.push(new Map());
          kinds[top] = Kind.Dict;
          payloads[top++] = this.dicts.length - 1;
          break;
        case 0x64: {
          // DICT
          const m = this.popMark(at);
          if (m > top) this.corrupt('a MARK above the top of the stack', at);
          const dict = new Map<string, { kind: Kind; payload: number }>();
          this.fillDict(dict, m, top, kinds, payloads, at);
          top = m;
          this.dicts.push(dict);
          kinds[top] = Kind.Dict;
          payloads[top++] = this.dicts.length - 1;
          break;
        }
        case 0x73: {
          // SETITEM
          if (top < 3 || kinds[top - 3] !== Kind.Dict) this.corrupt('SETITEM on something that is not a dict', at);
          this.fillDict(this.dicts[payloads[top - 3]], top - 2, top, kinds, payloads, at);
          top -= 2;
          break;
        }
        case 0x75: {
          // SETITEMS
          const m = this.popMark(at);
          if (m < 1 || m > top || kinds[m - 1] !== Kind.Dict) this.corrupt('SETITEMS on something that is not a dict', at);
          this.fillDict(this.dicts[payloads[m - 1]], m, top, kinds, payloads, at);
          top = m;
          break;
        }
        case 0x4e: // NONE
          kinds[top] = Kind.None;
          payloads[top++] = 0;
          break;
        case 0x88: // NEWTRUE
          kinds[top] = Kind.Bool;
          payloads[top++] = 1;
          break;
        case 0x89: // NEWFALSE
          kinds[top] = Kind.Bool;
          payloads[top++] = 0;
          break;
        case 0x47: // BINFLOAT
          if (pos + 8 > n) this.truncated();
          kinds[top] = Kind.Float;
          payloads[top++] = this.view.getFloat64(pos, false);
          pos += 8;
          break;
        case 0x63: {
          // GLOBAL "module\nname\n" (protocols 0–3)
          const nl1 = b.indexOf(0x0a, pos);
          if (nl1 < 0) this.truncated();
          const nl2 = b.indexOf(0x0a, nl1 + 1);
          if (nl2 < 0) this.truncated();
          const module = this.decoder.decode(b.subarray(pos, nl1));
          const name = this.decoder.decode(b.subarray(nl1 + 1, nl2));
          pos = nl2 + 1;
          kinds[top] = Kind.Global;
          payloads[top++] = this.resolveGlobal(module, name);
          break;
        }
        case 0x93: {
          // STACK_GLOBAL (protocol 4+)
          if (top < 2 || kinds[top - 1] !== Kind.Str || kinds[top - 2] !== Kind.Str) {
            this.corrupt('STACK_GLOBAL without a module and a name', at);
          }
          const g = this.resolveGlobal(this.strings[payloads[top - 2]], this.strings[payloads[top - 1]]);
          top -= 2;
          kinds[top] = Kind.Global;
          payloads[top++] = g;
          break;
        }
        case 0x81: {
          // NEWOBJ: cls.__new__(cls, *args) — we only record which allowed class it was.
          if (top < 2 || kinds[top - 2] !== Kind.Global || (kinds[top - 1] !== Kind.Tuple && kinds[top - 1] !== Kind.Trace)) {
            this.corrupt('NEWOBJ without a class and an argument tuple', at);
          }
          const g = payloads[top - 2];
          top -= 2;
          this.objects.push({ global: g, state: null });
          kinds[top] = Kind.Object;
          payloads[top++] = this.objects.length - 1;
          break;
        }
        case 0x62: {
          // BUILD: set the object's state (a dict, or (dict, slots) for classes with __slots__)
          if (top < 2 || kinds[top - 2] !== Kind.Object) this.corrupt('BUILD on something that is not an object', at);
          this.objects[payloads[top - 2]].state = { kind: kinds[top - 1] as Kind, payload: payloads[top - 1] };
          top--;
          break;
        }
        case 0x30: // POP
          if (top > 0 && (this.markCount === 0 || this.marks[this.markCount - 1] < top)) top--;
          else this.popMark(at);
          break;
        case 0x31: {
          // POP_MARK
          const m = this.popMark(at);
          if (m > top) this.corrupt('a MARK above the top of the stack', at);
          top = m;
          break;
        }
        case 0x32: // DUP
          if (top === 0) this.corrupt('DUP on an empty stack', at);
          kinds[top] = kinds[top - 1];
          payloads[top++] = payloads[top - 1];
          break;
        case 0x80: // PROTO
          if (pos + 1 > n) this.truncated();
          this.protocol = b[pos++];
          if (this.protocol < 2 || this.protocol > 5) {
            throw new HeaplensError(
              'unsupported-version',
              `${this.describe} uses pickle protocol ${this.protocol}; heaplens reads protocols 2 to 5 ` +
                '(tracemalloc\'s Snapshot.dump() writes the highest one).',
            );
          }
          break;
        case 0x95: // FRAME: a length hint for buffered readers; we hold all bytes already
          if (pos + 8 > n) this.truncated();
          pos += 8;
          break;
        case 0x2e: // STOP
          if (top !== 1) this.corrupt(`STOP with ${top} values on the stack instead of one`, at);
          this.root = { kind: kinds[0] as Kind, payload: payloads[0] };
          this.done = true;
          this.pos = pos;
          stack.length = top;
          return;
        default: {
          const refused = REFUSED[op];
          if (refused) {
            throw new HeaplensError(
              'unsafe',
              `${this.describe} contains the pickle opcode ${refused} at byte ${at.toLocaleString('en-US')}. ` +
                'tracemalloc snapshots never need it, and heaplens never runs code from a file, so it stops here.',
            );
          }
          this.corrupt(`unknown or unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`, at);
        }
      }
    }
    this.pos = pos;
    stack.length = top;
  }

  private memoPut(index: number, top: number, kinds: Uint8Array, payloads: Float64Array, at: number): void {
    if (top === 0) this.corrupt('a memo store with an empty stack', at);
    // Every memo entry costs at least one opcode byte, so a larger index is corruption (and
    // growing the memo to it could exhaust memory).
    if (index > this.bytes.length) this.corrupt(`a memo index (${index}) larger than the file`, at);
    this.memo.put(index, kinds[top - 1] as Kind, payloads[top - 1]);
  }

  /** MEMOIZE at `pos` of a value just pushed (memoPut(memo.length) for the fast paths). */
  private memoizeTop(pos: number, kind: Kind, payload: number): number {
    this.memo.push(kind, payload);
    return pos + 1;
  }

  private checkMemo(index: number, at: number): void {
    if (!this.memo.has(index)) this.corrupt(`the memo has no entry ${index}`, at);
  }

  private fillDict(dict: Map<string, { kind: Kind; payload: number }>, from: number, to: number, kinds: Uint8Array, payloads: Float64Array, at: number): void {
    const error = fillDict(dict, this.strings, from, to, kinds, payloads);
    if (error) this.corrupt(error, at);
  }

  private readLong(pos: number, len: number, at: number): number {
    const v = readLong(this.bytes, pos, len);
    if (typeof v === 'bigint') this.corrupt(`an integer too large to be a size (${v})`, at);
    return v;
  }

  private decodeString(start: number, end: number): number {
    this.strings.push(decodeString(this.bytes, start, end, this.decoder));
    return this.strings.length - 1;
  }

  private resolveGlobal(module: string, name: string): number {
    const full = `${module}.${name}`;
    const i = this.allowedGlobals.indexOf(full);
    if (i < 0) {
      throw new HeaplensError(
        'not-a-profile',
        `This is a Python pickle, but not a tracemalloc snapshot: it contains ${full}. ` +
          'heaplens reads pickles made by tracemalloc.Snapshot.dump() and never loads other classes.',
      );
    }
    return i;
  }
}
