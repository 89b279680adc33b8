// V8 heap snapshots made by real Node and Chromium (test/fixtures/heapsnapshot/make_fixtures.mjs).
// The reference is memlab's own loader and dominator pass (@memlab/core), run here on the same
// files: node and edge counts, total size and every node's retained size must be equal.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api.ts';
import { createEngine } from '../../workers/engine.ts';
import { analyzeHeap } from '../../workers/analysis/dominators.ts';
import { parseHeapSnapshot } from '../../workers/formats/heapsnapshot.ts';

const DIR = join(__dirname, '../fixtures/heapsnapshot');
const FIXTURES = ['node-plain', 'node-tracked', 'node-before', 'node-after', 'chromium-detached'];
const require = createRequire(import.meta.url);
const memlabDir = join(__dirname, '../../node_modules/@memlab/core/dist');
const HeapParser = require(join(memlabDir, 'lib/HeapParser.js')).default;
const TraceFinder = require(join(memlabDir, 'paths/TraceFinder.js')).default;

const bytesOf = (name: string) => new Uint8Array(readFileSync(join(DIR, `${name}.heapsnapshot`)));
const parse = (bytes: Uint8Array) => parseHeapSnapshot(new Blob([bytes]).stream(), bytes.length);

describe('heap snapshots agree with memlab', () => {
  for (const name of FIXTURES) {
    it(`${name}: counts, total size and every node's retained size`, async () => {
      const graph = await parse(bytesOf(name));
      const ours = analyzeHeap(graph);
      const heap = await HeapParser.parse(join(DIR, `${name}.heapsnapshot`));
      new TraceFinder().calculateAllNodesRetainedSizes(heap);
      expect(graph.nodeCount).toBe(heap.nodes.length);
      expect(graph.edgeCount).toBe(heap.edges.length);
      let total = 0;
      const differences: string[] = [];
      heap.nodes.forEach((node: { nodeIndex: number; self_size: number; retainedSize: number; name: string }) => {
        total += node.self_size;
        if (ours.retainedSize[node.nodeIndex] !== node.retainedSize) {
          differences.push(`${node.nodeIndex} ${node.name}: memlab ${node.retainedSize}, ours ${ours.retainedSize[node.nodeIndex]}`);
        }
      });
      expect(ours.totalSize).toBe(total);
      expect(ours.retainedSize[0]).toBe(total); // the root retains everything
      expect(differences.slice(0, 10)).toEqual([]);
    });
  }
});

describe('what the workload built', () => {
  it('the class summary counts the Leaky, Session and Secret objects the script made', async () => {
    const engine = createEngine();
    const s = await engine.open(bytesOf('node-plain'), 'node-plain.heapsnapshot');
    expect(s.format).toBe('heapsnapshot');
    const classes = engine.heapClasses(s.id, {}).rows;
    const byName = new Map(classes.map((c) => [c.name, c]));
    expect(byName.get('Leaky')?.count).toBe(300);
    expect(byName.get('Session')?.count).toBe(200);
    expect(byName.get('Secret')?.count).toBe(50);
    // Each Leaky retains at least its own payload array: retained > shallow.
    expect(byName.get('Leaky')!.retainedSize).toBeGreaterThan(byName.get('Leaky')!.shallowSize);
  });

  it('the second snapshot of the same process has 150 more Leaky and 100 fewer Session', async () => {
    const engine = createEngine();
    const before = await engine.open(bytesOf('node-before'), 'before');
    const after = await engine.open(bytesOf('node-after'), 'after');
    const count = (id: number, name: string) => engine.heapClasses(id, { filter: name }).rows.find((r) => r.name === name)?.count;
    expect(count(after.id, 'Leaky')! - count(before.id, 'Leaky')!).toBe(150);
    expect(count(before.id, 'Session')! - count(after.id, 'Session')!).toBe(100);
  });

  it('a Leaky object\'s retainer path reaches the root through the global "leaks" array', async () => {
    const engine = createEngine();
    const s = await engine.open(bytesOf('node-plain'), 'node-plain.heapsnapshot');
    const leaky = engine.heapClasses(s.id, { filter: 'Leaky' }).rows.find((r) => r.name === 'Leaky')!;
    const objects = engine.heapObjects(s.id, leaky.classId, 0, 5);
    expect(objects.total).toBe(300);
    const paths = engine.heapRetainers(s.id, objects.rows[0].node, 3);
    expect(paths.length).toBeGreaterThan(0);
    const path = paths[0];
    expect(path[0].object.className).toBe('Leaky');
    expect(path.at(-1)!.object.node).toBe(0); // the root
    expect(path.some((step) => step.edge === 'leaks')).toBe(true);
    // Objects along the path get closer to the root at each step.
    for (let i = 1; i < path.length; i++) expect(path[i].object.distance).toBeLessThan(path[i - 1].object.distance);
  });

  it('what an object dominates: the leaks array keeps its Leaky objects alive', async () => {
    const engine = createEngine();
    const s = await engine.open(bytesOf('node-plain'), 'node-plain.heapsnapshot');
    const leaky = engine.heapClasses(s.id, { filter: 'Leaky' }).rows.find((r) => r.name === 'Leaky')!;
    const one = engine.heapObjects(s.id, leaky.classId, 0, 1).rows[0];
    const path = engine.heapRetainers(s.id, one.node, 1)[0];
    const holder = path[1].object; // the array's elements store
    const dominated = engine.heapDominated(s.id, holder.node, 0, 1000);
    expect(dominated.rows.some((r) => r.node === one.node)).toBe(true);
    const sum = dominated.rows.reduce((a, r) => a + r.retainedSize, 0);
    expect(sum + holder.selfSize).toBe(holder.retainedSize);
  });

  it('the Chromium page\'s 25 detached <li> and their <ul> are detached DOM', async () => {
    const engine = createEngine();
    const s = await engine.open(bytesOf('chromium-detached'), 'chromium-detached.heapsnapshot');
    expect(s.heap?.detachedCount).toBe(26);
    const classes = engine.heapClasses(s.id, { filter: 'detached' }).rows;
    expect(classes.find((c) => c.name === 'Detached <li>')?.count).toBe(25);
  });
});

describe('allocation traces (--track-heap-objects)', () => {
  it('live objects become an allocation profile: one count per object with a trace', async () => {
    const bytes = bytesOf('node-tracked');
    const raw = JSON.parse(new TextDecoder().decode(bytes));
    const fields: string[] = raw.snapshot.meta.node_fields;
    const traceField = fields.indexOf('trace_node_id');
    const sizeField = fields.indexOf('self_size');
    // Independent count from the JSON: objects with a trace node, and their sizes.
    let count = 0;
    let size = 0;
    for (let i = 0; i < raw.nodes.length; i += fields.length) {
      if (raw.nodes[i + traceField] !== 0) {
        count++;
        size += raw.nodes[i + sizeField];
      }
    }
    const engine = createEngine();
    const s = await engine.open(bytes, 'node-tracked.heapsnapshot');
    expect(s.hasAllocations).toBe(true);
    const top = engine.top(s.id, { by: 'function' });
    expect(top.total.count).toBeLessThanOrEqual(count);
    expect(top.total.count).toBeGreaterThan(count * 0.9); // objects with traces whose stack has no JS frame are left out
    expect(top.total.size).toBeLessThanOrEqual(size);
    const leaky = top.rows.find((r) => r.frames[0].function === 'Leaky');
    expect(leaky?.frames[0].file).toMatch(/workload\.cjs$/);
    expect(leaky?.frames[0].line).toBe(8);
  });

  it('a snapshot without traces says how to record them', async () => {
    const engine = createEngine();
    const s = await engine.open(bytesOf('node-plain'), 'node-plain.heapsnapshot');
    expect(s.hasAllocations).toBe(false);
    expect(() => engine.top(s.id, { by: 'line' })).toThrow(/--track-heap-objects/);
  });
});

describe('damaged snapshots', () => {
  const bytes = bytesOf('node-plain');

  it('every one of 50 truncations says where the file was cut', async () => {
    for (let k = 0; k < 50; k++) {
      const cut = Math.floor(((k + 0.5) * bytes.length) / 50);
      const err = await parse(bytes.subarray(0, cut)).then(
        () => null,
        (e) => e,
      );
      expect(err, `cut at ${cut}`).toBeInstanceOf(HeaplensError);
      // Either the header already shows the counts cannot fit, or the scan ends inside a section.
      expect(err.message).toMatch(/truncated( or corrupt: its header announces|: it ends inside (the (nodes|edges|strings|trace_tree) section|between sections))/);
    }
  });

  it('a stream that stops early (a download cut off) says which section it ended in', async () => {
    for (const fraction of [0.001, 0.2, 0.5, 0.9, 0.999]) {
      const cut = Math.floor(bytes.length * fraction);
      const err = await parseHeapSnapshot(new Blob([bytes.subarray(0, cut)]).stream(), bytes.length).catch((e) => e);
      expect(err).toBeInstanceOf(HeaplensError);
      expect(err.message).toMatch(/truncated: it ends inside (the (header|nodes|edges|strings|trace_tree)|between sections)/);
    }
  });

  it('flipped bytes give a HeaplensError or a graph, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), async (flips) => {
        const copy = Uint8Array.from(bytes);
        for (const [at, x] of flips) copy[at] ^= x;
        try {
          analyzeHeap(await parse(copy));
        } catch (e) {
          expect(e, (e as Error)?.stack).toBeInstanceOf(HeaplensError);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a header that announces more nodes than the file can hold is refused at once', async () => {
    const text = new TextDecoder().decode(bytes.subarray(0, 2000)).replace(/"node_count":\d+/, '"node_count":900000000');
    const err = await parse(new TextEncoder().encode(text)).catch((e) => e);
    expect(err).toBeInstanceOf(HeaplensError);
    expect(err.message).toMatch(/more than a [\d,]+-byte file can hold/);
  });
});
