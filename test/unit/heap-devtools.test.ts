// heaplens against DevTools itself: every number the heap views show, compared with
// heap-snapshot-toolkit (devtools-frontend's heap snapshot worker, called the way DevTools' panel
// calls it: test/reference/devtools.ts) on every snapshot fixture. Nothing expected here is
// computed by heaplens' code or written down by hand; each test prints how many values it compared.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeapClassRow, HeapNodeFilter, ProfileSummary } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import * as devtools from '../reference/devtools.ts';
import { HEAP_FIXTURE_DIR, heapFixtures } from '../reference/heap-fixtures.ts';

const DIR = HEAP_FIXTURE_DIR;
/** Every snapshot fixture once (node-tracked is a link to node-before). */
const FIXTURES = heapFixtures();
/** Snapshots of one process (earlier, later), and one pair of two processes. */
const PAIRS: [string, string][] = [
  ['node-before.heapsnapshot', 'node-after.heapsnapshot'],
  ['chromium-shapes.heapsnapshot', 'chromium-shapes-after.heapsnapshot'],
  ['node-plain.heapsnapshot', 'node-after.heapsnapshot'],
];

const engine = createEngine();
const ids = new Map<string, number>();
const opened = new Map<string, ProfileSummary>();
const snaps = new Map<string, devtools.Snapshot>();
const compared = new Map<string, number>();
const count = (what: string, n: number) => compared.set(what, (compared.get(what) ?? 0) + n);

beforeAll(async () => {
  for (const f of FIXTURES) {
    snaps.set(f, await devtools.load(join(DIR, f)));
    const summary = await engine.open(new Uint8Array(readFileSync(join(DIR, f))), f);
    opened.set(f, summary);
    ids.set(f, summary.id);
  }
}, 300_000);

afterAll(() => {
  console.info(`compared with heap-snapshot-toolkit on ${FIXTURES.length} fixtures: ${[...compared].map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ')}`);
});

const summaryOf = (row: devtools.SummaryRow | HeapClassRow) => ({ key: row.key, name: row.name, count: row.count, shallowSize: row.shallowSize, retainedSize: row.retainedSize, distance: row.distance });

/** Our Summary under a filter, every row, as DevTools' rows, in DevTools' default order. */
function ourSummary(file: string, objects?: HeapNodeFilter) {
  return engine.heapClasses(ids.get(file)!, { objects }).rows.map(summaryOf);
}

describe('the Summary equals DevTools’ on every row', () => {
  for (const f of FIXTURES) {
    it(`${f}: class keys, names, counts, shallow and retained sizes, distances`, () => {
      const want = devtools.summary(snaps.get(f)!).map(summaryOf);
      const got = ourSummary(f);
      expect(got).toEqual(want); // same rows, same values, same order
      expect(engine.heapClasses(ids.get(f)!, {}).total).toBe(want.length);
      count('Summary rows', want.length);
      // Distances DevTools prints as "−" are the system-only and unreached ones.
      for (const r of engine.heapClasses(ids.get(f)!, {}).rows) {
        expect(r.distanceText).toBe(r.distance >= 0 && r.distance < devtools.BASE_SYSTEM_DISTANCE ? String(r.distance) : '−');
      }
    });
  }

  it('classes split by constructor location carry the location', () => {
    const f = 'chromium-shapes.heapsnapshot';
    const rows = engine.heapClasses(ids.get(f)!, { filter: 'Record' }).rows;
    const records = rows.filter((r) => r.name === 'Record');
    expect(records.length).toBe(2); // shapes-a.js and shapes-b.js each define one
    for (const r of records) {
      const [script, line, column] = r.key.split(',').map(Number);
      expect(r.location).toMatchObject({ scriptId: script, line, column });
    }
    expect(rows.filter((r) => r.location === null).every((r) => r.key.startsWith(','))).toBe(true);
    // The script named (from the snapshot's Script objects), and the position its source has: the
    // constructor of each page script's own Record, 120 made in shapes-a.js and 80 in shapes-b.js.
    for (const [script, made] of [
      ['shapes-a.js', 120],
      ['shapes-b.js', 80],
    ] as const) {
      const r = records.find((x) => x.location!.scriptName?.endsWith(`/${script}`))!;
      expect(r.count).toBe(made);
      const lines = readFileSync(join(DIR, script), 'utf8').split('\n');
      expect(lines[r.location!.line].indexOf('constructor(') + 'constructor'.length, script).toBe(r.location!.column);
    }
  });
});

describe('every object DevTools counts is in the same class, with its size and distance', () => {
  for (const f of FIXTURES) {
    it(f, () => {
      const snap = snaps.get(f)!;
      const id = ids.get(f)!;
      const ours = new Map<number, { key: string; self: number; distance: number; retained: number }>();
      for (const r of engine.heapClasses(id, {}).rows) {
        for (const o of engine.heapObjects(id, r.classId, { limit: r.count }).rows) ours.set(o.node, { key: r.key, self: o.selfSize, distance: o.distance, retained: o.retainedSize! });
      }
      const node = snap.createNode(0);
      const wrong: string[] = [];
      let n = 0;
      for (let o = 0; o < snap.nodeCount; o++) {
        node.nodeIndex = o * snap.nodeFieldCount;
        const self = node.selfSize();
        if (self === 0) continue; // DevTools counts objects of nonzero size only
        n++;
        const want = { key: snap.classKeyFromClassKeyInternal(node.classKeyInternal()), self, distance: node.distance(), retained: node.retainedSize() };
        const got = ours.get(o);
        if (!got || JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${o}: ${JSON.stringify(want)} vs ${JSON.stringify(got)}`);
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(ours.size).toBe(n); // and no object DevTools leaves out
      count('objects (class, shallow, retained, distance)', n);
    });
  }
});

describe('Statistics equal DevTools’ getStatistics()', () => {
  for (const f of FIXTURES) {
    it(f, () => {
      expect(engine.heapStatistics(ids.get(f)!)).toEqual(devtools.statistics(snaps.get(f)!));
      count('Statistics', 8);
    });
  }
});

describe('Summary filters equal DevTools’ named and id-range filters', () => {
  const named: [devtools.NamedFilter, HeapNodeFilter][] = [
    ['objectsRetainedByDetachedDomNodes', { kind: 'retained-by-detached-dom' }],
    ['objectsRetainedByConsole', { kind: 'retained-by-console' }],
    ['duplicatedStrings', { kind: 'duplicated-strings' }],
  ];
  for (const f of FIXTURES) {
    it(`${f}: the three named filters`, () => {
      for (const [name, ours] of named) {
        const want = devtools.summary(snaps.get(f)!, { kind: 'named', name }).map(summaryOf);
        expect(ourSummary(f, ours), name).toEqual(want);
        count('filtered Summary rows', want.length);
      }
    });
  }

  it('the fixtures exercise every filter (something passes each)', () => {
    for (const [, ours] of named) expect(FIXTURES.some((f) => ourSummary(f, ours).length > 0), ours.kind).toBe(true);
    const shapes = engine.heapClasses(ids.get('chromium-shapes.heapsnapshot')!, { objects: { kind: 'retained-by-console' } }).rows;
    expect(shapes.length).toBeGreaterThan(0); // shapes.js logs one object to the console
  });

  for (const [earlier, later] of PAIRS) {
    it(`objects allocated between ${earlier} and ${later}`, () => {
      const { minNodeId, maxNodeId, rows } = devtools.allocatedBetween(snaps.get(earlier)!, snaps.get(later)!);
      // The range the UI builds from the two snapshots' summaries is DevTools' range.
      expect(opened.get(earlier)!.heap!.maxJsObjectId).toBe(minNodeId);
      expect(opened.get(later)!.heap!.maxJsObjectId).toBe(maxNodeId);
      expect(ourSummary(later, { kind: 'ids', minNodeId, maxNodeId })).toEqual(rows.map(summaryOf));
      expect(rows.length).toBeGreaterThan(0);
      count('filtered Summary rows', rows.length);
    });
  }
});

describe('the objects of a class equal DevTools’ in its order', () => {
  for (const f of FIXTURES) {
    it(`${f}: the largest classes and every location-split class, 20 objects each`, () => {
      const snap = snaps.get(f)!;
      const rows = devtools.summary(snap);
      const ours = new Map(engine.heapClasses(ids.get(f)!, {}).rows.map((r) => [r.key, r]));
      const picked = [...rows.slice(0, 12), ...rows.filter((r) => !r.key.startsWith(','))];
      let n = 0;
      for (const r of picked) {
        const want = devtools.classObjects(snap, r.key, 20);
        const got = engine.heapObjects(ids.get(f)!, ours.get(r.key)!.classId, { limit: 20 }).rows;
        expect(got.map((o) => ({ id: o.id, nodeIndex: o.node * snap.nodeFieldCount, type: o.type, distance: o.distance, shallowSize: o.selfSize, retainedSize: o.retainedSize })), r.key).toEqual(
          want.map((o) => ({ id: o.id, nodeIndex: o.nodeIndex, type: o.type, distance: o.distance, shallowSize: o.shallowSize, retainedSize: o.retainedSize })),
        );
        // Names: DevTools' display names (shapes' property lists, cons strings' text), clipped alike.
        got.forEach((o, i) => expect(o.name.slice(0, 200), r.key).toBe(want[i].name.replace(/…$/, '').slice(0, 200)));
        n += want.length;
      }
      count('objects', n);
    });
  }
});

describe('retainers equal DevTools’ Retainers grid (first level, its order)', () => {
  for (const f of FIXTURES) {
    it(`${f}: three objects of each of the 30 largest classes`, () => {
      const snap = snaps.get(f)!;
      let n = 0;
      for (const r of devtools.summary(snap).slice(0, 30)) {
        for (const o of devtools.classObjects(snap, r.key, 3)) {
          const want = devtools.retainers(snap, o.nodeIndex, 40);
          const got = engine.heapRetainingEdges(ids.get(f)!, o.nodeIndex / snap.nodeFieldCount, { limit: 40 }).rows;
          expect(got.map((e) => ({ id: e.object.id, type: e.edgeType, distance: e.distance }))).toEqual(want.map((w) => ({ id: w.object.id, type: w.edgeType, distance: w.object.distance })));
          n += want.length;
        }
      }
      count('retainer edges', n);
    });
  }
});

describe('Comparison equals DevTools’ (as its panel calls it)', () => {
  for (const [earlier, later] of PAIRS) {
    it(`${later} against ${earlier}`, () => {
      const want = devtools.comparison(snaps.get(earlier)!, snaps.get(later)!);
      const got = engine.heapCompare(ids.get(later)!, ids.get(earlier)!, { sort: { by: 'allocSize' } }).rows;
      const pick = (r: { key?: string; name: string; newCount: number; deletedCount: number; countDelta: number; allocSize: number; freedSize: number; sizeDelta: number }) => ({
        key: r.key,
        name: r.name,
        newCount: r.newCount,
        deletedCount: r.deletedCount,
        countDelta: r.countDelta,
        allocSize: r.allocSize,
        freedSize: r.freedSize,
        sizeDelta: r.sizeDelta,
      });
      // DevTools' default order: Alloc. Size descending, then name.
      expect(got.map(pick)).toEqual(want.map(pick));
      count('Comparison rows', want.length);
      // A class opens to exactly its new and deleted objects.
      for (const r of want.slice(0, 8)) {
        const added = engine.heapComparisonObjects(ids.get(later)!, ids.get(earlier)!, r.key, { which: 'new', limit: 1e6 });
        const deleted = engine.heapComparisonObjects(ids.get(later)!, ids.get(earlier)!, r.key, { which: 'deleted', limit: 1e6 });
        expect(added.total).toBe(r.newCount);
        expect(deleted.total).toBe(r.deletedCount);
        expect(added.rows.reduce((s, o) => s + o.selfSize, 0)).toBe(r.allocSize);
        expect(deleted.rows.reduce((s, o) => s + o.selfSize, 0)).toBe(r.freedSize);
        for (let i = 1; i < added.rows.length; i++) expect(added.rows[i - 1].selfSize).toBeGreaterThanOrEqual(added.rows[i].selfSize);
      }
    });
  }

  it('the workload’s changes show, and snapshots of two processes are told apart', () => {
    const rows = engine.heapCompare(ids.get('node-after.heapsnapshot')!, ids.get('node-before.heapsnapshot')!).rows;
    expect(rows.find((r) => r.name === 'Leaky')?.newCount).toBe(150);
    expect(rows.find((r) => r.name === 'Session')?.deletedCount).toBe(100);
    expect(engine.heapIdOverlap(ids.get('node-after.heapsnapshot')!, ids.get('node-before.heapsnapshot')!).sameProcess).toBe(true);
    expect(engine.heapIdOverlap(ids.get('chromium-shapes-after.heapsnapshot')!, ids.get('chromium-shapes.heapsnapshot')!).sameProcess).toBe(true);
    // Two processes number their objects alike, so ids overlap; the objects behind them do not.
    const cross = engine.heapIdOverlap(ids.get('node-after.heapsnapshot')!, ids.get('node-plain.heapsnapshot')!);
    expect(cross.fraction).toBeGreaterThan(0.5);
    expect(cross.sameProcess).toBe(false);
    expect(engine.heapIdOverlap(ids.get('chromium-shapes.heapsnapshot')!, ids.get('chromium-detached.heapsnapshot')!).sameProcess).toBe(false);
    expect(engine.heapCompare(ids.get('node-after.heapsnapshot')!, ids.get('node-after.heapsnapshot')!).total).toBe(0);
  });
});

describe('allocation timelines and the Allocation view equal DevTools’', () => {
  it('the fixtures include a timeline and traced snapshots', () => {
    const timelines = FIXTURES.filter((f) => devtools.samples(snaps.get(f)!) !== null);
    const traced = FIXTURES.filter((f) => devtools.allocationTops(snaps.get(f)!) !== null);
    expect(timelines).toContain('chromium.heaptimeline');
    expect(traced.length).toBeGreaterThanOrEqual(2);
  });

  it('timeline samples (getSamples)', () => {
    for (const f of FIXTURES) {
      const want = devtools.samples(snaps.get(f)!);
      const got = engine.heapTimeline(ids.get(f)!);
      expect(got?.samples ?? null, f).toEqual(want);
      if (want) count('timeline samples', want.length);
    }
  });

  it('a brushed time range filters the Summary to the ids DevTools’ overview selects', () => {
    const f = 'chromium.heaptimeline';
    const s = devtools.samples(snaps.get(f)!)!;
    for (const [from, to] of [
      [s[2].timestamp, s[9].timestamp],
      [s[5].timestamp + 1, s[s.length - 1].timestamp + 1000],
      [0, s[0].timestamp],
    ]) {
      const sel = engine.heapTimelineSelection(ids.get(f)!, from, to)!;
      const lo = s.findIndex((x) => x.timestamp >= from);
      const hi = s.findIndex((x) => x.timestamp > to);
      const end = hi < 0 ? s.length : hi;
      // DevTools' updateGrid: ids (ids[lo − 1], ids[hi]] (0 / ∞ at the ends), bars [lo, hi) summed.
      expect(sel.minNodeId).toBe(lo > 0 ? s[lo - 1].lastAssignedId : 0);
      expect(sel.maxNodeId).toBe(end < s.length ? s[end].lastAssignedId : null);
      expect(sel.size).toBe(s.slice(lo, end).reduce((a, x) => a + x.size, 0));
      const maxNodeId = sel.maxNodeId ?? Number.MAX_SAFE_INTEGER;
      const want = devtools.summary(snaps.get(f)!, { kind: 'ids', minNodeId: sel.minNodeId, maxNodeId }).map(summaryOf);
      expect(ourSummary(f, { kind: 'ids', minNodeId: sel.minNodeId, maxNodeId })).toEqual(want);
      count('filtered Summary rows', want.length);
    }
  });

  for (const f of ['chromium.heaptimeline', 'node-before.heapsnapshot']) {
    it(`${f}: Allocation view rows, every row's callers, allocation stacks, and the Summary of a row's objects`, () => {
      const snap = snaps.get(f)!;
      const id = ids.get(f)!;
      const pick = (r: { function: string; script: string; scriptId: number; line: number; column: number; count: number; size: number; liveCount: number; liveSize: number; hasCallers: boolean }) => ({
        function: r.function,
        script: r.script,
        scriptId: r.scriptId,
        line: r.line,
        column: r.column,
        count: r.count,
        size: r.size,
        liveCount: r.liveCount,
        liveSize: r.liveSize,
        hasCallers: r.hasCallers,
      });
      const want = devtools.allocationTops(snap)!;
      const got = engine.heapAllocations(id).rows;
      expect(got.map(pick)).toEqual(want.map(pick));
      count('Allocation view rows', want.length);
      let callers = 0;
      want.forEach((w, i) => {
        if (!w.hasCallers) return;
        const c = devtools.allocationCallers(snap, w.id);
        const ours = engine.heapAllocationCallers(id, got[i].path);
        expect({ single: ours.singleCallers.map(pick), branching: ours.branchingCallers.map(pick) }).toEqual({ single: c.singleCallers.map(pick), branching: c.branchingCallers.map(pick) });
        callers += c.singleCallers.length + c.branchingCallers.length;
      });
      count('Allocation callers', callers);
      // Allocation stacks of the largest objects of the largest classes.
      let frames = 0;
      for (const r of devtools.summary(snap).slice(0, 20)) {
        for (const o of devtools.classObjects(snap, r.key, 5)) {
          const stack = devtools.allocationStack(snap, o.nodeIndex);
          const ours = engine.heapAllocationStack(id, o.nodeIndex / snap.nodeFieldCount);
          expect(ours?.map((x) => ({ function: x.function, script: x.script, line: x.line, column: x.column })) ?? null).toEqual(stack);
          frames += stack?.length ?? 0;
        }
      }
      expect(frames).toBeGreaterThan(0);
      count('allocation stack frames', frames);
      // The Summary of what one row allocated (DevTools' allocation filter), for the largest rows.
      for (const [i, w] of want.slice(0, 4).entries()) {
        const expected = devtools.summary(snap, { kind: 'allocation', allocationNodeId: w.id }).map(summaryOf);
        expect(ourSummary(f, { kind: 'allocation', path: got[i].path })).toEqual(expected);
        count('filtered Summary rows', expected.length);
      }
    });
  }
});
