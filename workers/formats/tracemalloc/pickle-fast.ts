// The pickle interpreter's fast paths (pickle-reader.ts calls them), for the two shapes that
// make up nearly all of a tracemalloc dump: the 14 MB example holds 8.4 M opcodes, all but
// ~20 k of them a trace's seven or a traceback frame's four. Reading each such group at once
// instead of opcode by opcode: parse + conversion of a cold process 2.3× faster on the 2 M-trace
// bench dump (156 against 363 ms), 1.4× on the example (168 against 230 ms).
//
// Each stops at the first bytes that are anything else (traceAt returns -1, tracesAt and
// framesAt the position after the last group they read); the general loop reads on from there,
// and reports any error. So these never decide what a file means: they only produce, sooner,
// what the general loop would have (test/unit/pickle-fast.test.ts compares the two).

import { Kind, type Memo, type TraceColumns, type TupleStore, type ValueColumn } from './pickle-values.ts';

const BININT1 = 0x4b;
const BININT2 = 0x4d;
const BININT = 0x4a;
const LONG1 = 0x8a;
const BINGET = 0x68;
const LONG_BINGET = 0x6a;
const TUPLE = 0x74;
const TUPLE2 = 0x86;
const MARK = 0x28;
const MEMOIZE = 0x94;

// The ints of a trace or a frame are BININT1, BININT2 or BININT (1, 2 or 4 bytes after the
// opcode): each is read as 4 little-endian bytes masked to its width, by table, so that every
// int takes the same operations. Why: V8 compiles these functions with the type feedback of the
// bytes seen so far, and the first 2-byte int after that (a size ≥ 256, found megabytes into
// a dump) made it throw the compiled code away and start again; with one path there is nothing
// new to see. Other opcodes have width 0.
const INT_WIDTH = new Uint8Array(256);
const INT_MASK = new Int32Array(256);
INT_WIDTH[BININT1] = 1;
INT_MASK[BININT1] = 0xff;
INT_WIDTH[BININT2] = 2;
INT_MASK[BININT2] = 0xffff;
INT_WIDTH[BININT] = 4;
INT_MASK[BININT] = -1; // all 32 bits: BININT is signed
// Memo gets the same way: BINGET (1 byte) and LONG_BINGET (4 bytes, unsigned).
const GET_WIDTH = new Uint8Array(256);
const GET_MASK = new Int32Array(256);
GET_WIDTH[BINGET] = 1;
GET_MASK[BINGET] = 0xff;
GET_WIDTH[LONG_BINGET] = 4;
GET_MASK[LONG_BINGET] = -1;

/** The 4 bytes at `at`, little-endian (callers keep 4 bytes of margin before the end). */
const le32 = (b: Uint8Array, at: number): number => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);

/** The longest trace traceAt reads is 24 bytes (+3 read past a 1-byte int); within this of the end it leaves the bytes alone. */
const MARGIN = 32;

/**
 * After a MARK at pos - 1: `int int memo-get [int] TUPLE`, a trace (domain, size, frames[,
 * total_nframe]) whose frames are a tuple from the memo. Adds its row to `traces`.
 */
export function traceAt(b: Uint8Array, pos: number, memo: ValueColumn, traces: TraceColumns): number {
  if (pos + MARGIN > b.length) return -1;
  // The usual trace: BININT1 domain, BININT1 size, a memo get, BININT1 total_nframe.
  if (b[pos] === BININT1 && b[pos + 2] === BININT1) {
    const g = b[pos + 4];
    const at = g === LONG_BINGET ? pos + 9 : pos + 6;
    if ((g === LONG_BINGET || g === BINGET) && b[at] === BININT1 && b[at + 2] === TUPLE) {
      const m = g === LONG_BINGET ? le32(b, pos + 5) >>> 0 : b[pos + 5];
      if (m < memo.length && memo.kinds[m] === Kind.Tuple) {
        traces.add(b[pos + 1], b[pos + 3], memo.payloads[m], b[at + 1]);
        return at + 3;
      }
    }
  }
  // Anything else in a function of its own: V8 compiles it apart, so that the branches it first
  // takes megabytes into a file (a 2-byte size, a FRAME inside a trace) throw away only it.
  return anyTraceAt(b, pos, memo, traces);
}

/** traceAt for every width of int (BININT1, BININT2, BININT; LONG1 sizes). */
function anyTraceAt(b: Uint8Array, pos: number, memo: ValueColumn, traces: TraceColumns): number {
  let w = INT_WIDTH[b[pos]];
  if (w === 0) return -1;
  const domain = le32(b, pos + 1) & INT_MASK[b[pos]];
  pos += 1 + w;
  let size: number;
  w = INT_WIDTH[b[pos]];
  if (w !== 0) {
    size = le32(b, pos + 1) & INT_MASK[b[pos]];
    pos += 1 + w;
  } else if (b[pos] === LONG1 && b[pos + 1] <= 6) {
    // Sizes of 2 GiB and more: little-endian two's complement, exact in a double up to 6 bytes.
    const len = b[pos + 1];
    size = 0;
    for (let i = len - 1; i >= 0; i--) size = size * 256 + b[pos + 2 + i];
    if (len > 0 && b[pos + 1 + len] & 0x80) size -= 2 ** (8 * len);
    pos += 2 + len;
  } else return -1;
  w = GET_WIDTH[b[pos]];
  if (w === 0) return -1;
  const m = (le32(b, pos + 1) & GET_MASK[b[pos]]) >>> 0;
  pos += 1 + w;
  if (m >= memo.length || memo.kinds[m] !== Kind.Tuple) return -1;
  let nframe = -1;
  w = INT_WIDTH[b[pos]];
  if (w !== 0) {
    nframe = le32(b, pos + 1) & INT_MASK[b[pos]];
    pos += 1 + w;
  }
  if (b[pos] !== TUPLE) return -1;
  traces.add(domain, size, memo.payloads[m], nframe);
  return pos + 1;
}

/**
 * At a MARK: as many `MARK trace MEMOIZE` in a row as there are (a dump writes ~1,000 between
 * two APPENDS), each trace's row pushed on `stack` from `top` and memoized, as the general loop
 * would. One call a batch keeps the loop small and the dispatch out of it. Returns the position
 * after the last one read (`pos` itself when there is none); the caller's stack grew by as many
 * rows as `traces` did. Stops where the stack is full (the caller grows it).
 */
export function tracesAt(b: Uint8Array, pos: number, memo: Memo, traces: TraceColumns, stack: ValueColumn, top: number): number {
  const sk = stack.kinds;
  const sp = stack.payloads;
  while (top < sk.length && b[pos] === MARK) {
    const end = traceAt(b, pos + 1, memo, traces);
    if (end < 0) break;
    const row = traces.length - 1;
    sk[top] = Kind.Trace;
    sp[top++] = row;
    pos = end;
    // MEMOIZE (protocol 4+ writes one after every tuple); anything else is the general loop's.
    if (b[pos] !== MEMOIZE) break;
    memo.pushTraceRow(row);
    pos++;
  }
  return pos;
}

/**
 * At a memo get: as many `get(str) int TUPLE2 [MEMOIZE]` in a row as there are — a traceback's
 * frames, (filename, lineno) — each pushed on `stack` from `top` as a tuple, and memoized, as
 * the general loop would. One call a traceback, for the reason tracesAt gives. Returns the
 * position after the last one read (`pos` itself when there is none); the caller's stack grew
 * by as many tuples as `tuples` did.
 */
export function framesAt(b: Uint8Array, pos: number, memo: Memo, tuples: TupleStore, stack: ValueColumn, top: number): number {
  const sk = stack.kinds;
  const sp = stack.payloads;
  // The longest frame is 12 bytes: LONG_BINGET, BININT, TUPLE2, MEMOIZE.
  const end = b.length - 12;
  while (top < sk.length && pos <= end) {
    const w0 = GET_WIDTH[b[pos]];
    if (w0 === 0) break;
    const m = (le32(b, pos + 1) & GET_MASK[b[pos]]) >>> 0;
    if (m >= memo.length || memo.kinds[m] !== Kind.Str) break;
    let p = pos + 1 + w0;
    const w = INT_WIDTH[b[p]];
    if (w === 0) break;
    const line = le32(b, p + 1) & INT_MASK[b[p]];
    p += 1 + w;
    if (b[p] !== TUPLE2) break;
    const id = tuples.addPair(Kind.Str, memo.payloads[m], Kind.Int, line);
    sk[top] = Kind.Tuple;
    sp[top++] = id;
    pos = p + 1;
    if (b[pos] === MEMOIZE) {
      memo.push(Kind.Tuple, id);
      pos++;
    }
  }
  return pos;
}
