// A small pickle interpreter that turns opcodes into plain data and never evaluates anything.
//
// Why hand-written (and not the `pickleparser` package): a tracemalloc dump of 2 M traces is tens
// of millions of opcodes; a generic reader that makes one JS object per value took 2.6 s and
// ~470 MB there, and it mis-decodes large negative integers. This one keeps values as (kind,
// payload) pairs in typed arrays, so a trace costs a few array writes and no allocation.
//
// It accepts protocols 2–5 and only the globals the caller allows; REDUCE, INST, OBJ, extension
// codes and persistent ids are refused: with those a pickle can call any function.

import { HeaplensError } from '../../api/errors.ts';

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
}

const KIND_NAMES = ['mark', 'int', 'str', 'tuple', 'list', 'dict', 'None', 'bool', 'class', 'object', 'float'];

export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? 'value';
}

/** Growable pair of (kind, payload) columns: the value stack, the memo, tuple and list storage. */
class ValueColumn {
  kinds: Uint8Array;
  payloads: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.payloads = new Float64Array(capacity);
  }
  grow(min: number): void {
    let cap = this.kinds.length * 2;
    while (cap < min) cap *= 2;
    const k = new Uint8Array(cap);
    k.set(this.kinds);
    const p = new Float64Array(cap);
    p.set(this.payloads);
    this.kinds = k;
    this.payloads = p;
  }
}

export interface PickleObject {
  global: number; // index into allowed globals
  state: { kind: Kind; payload: number } | null;
}

/** Opcode names for error messages about opcodes we refuse. */
const REFUSED: Record<number, string> = {
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
  readonly stack = new ValueColumn(1024);
  readonly memo: ValueColumn;
  /** Tuple i holds elements tupleStart[i] .. tupleStart[i] + tupleLength[i] of `tupleItems`. */
  readonly tupleItems: ValueColumn;
  tupleStart: Int32Array;
  tupleLength: Int32Array;
  tupleCount = 0;
  readonly lists: ValueColumn[] = [];
  readonly dicts: Map<string, { kind: Kind; payload: number }>[] = [];
  readonly objects: PickleObject[] = [];
  private marks: number[] = [];
  private readonly decoder = new TextDecoder('utf-8');
  private root: { kind: Kind; payload: number } | null = null;

  constructor(
    bytes: Uint8Array,
    private readonly allowedGlobals: string[],
    private readonly describe: string,
  ) {
    this.bytes = bytes;
    // Sized from what tracemalloc dumps hold per byte (a trace is ~14 bytes: one tuple of four
    // items, one memo entry), so big files do not pay for repeated doubling.
    const n = bytes.length;
    this.memo = new ValueColumn(Math.max(1024, Math.ceil(n / 12)));
    this.tupleItems = new ValueColumn(Math.max(1 << 16, Math.ceil(n / 3)));
    this.tupleStart = new Int32Array(Math.max(1 << 14, Math.ceil(n / 12)));
    this.tupleLength = new Int32Array(this.tupleStart.length);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  result(): PickleResult {
    if (!this.root) throw new HeaplensError('truncated', `${this.describe} is incomplete: the pickle has no STOP opcode.`);
    return { protocol: this.protocol, root: this.root };
  }

  tupleOf(id: number): { start: number; length: number } {
    return { start: this.tupleStart[id], length: this.tupleLength[id] };
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

  private newTuple(n: number): number {
    // Elements are the top n of the stack.
    const id = this.tupleCount++;
    if (id === this.tupleStart.length) {
      const s = new Int32Array(id * 2);
      s.set(this.tupleStart);
      this.tupleStart = s;
      const l = new Int32Array(id * 2);
      l.set(this.tupleLength);
      this.tupleLength = l;
    }
    const items = this.tupleItems;
    if (items.length + n > items.kinds.length) items.grow(items.length + n);
    const st = this.stack;
    const from = st.length - n;
    // A plain loop: tuples are tiny, and subarray() would allocate two views per tuple.
    const ik = items.kinds;
    const ip = items.payloads;
    const sk = st.kinds;
    const sp = st.payloads;
    for (let i = 0, at = items.length; i < n; i++, at++) {
      ik[at] = sk[from + i];
      ip[at] = sp[from + i];
    }
    this.tupleStart[id] = items.length;
    this.tupleLength[id] = n;
    items.length += n;
    st.length = from;
    return id;
  }

  private popMark(at: number): number {
    const m = this.marks.pop();
    if (m === undefined) this.corrupt('an opcode needs a MARK that is not there', at);
    return m;
  }

  private decodeString(start: number, end: number): number {
    const b = this.bytes;
    let s: string;
    // Short ASCII names (file names, attribute names) are the common case; fromCharCode avoids
    // TextDecoder's per-call overhead for them.
    let ascii = end - start <= 64;
    if (ascii) {
      for (let i = start; i < end; i++) {
        if (b[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
    }
    if (ascii) s = String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
    else s = this.decoder.decode(b.subarray(start, end));
    this.strings.push(s);
    return this.strings.length - 1;
  }

  /** Runs opcodes until `budget` bytes have been consumed or STOP is reached. */
  run(budget: number): void {
    const b = this.bytes;
    const n = b.length;
    const limit = Math.min(n, this.pos + budget);
    const stack = this.stack;
    const memo = this.memo;
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
      const at = pos;
      const op = b[pos++];
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
          if (pos + 1 > n) this.truncated();
          {
          const i = b[pos++];
          this.checkMemo(i, at);
          kinds[top] = memo.kinds[i];
          payloads[top++] = memo.payloads[i];
          }
          break;
        case 0x6a: // LONG_BINGET
          if (pos + 4 > n) this.truncated();
          {
          const i = this.view.getUint32(pos, true);
          pos += 4;
          this.checkMemo(i, at);
          kinds[top] = memo.kinds[i];
          payloads[top++] = memo.payloads[i];
          }
          break;
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
          const id = this.newTuple(k);
          top = stack.length;
          kinds = stack.kinds;
          payloads = stack.payloads;
          kinds[top] = Kind.Tuple;
          payloads[top++] = id;
          break;
        }
        case 0x29: {
          // EMPTY_TUPLE
          stack.length = top;
          const id = this.newTuple(0);
          top = stack.length;
          kinds = stack.kinds;
          payloads = stack.payloads;
          kinds[top] = Kind.Tuple;
          payloads[top++] = id;
          break;
        }
        case 0x28: // MARK
          this.marks.push(top);
          break;
        case 0x74: {
          // TUPLE
          const m = this.popMark(at);
          if (m > top) this.corrupt('a MARK above the top of the stack', at);
          stack.length = top;
          const id = this.newTuple(top - m);
          top = stack.length;
          kinds = stack.kinds;
          payloads = stack.payloads;
          kinds[top] = Kind.Tuple;
          payloads[top++] = id;
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.lists.push(new ValueColumn(16));
          kinds[top] = Kind.List;
          payloads[top++] = this.lists.length - 1;
          break;
        case 0x6c: {
          // LIST
          const m = this.popMark(at);
          const list = new ValueColumn(Math.max(16, top - m));
          list.kinds.set(kinds.subarray(m, top));
          list.payloads.set(payloads.subarray(m, top));
          list.length = top - m;
          top = m;
          this.lists.push(list);
          kinds[top] = Kind.List;
          payloads[top++] = this.lists.length - 1;
          break;
        }
        case 0x61: {
          // APPEND
          if (top < 2 || kinds[top - 2] !== Kind.List) this.corrupt('APPEND to something that is not a list', at);
          const list = this.lists[payloads[top - 2]];
          if (list.length === list.kinds.length) list.grow(list.length + 1);
          list.kinds[list.length] = kinds[top - 1];
          list.payloads[list.length] = payloads[top - 1];
          list.length++;
          top--;
          break;
        }
        case 0x65: {
          // APPENDS
          const m = this.popMark(at);
          if (m < 1 || kinds[m - 1] !== Kind.List) this.corrupt('APPENDS to something that is not a list', at);
          const list = this.lists[payloads[m - 1]];
          const count = top - m;
          if (list.length + count > list.kinds.length) list.grow(list.length + count);
          list.kinds.set(kinds.subarray(m, top), list.length);
          list.payloads.set(payloads.subarray(m, top), list.length);
          list.length += count;
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
          if (m < 1 || kinds[m - 1] !== Kind.Dict) this.corrupt('SETITEMS on something that is not a dict', at);
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
          if (top < 2 || kinds[top - 2] !== Kind.Global || kinds[top - 1] !== Kind.Tuple) {
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
          if (top > 0 && (this.marks.length === 0 || this.marks[this.marks.length - 1] < top)) top--;
          else this.popMark(at);
          break;
        case 0x31: // POP_MARK
          top = this.popMark(at);
          break;
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
    if (pos >= n && !this.done) this.truncated();
  }

  private memoPut(index: number, top: number, kinds: Uint8Array, payloads: Float64Array, at: number): void {
    const memo = this.memo;
    if (top === 0) this.corrupt('a memo store with an empty stack', at);
    // Every memo entry costs at least one opcode byte, so a larger index is corruption (and
    // growing the memo to it could exhaust memory).
    if (index > this.bytes.length) this.corrupt(`a memo index (${index}) larger than the file`, at);
    if (index >= memo.kinds.length) memo.grow(index + 1);
    memo.kinds[index] = kinds[top - 1];
    memo.payloads[index] = payloads[top - 1];
    if (index >= memo.length) {
      // Entries skipped by a sparse BINPUT stay marked unset (a Mark with payload -1).
      for (let i = memo.length; i < index; i++) {
        memo.kinds[i] = Kind.Mark;
        memo.payloads[i] = -1;
      }
      memo.length = index + 1;
    }
  }

  private checkMemo(index: number, at: number): void {
    const memo = this.memo;
    if (index >= memo.length || (memo.kinds[index] === Kind.Mark && memo.payloads[index] === -1)) {
      this.corrupt(`the memo has no entry ${index}`, at);
    }
  }

  private fillDict(
    dict: Map<string, { kind: Kind; payload: number }>,
    from: number,
    to: number,
    kinds: Uint8Array,
    payloads: Float64Array,
    at: number,
  ): void {
    if ((to - from) % 2 !== 0) this.corrupt('a dict with a key and no value', at);
    for (let i = from; i < to; i += 2) {
      if (kinds[i] !== Kind.Str) this.corrupt(`a dict key that is a ${kindName(kinds[i])}, not a str`, at);
      dict.set(this.strings[payloads[i]], { kind: kinds[i + 1] as Kind, payload: payloads[i + 1] });
    }
  }

  private readLong(pos: number, len: number, at: number): number {
    if (len === 0) return 0;
    const b = this.bytes;
    if (len <= 6) {
      let v = 0;
      for (let i = len - 1; i >= 0; i--) v = v * 256 + b[pos + i];
      if (b[pos + len - 1] & 0x80) v -= 2 ** (8 * len);
      return v;
    }
    let v = 0n;
    for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[pos + i]);
    if (b[pos + len - 1] & 0x80) v -= 1n << BigInt(8 * len);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      this.corrupt(`an integer too large to be a size (${v})`, at);
    }
    return Number(v);
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
