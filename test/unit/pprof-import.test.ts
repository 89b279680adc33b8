// What the pprof importer makes of a file beyond the numbers (pprof-engine.test.ts checks those
// against go tool pprof): value types with kinds, pairs and pprof's default, the metadata a
// reader needs, labels kept through the compact form, label words, and the messages for a
// damaged file, a CPU profile and an empty one; the CLI's --value, --tag, --group-label, --limit 0.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api/errors.ts';
import { parseFilters, parseFilterWord } from '../../workers/api/filter-syntax.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { decodePprof } from '../../workers/formats/pprof/decode.ts';
import { pprofFrames } from '../../workers/formats/pprof/frames.ts';
import { toProfile } from '../../workers/formats/pprof/to-profile.ts';
import { NO_JOB } from '../../workers/model/job.ts';
import { readExpected, type TopSection } from './pprof-expected.ts';

const dir = join(import.meta.dirname, '../fixtures/pprof');
const CLI = join(import.meta.dirname, '../../cli/heaplens.js');
const bytes = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const heaplens = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('pprof value types', () => {
  it('a Go heap profile: four types, sizes paired with counts, the last (inuse_space) by default as pprof', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes('go-heap-exact.pb.gz'), 'go-heap-exact.pb.gz');
    expect(s.format).toBe('pprof');
    expect(s.capabilities.valueTypes).toEqual([
      { name: 'alloc_objects', unit: 'count', kind: 'count' },
      { name: 'alloc_space', unit: 'bytes', kind: 'size' },
      { name: 'inuse_objects', unit: 'count', kind: 'count' },
      { name: 'inuse_space', unit: 'bytes', kind: 'size' },
    ]);
    expect(s.capabilities.defaultValue).toBe('inuse_space');
    expect(s.capabilities.labelKeys).toEqual(['bytes']);
    expect(s.period).toEqual({ type: 'space', unit: 'bytes', value: 1 });
    expect(s.sampled).toBe(false);
    expect(s.captureTime).toBeGreaterThan(Date.UTC(2020, 0));
    // The pair: ranking by alloc_objects reports alloc_space as the size and the objects as the count.
    const top = engine.top(s.id, { by: 'function', value: 'alloc_objects', limit: 1 });
    const [objects, space] = [0, 1];
    expect(top.groups.rows[0].count).toBe(top.groups.rows[0].values[objects]);
    expect(top.groups.rows[0].size).toBe(top.groups.rows[0].values[space]);
    expect(top.total.size).toBe(top.total.values[space]);
  });

  it('the sampled Go profile says it is sampled (every 512 KiB)', async () => {
    const s = await createEngine().open(bytes('go-heap-sampled.pb.gz'), 'x');
    expect(s.sampled).toBe(true);
    expect(s.period).toEqual({ type: 'space', unit: 'bytes', value: 524288 });
    expect(s.producer).toBe('pprof profile (alloc_objects, alloc_space, inuse_objects, inuse_space; one sample every 512.0 KiB)');
  });

  it('default_sample_type, when the file names one, is the default', async () => {
    // go-heap-exact with default_sample_type (field 14) set to the string "alloc_space".
    const raw = new Uint8Array(gunzipSync(bytes('go-heap-exact.pb.gz')));
    const engine = createEngine();
    const plain = await engine.open(raw, 'plain');
    expect(plain.capabilities.defaultValue).toBe('inuse_space');
    const strings: string[] = [];
    // Find "alloc_space" in the string table by decoding the strings we need: it is the text
    // the sample types name, so the index is the one sample_type 2's type field points at.
    const at = findStringIndex(raw, 'alloc_space', strings);
    const withDefault = new Uint8Array([...raw, 14 << 3, ...varint(at)]);
    const s = await engine.open(withDefault, 'with default');
    expect(s.capabilities.defaultValue).toBe('alloc_space');
    expect(engine.top(s.id, { by: 'function', limit: 1 }).value).toBe('alloc_space');
  });

  it('a CPU profile opens in its own units, cpu paired with samples, and says it holds no memory', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes('go-cpu.pb.gz'), 'go-cpu.pb.gz');
    expect(s.capabilities.valueTypes).toEqual([
      { name: 'samples', unit: 'count', kind: 'count' },
      { name: 'cpu', unit: 'nanoseconds', kind: 'time' },
    ]);
    expect(s.capabilities.defaultValue).toBe('cpu');
    expect(s.notices.join(' ')).toMatch(/not a memory profile \(cpu\/nanoseconds; no sample type counts bytes\)\. heaplens shows it in its own units: samples \(count\), cpu \(nanoseconds\)/);
    expect(s.producer).toBe('pprof profile (samples, cpu; one sample every 10 ms)');
    expect(s.durationNanos).toBeGreaterThan(1e9);
    const top = engine.top(s.id, { by: 'function', limit: 1 });
    // No size in a CPU profile: size stays 0, count is the samples, the values carry the time.
    expect(top.total.size).toBe(0);
    expect(top.total.count).toBe(top.total.values[0]);
    expect(top.total.values[1]).toBe(850000000);
  });

  it('an empty profile opens and says there are no samples', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes('go-empty.pb.gz'), 'go-empty.pb.gz');
    expect(s.sampleCount).toBe(0);
    expect(s.notices[0]).toMatch(/holds no samples \(heaplens\.empty\)/);
    expect(engine.top(s.id, { by: 'function' }).groups.total).toBe(0);
  });

  it('a damaged protobuf is refused as damaged, with where', async () => {
    const raw = new Uint8Array(gunzipSync(bytes('go-heap-exact.pb.gz')));
    // A sample's location list claims more bytes than its message holds.
    const damaged = raw.slice();
    const sample = firstValueOf(damaged, 2);
    expect(damaged[sample] & 7).toBe(2); // the sample's first field is packed (values or locations)…
    damaged[sample + 1] = 0x7f; // …and now longer than the whole sample
    const err = await createEngine()
      .open(gzipSync(damaged), 'damaged.pb.gz')
      .then(() => null, (e) => e);
    expect(err).toBeInstanceOf(HeaplensError);
    expect((err as HeaplensError).code).toBe('corrupt');
    expect((err as Error).message).toMatch(/^This pprof profile is damaged: .* at byte \d+/);
  });

  it('a comment and doc_url reach the summary', async () => {
    const s = await createEngine().open(bytes('go-heap-dropframes.pb.gz'), 'x');
    expect(s.comments).toEqual(["drop_frames and keep_frames set by heaplens' fixture generator"]);
    expect(s.docUrl).toBeNull();
  });
});

describe('pprof labels', () => {
  it('label words: keys, values, alternatives, numeric ranges with pprof units, negation', () => {
    expect(parseFilterWord('tag:worker=alpha')).toEqual({ inclusive: true, label: { key: 'worker', values: ['alpha'] } });
    expect(parseFilterWord('!tag:worker=alpha,beta')).toEqual({ inclusive: false, label: { key: 'worker', values: ['alpha', 'beta'] } });
    expect(parseFilterWord('tag:bytes=1kb:4kb')).toEqual({ inclusive: true, label: { key: 'bytes', values: ['1kb:4kb'], ranges: [[1024, 4096]] } });
    expect(parseFilterWord('tag:bytes=:64b')).toEqual({ inclusive: true, label: { key: 'bytes', values: [':64b'], ranges: [[null, 64]] } });
    expect(parseFilterWord('tag:bytes=32')).toEqual({ inclusive: true, label: { key: 'bytes', values: ['32'], ranges: [[32, 32]] } });
    expect(parseFilterWord('tag:file')).toEqual({ inclusive: true, label: { key: 'file' } });
    expect(parseFilters('tag:=x').error).toMatch(/names no label/);
    expect(parseFilters('tag:k=').error).toMatch(/empty value/);
    // Frame words still mean what they meant.
    expect(parseFilterWord('*cache*')).toEqual({ inclusive: true, pattern: '*cache*', line: null, allFrames: false });
  });

  it('a label filter combines with frame filters by "and" (pprof: -tagfocus with -focus)', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes('go-cpu.pb.gz'), 'cpu');
    const total = (filters: ReturnType<typeof parseFilters>['filters']) => engine.top(s.id, { by: 'file', filters, limit: 0 }).total.values[1];
    const alpha = total(parseFilters('tag:worker=alpha').filters);
    const beta = total(parseFilters('tag:worker=beta').filters);
    expect(alpha + beta).toBe(850000000);
    expect(total(parseFilters('tag:worker=alpha,beta').filters)).toBe(850000000);
    expect(total(parseFilters('tag:worker=alpha tag:worker=beta').filters)).toBe(0);
    expect(total(parseFilters('!tag:worker=alpha').filters)).toBe(beta);
    const asm = total(parseFilters('*.s').filters);
    expect(asm).toBeGreaterThan(0);
    const both = total(parseFilters('*.s tag:worker=alpha').filters);
    expect(both).toBeGreaterThan(0);
    expect(both).toBeLessThan(Math.min(asm, alpha));
  });

  it('an unknown label key is an error naming the keys there are', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes('go-cpu.pb.gz'), 'cpu');
    expect(() => engine.top(s.id, { by: 'file', filters: parseFilters('tag:nope=1').filters })).toThrow(/no label "nope"; its samples carry "worker"/);
    expect(() => engine.top(s.id, { by: 'file', groupLabel: 'nope' })).toThrow(/no label "nope" to group by/);
    const t = await engine.open(bytes('node-heap.pb.gz'), 'node');
    expect(() => engine.top(t.id, { by: 'file', filters: parseFilters('tag:worker').filters })).toThrow(/its samples carry "file"/);
  });

  it('the compact form keeps labels: grouping under a label and label filters give the same rows after a round trip', async () => {
    const engine = createEngine();
    let compared = 0;
    for (const [name, key, word] of [
      ['go-heap-exact.pb.gz', 'bytes', 'tag:bytes=:64b'],
      ['go-cpu.pb.gz', 'worker', 'tag:worker=beta'],
      ['node-heap.pb.gz', 'file', 'tag:file=cache.cjs'],
    ] as const) {
      const original = await engine.open(bytes(name), name);
      const again = await engine.open(await engine.exportCompact(original.id), `${name}.heaplens.json.gz`);
      expect(again.format).toBe('pprof');
      expect(again.capabilities.labelKeys).toEqual(original.capabilities.labelKeys);
      expect(again.capabilities.defaultValue).toBe(original.capabilities.defaultValue);
      for (const q of [
        { by: 'traceback' as const, groupLabel: key },
        { by: 'function' as const, mode: 'inclusive' as const, groupLabel: key },
        { by: 'line' as const, filters: parseFilters(word).filters },
      ]) {
        const rows = (id: number) => engine.top(id, q).groups.rows.map(({ frames, values }) => ({ frames, values }));
        const before = rows(original.id);
        expect(before.length).toBeGreaterThan(0);
        expect(rows(again.id), `${name} ${JSON.stringify(q)}`).toEqual(before);
        compared++;
      }
    }
    expect(compared).toBe(9);
  });
});

describe('diffs match groups by what they are grouped by', () => {
  // Two tiny profiles in heaplens' compact form: function f at line 12 in the base, at lines 10
  // and 12 in the head. By function, f is one group in both, though its first line moved.
  const compact = (lines: number[], sizes: number[]) =>
    new TextEncoder().encode(
      JSON.stringify({
        heaplens: 1,
        meta: { format: 'pprof', producer: 'test', tracebackLimit: null, truncatedSamples: 0, captureTime: null, hasFunctionNames: true, sampled: false, functionsByName: true },
        valueTypes: [
          { name: 'inuse_space', unit: 'bytes', kind: 'size', pair: 'inuse_objects' },
          { name: 'inuse_objects', unit: 'count', kind: 'count' },
        ],
        strings: ['', 'f', 'f.go', 'main', 'main.go'],
        frames: { func: [3, ...lines.map(() => 1)], file: [4, ...lines.map(() => 2)], line: [1, ...lines], column: [-1, ...lines.map(() => -1)] },
        stacks: { frame: [0, ...lines.map((_, i) => i + 1)], parent: [-1, ...lines.map(() => 0)] },
        samples: { stack: lines.map((_, i) => i + 1), values: [sizes, sizes.map(() => 1)] },
      }),
    );

  it('a function whose first line moved is one row, changed, not one gone and one new', async () => {
    const engine = createEngine();
    const base = await engine.open(compact([12], [100]), 'base.heaplens.json');
    const head = await engine.open(compact([10, 12], [50, 100]), 'head.heaplens.json');
    const rows = engine.diff(head.id, base.id, { by: 'function' }).groups.rows;
    expect(rows.map((r) => [r.frames[0].function, r.status, r.sizeDiff])).toEqual([['f', 'changed', 50]]);
    // By line the two lines stay apart: line 10 is new.
    const lines = engine.diff(head.id, base.id, { by: 'line' }).groups.rows;
    expect(lines.map((r) => [r.frames[0].line, r.status, r.sizeDiff])).toEqual([
      [10, 'new', 50],
      [12, 'same', 0],
    ]);
  });
});

describe('pprof in the CLI', () => {
  const heap = join(dir, 'go-heap-exact.pb.gz');

  it('--value with a type the file lacks: exit 1, naming the types it has', () => {
    const r = heaplens('top', heap, '--value', 'heap_space');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has no value type "heap_space"; it has alloc_objects, alloc_space, inuse_objects, inuse_space/);
    expect(heaplens('top', heap, '--value', '').status).toBe(2);
  });

  it('--limit 0 prints every row, in text and JSON', () => {
    const all = JSON.parse(heaplens('top', heap, '--by', 'line', '--limit', '0', '--json').stdout);
    expect(all.rows.length).toBe(all.groupCount);
    expect(all.rows.length).toBeGreaterThan(10);
    const text = heaplens('top', heap, '--by', 'line', '--limit', '0').stdout;
    expect(text.match(/^#\d+: /gm)!.length).toBe(all.groupCount);
    expect(text).not.toMatch(/other:/);
  });

  it('--tag and --group-label equal -tagfocus and -tagroot (functions, JSON)', () => {
    const sections = readExpected(join(dir, 'go-cpu.labels.expected.txt')).filter((s): s is TopSection => s.kind === 'top' && s.granularity === 'functions');
    let rows = 0;
    for (const section of sections) {
      const extra = section.tagroot ? ['--group-label', section.tagroot] : ['--tag', section.tagfocus!];
      const run = (mode: string[]) => JSON.parse(heaplens('top', join(dir, 'go-cpu.pb.gz'), '--by', 'function', '--value', section.sampleIndex, '--limit', '0', ...extra, ...mode, '--json').stdout);
      const [self, inclusive] = [run([]), run(['--inclusive'])];
      expect(self.total.values[section.sampleIndex]).toBe(section.shown);
      const ours = new Map<string, { name: string; flat: number; cum: number }>();
      for (const [out, field] of [
        [self, 'flat'],
        [inclusive, 'cum'],
      ] as const) {
        for (const r of out.rows) {
          const name = r.frames[0].function;
          const row = ours.get(name) ?? { name, flat: 0, cum: 0 };
          row[field] = r.values[section.sampleIndex];
          ours.set(name, row);
        }
      }
      const sort = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
      expect([...ours.values()].filter((r) => r.flat || r.cum).sort(sort)).toEqual(section.rows.map((r) => ({ name: r.name, flat: r.flat, cum: r.cum })).sort(sort));
      rows += ours.size;
    }
    expect(rows).toBeGreaterThan(5);
  });

  it('text output names the ranked sample type and formats it by unit', () => {
    const cpu = heaplens('top', join(dir, 'go-cpu.pb.gz'), '--by', 'function', '--limit', '1').stdout;
    expect(cpu).toMatch(/^\[ Top 1 functions of \d+ in go-cpu\.pb\.gz by cpu \]/);
    expect(cpu).toMatch(/#1: .*main\.go:\d+ \(main\.spin\): 550ms cpu \(64\.7%\)/);
    expect(cpu).toMatch(/Total cpu: 850ms/);
    const objects = heaplens('top', heap, '--by', 'function', '--value', 'alloc_objects', '--limit', '1').stdout;
    expect(objects).toMatch(/#1: .*\(heaplens\.example\/heapwork\/cache\.\(\*Cache\)\.Put\): 452 alloc_objects \(size=[\d.]+ KiB, 44\.4%\)/);
  });
});

// --- bytes helpers for the hand-made variants above ------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    v += (b & 0x7f) * mul;
    if (b < 0x80) return [v, pos];
    mul *= 128;
  }
}

/** Top-level fields of a profile: [field, wire, start of value, end]. */
function* fields(buf: Uint8Array): Generator<[number, number, number, number, number]> {
  let pos = 0;
  while (pos < buf.length) {
    const at = pos;
    const [tag, p] = readVarint(buf, pos);
    const f = Math.floor(tag / 8);
    const w = tag & 7;
    if (w === 0) {
      const [, e] = readVarint(buf, p);
      yield [f, w, p, e, at];
      pos = e;
    } else if (w === 2) {
      const [len, s] = readVarint(buf, p);
      yield [f, w, s, s + len, at];
      pos = s + len;
    } else throw new Error(`wire type ${w}`);
  }
}

function findStringIndex(buf: Uint8Array, text: string, seen: string[]): number {
  for (const [f, , s, e] of fields(buf)) if (f === 6) seen.push(new TextDecoder().decode(buf.subarray(s, e)));
  const i = seen.indexOf(text);
  if (i < 0) throw new Error(`no string ${text}`);
  return i;
}

/** Where the first occurrence of a length-delimited field's bytes start. */
function firstValueOf(buf: Uint8Array, field: number): number {
  for (const [f, , s] of fields(buf)) if (f === field) return s;
  throw new Error(`no field ${field}`);
}

describe('pprof stacks', () => {
  it('every sample lands on the stack of its own frames, with wide and narrow call trees alike (fast-check, encoded by pprof-format)', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Stacks as root-first function numbers. Up to 24 functions, so a node has up to 24
        // children: past the trie's list length (8) and under it.
        fc.array(fc.tuple(fc.array(fc.nat(23), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1000 })), { minLength: 1, maxLength: 200 }),
        async (spec) => {
          const table = new StringTable();
          const name = (i: number) => `fn${i}`;
          const functions = Array.from({ length: 24 }, (_, i) => new PprofFunction({ id: i + 1, name: table.dedup(name(i)), systemName: table.dedup(name(i)), filename: table.dedup('app.go') }));
          const locations = functions.map((f, i) => new Location({ id: i + 1, line: [new Line({ functionId: f.id, line: 10 + i })] }));
          const samples = spec.map(([stack, value]) => new Sample({ locationId: [...stack].reverse().map((i) => i + 1), value: [value] }));
          const profile = new Profile({
            sampleType: [new ValueType({ type: table.dedup('alloc_space'), unit: table.dedup('bytes') })],
            sample: samples,
            location: locations,
            function: functions,
            stringTable: table,
          });
          // What each distinct root-first path holds, from the input alone.
          const want = new Map<string, number>();
          for (const [stack, value] of spec) {
            const key = stack.map(name).join(' > ');
            want.set(key, (want.get(key) ?? 0) + value);
          }
          const decoded = decodePprof(profile.encode());
          const model = await toProfile(decoded, pprofFrames(decoded), NO_JOB);
          const { parent, frame, length } = model.stacks;
          // One stack per (parent, frame), parents first.
          const seen = new Set<string>();
          for (let i = 0; i < length; i++) {
            expect(parent[i]).toBeLessThan(i);
            const key = `${parent[i]},${frame[i]}`;
            expect(seen.has(key), `stack ${i} repeats ${key}`).toBe(false);
            seen.add(key);
          }
          const pathOf = (st: number): string[] => (st < 0 ? [] : [...pathOf(parent[st]), model.strings[model.frames.func[frame[st]]]]);
          const got = new Map<string, number>();
          for (let i = 0; i < model.samples.length; i++) {
            const key = pathOf(model.samples.stack[i]).join(' > ');
            got.set(key, (got.get(key) ?? 0) + model.samples.values[0][i]);
          }
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  });
});
