// Protobuf wire reading for profile.proto: varints (exact to 2^53, 64-bit halves when asked),
// length-delimited bounds, skipping unknown fields by wire type, and errors a user can act on.

import { HeaplensError } from '../../api/errors.ts';

const TWO_32 = 2 ** 32;
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** A cursor over one message: [pos, end) of the whole buffer. */
export class Reader {
  pos: number;
  /** High and low 32 bits of the last varint that took the slow path. */
  hi = 0;
  lo = 0;
  constructor(
    readonly buf: Uint8Array,
    pos: number,
    public end: number,
  ) {
    this.pos = pos;
  }

  fail(what: string): never {
    // Running out of bytes at the end of the file is a cut-off file; running past the end of a
    // message while the file goes on means a length or a varint is wrong.
    if (this.end === this.buf.length) {
      throw new HeaplensError('truncated', `This pprof profile is truncated: it ends inside ${what} (byte ${this.pos} of ${this.buf.length}). It was probably cut off while being written or copied; collect or download it again.`);
    }
    throw new HeaplensError('corrupt', `This pprof profile is damaged: ${what} runs past the end of its message at byte ${this.pos}.`);
  }

  /** Fills hi/lo with a varint's 64 bits. */
  varint64(): void {
    const buf = this.buf;
    const end = this.end;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let byte = 0;
    // Bits 0–27 from the first four bytes.
    for (; shift < 28; shift += 7) {
      if (p >= end) this.fail('a number');
      byte = buf[p++];
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = p;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    // Fifth byte: bits 28–31 to lo, 32–34 to hi.
    if (p >= end) this.fail('a number');
    byte = buf[p++];
    lo |= (byte & 0x0f) << 28;
    hi = (byte & 0x7f) >> 4;
    if (byte >= 0x80) {
      for (shift = 3; ; shift += 7) {
        if (shift > 31) {
          this.pos = p;
          throw new HeaplensError('corrupt', `This pprof profile is damaged: a number at byte ${p} is longer than 10 bytes.`);
        }
        if (p >= end) this.fail('a number');
        byte = buf[p++];
        hi |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
    }
    this.pos = p;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /**
   * The hot path: a varint of up to 4 bytes (below 2^28: ids, sizes, counts, string indices)
   * with no bounds check per byte; -1 sends the caller to varint64.
   */
  small(): number {
    const buf = this.buf;
    const p = this.pos;
    if (p + 4 > this.end) {
      if (p < this.end && buf[p] < 0x80) {
        this.pos = p + 1;
        return buf[p];
      }
      return -1;
    }
    let b = buf[p];
    if (b < 0x80) {
      this.pos = p + 1;
      return b;
    }
    let v = b & 0x7f;
    b = buf[p + 1];
    v |= (b & 0x7f) << 7;
    if (b < 0x80) {
      this.pos = p + 2;
      return v;
    }
    b = buf[p + 2];
    v |= (b & 0x7f) << 14;
    if (b < 0x80) {
      this.pos = p + 3;
      return v;
    }
    b = buf[p + 3];
    v |= (b & 0x7f) << 21;
    if (b < 0x80) {
      this.pos = p + 4;
      return v;
    }
    return -1;
  }

  /** uint64 as a number (rounded past 2^53). */
  uint(): number {
    const v = this.small();
    if (v >= 0) return v;
    this.varint64();
    return this.hi * TWO_32 + this.lo;
  }

  /** int64 (two's complement in 10 bytes when negative) as a number (rounded past ±2^53). */
  int(): number {
    const v = this.small();
    if (v >= 0) return v;
    this.varint64();
    const hi = this.hi;
    return (hi >= 0x80000000 ? hi - TWO_32 : hi) * TWO_32 + this.lo;
  }

  /** An id: uint64 that must stay exact. */
  id(what: string): number {
    const v = this.uint();
    if (v > MAX_EXACT) {
      throw new HeaplensError('too-big', `This pprof profile numbers a ${what} ${this.hi.toString(16)}${this.lo.toString(16).padStart(8, '0')} (hex), past 2^53: heaplens cannot tell such ids apart exactly.`);
    }
    return v;
  }

  /** The end of a length-delimited field whose length is next. */
  lengthEnd(what: string): number {
    const n = this.uint();
    const end = this.pos + n;
    if (end > this.end) {
      this.pos = this.end;
      this.fail(what);
    }
    return end;
  }

  skip(wire: number, field: number): void {
    switch (wire) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.lengthEnd(`field ${field}`);
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new HeaplensError('corrupt', `This pprof profile is damaged: field ${field} at byte ${this.pos} has wire type ${wire}, which profile.proto never uses.`);
    }
    if (this.pos > this.end) {
      this.pos = this.end;
      this.fail(`field ${field}`);
    }
  }
}

export function wrongWire(field: number, wire: number, message: string, pos: number): never {
  throw new HeaplensError('corrupt', `This pprof profile is damaged: ${message} field ${field} has wire type ${wire} at byte ${pos}.`);
}

/** Offsets of the repeated messages of one kind, found in the first pass. */
export class Ranges {
  starts = new Uint32Array(64);
  ends = new Uint32Array(64);
  length = 0;
  push(start: number, end: number): void {
    if (this.length === this.starts.length) {
      const s = new Uint32Array(this.length * 2);
      s.set(this.starts);
      this.starts = s;
      const e = new Uint32Array(this.length * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.starts[this.length] = start;
    this.ends[this.length++] = end;
  }
}

export function grow<T extends Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as { new (n: number): T })(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
