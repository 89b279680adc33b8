// How many bytes a gzip file expands to, found without expanding it: the deflate data is decoded
// symbol by symbol (Huffman codes, lengths, distances) and only the lengths are added up, so no
// output is written and memory stays at one input chunk.
//
// Why (measured, 2 shared cores, Node 20): a 2 MB gzip of 2 GiB counts in ~0.2 s here, where
// expanding it through DecompressionStream takes 5 s in Node and 4.5 s in Chromium — a gzip
// bomb is refused before the real expansion starts. It also tells a cut file from a damaged one
// by where the fault is (the data ends before the end of the stream, or a code is invalid), the
// same in every browser, where DecompressionStream's messages differ by engine.
//
// What it cannot check: the CRC-32 of the data (that needs the data). DecompressionStream checks
// it while expanding; a failure there with a clean measure is a damaged file (see input.ts).
//
// Format: RFC 1952 (gzip members, concatenated) around RFC 1951 (deflate).

import { HeaplensError } from '../api/errors.ts';
import type { JobControl } from '../model/job.ts';

export interface GzipMeasure {
  /** Bytes the data expands to (all members), or the count when it passed `limit`. */
  expanded: number;
  /** Whether it expands past `limit` (then measuring stopped there). */
  exceeded: boolean;
  members: number;
}

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Bytes kept unread at a chunk's end, so a block header (≤ 290 bytes) or symbol never spans two chunks. */
const MARGIN = 1024;
/** Input is decoded in pieces of at least this much (chunks are gathered up to it). */
const GATHER = 64 * 1024;
const FAST = 10;
const FAST_MASK = (1 << FAST) - 1;

/** A canonical Huffman code: a FAST-bit lookup table, and counts/symbols for longer codes. */
class Code {
  readonly fast = new Int32Array(1 << FAST);
  readonly count = new Uint16Array(16);
  readonly symbol: Uint16Array;

  /** Returns null when the lengths over-subscribe the code (a damaged stream). */
  static of(lengths: ArrayLike<number>, n: number): Code | null {
    const c = new Code(n);
    return c.build(lengths, n) ? c : null;
  }

  private constructor(n: number) {
    this.symbol = new Uint16Array(n);
  }

  private build(lengths: ArrayLike<number>, n: number): boolean {
    const count = this.count;
    for (let s = 0; s < n; s++) count[lengths[s]]++;
    count[0] = 0;
    let left = 1;
    for (let len = 1; len < 16; len++) {
      left = (left << 1) - count[len];
      if (left < 0) return false;
    }
    const offs = new Uint16Array(16);
    for (let len = 1; len < 15; len++) offs[len + 1] = offs[len] + count[len];
    for (let s = 0; s < n; s++) if (lengths[s] !== 0) this.symbol[offs[lengths[s]]++] = s;
    // The fast table: each code of up to FAST bits, bit-reversed (deflate sends codes MSB first
    // into an LSB-first stream), at every index it prefixes; -1 leaves longer codes to `slow`.
    this.fast.fill(-1);
    let code = 0;
    let index = 0;
    for (let len = 1; len <= FAST; len++) {
      for (let k = 0; k < count[len]; k++) {
        let rev = 0;
        for (let b = 0; b < len; b++) rev |= ((code >>> b) & 1) << (len - 1 - b);
        const entry = (this.symbol[index + k] << 4) | len;
        for (let at = rev; at < 1 << FAST; at += 1 << len) this.fast[at] = entry;
        code++;
      }
      index += count[len];
      code <<= 1;
    }
    return true;
  }
}

function fixedCodes(): { lit: Code; dist: Code } {
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144);
  lengths.fill(9, 144, 256);
  lengths.fill(7, 256, 280);
  lengths.fill(8, 280, 288);
  return { lit: Code.of(lengths, 288)!, dist: Code.of(new Uint8Array(30).fill(5), 30)! };
}
let FIXED: { lit: Code; dist: Code } | null = null;

class Fault {
  constructor(
    readonly kind: 'truncated' | 'corrupt',
    readonly what: string,
  ) {}
}

const enum Stage {
  MemberHeader,
  BlockHeader,
  Symbols,
  Stored,
  Trailer,
}

/** The decoder's state between chunks (the hot loop works on locals and writes them back). */
class Measurer {
  stage = Stage.MemberHeader;
  bitbuf = 0;
  nbits = 0;
  lit: Code | null = null;
  dist: Code | null = null;
  last = false;
  storedLeft = 0;
  /** Bytes out of the current member, and of all members. */
  member = 0;
  total = 0;
  members = 0;
  /** Input bytes consumed before the current buffer. */
  base = 0;
  // The member header (RFC 1952 §2.3), read byte by byte: its optional name or comment can be
  // long. Parts: 0 the fixed 10 bytes, 1 XLEN, 2 the extra field, 3 the name, 4 the comment,
  // 5 the header CRC, 6 done.
  private header: number[] = [];
  private part = 0;
  private left = 0;
  /** Whether a member header has started but not ended. */
  get inHeader(): boolean {
    return this.stage === Stage.MemberHeader && this.header.length > 0;
  }

  constructor(private readonly limit: number) {}

  /** Consumes `buf` from `pos`; returns where it stopped (within MARGIN of the end unless `final`). */
  run(buf: Uint8Array, pos: number, final: boolean): number {
    const end = buf.length;
    const stop = final ? end : end - MARGIN;
    for (;;) {
      switch (this.stage) {
        case Stage.MemberHeader:
          if (pos >= end) return pos;
          pos = this.readHeader(buf, pos);
          if (this.stage === Stage.MemberHeader) return pos;
          break;
        case Stage.BlockHeader:
          if (pos >= stop && !final) return pos;
          pos = this.blockHeader(buf, pos, end);
          break;
        case Stage.Symbols:
          pos = this.symbols(buf, pos, end, stop);
          if (this.stage === Stage.Symbols) return pos;
          break;
        case Stage.Stored: {
          const n = Math.min(this.storedLeft, end - pos);
          this.storedLeft -= n;
          this.grow(n);
          pos += n;
          if (this.storedLeft > 0) {
            if (final) throw new Fault('truncated', 'it ends inside a stored block');
            return pos;
          }
          this.stage = this.last ? Stage.Trailer : Stage.BlockHeader;
          break;
        }
        case Stage.Trailer: {
          if (end - pos < 8) {
            if (final) throw new Fault('truncated', 'it ends inside its 8-byte trailer');
            return pos;
          }
          const isize = (buf[pos + 4] | (buf[pos + 5] << 8) | (buf[pos + 6] << 16) | (buf[pos + 7] << 24)) >>> 0;
          if (isize !== this.member % 2 ** 32) throw new Fault('corrupt', 'its length check fails (the trailer disagrees with the data)');
          pos += 8;
          this.stage = Stage.MemberHeader;
          this.header = [];
          this.part = 0;
          break;
        }
      }
      if (this.total > this.limit) return pos;
    }
  }

  private grow(n: number): void {
    this.member += n;
    this.total += n;
  }

  private readHeader(buf: Uint8Array, pos: number): number {
    const end = buf.length;
    const h = this.header;
    while (pos < end) {
      const c = buf[pos++];
      let partDone = false;
      if (this.part === 0) {
        h.push(c);
        if (h.length === 2 && (h[0] !== 0x1f || h[1] !== 0x8b)) {
          throw new Fault('corrupt', this.members === 0 ? 'it does not start as gzip does' : 'bytes follow the end of its compressed data');
        }
        if (h.length === 3 && c !== 8) throw new Fault('corrupt', `it names compression method ${c}, not deflate`);
        if (h.length === 4 && (c & 0xe0) !== 0) throw new Fault('corrupt', 'its header sets reserved flags');
        partDone = h.length === 10;
      } else if (this.part === 1) {
        h.push(c);
        if (h.length === 12) {
          this.left = h[10] | (h[11] << 8);
          this.part = 2;
          partDone = this.left === 0;
        }
      } else if (this.part === 2 || this.part === 5) {
        partDone = --this.left === 0;
      } else partDone = c === 0; // name, comment: zero-terminated
      if (!partDone) continue;
      const flags = h[3];
      // The next part the flags ask for (FEXTRA 4, FNAME 8, FCOMMENT 16, FHCRC 2).
      let next = this.part === 1 ? 3 : this.part + 1;
      if (next === 2) next = 3;
      if (this.part === 0) next = flags & 4 ? 1 : 3;
      if (next === 3 && !(flags & 8)) next = 4;
      if (next === 4 && !(flags & 16)) next = 5;
      if (next === 5) {
        if (flags & 2) this.left = 2;
        else next = 6;
      }
      this.part = next;
      if (next === 6) {
        this.stage = Stage.BlockHeader;
        this.members++;
        this.member = 0;
        this.bitbuf = 0;
        this.nbits = 0;
        return pos;
      }
    }
    return pos;
  }

  /** Reads `n` bits (n ≤ 16) from buf at pos, returning [value]; pos advance is tracked in this.p. */
  private p = 0;
  private bits(buf: Uint8Array, n: number): number {
    while (this.nbits < n) {
      if (this.p >= buf.length) throw new Fault('truncated', 'it ends inside a block header');
      this.bitbuf |= buf[this.p++] << this.nbits;
      this.nbits += 8;
    }
    const v = this.bitbuf & ((1 << n) - 1);
    this.bitbuf >>>= n;
    this.nbits -= n;
    return v;
  }

  private decodeSlow(buf: Uint8Array, code: Code): number {
    let c = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      c |= this.bits(buf, 1);
      const count = code.count[len];
      if (c - count < first) return code.symbol[index + (c - first)];
      index += count;
      first = (first + count) << 1;
      c <<= 1;
    }
    return -1;
  }

  /** A fault in the data — unless the bits it read were past the end of the last chunk: then it was cut. */
  private fault(what: string, pos: number, nbits: number, end: number): Fault {
    return pos * 8 - nbits > end * 8 ? new Fault('truncated', 'it ends inside its compressed data') : new Fault('corrupt', what);
  }

  private blockHeader(buf: Uint8Array, pos: number, end: number): number {
    this.p = pos;
    this.last = this.bits(buf, 1) === 1;
    const type = this.bits(buf, 2);
    if (type === 0) {
      // Stored: the rest of this byte is padding; LEN and NLEN follow, byte aligned.
      this.bitbuf = 0;
      this.nbits = 0; // the bit reader never holds more than the current byte's remainder here
      let p = this.p;
      if (end - p < 4) throw new Fault('truncated', 'it ends inside a stored block header');
      const len = buf[p] | (buf[p + 1] << 8);
      const nlen = buf[p + 2] | (buf[p + 3] << 8);
      if ((len ^ 0xffff) !== nlen) throw new Fault('corrupt', 'a stored block has a broken length');
      p += 4;
      this.storedLeft = len;
      this.stage = Stage.Stored;
      return p;
    }
    if (type === 1) {
      FIXED ??= fixedCodes();
      this.lit = FIXED.lit;
      this.dist = FIXED.dist;
    } else if (type === 2) {
      const nlen = this.bits(buf, 5) + 257;
      const ndist = this.bits(buf, 5) + 1;
      const ncode = this.bits(buf, 4) + 4;
      if (nlen > 286 || ndist > 30) throw new Fault('corrupt', 'a block header declares too many codes');
      const lengths = new Uint8Array(320);
      for (let k = 0; k < ncode; k++) lengths[CODE_LENGTH_ORDER[k]] = this.bits(buf, 3);
      const lencode = Code.of(lengths, 19);
      if (!lencode) throw new Fault('corrupt', 'a block header has an invalid code-length code');
      const all = new Uint8Array(320);
      for (let k = 0; k < nlen + ndist; ) {
        const sym = this.decodeSlow(buf, lencode);
        if (sym < 0) throw new Fault('corrupt', 'a block header holds an invalid code');
        if (sym < 16) all[k++] = sym;
        else {
          let repeat: number;
          let value = 0;
          if (sym === 16) {
            if (k === 0) throw new Fault('corrupt', 'a block header repeats a length before the first');
            value = all[k - 1];
            repeat = 3 + this.bits(buf, 2);
          } else if (sym === 17) repeat = 3 + this.bits(buf, 3);
          else repeat = 11 + this.bits(buf, 7);
          if (k + repeat > nlen + ndist) throw new Fault('corrupt', 'a block header repeats past its codes');
          while (repeat-- > 0) all[k++] = value;
        }
      }
      if (all[256] === 0) throw new Fault('corrupt', 'a block has no end-of-block code');
      const lit = Code.of(all.subarray(0, nlen), nlen);
      const dist = Code.of(all.subarray(nlen, nlen + ndist), ndist);
      if (!lit || !dist) throw new Fault('corrupt', 'a block header has an over-full Huffman code');
      this.lit = lit;
      this.dist = dist;
    } else throw new Fault('corrupt', 'it holds a block of the reserved type 3');
    this.stage = Stage.Symbols;
    return this.p;
  }

  /** The hot loop: symbols of a compressed block, lengths added up, nothing written. */
  private symbols(buf: Uint8Array, pos: number, end: number, stop: number): number {
    const lit = this.lit!;
    const dist = this.dist!;
    const litFast = lit.fast;
    const distFast = dist.fast;
    let bitbuf = this.bitbuf;
    let nbits = this.nbits;
    let member = this.member;
    const startMember = member;
    const room = this.limit - this.total;
    let ended = false;
    // In the last chunk, decode until the block ends: reading past the end is caught below.
    const final = stop === end;
    while (final || pos < stop) {
      // Refill to 17–24 bits (the buffer stays a small integer); past the end of the last chunk,
      // zeros (checked below).
      while (nbits <= 16) {
        bitbuf |= (pos < end ? buf[pos] : 0) << nbits;
        pos++;
        nbits += 8;
      }
      let e = litFast[bitbuf & FAST_MASK];
      let sym: number;
      if (e >= 0) {
        sym = e >>> 4;
        bitbuf >>>= e & 15;
        nbits -= e & 15;
      } else {
        this.bitbuf = bitbuf;
        this.nbits = nbits;
        this.p = pos;
        sym = this.decodeSlow(buf, lit);
        bitbuf = this.bitbuf;
        nbits = this.nbits;
        pos = this.p;
        if (sym < 0) throw this.fault('it holds an invalid Huffman code', pos, nbits, end);
      }
      if (sym < 256) member++;
      else if (sym === 256) {
        ended = true;
      } else {
        sym -= 257;
        if (sym >= 29) throw this.fault('it holds an invalid length code', pos, nbits, end);
        const extra = LEN_EXTRA[sym];
        if (nbits < extra) {
          bitbuf |= (pos < end ? buf[pos] : 0) << nbits;
          pos++;
          nbits += 8;
        }
        const len = LEN_BASE[sym] + (bitbuf & ((1 << extra) - 1));
        bitbuf >>>= extra;
        nbits -= extra;
        while (nbits <= 16) {
          bitbuf |= (pos < end ? buf[pos] : 0) << nbits;
          pos++;
          nbits += 8;
        }
        e = distFast[bitbuf & FAST_MASK];
        let d: number;
        if (e >= 0) {
          d = e >>> 4;
          bitbuf >>>= e & 15;
          nbits -= e & 15;
        } else {
          this.bitbuf = bitbuf;
          this.nbits = nbits;
          this.p = pos;
          d = this.decodeSlow(buf, dist);
          bitbuf = this.bitbuf;
          nbits = this.nbits;
          pos = this.p;
          if (d < 0) throw this.fault('it holds an invalid Huffman code', pos, nbits, end);
        }
        if (d >= 30) throw this.fault('it holds an invalid distance code', pos, nbits, end);
        const dextra = DIST_EXTRA[d];
        while (nbits <= 16) {
          bitbuf |= (pos < end ? buf[pos] : 0) << nbits;
          pos++;
          nbits += 8;
        }
        const distance = DIST_BASE[d] + (bitbuf & ((1 << dextra) - 1));
        bitbuf >>>= dextra;
        nbits -= dextra;
        if (distance > member) throw this.fault('it refers back before the start of its data', pos, nbits, end);
        member += len;
      }
      // Bits past the real end were zeros: reading them means the data was cut.
      if (pos > end && pos * 8 - nbits > end * 8) throw new Fault('truncated', 'it ends inside its compressed data');
      if (ended || member - startMember > room) break;
    }
    // Hand back whole unread bytes so the next chunk starts at a byte the buffer still holds.
    const back = nbits >>> 3;
    pos -= back;
    nbits -= back * 8;
    bitbuf &= (1 << nbits) - 1;
    if (pos > end) throw new Fault('truncated', 'it ends inside its compressed data');
    this.bitbuf = bitbuf;
    this.nbits = nbits;
    this.grow(member - this.member);
    if (ended) {
      if (this.last) {
        // The trailer starts at the next byte boundary.
        this.bitbuf = 0;
        this.nbits = 0;
        this.stage = Stage.Trailer;
      } else this.stage = Stage.BlockHeader;
    }
    return pos;
  }
}

/**
 * Measures the gzip data `stream` yields. Stops once it expands past `limit`. Throws a
 * HeaplensError 'truncated' (the data ends early) or 'corrupt' (it is damaged), with the byte
 * where it went wrong; `onProgress` gets input bytes read and bytes counted.
 */
export async function measureGzip(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  job: JobControl,
  onProgress?: (read: number, expanded: number) => void,
): Promise<GzipMeasure> {
  const m = new Measurer(limit);
  const reader = stream.getReader();
  let carry: Uint8Array = new Uint8Array(0);
  // Small chunks are gathered first, so the unread margin is not copied once per tiny chunk.
  const gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  let read = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (!done) {
        read += value.length;
        gathered.push(value);
        gatheredBytes += value.length;
        if (gatheredBytes < GATHER) continue;
      }
      let buf: Uint8Array;
      if (carry.length === 0 && gathered.length === 1) buf = gathered[0];
      else {
        buf = new Uint8Array(carry.length + gatheredBytes);
        buf.set(carry);
        let at = carry.length;
        for (const g of gathered) {
          buf.set(g, at);
          at += g.length;
        }
      }
      gathered.length = 0;
      gatheredBytes = 0;
      let pos: number;
      try {
        pos = m.run(buf, 0, done);
      } catch (e) {
        if (e instanceof Fault) throw faultError(e, m.base);
        throw e;
      }
      m.base += pos;
      carry = buf.subarray(pos);
      onProgress?.(read, m.total);
      if (m.total > limit) {
        await reader.cancel().catch(() => {});
        return { expanded: m.total, exceeded: true, members: m.members };
      }
      if (done) break;
      job.checkCancelled();
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  if (m.members === 0 || m.inHeader) throw faultError(new Fault('truncated', 'it ends inside a gzip header'), m.base);
  if (m.stage !== Stage.MemberHeader) throw faultError(new Fault('truncated', 'it ends inside its compressed data'), m.base);
  return { expanded: m.total, exceeded: false, members: m.members };
}

function faultError(f: Fault, at: number): HeaplensError {
  const where = `(near byte ${at.toLocaleString('en-US')})`;
  if (f.kind === 'truncated') {
    return new HeaplensError('truncated', `This gzip file is cut short: ${f.what} ${where}. It was probably cut off while downloading or copying; get the file again.`);
  }
  return new HeaplensError('corrupt', `This gzip file is damaged: ${f.what} ${where}.`);
}
