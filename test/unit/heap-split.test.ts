// A heap snapshot read on two threads (workers/formats/heapsnapshot/edge-range.ts, readSplit in
// scanner.ts) is the snapshot read on one: the same graph from every fixture, through the
// in-thread helper and through the CLI's worker thread (the bundle's, as users run it), and the
// same graph or the same error when the helper gives up, disagrees, fails, or meets a layout
// other than V8's.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeEdgeHelper } from '../../cli/edge-helper.ts';
import { fileBlob } from '../../cli/file-source.ts';
import { findEdges, readEdgeRange } from '../../workers/formats/heapsnapshot/edge-range.ts';
import type { EdgeRange, EdgeRangeHelper, SnapshotSplit } from '../../workers/formats/heapsnapshot/edge-range-types.ts';
import { parseHeapSnapshot } from '../../workers/formats/heapsnapshot/scanner.ts';
import type { HeapGraph } from '../../workers/model/heap-graph.ts';
import { HEAP_FIXTURE_DIR, heapFixtures } from '../reference/heap-fixtures.ts';

const bundleWorker = new URL('../../dist-cli/edge-worker.mjs', import.meta.url);

/** The CLI worker's work on this thread: the same findEdges and readEdgeRange, the Blob's own reads. */
const inThreadHelper: EdgeRangeHelper = (blob, task) => {
  const bounds = findEdges(blob);
  const range = bounds.then((b) => (b ? readEdgeRange(blob.slice(b.start, b.end + 1).stream(), task, b) : null));
  return { bounds, range, cancel: () => {} };
};

const sequential = (bytes: Uint8Array) => parseHeapSnapshot(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(), bytes.length);
const split = (bytes: Uint8Array, helper: EdgeRangeHelper, blob: Blob = new Blob([bytes as Uint8Array<ArrayBuffer>])) =>
  parseHeapSnapshot(blob.stream(), bytes.length, undefined, undefined, { blob, helper, minBytes: 0 } satisfies SnapshotSplit);

/** A helper that records what it answered. */
function watched(inner: EdgeRangeHelper) {
  const seen: { ranges: (EdgeRange | null)[] } = { ranges: [] };
  const helper: EdgeRangeHelper = (blob, task) => {
    const job = inner(blob, task);
    return { ...job, range: job.range.then((r) => (seen.ranges.push(r), r)) };
  };
  return { helper, seen };
}

/**
 * The graph for a whole comparison: every typed array as its bytes (with its kind), so one
 * snapshot's millions of elements compare at once; the rest as it is.
 */
function columns(g: HeapGraph): unknown {
  const flat = (x: unknown): unknown => {
    if (ArrayBuffer.isView(x)) return `${x.constructor.name}:${Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64')}`;
    if (Array.isArray(x) || x === null || typeof x !== 'object') return x;
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, flat(v)]));
  };
  // The details say how the edges were read; everything else is the same.
  return flat({ ...g, meta: { ...g.meta, producerDetails: g.meta.producerDetails?.replace('; edges read on a second thread', '') } });
}

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('a heap snapshot read on two threads', () => {
  for (const name of heapFixtures()) {
    it(`${name}: the same graph as on one thread, the helper's edges taken`, async () => {
      const bytes = new Uint8Array(readFileSync(join(HEAP_FIXTURE_DIR, name)));
      const { helper, seen } = watched(inThreadHelper);
      const one = await sequential(bytes);
      const two = await split(bytes, helper);
      expect(seen.ranges).toHaveLength(1);
      expect(seen.ranges[0]?.count).toBe(one.edgeCount);
      expect(columns(two)).toEqual(columns(one));
      expect(two.meta.producerDetails).toMatch(/; edges read on a second thread$/);
      expect(one.meta.producerDetails).not.toMatch(/second thread/);
    });
  }

  it("through the CLI's worker thread (the bundle): the same graph, the edges from the thread", async () => {
    const path = join(HEAP_FIXTURE_DIR, 'node-after.heapsnapshot');
    const bytes = new Uint8Array(readFileSync(path));
    const { helper, seen } = watched(nodeEdgeHelper(bundleWorker));
    const one = await sequential(bytes);
    const two = await split(bytes, helper, fileBlob(path, bytes.length));
    expect(seen.ranges[0]?.count).toBe(one.edgeCount);
    expect(columns(two)).toEqual(columns(one));
  });

  it('a tiled snapshot (",\\n" between records, as bench/tile_heapsnapshot.mjs writes): the helper reads it, the same graph', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-split-'));
    const out = join(dir, 'tiled.heapsnapshot');
    execFileSync(process.execPath, [join(import.meta.dirname, '../../bench/tile_heapsnapshot.mjs'), join(HEAP_FIXTURE_DIR, 'node-plain.heapsnapshot'), out, '8']);
    const bytes = new Uint8Array(readFileSync(out));
    rmSync(dir, { recursive: true });
    expect(new TextDecoder().decode(bytes.subarray(0, 200_000))).toMatch(/\d,\n\d/);
    const { helper, seen } = watched(inThreadHelper);
    const one = await sequential(bytes);
    expect(columns(await split(bytes, helper))).toEqual(columns(one));
    expect(seen.ranges[0]?.count).toBe(one.edgeCount);
  });

  it('the same graph when the helper gives up, disagrees on the bounds, or fails', async () => {
    const bytes = new Uint8Array(readFileSync(join(HEAP_FIXTURE_DIR, 'node-plain.heapsnapshot')));
    const one = columns(await sequential(bytes));
    const helpers: Record<string, EdgeRangeHelper> = {
      'no bounds': () => ({ bounds: Promise.resolve(null), range: Promise.resolve(null), cancel() {} }),
      'bounds, then no edges': (blob, task) => ({ ...inThreadHelper(blob, task), range: Promise.resolve(null) }),
      'bounds one byte off': (blob, task) => {
        const job = inThreadHelper(blob, task);
        return { ...job, bounds: job.bounds.then((b) => b && { ...b, start: b.start + 1 }) };
      },
      'a range short of the header count': (blob, task) => {
        const job = inThreadHelper(blob, task);
        return { ...job, range: job.range.then((r) => r && { ...r, count: r.count - 1 }) };
      },
      'a rejected promise': () => ({ bounds: Promise.reject(new Error('thread died')), range: Promise.reject(new Error('thread died')), cancel() {} }),
      'a throw': () => {
        throw new Error('no threads here');
      },
    };
    for (const [what, helper] of Object.entries(helpers)) expect(columns(await split(bytes, helper)), what).toEqual(one);
  });

  it('re-serialized snapshots: compact JSON (no line breaks, as Chromium writes) is read by the helper, indented JSON by the scanner', async () => {
    const json = JSON.parse(readFileSync(join(HEAP_FIXTURE_DIR, 'node-plain.heapsnapshot'), 'utf8'));
    for (const [text, helped] of [
      [JSON.stringify(json), true],
      [JSON.stringify(json, null, 1), false],
    ] as const) {
      const bytes = new TextEncoder().encode(text);
      const { helper, seen } = watched(inThreadHelper);
      const one = await sequential(bytes);
      expect(columns(await split(bytes, helper))).toEqual(columns(one));
      expect(seen.ranges.map((r) => r?.count ?? null)).toEqual([helped ? one.edgeCount : null]);
    }
  });

  it('a damaged edges section: the error the one-thread read gives, at the same byte', async () => {
    const text = readFileSync(join(HEAP_FIXTURE_DIR, 'node-plain.heapsnapshot'), 'latin1');
    const edges = text.indexOf('"edges":[');
    const cases: Record<string, string> = {
      'one edge too many in the header': text.replace(/"edge_count":(\d+)/, (_, n) => `"edge_count":${Number(n) + 1}`),
      'one edge too few in the header': text.replace(/"edge_count":(\d+)/, (_, n) => `"edge_count":${Number(n) - 1}`),
      'a target that is no node': text.slice(0, edges + 5000) + text.slice(edges + 5000).replace(/\n,(\d+),(\d+),(\d+)/, (_, t, n, to) => `\n,${t},${n},${Number(to) + 1}`),
      'a letter among the numbers': text.slice(0, edges + 9000) + text.slice(edges + 9000).replace(/\n,(\d+),/, (_, t) => `\n,${t}x,`),
      'cut inside the edges': text.slice(0, edges + 20000),
    };
    for (const [what, damaged] of Object.entries(cases)) {
      const bytes = new Uint8Array(Buffer.from(damaged, 'latin1'));
      const expected = await errorOf(sequential(bytes));
      expect(await errorOf(split(bytes, inThreadHelper)), what).toBe(expected);
    }
  });
});
