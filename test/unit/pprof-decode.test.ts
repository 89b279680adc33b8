// The pprof decoder and frames against `go tool pprof` (Go 1.19) on profiles written by Go's
// runtime/pprof, @datadog/pprof, gperftools and pprof itself (test/fixtures/pprof/README.md).
// The grouping below is reference code in the test, written from pprof's rules
// (internal/graph: NodeInfo per granularity, cum once per sample, flat to the leaf), so the
// numbers it derives from our decoded frames can only match pprof's if decode, frame order,
// inlining and drop_frames/keep_frames pruning are all right.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isHeaplensError } from '../../workers/api/errors.ts';
import { decodePprof, sniff, type PprofProfile } from '../../workers/formats/pprof/decode.ts';
import { pprofFrames, simplifyFunctionName, wholeNameRegExp, type PprofFrames } from '../../workers/formats/pprof/frames.ts';
import { readExpected, type TopSection, type TracesSection } from './pprof-expected.ts';

const dir = join(import.meta.dirname, '../fixtures/pprof');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.pb.gz')).sort();
const bytesOf = (name: string) => new Uint8Array(gunzipSync(readFileSync(join(dir, name))));

interface Loaded {
  profile: PprofProfile;
  frames: PprofFrames;
}
const cache = new Map<string, Loaded>();
function load(name: string): Loaded {
  let l = cache.get(name);
  if (!l) {
    const profile = decodePprof(bytesOf(name));
    l = { profile, frames: pprofFrames(profile) };
    cache.set(name, l);
  }
  return l;
}

let rowsCompared = 0;
let totalsCompared = 0;
let tracesCompared = 0;
afterAll(() => {
  console.log(`pprof: compared ${totalsCompared} totals, ${rowsCompared} -top rows and ${tracesCompared} -traces samples with go tool pprof`);
});

// --- reference grouping, after pprof's internal/graph ----------------------------------------

/** Go's filepath.Clean for the slash paths profiles carry. */
function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

type Granularity = TopSection['granularity'];

/** One graph node of pprof: its identity (NodeInfo) and its printable name. */
function nodeOf(l: Loaded, frame: number, g: Granularity): { key: string; name: string } {
  const { profile: p, frames: f } = l;
  const t = f.frames;
  const m = t.mapping[frame] >= 0 ? p.mappings[t.mapping[frame]] : null;
  const objfile = m?.filename ?? '';
  const objName = objfile ? `[${objfile.slice(objfile.lastIndexOf('/') + 1)}]` : '<unknown>';
  const address = g === 'addresses' ? t.addressHi[frame] * 2 ** 32 + t.addressLo[frame] : 0;
  const addrText = address ? `${address.toString(16).padStart(16, '0')} ` : '';
  if (t.unsymbolized[frame]) return { key: `u|${address}|${objfile}`, name: addrText + objName };
  const name = g === 'files' ? '' : p.strings[t.name[frame]];
  const fileRaw = g === 'functions' ? '' : p.strings[t.file[frame]];
  const file = fileRaw ? cleanPath(fileRaw) : '';
  const line = g === 'lines' || g === 'addresses' ? t.line[frame] : 0;
  const anonymous = name === '';
  const key = `s|${address}|${name}|${file}|${line}|${anonymous ? objfile : ''}|${anonymous ? t.startLine[frame] : 0}`;
  const parts = [name];
  if (line !== 0) parts.push(`${file}:${line}`);
  else if (file) parts.push(file);
  else if (!name) parts.push(objName);
  return { key, name: addrText + parts.filter(Boolean).join(' ') };
}

/** A sample's nodes root first, each location's frames outermost first, after pruning. */
function stackNodes(l: Loaded, s: number, g: Granularity): { key: string; name: string }[] {
  const { samples } = l.profile;
  const f = l.frames;
  const out: { key: string; name: string }[] = [];
  const start = samples.locationStart[s] + f.leafCut[s];
  for (let j = samples.locationStart[s + 1] - 1; j >= start; j--) {
    const loc = samples.location[j];
    for (let k = f.locationFrameStart[loc]; k < f.locationFrameStart[loc + 1]; k++) out.push(nodeOf(l, f.locationFrame[k], g));
  }
  return out;
}

interface Row {
  name: string;
  flat: number;
  cum: number;
}

function groupLikePprof(parts: { l: Loaded; sign: number }[], typeName: string, g: Granularity): Row[] {
  const rows = new Map<string, Row>();
  for (const { l, sign } of parts) {
    const p = l.profile;
    const t = p.sampleTypes.findIndex((st) => st.type === typeName);
    expect(t, `${typeName} in ${p.sampleTypes.map((s) => s.type)}`).toBeGreaterThanOrEqual(0);
    for (let s = 0; s < p.samples.length; s++) {
      const v = sign * p.samples.values[s * p.sampleTypes.length + t];
      if (v === 0) continue;
      const nodes = stackNodes(l, s, g);
      const seen = new Set<string>();
      for (const n of nodes) {
        let row = rows.get(n.key);
        if (!row) rows.set(n.key, (row = { name: n.name, flat: 0, cum: 0 }));
        if (!seen.has(n.key)) {
          seen.add(n.key);
          row.cum += v;
        }
      }
      if (nodes.length) rows.get(nodes[nodes.length - 1].key)!.flat += v;
    }
  }
  return [...rows.values()].filter((r) => r.flat !== 0 || r.cum !== 0);
}

const byName = (a: Row, b: Row) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.flat - b.flat || a.cum - b.cum);

function sumAbs(l: Loaded, typeName: string): number {
  const p = l.profile;
  const t = p.sampleTypes.findIndex((st) => st.type === typeName);
  let total = 0;
  for (let s = 0; s < p.samples.length; s++) total += Math.abs(p.samples.values[s * p.sampleTypes.length + t]);
  return total;
}

/** computeTotal: |values|, or only those of samples labelled pprof::base=true when there are any. */
function pprofTotal(l: Loaded, typeName: string): number {
  const p = l.profile;
  const t = p.sampleTypes.findIndex((st) => st.type === typeName);
  let all = 0;
  let base = 0;
  const { labelStart, labelKey, labelStr } = p.samples;
  for (let s = 0; s < p.samples.length; s++) {
    const v = Math.abs(p.samples.values[s * p.sampleTypes.length + t]);
    all += v;
    for (let j = labelStart[s]; j < labelStart[s + 1]; j++) {
      if (p.strings[labelKey[j]] === 'pprof::base' && p.strings[labelStr[j]] === 'true') base += v;
    }
  }
  return base > 0 ? base : all;
}

function compareTop(section: TopSection, parts: { l: Loaded; sign: number }[]) {
  const ours = groupLikePprof(parts, section.sampleIndex, section.granularity).sort(byName);
  const theirs = section.rows.map((r) => ({ name: r.name, flat: r.flat, cum: r.cum })).sort(byName);
  expect(ours, section.args.join(' ')).toEqual(theirs);
  rowsCompared += theirs.length;
}

// --- -traces: pprof merges equal samples first (profile.Merge), drops all-zero ones ----------

function tracesLikePprof(l: Loaded, typeName: string): { value: number; frames: { name: string; inline: boolean }[] }[] {
  const p = l.profile;
  const nt = p.sampleTypes.length;
  const t = p.sampleTypes.findIndex((st) => st.type === typeName);
  const { samples, locations } = p;
  const locKey = (i: number) => {
    const lines: string[] = [];
    for (let k = locations.lineStart[i]; k < locations.lineStart[i + 1]; k++) lines.push(`${locations.lineFunction[k]}:${locations.lineNumber[k]}`);
    return `${locations.mapping[i]}@${locations.addressHi[i]}:${locations.addressLo[i]}[${lines.join(',')}]`;
  };
  const merged = new Map<string, { first: number; values: number[] }>();
  for (let s = 0; s < samples.length; s++) {
    const locs: string[] = [];
    for (let j = samples.locationStart[s]; j < samples.locationStart[s + 1]; j++) locs.push(locKey(samples.location[j]));
    const labels: string[] = [];
    for (let j = samples.labelStart[s]; j < samples.labelStart[s + 1]; j++) {
      labels.push(`${p.strings[samples.labelKey[j]]}=${p.strings[samples.labelStr[j]]}/${samples.labelNum[j]}/${p.strings[samples.labelNumUnit[j]]}`);
    }
    const values = Array.from(samples.values.subarray(s * nt, (s + 1) * nt));
    if (values.every((v) => v === 0)) continue;
    const key = `${locs.join('|')}#${labels.sort().join(',')}`;
    const m = merged.get(key);
    if (m) m.values.forEach((_, i) => (m.values[i] += values[i]));
    else merged.set(key, { first: s, values });
  }
  const out: { value: number; frames: { name: string; inline: boolean }[] }[] = [];
  for (const { first, values } of merged.values()) {
    if (values.every((v) => v === 0)) continue;
    const f = l.frames;
    const frames: { name: string; inline: boolean }[] = [];
    // Leaf first, as pprof prints: each location's frames innermost first.
    const start = samples.locationStart[first] + f.leafCut[first];
    for (let j = start; j < samples.locationStart[first + 1]; j++) {
      const loc = samples.location[j];
      for (let k = f.locationFrameStart[loc + 1] - 1; k >= f.locationFrameStart[loc]; k--) {
        frames.push({ name: nodeOf(l, f.locationFrame[k], 'functions').name, inline: f.locationFrameInlined[k] === 1 });
      }
    }
    if (frames.length) out.push({ value: values[t], frames });
  }
  return out;
}

describe('pprof fixtures: totals, flat and cum per function, line and file equal go tool pprof', () => {
  for (const name of fixtures) {
    const base = name.replace(/\.pb\.gz$/, '');
    it(`${name}: every sample type, every granularity`, () => {
      const l = load(name);
      const sections = readExpected(join(dir, `${base}.expected.txt`));
      const types = new Set(sections.map((s) => s.sampleIndex));
      expect([...types].sort()).toEqual(l.profile.sampleTypes.map((t) => t.type).sort());
      for (const section of sections) {
        if (section.kind === 'top') {
          expect(pprofTotal(l, section.sampleIndex), section.args.join(' ')).toBe(section.total);
          totalsCompared++;
          compareTop(section, [{ l, sign: 1 }]);
        } else {
          const ours = tracesLikePprof(l, section.sampleIndex);
          expect(ours, section.args.join(' ')).toEqual((section as TracesSection).samples.map((s) => ({ value: s.value, frames: s.frames })));
          tracesCompared += ours.length;
        }
      }
    });
  }

  it('before/after: -diff_base per function, line and file (the base scaled by −1, % of the base total)', () => {
    const before = load('go-heap-before.pb.gz');
    const after = load('go-heap-after.pb.gz');
    const sections = readExpected(join(dir, 'go-heap-before-after.expected.txt'));
    expect(sections.length).toBe(12);
    for (const section of sections) {
      if (section.kind !== 'top') continue;
      expect(section.diffBase).toBe('go-heap-before.pb.gz');
      expect(sumAbs(before, section.sampleIndex)).toBe(section.total);
      totalsCompared++;
      compareTop(section, [
        { l: after, sign: 1 },
        { l: before, sign: -1 },
      ]);
    }
  });
});

describe('pprof decode: the fields a heap profile uses', () => {
  it('Go heap profiles: four sample types in Go order, a period, a numeric bytes label per sample', () => {
    const { profile: p } = load('go-heap-exact.pb.gz');
    expect(p.sampleTypes).toEqual([
      { type: 'alloc_objects', unit: 'count' },
      { type: 'alloc_space', unit: 'bytes' },
      { type: 'inuse_objects', unit: 'count' },
      { type: 'inuse_space', unit: 'bytes' },
    ]);
    expect(p.periodType).toEqual({ type: 'space', unit: 'bytes' });
    expect(p.period).toBe(1);
    expect(p.defaultSampleType).toBe('');
    expect(p.strings[0]).toBe('');
    expect(p.timeNanos).toBeGreaterThan(1.6e18);
    const keys = new Set(Array.from(p.samples.labelKey, (k) => p.strings[k]));
    expect(keys).toEqual(new Set(['bytes']));
    // Go labels every sample of a non-zero block size with it (a few runtime samples have none).
    expect(p.samples.labelStart[p.samples.length]).toBeGreaterThan(p.samples.length * 0.9);
    expect(p.samples.labelStart[p.samples.length]).toBeLessThanOrEqual(p.samples.length);
    expect(p.mappings[0].hasFunctions).toBe(true);
    expect(p.mappings[0].filename).toBe('/tmp/heaplens-pprof-fixtures/heapwork');
  });

  it('inlined frames: cache.payload inlined into (*Cache).Put is one location of two lines, caller outermost', () => {
    const { profile: p, frames: f } = load('go-heap-exact.pb.gz');
    let found = 0;
    for (let i = 0; i < p.locations.length; i++) {
      const k0 = f.locationFrameStart[i];
      if (f.locationFrameStart[i + 1] - k0 !== 2) continue;
      const labels = [f.frames.label[f.locationFrame[k0]], f.frames.label[f.locationFrame[k0 + 1]]];
      if (labels[1] === 'heaplens.example/heapwork/cache.payload') {
        expect(labels[0]).toBe('heaplens.example/heapwork/cache.(*Cache).Put');
        expect([f.locationFrameInlined[k0], f.locationFrameInlined[k0 + 1]]).toEqual([0, 1]);
        found++;
      }
    }
    expect(found).toBeGreaterThan(0);
  });

  it('a CPU profile: no memory sample type, string labels from pprof.Do, nanoseconds', () => {
    const { profile: p } = load('go-cpu.pb.gz');
    expect(p.sampleTypes).toEqual([
      { type: 'samples', unit: 'count' },
      { type: 'cpu', unit: 'nanoseconds' },
    ]);
    expect(p.durationNanos).toBeGreaterThan(0);
    const workers = new Set<string>();
    for (let j = 0; j < p.samples.labelKey.length; j++) if (p.strings[p.samples.labelKey[j]] === 'worker') workers.add(p.strings[p.samples.labelStr[j]]);
    expect(workers).toEqual(new Set(['alpha', 'beta']));
  });

  it('an empty profile: a sample type and no samples', () => {
    const { profile: p } = load('go-empty.pb.gz');
    expect(p.sampleTypes).toEqual([{ type: 'heaplens.empty', unit: 'count' }]);
    expect(p.samples.length).toBe(0);
  });

  it('the saved -diff_base merge: negative int64 values in 10-byte varints, pprof::base labels', () => {
    const { profile: p } = load('go-heap-diff.pb.gz');
    let negative = 0;
    for (const v of p.samples.values) if (v < 0) negative++;
    expect(negative).toBeGreaterThan(0);
    expect(Math.min(...p.samples.values)).toBeGreaterThan(-1e9);
  });

  it('gperftools: bare addresses in mappings, named 0x… (file); the legacy reader’s drop_frames', () => {
    const { profile: p, frames: f } = load('gperf-heap.pb.gz');
    expect(p.functions.length).toBe(0);
    expect(p.dropFrames).toContain('tc_malloc');
    expect(f.frames.label.every((s) => /^0x[0-9a-f]+ \((gperf|libc\.so\.6)\)$/.test(s))).toBe(true);
  });

  it('Node (@datadog/pprof): inuse_objects and inuse_space, string labels from generateLabels', () => {
    const { profile: p } = load('node-heap.pb.gz');
    expect(p.sampleTypes.map((t) => t.type)).toEqual(['inuse_objects', 'inuse_space']);
    const files = new Set(Array.from(p.samples.labelStr, (x) => p.strings[x]));
    expect(files).toContain('cache.cjs');
  });
});

// --- hand-built bytes for what no producer here writes ----------------------------------------

function varint(n: bigint): number[] {
  let v = BigInt.asUintN(64, n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}
const field = (f: number, wire: number) => varint(BigInt(f * 8 + wire));
const vfield = (f: number, v: number | bigint) => [...field(f, 0), ...varint(BigInt(v))];
const lfield = (f: number, body: number[]) => [...field(f, 2), ...varint(BigInt(body.length)), ...body];
const sfield = (s: string) => lfield(6, [...new TextEncoder().encode(s)]);

describe('pprof decode: wire details', () => {
  const strings = ['', 'alloc_space', 'bytes', 'f', 'f.go', 'https://example.test/doc', 'k', 'note'];
  const profile = [
    ...lfield(1, [...vfield(1, 1), ...vfield(2, 2)]),
    // Sample with non-packed location ids and values, a numeric label, an unknown fixed32 field.
    ...lfield(2, [...vfield(1, 1), ...vfield(1, 1), ...vfield(2, -5), ...lfield(3, [...vfield(1, 6), ...vfield(3, -(2n ** 40n)), ...vfield(4, 2)]), ...field(9, 5), 1, 2, 3, 4]),
    ...lfield(2, [...lfield(1, [...varint(1n)]), ...lfield(2, [...varint(BigInt(2 ** 53 - 1))])]),
    ...lfield(4, [...vfield(1, 1), ...vfield(3, 0xffffffff81000010n), ...lfield(4, [...vfield(1, 7), ...vfield(2, 12)]), ...vfield(5, 1)]),
    ...lfield(5, [...vfield(1, 7), ...vfield(2, 3), ...vfield(4, 4), ...vfield(5, 10)]),
    ...strings.flatMap(sfield),
    ...vfield(13, 7),
    ...vfield(14, 1),
    ...vfield(15, 5),
    ...vfield(9, -1),
    // An unknown length-delimited field past the known ones.
    ...lfield(99, [1, 2, 3]),
  ];
  const bytes = new Uint8Array(profile);

  it('non-packed repeats, negative int64, numbers up to 2^53, exact 64-bit addresses, doc_url, is_folded, comments', () => {
    const p = decodePprof(bytes);
    expect(p.samples.length).toBe(2);
    expect(Array.from(p.samples.values)).toEqual([-5, 2 ** 53 - 1]);
    expect(Array.from(p.samples.location)).toEqual([0, 0, 0]);
    expect(p.samples.labelNum[0]).toBe(-(2 ** 40));
    expect(p.strings[p.samples.labelNumUnit[0]]).toBe('bytes');
    expect([p.locations.addressHi[0], p.locations.addressLo[0]]).toEqual([0xffffffff, 0x81000010]);
    expect(p.locations.isFolded[0]).toBe(1);
    expect(p.functions.startLine[0]).toBe(10);
    expect(p.docUrl).toBe('https://example.test/doc');
    expect(p.comments).toEqual(['note']);
    expect(p.defaultSampleType).toBe('alloc_space');
    expect(p.timeNanos).toBe(-1);
    expect(sniff(bytes)).toBe(true);
  });

  it('string_table[0] must be ""', () => {
    const bad = new Uint8Array([...lfield(1, [...vfield(1, 0), ...vfield(2, 0)]), ...sfield('x')]);
    expect(() => decodePprof(bad)).toThrow(expect.objectContaining({ code: 'corrupt' }));
  });

  it('an unknown location id, a wrong value count: corrupt', () => {
    const unknown = new Uint8Array([...lfield(1, [...vfield(1, 1), ...vfield(2, 2)]), ...lfield(2, [...vfield(1, 9), ...vfield(2, 1)]), ...strings.flatMap(sfield)]);
    expect(() => decodePprof(unknown)).toThrow(expect.objectContaining({ code: 'corrupt' }));
    const count = new Uint8Array([...lfield(1, [...vfield(1, 1), ...vfield(2, 2)]), ...lfield(2, [...vfield(2, 1), ...vfield(2, 1)]), ...strings.flatMap(sfield)]);
    expect(() => decodePprof(count)).toThrow(expect.objectContaining({ code: 'corrupt' }));
  });
});

describe('pprof pruning rules', () => {
  it('names are cut at the first "(" except reserved C++ names, as pprof’s simplifyFunc', () => {
    expect(simplifyFunctionName('strings.(*Builder).WriteString')).toBe('strings.');
    expect(simplifyFunctionName('.foo(int)')).toBe('foo');
    expect(simplifyFunctionName('(anonymous namespace)::f(int)')).toBe('(anonymous namespace)::f');
    expect(simplifyFunctionName('Foo::operator()(int)')).toBe('Foo::operator()');
  });
  it('RE2 patterns match whole names', () => {
    const re = wholeNameRegExp('runtime\\..*|(?P<x>malloc)') as RegExp;
    expect(re.test('runtime.mallocgc')).toBe(true);
    expect(re.test('xruntime.f')).toBe(false);
    expect(re.test('malloc')).toBe(true);
    expect(re.test('mallocx')).toBe(false);
    expect((wholeNameRegExp('[[:digit:]]+') as RegExp).test('123')).toBe(true);
    expect(typeof wholeNameRegExp('(')).toBe('string');
  });
  it('the dropframes fixture really prunes: fewer functions than the same profile unpruned', () => {
    const pruned = readExpected(join(dir, 'go-heap-dropframes.expected.txt'))[0] as TopSection;
    const whole = readExpected(join(dir, 'go-heap-exact.expected.txt'))[0] as TopSection;
    expect(pruned.rows.length).toBeLessThan(whole.rows.length);
    expect(pruned.rows.some((r) => r.name === 'fmt.Sprintf')).toBe(true);
    expect(pruned.rows.some((r) => r.name === 'heaplens.example/heapwork/tree.Build')).toBe(false);
  });
});

const codes = new Set(['truncated', 'corrupt', 'not-a-profile', 'empty', 'too-big']);
/** Decode + frames; returns 'ok' or the HeaplensError's code, and lets any other exception fail the test. */
const attempt = (b: Uint8Array): string => {
  try {
    const p = decodePprof(b);
    pprofFrames(p);
    return 'ok';
  } catch (e) {
    if (!isHeaplensError(e)) throw e;
    expect(codes.has(e.code), e.code).toBe(true);
    expect(e.message.length).toBeGreaterThan(20);
    return e.code;
  }
};

describe('pprof decode: damaged and foreign bytes', () => {
  it('truncated at many offsets: a HeaplensError with a code, never another exception', () => {
    let tried = 0;
    const seen = new Map<string, number>();
    for (const name of fixtures) {
      const b = bytesOf(name);
      const step = Math.max(1, Math.floor(b.length / 97));
      for (let cut = 0; cut < b.length; cut += step) {
        const code = attempt(b.subarray(0, cut));
        seen.set(code, (seen.get(code) ?? 0) + 1);
        tried++;
      }
    }
    expect(seen.get('truncated')).toBeGreaterThan(tried / 2);
    console.log(`pprof truncations: ${tried} cuts → ${JSON.stringify(Object.fromEntries(seen))}`);
  });

  it('byte flips: a HeaplensError with a code or a profile, never another exception', () => {
    let tried = 0;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const name of fixtures) {
      const b = bytesOf(name);
      for (let k = 0; k < 60; k++) {
        const copy = b.slice();
        for (let flips = 1 + Math.floor(rand() * 3); flips > 0; flips--) copy[Math.floor(rand() * copy.length)] ^= 1 << Math.floor(rand() * 8);
        attempt(copy);
        tried++;
      }
    }
    expect(tried).toBe(fixtures.length * 60);
  });

  it('an empty file: code empty', () => {
    expect(attempt(new Uint8Array(0))).toBe('empty');
  });
});

describe('pprof sniff', () => {
  it('accepts every fixture from its first bytes (gunzipped)', () => {
    for (const name of fixtures) {
      const b = bytesOf(name);
      for (const n of [16, 64, 4096]) expect(sniff(b.subarray(0, n)), `${name} head ${n}`).toBe(true);
    }
  });

  it('rejects the repo’s other fixtures and text', () => {
    const others: string[] = [];
    for (const [sub, ext] of [
      ['tracemalloc', '.pickle'],
      ['heapsnapshot', '.heapsnapshot'],
      ['heapprofile', '.heapprofile'],
    ]) {
      const d = join(dir, '..', sub);
      for (const f of readdirSync(d).filter((f) => f.endsWith(ext))) others.push(join(d, f));
    }
    expect(others.length).toBeGreaterThan(10);
    for (const path of others) {
      const head = new Uint8Array(readFileSync(path).subarray(0, 4096));
      expect(sniff(head), path).toBe(false);
      expect(attempt(head), path).not.toBe('ok');
    }
    for (const text of ['Hello, this is a README about memory.\n', '{"nodes": []}', 'heap profile:   14:  1232 [ 14: 1232] @ heapprofile\n', '']) {
      expect(sniff(new TextEncoder().encode(text)), text).toBe(false);
    }
    console.log(`pprof sniff: rejected ${others.length} fixtures of other formats`);
  });
});
