// The pickle interpreter's fast paths (workers/formats/tracemalloc/pickle-fast.ts) only produce
// sooner what its general opcode loop produces: the same profile, or the same error, for every
// real dump and for hand-written pickles made to take each way out of them (a trace split by a
// FRAME, the same trace twice in the list, LONG1 sizes, 3-field traces, single APPENDs, …).
// The numbers themselves are tracemalloc's: tracemalloc.test.ts compares them with its output.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api/errors.ts';
import { parseTracemalloc } from '../../workers/formats/tracemalloc/snapshot.ts';
import { NO_JOB } from '../../workers/model/job.ts';
import type { Profile } from '../../workers/model/profile.ts';

const DIR = join(__dirname, '../fixtures/tracemalloc');
const dumps = [
  ...readdirSync(DIR)
    .filter((f) => f.endsWith('.pickle'))
    .map((f) => join(DIR, f)),
  join(__dirname, '../../public/examples/tornado-server.pickle'),
];

/** Typed arrays as one hex digest each (deep equality over millions of numbers is slow). */
function digest(a: Int32Array | Float64Array): string {
  return `${a.constructor.name}[${a.length}] ${createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex')}`;
}

/** A profile as digests of its tables, or the error it gave. */
async function outcome(bytes: Uint8Array, fastPaths: boolean) {
  try {
    const p: Profile = await parseTracemalloc(bytes, NO_JOB, fastPaths);
    return {
      meta: p.meta,
      strings: p.strings,
      frames: [p.frames.func, p.frames.file, p.frames.line, p.frames.column].map(digest),
      stacks: [p.stacks.frame, p.stacks.parent].map(digest),
      samples: [p.samples.stack, p.samples.domain!, ...p.samples.values].map(digest),
    };
  } catch (e) {
    if (!(e instanceof HeaplensError)) throw e;
    return { code: e.code, message: e.message };
  }
}

describe('fast paths = general loop', () => {
  it.each(dumps.map((f) => [f.split('/').pop()!, f]))('%s gives the same profile both ways', async (_name, file) => {
    const bytes = new Uint8Array(readFileSync(file));
    const fast = await outcome(bytes, true);
    expect(fast).not.toHaveProperty('code');
    expect(fast).toEqual(await outcome(bytes, false));
  });
});

/** Writes protocol-4 pickles of tracemalloc snapshots opcode by opcode, as Snapshot.dump() does. */
class Writer {
  readonly out: number[] = [];
  private memo = 0;
  private readonly strings = new Map<string, number>();

  op(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }
  memoize(): number {
    this.op(0x94);
    return this.memo++;
  }
  get(i: number): this {
    return i < 256 ? this.op(0x68, i) : this.op(0x6a, i & 255, (i >> 8) & 255, (i >> 16) & 255, i >>> 24);
  }
  int(v: number): this {
    if (v >= 0 && v < 256) return this.op(0x4b, v);
    if (v >= 0 && v < 65536) return this.op(0x4d, v & 255, v >> 8);
    if ((v | 0) === v) return this.op(0x4a, v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
    // LONG1: little-endian two's complement, as few bytes as hold the sign
    const bytes: number[] = [];
    let x = BigInt(v);
    do {
      bytes.push(Number(x & 255n));
      x >>= 8n;
    } while (!(x === 0n && (bytes.at(-1)! & 0x80) === 0) && !(x === -1n && (bytes.at(-1)! & 0x80) !== 0));
    return this.op(0x8a, bytes.length, ...bytes);
  }
  /** A string, memoized once and fetched from the memo afterwards (as pickle does). */
  str(s: string): this {
    const known = this.strings.get(s);
    if (known !== undefined) return this.get(known);
    const utf8 = new TextEncoder().encode(s);
    this.op(0x8c, utf8.length, ...utf8);
    this.strings.set(s, this.memoize());
    return this;
  }
  global(module: string, name: string): this {
    this.str(module).str(name).op(0x93);
    this.memoize();
    return this;
  }
  /** The frames tuple of a traceback, (filename, lineno) pairs most recent first; its memo index. */
  traceback(frames: [string, number][]): number {
    this.op(0x28);
    for (const [file, line] of frames) {
      this.str(file).int(line).op(0x86);
      this.memoize();
    }
    this.op(0x74);
    return this.memoize();
  }
  /** A traceback put in the memo ahead of its traces (and POPped off the stack). */
  tracebackAhead(frames: [string, number][]): number {
    const i = this.traceback(frames);
    this.op(0x30);
    return i;
  }
  frame(): this {
    return this.op(0x95, 0, 0, 0, 0, 0, 0, 0, 0); // FRAME: a length hint the reader skips
  }
}

type Trace = { domain?: number; size: number; tb: number; nframe?: number | null };

/** A whole dump: `body` writes the trace list's contents after EMPTY_LIST. */
function dump(body: (w: Writer) => void, limit = 25): Uint8Array {
  const w = new Writer();
  w.op(0x80, 4);
  w.global('tracemalloc', 'Snapshot').op(0x29, 0x81);
  w.memoize();
  w.op(0x7d);
  w.memoize();
  w.op(0x28).str('traces').global('tracemalloc', '_Traces').op(0x29, 0x81);
  w.memoize();
  w.op(0x7d);
  w.memoize();
  w.str('_traces').op(0x5d);
  w.memoize();
  body(w);
  w.op(0x73, 0x62); // SETITEM, BUILD: the _Traces' state
  w.str('traceback_limit').int(limit).op(0x75, 0x62, 0x2e); // SETITEMS, BUILD, STOP
  return Uint8Array.from(w.out);
}

/** One trace, as tracemalloc pickles it: MARK domain size frames [nframe] TUPLE MEMOIZE. */
function trace(w: Writer, t: Trace, tracebacks: number[], split = false): number {
  w.op(0x28).int(t.domain ?? 0);
  if (split) w.frame();
  w.int(t.size).get(tracebacks[t.tb]);
  if (t.nframe !== null) w.int(t.nframe ?? 2);
  w.op(0x74);
  return w.memoize();
}

const FRAMES: [string, number][][] = [
  [
    ['/app/a.py', 10],
    ['/app/main.py', 3],
  ],
  [
    ['/app/b.py', 70000],
    ['/app/main.py', 3],
  ],
];

function variant(make: (w: Writer, tbs: number[]) => void): Uint8Array {
  return dump((w) => {
    // The tracebacks are memoized before the list, so every trace gets its frames by a memo get.
    const tbs = FRAMES.map((f) => w.tracebackAhead(f));
    w.op(0x28);
    make(w, tbs);
    w.op(0x65); // APPENDS
  });
}

const VARIANTS: Record<string, Uint8Array> = {
  'traces in order': variant((w, tbs) => [10, 20, 30].forEach((size, i) => trace(w, { size, tb: i % 2 }, tbs))),
  'a trace split by FRAME': variant((w, tbs) => {
    trace(w, { size: 10, tb: 0 }, tbs);
    trace(w, { size: 20, tb: 1 }, tbs, true);
    trace(w, { size: 30, tb: 0 }, tbs);
  }),
  'the same trace twice': variant((w, tbs) => {
    const first = trace(w, { size: 10, tb: 0 }, tbs);
    trace(w, { size: 20, tb: 1 }, tbs);
    w.get(first);
  }),
  'sizes of 2^31 and more (LONG1), domains past BININT1': variant((w, tbs) => {
    trace(w, { size: 2 ** 31, tb: 0, domain: 7 }, tbs);
    trace(w, { size: 5 * 2 ** 30 + 3, tb: 1, domain: 70000 }, tbs);
    trace(w, { size: 2 ** 40, tb: 0, domain: -5 }, tbs);
  }),
  'a domain past 32 bits (LONG1)': variant((w, tbs) => trace(w, { size: 1, tb: 0, domain: 2 ** 32 - 1 }, tbs)),
  'total_nframe past the frames (truncated tracebacks)': variant((w, tbs) => {
    trace(w, { size: 1, tb: 0, nframe: 9 }, tbs);
    trace(w, { size: 1, tb: 1, nframe: 2 ** 31 }, tbs); // LONG1: not a trace row
  }),
  '3-field traces (Python ≤ 3.8, MARK … TUPLE)': variant((w, tbs) => [10, 20].forEach((size, i) => trace(w, { size, tb: i, nframe: null }, tbs))),
  '3-field traces (TUPLE3)': variant((w, tbs) => {
    w.int(0).int(10).get(tbs[0]).op(0x87);
    w.memoize();
    w.int(0).int(20).get(tbs[1]).op(0x87);
    w.memoize();
  }),
  '3 and 4 fields mixed': variant((w, tbs) => {
    trace(w, { size: 10, tb: 0 }, tbs);
    trace(w, { size: 20, tb: 1, nframe: null }, tbs);
  }),
  'one APPEND at a time, and an empty APPENDS': dump((w) => {
    const tbs = FRAMES.map((f) => w.tracebackAhead(f));
    trace(w, { size: 10, tb: 0 }, tbs);
    w.op(0x61);
    w.op(0x28, 0x65);
    trace(w, { size: 20, tb: 1 }, tbs);
    w.op(0x61);
  }),
  'a traceback written inside its first trace': dump((w) => {
    w.op(0x28);
    w.op(0x28).int(0).int(10);
    const tb = w.traceback(FRAMES[0]);
    w.int(2).op(0x74);
    w.memoize();
    w.op(0x28).int(0).int(20).get(tb).int(2).op(0x74);
    w.memoize();
    w.op(0x65);
  }),
  'a frame that is not (filename, lineno)': dump((w) => {
    w.op(0x28);
    w.op(0x28).str('/app/a.py').str('x').op(0x86);
    w.memoize();
    w.op(0x74);
    const tb = w.memoize();
    w.op(0x28).int(0).int(10).get(tb).int(1).op(0x74, 0x65);
  }),
  'a list of ints': variant((w) => w.int(1).int(2)),
  'traces not memoized (protocol 2 style, no MEMOIZE)': dump((w) => {
    const tbs = FRAMES.map((f) => w.tracebackAhead(f));
    w.op(0x28);
    for (const size of [10, 20]) w.op(0x28).int(0).int(size).get(tbs[0]).int(2).op(0x74);
    w.op(0x65);
  }),
  // The last 26 bytes close the list, the _Traces and the Snapshot; the 11 before are the trace.
  'cut in the middle of a trace': ((b) => b.subarray(0, b.length - 30))(variant((w, tbs) => trace(w, { size: 10, tb: 0 }, tbs))),
};

/** The variants that are not readable dumps, and the error code each gives. */
const FAILS: Record<string, string> = {
  '3 and 4 fields mixed': 'not-a-profile',
  'a frame that is not (filename, lineno)': 'not-a-profile',
  'a list of ints': 'not-a-profile',
  'cut in the middle of a trace': 'truncated',
};

describe('hand-written dumps take each way out of the fast paths', () => {
  it.each(Object.entries(VARIANTS))('%s: the same outcome both ways', async (name, bytes) => {
    const fast = await outcome(bytes, true);
    if (FAILS[name]) expect(fast).toMatchObject({ code: FAILS[name] });
    else expect(fast, JSON.stringify(fast)).not.toHaveProperty('code');
    expect(fast).toEqual(await outcome(bytes, false));
  });

  it('reads what was written', async () => {
    const p = await parseTracemalloc(VARIANTS['sizes of 2^31 and more (LONG1), domains past BININT1']);
    expect(Array.from(p.samples.values[0])).toEqual([2 ** 31, 5 * 2 ** 30 + 3, 2 ** 40]);
    expect(Array.from(p.samples.domain!)).toEqual([7, 70000, -5]);
    const twice = await parseTracemalloc(VARIANTS['the same trace twice']);
    expect(Array.from(twice.samples.values[0])).toEqual([10, 20, 10]);
    expect(Array.from(twice.samples.stack)).toEqual([twice.samples.stack[0], twice.samples.stack[1], twice.samples.stack[0]]);
    const deep = p.stacks.length; // main.py:3 → a.py:10 and main.py:3 → b.py:70000
    expect(deep).toBe(3);
    expect(p.frames.line[p.stacks.frame[p.samples.stack[1]]]).toBe(70000);
    const cut = await outcome(VARIANTS['cut in the middle of a trace'], true);
    expect(cut).toMatchObject({ code: 'truncated' });
    expect(await outcome(VARIANTS['3 and 4 fields mixed'], true)).toMatchObject({ code: 'not-a-profile', message: expect.stringMatching(/mixed/) });
    expect((await parseTracemalloc(VARIANTS['total_nframe past the frames (truncated tracebacks)'])).meta.truncatedSamples).toBe(2);
  });
});
