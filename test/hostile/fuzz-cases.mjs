// Fuzz cases for every input class heaplens reads, made deterministically from a seed (the same
// cases in test/unit/fuzz.test.ts and the browser sample in test/e2e/hostile.test.js):
// random bytes, truncations at every section boundary, byte flips, absurd header counts (near
// 2^32, products that overflow), deep nesting and huge strings, each built on real files of the
// format (test/fixtures, made by the producing tools).

import { gzipSync } from 'node:zlib';

/** A small deterministic generator (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  return next;
}

const enc = new TextEncoder();
const bytes = (s) => (typeof s === 'string' ? enc.encode(s) : Uint8Array.from(s));
const cat = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

function randomBytes(r, n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.int(256);
  return out;
}

function flips(r, seed, n) {
  const b = Uint8Array.from(seed);
  for (let k = 0; k < n; k++) b[r.int(b.length)] ^= 1 + r.int(255);
  return b;
}

/** Cuts at and around each boundary (-2 … +2), deduplicated and inside the file. */
function cutsAround(length, boundaries) {
  const out = new Set();
  for (const b of boundaries) for (let d = -2; d <= 2; d++) if (b + d > 0 && b + d < length) out.add(b + d);
  return [...out].sort((a, b) => a - b);
}

/** Every index of `needle` in `hay` (latin1 text), up to `max`. */
function indicesOf(hay, needle, max = 50) {
  const out = [];
  for (let at = hay.indexOf(needle); at >= 0 && out.length < max; at = hay.indexOf(needle, at + 1)) out.push(at);
  return out;
}

/** Cases shared by every class: random bytes, the format's first bytes then noise, flips, gzip of those. */
function* common(r, cls, seeds, magic, counts) {
  for (let k = 0; k < counts.random; k++) yield { name: `random ${k}`, bytes: randomBytes(r, 1 + r.int(4000)) };
  for (let k = 0; k < counts.random; k++) yield { name: `magic then noise ${k}`, bytes: cat(magic, randomBytes(r, r.int(3000))) };
  for (const seed of seeds) {
    for (let k = 0; k < counts.flips; k++) yield { name: `${seed.name}: ${1 + (k % 8)} flipped bytes #${k}`, bytes: flips(r, seed.bytes, 1 + (k % 8)) };
    const gz = gzipSync(seed.bytes);
    yield { name: `${seed.name}.gz cut in half`, bytes: gz.subarray(0, gz.length >> 1) };
    yield { name: `${seed.name}.gz, flipped`, bytes: flips(r, gz, 3) };
    yield { name: `${seed.name}, flipped, gzipped`, bytes: gzipSync(flips(r, seed.bytes, 4)) };
  }
  void cls;
}

// ——— tracemalloc: pickles ———

function* tracemalloc(r, seeds, scale) {
  yield* common(r, 'tracemalloc', seeds, [0x80, 0x05], { random: 40 * scale, flips: 60 * scale });
  // Truncations: every byte of the smallest dump covers every opcode and section boundary.
  const small = seeds.reduce((a, b) => (a.bytes.length <= b.bytes.length ? a : b));
  for (let cut = 1; cut < small.bytes.length; cut += scale >= 1 ? 1 : 7) yield { name: `${small.name} cut at ${cut}`, bytes: small.bytes.subarray(0, cut) };
  const pre = [0x80, 0x04];
  const u32 = (n) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
  const u64 = (lo, hi) => [...u32(lo), ...u32(hi)];
  // Absurd lengths and counts: strings, bytes, longs, frames and memo indices near 2^32 and 2^64.
  const absurd = {
    'BINUNICODE8 of 2^63 bytes': [0x8d, ...u64(0xffffffff, 0x7fffffff)],
    'BINUNICODE8 of 2^53+1 bytes': [0x8d, ...u64(1, 0x200000)],
    'BINBYTES8 of 2^40 bytes': [0x8e, ...u64(0, 0x100)],
    'BINUNICODE of 2^32-1 bytes': [0x58, ...u32(0xffffffff)],
    'BINBYTES of 2^31 bytes': [0x42, ...u32(0x80000000)],
    'LONG4 of 2^31-1 bytes': [0x8b, ...u32(0x7fffffff)],
    'FRAME of 2^64-1 bytes': [0x95, ...u64(0xffffffff, 0xffffffff)],
    'LONG_BINGET of memo 2^32-1': [0x6a, ...u32(0xffffffff)],
    'LONG_BINPUT at 2^32-1 then GET': [0x4e, 0x72, ...u32(0xffffffff), 0x6a, ...u32(0xffffffff), 0x2e],
    'BYTEARRAY8 of 2^62': [0x96, ...u64(0, 0x40000000)],
    'a negative LONG1 length': [0x8a, 0xff],
  };
  for (const [what, ops] of Object.entries(absurd)) yield { name: `absurd: ${what}`, bytes: Uint8Array.from([...pre, ...ops]) };
  // Deep nesting: a million MARKs, lists in lists, tuples in tuples.
  const deep = (n, open, close) => cat(Buffer.from(pre), Buffer.alloc(n, open), Buffer.alloc(n, close), Buffer.from([0x2e]));
  yield { name: 'deep: a million MARKs', bytes: cat(Buffer.from(pre), Buffer.alloc(1_000_000, 0x28), Buffer.from([0x2e])) };
  yield { name: 'deep: a million nested lists (EMPTY_LIST, APPEND)', bytes: cat(Buffer.from(pre), Buffer.alloc(1, 0x5d), Buffer.alloc(1_000_000 * 2).fill(Buffer.from([0x5d, 0x61])), Buffer.from([0x2e])) };
  yield { name: 'deep: a million nested 1-tuples', bytes: cat(Buffer.from(pre), Buffer.from([0x29]), Buffer.alloc(1_000_000, 0x85), Buffer.from([0x2e])) };
  yield { name: 'deep: MARK TUPLE pairs', bytes: deep(300_000, 0x28, 0x74) };
  // Huge strings inside a real dump's structure: a 64 MB file name (valid: it opens), a 64 MB
  // run of one opcode.
  const at = small.bytes.indexOf(0x8c, 80); // the first frame's SHORT_BINUNICODE file name
  if (at > 0) {
    const len = small.bytes[at + 1];
    const big = Buffer.alloc(64 << 20, 0x61);
    yield { name: 'huge: a 64 MB file name', bytes: cat(small.bytes.subarray(0, at), Buffer.from([0x58, ...u32(big.length)]), big, small.bytes.subarray(at + 2 + len)) };
  }
  yield { name: 'huge: 64 MB of NONE', bytes: cat(Buffer.from(pre), Buffer.alloc(64 << 20, 0x4e), Buffer.from([0x2e])) };
}

// ——— V8 heap snapshots and timelines ———

function* heapsnapshot(r, seeds, scale, cls) {
  yield* common(r, cls, seeds, '{"snapshot":{"meta":{"node_fields":', { random: 15 * scale, flips: 25 * scale });
  for (const seed of seeds) {
    const text = Buffer.from(seed.bytes).toString('latin1');
    // Truncations at and around every section's key, its '[', its middle and its ']'.
    const boundaries = [];
    for (const key of ['"snapshot"', '"meta"', '"node_count"', '"nodes"', '"edges"', '"trace_function_infos"', '"trace_tree"', '"samples"', '"locations"', '"strings"']) {
      const k = text.indexOf(key);
      if (k < 0) continue;
      const open = text.indexOf('[', k);
      const close = text.indexOf(']', open);
      boundaries.push(k, k + key.length + 1, open + 1, (open + close) >> 1, close, close + 1);
    }
    boundaries.push(seed.bytes.length - 1);
    for (const cut of cutsAround(seed.bytes.length, boundaries)) yield { name: `${seed.name} cut at ${cut}`, bytes: seed.bytes.subarray(0, cut) };
    // Absurd counts: near 2^32, past it, products of counts and fields past 2^53, not numbers.
    const withCounts = (n, m) => Buffer.from(text.replace(/"node_count":\d+/, `"node_count":${n}`).replace(/"edge_count":\d+/, `"edge_count":${m}`), 'latin1');
    const counts = [
      [2 ** 32 - 1, 10],
      [2 ** 32, 10],
      [10, 2 ** 32 - 1],
      [10, 2 ** 32 + 1],
      [2 ** 31, 2 ** 31],
      [2 ** 53, 1],
      [2 ** 53 + 2, 2 ** 60],
      ['1e308', 1],
      [-1, 0],
      [0, 0],
      [1.5, 2],
      ['"41110"', 0],
      ['null', 'null'],
    ];
    for (const [n, m] of counts) yield { name: `${seed.name} with node_count ${n}, edge_count ${m}`, bytes: withCounts(n, m) };
    yield { name: `${seed.name} with 300 node fields`, bytes: Buffer.from(text.replace('"node_fields":[', `"node_fields":[${'"x",'.repeat(300)}`), 'latin1') };
    yield { name: `${seed.name} without node fields`, bytes: Buffer.from(text.replace(/"node_fields":\[[^\]]*\]/, '"node_fields":[]'), 'latin1') };
    yield { name: `${seed.name} with 1000 node types`, bytes: Buffer.from(text.replace('"node_types":[[', `"node_types":[[${'"t",'.repeat(1000)}`), 'latin1') };
    yield { name: `${seed.name} with its sections twice`, bytes: Buffer.from(text.replace(/}\s*$/, `,"nodes":[0]}`), 'latin1') };
    yield { name: `${seed.name} with edges pointing past the nodes`, bytes: Buffer.from(text.replace(/"edges":\[(\d+),(\d+),(\d+)/, '"edges":[$1,$2,4294967295'), 'latin1') };
    yield { name: `${seed.name} with a node name past the strings`, bytes: Buffer.from(text.replace(/"nodes":\[(\d+),(\d+),/, '"nodes":[$1,4000000000,'), 'latin1') };
  }
  const head = Buffer.from(seeds[0].bytes).toString('latin1');
  const meta = head.slice(head.indexOf('"meta":') + 7, head.indexOf(',"node_count"'));
  const snap = (sections) => Buffer.from(`{"snapshot":{"meta":${meta},"node_count":1,"edge_count":0,"trace_function_count":0},"nodes":[9,0,1,0,0,0,0],"edges":[],${sections}}`, 'latin1');
  // Deep nesting: a million levels in the trace tree and in a section heaplens skips.
  yield { name: 'deep: trace_tree a million levels deep', bytes: snap(`"trace_function_infos":[],"trace_tree":${'[1,0,0,0,'.repeat(1_000_000)}${']'.repeat(1_000_001)},"strings":[""]`) };
  yield { name: 'deep: an unknown section a million arrays deep', bytes: snap(`"future":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)},"strings":[""]`) };
  yield { name: 'deep: a header nested a million deep', bytes: Buffer.from(`{"snapshot":{"meta":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}},"nodes":[]}`) };
  // Huge strings: one 64 MB string, a million empty strings, a 64 MB section name, 64 MB of spaces.
  yield { name: 'huge: a 64 MB string', bytes: snap(`"strings":["","${'a'.repeat(64 << 20)}"]`) };
  yield { name: 'huge: a string of 64 MB of escapes', bytes: snap(`"strings":["","${'\\u00e9'.repeat(10 << 20)}"]`) };
  yield { name: 'huge: a million strings', bytes: snap(`"strings":[${'"",'.repeat(1_000_000)}""]`) };
  yield { name: 'huge: a 64 MB section name', bytes: Buffer.from(`{"${'k'.repeat(64 << 20)}":1}`) };
  yield { name: 'huge: 64 MB of spaces between sections', bytes: snap(`${' '.repeat(64 << 20)}"strings":[""]`) };
  yield { name: 'huge: samples of 16 M numbers', bytes: snap(`"samples":[${'0,'.repeat(16 << 20)}0],"strings":[""]`) };
}

// ——— V8 sampling heap profiles (JSON) ———

function* heapprofile(r, seeds, scale) {
  yield* common(r, 'heapprofile', seeds, '{"head":{"callFrame":{', { random: 30 * scale, flips: 60 * scale });
  for (const seed of seeds) {
    const text = Buffer.from(seed.bytes).toString('latin1');
    const boundaries = [...indicesOf(text, '"children"', 40), ...indicesOf(text, '"callFrame"', 40), text.indexOf('"samples"'), text.indexOf('"head"'), ...indicesOf(text, '}', 40), seed.bytes.length - 1];
    for (const cut of cutsAround(seed.bytes.length, boundaries)) yield { name: `${seed.name} cut at ${cut}`, bytes: seed.bytes.subarray(0, cut) };
    const swap = (what, from, to) => ({ name: `${seed.name} with ${what}`, bytes: Buffer.from(text.replace(from, to), 'latin1') });
    yield swap('a selfSize of 1e308', /"selfSize":\d+/, '"selfSize":1e308');
    yield swap('a selfSize of -1', /"selfSize":\d+/, '"selfSize":-1');
    yield swap('a selfSize that is a string', /"selfSize":\d+/, '"selfSize":"12"');
    yield swap('an id of 2^53', /"id":\d+/, '"id":9007199254740993');
    yield swap('children that is a number', /"children":\[/, '"children":7,"x":[');
    yield swap('a callFrame that is a string', /"callFrame":\{/, '"callFrame":"x","y":{');
    yield swap('a functionName that is an object', /"functionName":"[^"]*"/, '"functionName":{"a":1}');
    yield swap('a lineNumber of 2^32', /"lineNumber":\d+/, '"lineNumber":4294967296');
    yield swap('samples that is an object', /"samples":\[/, '"samples":{"a":[');
  }
  const frame = '"callFrame":{"functionName":"f","scriptId":"1","url":"a.js","lineNumber":1,"columnNumber":1}';
  const nested = (depth) => `{"head":${`{${frame},"selfSize":8,"id":1,"children":[`.repeat(depth)}${']}'.repeat(depth)},"samples":[]}`;
  yield { name: 'deep: a call tree 100,000 deep', bytes: bytes(nested(100_000)) };
  yield { name: 'deep: a call tree 1,000,000 deep', bytes: bytes(nested(1_000_000)) };
  yield { name: 'deep: arrays a million deep', bytes: bytes(`{"head":{${frame},"selfSize":1,"id":1,"children":[]},"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`) };
  yield { name: 'huge: a 64 MB function name', bytes: bytes(`{"head":{${frame.replace('"f"', `"${'f'.repeat(64 << 20)}"`)},"selfSize":1,"id":1,"children":[]},"samples":[]}`) };
  yield { name: 'huge: 2 million samples', bytes: bytes(`{"head":{${frame},"selfSize":1,"id":1,"children":[]},"samples":[${'{"size":1,"nodeId":1,"ordinal":1},'.repeat(2_000_000)}{"size":1,"nodeId":1,"ordinal":1}]}`) };
}

// ——— heaplens' compact form (JSON) ———

function* compact(r, seeds, scale) {
  yield* common(r, 'compact', seeds, '{"heaplens":1,', { random: 30 * scale, flips: 60 * scale });
  for (const seed of seeds) {
    const text = Buffer.from(seed.bytes).toString('latin1');
    const boundaries = ['"meta"', '"valueTypes"', '"strings"', '"frames"', '"stacks"', '"samples"', '"values"'].map((k) => text.indexOf(k)).filter((k) => k >= 0);
    boundaries.push(seed.bytes.length - 1);
    for (const cut of cutsAround(seed.bytes.length, boundaries)) yield { name: `${seed.name} cut at ${cut}`, bytes: seed.bytes.subarray(0, cut) };
    const swap = (what, from, to) => ({ name: `${seed.name} with ${what}`, bytes: Buffer.from(text.replace(from, to), 'latin1') });
    yield swap('frames.func a number', /"func":\[/, '"func":5,"x":[');
    yield swap('stacks.frame a string', /"frame":\[/, '"frame":"abc","x":[');
    yield swap('a stack parent of 2^32', /"parent":\[-1/, '"parent":[4294967296');
    yield swap('samples.values of other lengths', /"values":\[\[/, '"values":[[1,2,3],[');
    yield swap('values holding strings', /"values":\[\[/, '"values":[["x",');
    yield swap('strings that are numbers', /"strings":\["/, '"strings":[1,"');
    yield swap('no value types', /"valueTypes":\[/, '"valueTypes":null,"x":[');
    yield swap('a frame line of 1e308', /"line":\[/, '"line":[1e308,');
    yield swap('heaplens 2', '"heaplens":1', '"heaplens":2');
  }
  yield { name: 'deep: meta a million arrays deep', bytes: bytes(`{"heaplens":1,"meta":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`) };
  yield { name: 'huge: 4 million frames', bytes: bytes(`{"heaplens":1,"meta":{"format":"tracemalloc"},"valueTypes":[],"strings":["a"],"frames":{"func":[${'0,'.repeat(4 << 20)}0],"file":[0],"line":[0],"column":[0]},"stacks":{"frame":[],"parent":[]},"samples":{"stack":[],"values":[]}}`) };
  yield { name: 'huge: a 64 MB string', bytes: bytes(`{"heaplens":1,"meta":{"format":"tracemalloc"},"strings":["${'s'.repeat(64 << 20)}"]}`) };
}

// ——— pprof profile.proto ———

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const field = (f, wire) => varint(f * 8 + wire);
const lenField = (f, payload) => [...field(f, 2), ...varint(payload.length), ...payload];

/** Offsets of the top-level fields of a profile.proto (where a cut falls between fields). */
function protoFields(b) {
  const out = [];
  let pos = 0;
  try {
    while (pos < b.length && out.length < 2000) {
      out.push(pos);
      let tag = 0n;
      let shift = 0n;
      for (;;) {
        const c = b[pos++];
        tag |= BigInt(c & 0x7f) << shift;
        shift += 7n;
        if (!(c & 0x80)) break;
      }
      const wire = Number(tag & 7n);
      if (wire === 0) while (b[pos++] & 0x80);
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        let len = 0;
        let s = 1;
        for (;;) {
          const c = b[pos++];
          len += (c & 0x7f) * s;
          s *= 128;
          if (!(c & 0x80)) break;
        }
        out.push(pos, pos + (len >> 1));
        pos += len;
      } else break;
    }
  } catch {
    /* a seed is well formed; nothing to do */
  }
  return out;
}

function* pprof(r, seeds, scale) {
  yield* common(r, 'pprof', seeds, [0x0a, 0x04, 0x08, 0x01, 0x10, 0x02], { random: 30 * scale, flips: 60 * scale });
  for (const seed of seeds) {
    for (const cut of cutsAround(seed.bytes.length, protoFields(seed.bytes).slice(0, 120))) yield { name: `${seed.name} cut at ${cut}`, bytes: seed.bytes.subarray(0, cut) };
  }
  const str = (s) => lenField(6, [...bytes(s)]);
  const valueType = lenField(1, [...field(1, 0), ...varint(1), ...field(2, 0), ...varint(2)]);
  const base = [...valueType, ...str(''), ...str('space'), ...str('bytes')];
  const huge = (n) => varint(n);
  const cases = {
    'a length of 2^63': [...base, ...field(2, 2), ...huge(2n ** 63n)],
    'a length of 2^32 + 1': [...base, ...field(2, 2), ...huge(2 ** 32 + 1)],
    'a varint of 2^64 - 1 as an id': [...base, ...lenField(4, [...field(1, 0), ...huge(2n ** 64n - 1n)])],
    'an 11-byte varint': [...base, ...field(7, 0), ...Array(10).fill(0xff), 0x01],
    'a packed list of 2^31 bytes': [...base, ...lenField(2, [...field(1, 2), ...huge(2 ** 31)])],
    'a string index of 2^32': [...base, ...lenField(5, [...field(1, 0), 1, ...field(2, 0), ...huge(2 ** 32)])],
    'a sample with a million values': [...base, ...lenField(2, [...field(2, 2), ...varint(1_000_000), ...Array(1_000_000).fill(1)])],
    'a million locations in one sample': [...base, ...lenField(2, [...field(1, 2), ...varint(1_000_000), ...Array(1_000_000).fill(1)])],
    'a start-group wire type, nested deep': [...base, ...Array(100_000).fill(field(20, 3)).flat(), ...Array(100_000).fill(field(20, 4)).flat()],
    'a location id 0 and an id past 2^53': [...base, ...lenField(4, [...field(1, 0), 0]), ...lenField(4, [...field(1, 0), ...huge(2n ** 53n + 2n)])],
  };
  for (const [what, b] of Object.entries(cases)) yield { name: `absurd: ${what}`, bytes: Uint8Array.from(b) };
  yield { name: 'huge: a 64 MB string', bytes: Buffer.concat([Buffer.from(base), Buffer.from([...field(6, 2), ...varint(64 << 20)]), Buffer.alloc(64 << 20, 0x61)]) };
  yield { name: 'huge: 2 million strings', bytes: Buffer.concat([Buffer.from(base), Buffer.alloc(2_000_000 * 2).fill(Buffer.from([0x32, 0x00]))]) };
}

const MAKERS = { tracemalloc, heapsnapshot, heaptimeline: heapsnapshot, heapprofile, compact, pprof };

/**
 * The cases of one input class. `seeds` are real files of it ({name, bytes}, gzip unwrapped);
 * `scale` multiplies the random and flipped ones (1 in the suite, less for a browser sample).
 */
export function fuzzCases(cls, seeds, options = {}) {
  return [...eachFuzzCase(cls, seeds, options)];
}

/** The same cases one at a time (the huge ones are not all held at once). */
export function* eachFuzzCase(cls, seeds, { seed = 13, scale = 1 } = {}) {
  const make = MAKERS[cls];
  if (!make) throw new Error(`no fuzz cases for ${cls}`);
  yield* make(rng(seed), seeds, scale, cls);
}
