// A heap snapshot too big to open in full but not without retained sizes (issue 11: "offer what
// still fits"). The engine's budget is lowered so that real fixtures fall between the two
// estimates; the full open must be refused with the hint (across comlink too), and the
// summary-only open must show DevTools' own Summary (names, counts, shallow sizes, distances) and
// Statistics: every expected number comes from heap-snapshot-toolkit (test/reference/devtools.ts).

import * as Comlink from 'comlink';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api/errors.ts';
import { installErrorTransfer } from '../../workers/api/comlink.ts';
import type { HeapClassRow } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { heapMemoryEstimate } from '../../workers/formats/heapsnapshot/layout.ts';
import * as devtools from '../reference/devtools.ts';
import { HEAP_FIXTURE_DIR, heapFixtures } from '../reference/heap-fixtures.ts';

const DIR = HEAP_FIXTURE_DIR;
const FIXTURES = heapFixtures();

const bytesOf = (f: string) => new Uint8Array(readFileSync(join(DIR, f)));

/**
 * A budget just under the full estimate of the header's counts: too small for a full open; a
 * summary-only one leaves the difference for the strings section (large beside these small graphs).
 */
function budgetBetween(f: string): { budget: number; full: number; reduced: number } {
  const { snapshot } = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { snapshot: { node_count: number; edge_count: number } };
  const full = heapMemoryEstimate(snapshot.node_count, snapshot.edge_count, 'full');
  const reduced = heapMemoryEstimate(snapshot.node_count, snapshot.edge_count, 'summary-only');
  return { budget: full - 1, full, reduced };
}

const row = (r: { key: string; name: string; count: number; shallowSize: number; distance: number }) => ({ key: r.key, name: r.name, count: r.count, shallowSize: r.shallowSize, distance: r.distance });
const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const snaps = new Map<string, devtools.Snapshot>();
beforeAll(async () => {
  for (const f of FIXTURES) snaps.set(f, await devtools.load(join(DIR, f)));
}, 300_000);

describe('a snapshot too big for a full open but not for a summary-only one', () => {
  for (const f of FIXTURES) {
    it(`${f}: the full open is refused with the hint; the summary-only open is DevTools' Summary and Statistics`, async () => {
      const { budget, full, reduced } = budgetBetween(f);
      expect(reduced).toBeLessThan(budget);
      expect(full).toBeGreaterThan(budget);
      const engine = createEngine({ memoryBudget: budget });

      const refused = await engine.open(bytesOf(f), f).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(HeaplensError);
      const err = refused as HeaplensError;
      expect(err.code).toBe('too-big');
      expect(err.hint).toEqual({ heap: 'summary-only', fullEstimate: full, reducedEstimate: reduced, budget });
      expect(err.message).toMatch(/without retained sizes/);

      const opened = await engine.open(bytesOf(f), f, undefined, undefined, { heap: 'summary-only' });
      const snap = snaps.get(f)!;
      expect(opened.heap!.openMode).toBe('summary-only');
      expect(opened.heap!.hasRetainedSizes).toBe(false);
      expect(opened.heap!.totalSize).toBe(devtools.staticData(snap).totalSize);
      expect(opened.heap!.nodeCount).toBe(devtools.staticData(snap).nodeCount);

      // Every Summary row as DevTools has it (names, counts, shallow sizes, distances), retained sizes null.
      const all = engine.heapClasses(opened.id, {});
      const want = devtools.summary(snap).map(row).sort(byKey);
      expect(all.rows.map(row).sort(byKey)).toEqual(want);
      expect(all.total).toBe(want.length);
      expect(all.rows.every((r: HeapClassRow) => r.retainedSize === null)).toBe(true);
      // Without retained sizes the default order (DevTools': retained) is by shallow size, largest first.
      for (let i = 1; i < all.rows.length; i++) expect(all.rows[i - 1].shallowSize).toBeGreaterThanOrEqual(all.rows[i].shallowSize);
      expect(engine.heapStatistics(opened.id)).toEqual(devtools.statistics(snap));

      // A class's objects: DevTools' shallow sizes and distances, retained size null.
      const top = all.rows[0];
      const ours = new Map(engine.heapObjects(opened.id, top.classId, { limit: top.count }).rows.map((o) => [o.id, o]));
      const theirs = devtools.classObjects(snap, top.key, top.count);
      expect(theirs.length).toBe(ours.size);
      for (const o of theirs) {
        const mine = ours.get(o.id)!;
        expect({ shallowSize: mine.selfSize, distance: mine.distance }).toEqual({ shallowSize: o.shallowSize, distance: o.distance });
        expect(mine.retainedSize).toBeNull();
      }

      // Views that need the dominator tree are not offered, and asking for them says why.
      expect(opened.capabilities.views).not.toContain('dominators');
      expect(opened.capabilities.views).toEqual(expect.arrayContaining(['heap', 'containment', 'statistics', 'comparison']));
      expect(() => engine.flame(opened.id, { kind: 'dominators' })).toThrow(/without retained sizes/);
      expect(() => engine.heapDominated(opened.id, 0)).toThrow(/without retained sizes/);
      expect(engine.heapContainment(opened.id, 0).rows.length).toBeGreaterThan(0);
    });
  }

  it('a full open of the same file with the default budget offers every view', async () => {
    const f = 'node-plain.heapsnapshot';
    const opened = await createEngine().open(bytesOf(f), f);
    expect(opened.heap!.openMode).toBe('full');
    expect(opened.heap!.hasRetainedSizes).toBe(true);
    expect(opened.capabilities.views).toContain('dominators');
  });

  it('when even a summary-only open does not fit, the error has no hint', async () => {
    const f = 'node-plain.heapsnapshot';
    const { reduced } = budgetBetween(f);
    const engine = createEngine({ memoryBudget: Math.floor(reduced / 2) });
    for (const heap of ['full', 'summary-only'] as const) {
      const e = (await engine.open(bytesOf(f), f, undefined, undefined, { heap }).catch((x: unknown) => x)) as HeaplensError;
      expect(e.code).toBe('too-big');
      expect(e.hint).toBeUndefined();
    }
  });

  it('the hint crosses the worker boundary (comlink’s throw handler)', async () => {
    installErrorTransfer();
    const f = 'node-plain.heapsnapshot';
    const err = (await createEngine({ memoryBudget: budgetBetween(f).budget })
      .open(bytesOf(f), f)
      .catch((x: unknown) => x)) as HeaplensError;
    const handler = Comlink.transferHandlers.get('throw')!;
    const [wire] = handler.serialize({ value: err });
    let back: unknown;
    try {
      handler.deserialize(structuredClone(wire));
    } catch (e) {
      back = e;
    }
    expect(back).toBeInstanceOf(HeaplensError);
    expect((back as HeaplensError).code).toBe('too-big');
    expect((back as HeaplensError).hint).toEqual(err.hint);
    expect((back as HeaplensError).message).toBe(err.message);
  });
});
