// Files made to exhaust memory: the two gzip bombs of issue 13 (a few MB that expand past 2 GB
// of a valid-looking heap snapshot and tracemalloc dump), heap snapshot headers whose counts
// need more memory than the budget, kept sections that grow past it, and a big gzip that is
// measured before it is held. Times and peak memory are measured by bench/hostile.js, not here.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, openAsBlob, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api/errors.ts';
import type { Progress } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { BOMB_BYTES, bombs, heapSnapshotParts, smallHeapSnapshotGz, smallTracemallocGz, tracemallocParts, whole } from '../hostile/bombs.mjs';

const CLI = join(__dirname, '../../cli/heaplens.js');
const made = bombs();

async function refusal(open: Promise<unknown>): Promise<HeaplensError> {
  try {
    await open;
  } catch (e) {
    expect(e, (e as Error)?.stack).toBeInstanceOf(HeaplensError);
    return e as HeaplensError;
  }
  throw new Error('opened');
}

describe('the gzip bombs of issue 13', () => {
  it('are valid-looking: the same builders at a small size open, in heaplens and in Python', async () => {
    const engine = createEngine();
    const heap = await engine.open(smallHeapSnapshotGz(1000), 'small.heapsnapshot.gz');
    expect(heap.heap?.nodeCount).toBe(1000);
    const dump = await engine.open(smallTracemallocGz(1000), 'small.pickle.gz');
    expect(dump.total).toEqual({ size: 64_000, count: 1000 });
    // The producing tool's own reader takes the dump as a snapshot.
    const file = join(mkdtempSync(join(tmpdir(), 'heaplens-small-')), 'small.pickle');
    writeFileSync(file, whole(tracemallocParts(1000)));
    const py = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import sys, tracemalloc; s = tracemalloc.Snapshot.load(sys.argv[1]); print(len(s.traces), sum(t.size for t in s.traces))', file],
      { encoding: 'utf8' },
    );
    expect(py.stdout.trim(), py.stderr).toBe('1000 64000');
  });

  it('are a few MB that expand past 2 GB', async () => {
    const { heap, pickle } = await made;
    for (const f of [heap, pickle]) expect(statSync(f).size).toBeLessThan(5 * 1024 ** 2);
    const expanded = (p: { head: Buffer; unit: Buffer; count: number; tail: Buffer }) => p.head.length + p.unit.length * p.count + p.tail.length;
    expect(expanded(heapSnapshotParts(Math.ceil(BOMB_BYTES / 14)))).toBeGreaterThan(2e9);
    expect(expanded(tracemallocParts(Math.ceil(BOMB_BYTES / 16)))).toBeGreaterThan(2 * 1024 ** 3);
  }, 120_000);

  it('the heap snapshot bomb is refused at its header, by the memory its counts need', async () => {
    const { heap } = await made;
    const e = await refusal(createEngine().open(await openAsBlob(heap), 'bomb.heapsnapshot.gz'));
    expect(e.code).toBe('too-big');
    expect(e.message).toMatch(/announces 157,142,858 nodes and 0 edges; opening it takes about 11\.71 GiB of memory .* more than the 8\.00 GiB heaplens allows itself/);
  }, 120_000);

  it('the tracemalloc bomb is refused once it expands past 2 GiB, with the way out', async () => {
    const { pickle } = await made;
    const seen: Progress[] = [];
    const e = await refusal(createEngine().open(await openAsBlob(pickle), 'bomb.pickle.gz', 1, (p) => seen.push(p)));
    expect(e.code).toBe('too-big');
    expect(e.message).toBe(
      'This gzip file expands past 2.00 GiB; heaplens reads tracemalloc dumps up to 2.00 GiB. ' +
        'Filter it in Python first (snapshot.filter_traces(...)) or take it with a smaller traceback limit.',
    );
    // Progress counted compressed bytes and the bytes unpacked, up to the limit.
    const last = seen.at(-1)!;
    expect(last.total).toBe(statSync(pickle).size);
    expect(last.expanded).toBeGreaterThan(2 * 1024 ** 3);
  }, 120_000);

  it('the CLI says the same on stderr and exits 1', async () => {
    const { heap, pickle } = await made;
    for (const [file, message] of [
      [heap, /^heaplens: This heap snapshot announces 157,142,858 nodes/],
      [pickle, /^heaplens: This gzip file expands past 2\.00 GiB; heaplens reads tracemalloc dumps up to 2\.00 GiB/],
    ] as const) {
      const r = spawnSync(process.execPath, [CLI, 'summary', file], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);
});

describe('memory a heap snapshot asks for', () => {
  const snapshot = readFileSync(join(__dirname, '../fixtures/heapsnapshot/node-plain.heapsnapshot'));
  const nodes = 41110;
  const edges = 183545;

  it('counts whose estimate passes the budget are refused before anything is allocated, with the figures', async () => {
    const needs = nodes * 80 + edges * 14;
    const tight = createEngine({ memoryBudget: needs - 1 });
    const e = await refusal(tight.open(snapshot, 'plain.heapsnapshot'));
    expect(e.code).toBe('too-big');
    expect(e.message).toMatch(/announces 41,110 nodes and 183,545 edges; opening it takes about 5\.6 MiB/);
    const enough = await createEngine({ memoryBudget: needs + 64_000_000 }).open(snapshot, 'plain.heapsnapshot');
    expect(enough.heap?.nodeCount).toBe(nodes);
  });

  it('absurd counts near 2^32, and products past 2^53, are refused as lies or as too big, never allocated', async () => {
    for (const [n, m] of [
      [2 ** 32 - 2, 0],
      [2 ** 32 + 5, 10],
      [1, 2 ** 40],
      [2 ** 52, 2 ** 52],
    ]) {
      const text = snapshot.toString('latin1').replace(/"node_count":\d+/, `"node_count":${n}`).replace(/"edge_count":\d+/, `"edge_count":${m}`);
      for (const bytes of [Buffer.from(text, 'latin1'), gzipSync(Buffer.from(text, 'latin1'))]) {
        const e = await refusal(createEngine().open(bytes, 'lie.heapsnapshot'));
        expect(['truncated', 'corrupt', 'too-big'], `${n}/${m}: ${e.message}`).toContain(e.code);
      }
    }
  });

  it('a strings section that grows past what the budget leaves is stopped while it is read', async () => {
    // A valid header with 3 nodes, then a strings section of 200,000 strings (≈ 7 MB of memory).
    const head = snapshot.toString('latin1').slice(0, snapshot.indexOf('"node_count"'));
    const text =
      `${head}"node_count":3,"edge_count":0,"trace_function_count":0},"nodes":[0,0,1,0,0,0,0,0,0,3,0,0,0,0,0,0,5,0,0,0,0],"edges":[],` +
      `"strings":[${Array.from({ length: 200_000 }, (_, i) => `"s${i}"`).join(',')}]}`;
    const bytes = gzipSync(Buffer.from(text));
    const e = await refusal(createEngine({ memoryBudget: 2_000_000 }).open(bytes, 'strings.heapsnapshot.gz'));
    expect(e.code).toBe('too-big');
    expect(e.message).toMatch(/strings and allocation sections need more than/);
    const s = await createEngine({ memoryBudget: 64_000_000 }).open(bytes, 'strings.heapsnapshot.gz');
    expect(s.heap?.nodeCount).toBe(3);
  });
});

describe('a big gzip that is not a bomb', () => {
  it('past 64 MiB unpacked, is measured first and read into one buffer of its exact size', async () => {
    const traces = 4_500_000; // 72 MB unpacked
    const gz = gzipSync(whole(tracemallocParts(traces)), { level: 1 });
    const seen: Progress[] = [];
    const s = await createEngine().open(new Blob([gz]), 'big.pickle.gz', 1, (p) => seen.push(p));
    expect(s.total).toEqual({ size: 64 * traces, count: traces });
    expect(Math.max(...seen.map((p) => p.expanded ?? 0))).toBe(whole(tracemallocParts(1)).length + 16 * (traces - 1));
  }, 120_000);
});
