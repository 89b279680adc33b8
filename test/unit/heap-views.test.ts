// The heap investigations beyond the Summary's numbers (those are compared with DevTools in
// heap-devtools.test.ts): the dominator flame graph grouped by class with no blank area, the
// retainer tree (cycles marked, "ignore this retainer" and restore, as DevTools recomputes its
// distances), containment, sorting, the class filter's @id and regular expressions.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FlameLayout, HeapClassSortKey, ProfileSummary } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import * as devtools from '../reference/devtools.ts';

const DIR = join(__dirname, '../fixtures/heapsnapshot');
const engine = createEngine();
const opened = new Map<string, ProfileSummary>();
const id = (f: string) => opened.get(f)!.id;

beforeAll(async () => {
  for (const f of ['node-plain.heapsnapshot', 'chromium-shapes.heapsnapshot', 'node-before.heapsnapshot']) {
    opened.set(f, await engine.open(new Uint8Array(readFileSync(join(DIR, f))), f));
  }
}, 120_000);

describe('the dominator flame graph', () => {
  const check = (l: FlameLayout, total: number) => {
    const h = l.heap!;
    expect(h.node.length).toBe(l.length);
    expect(l.total[0]).toBe(total);
    const childSum = new Float64Array(l.length);
    for (let i = 1; i < l.length; i++) childSum[l.parent[i]] += l.total[i];
    const threshold = total / 20000;
    let groups = 0;
    let rests = 0;
    for (let i = 0; i < l.length; i++) {
      // No blank area: a rectangle's children cover all it retains beyond its own size (or it
      // has none drawn: too narrow to open, or a "rest").
      if (childSum[i] > 0) expect(Math.abs(childSum[i] - (l.total[i] - l.self[i])), `${i} ${l.frames.func[l.frame[i]]}`).toBeLessThan(1e-6 * total);
      else expect(l.total[i] < 2 * threshold || l.total[i] === l.self[i] || h.kind[i] === 2 || l.length >= 60000).toBe(true);
      if (h.kind[i] !== 2) expect(l.total[i]).toBeGreaterThanOrEqual(threshold);
      if (h.kind[i] === 1) groups++;
      if (h.kind[i] === 2) rests++;
      expect(l.count[i]).toBe(h.objects[i]);
    }
    expect(groups).toBeGreaterThan(0);
    expect(rests).toBeGreaterThan(0);
    return { groups, rests };
  };

  for (const f of ['node-plain.heapsnapshot', 'chromium-shapes.heapsnapshot']) {
    it(`${f}: children grouped by class, every parent covered, objects and edges named`, () => {
      const l = engine.flame(id(f), { kind: 'dominators' });
      const { groups, rests } = check(l, opened.get(f)!.heap!.totalSize);
      // Rectangles of one object are that object: same class, same retained size.
      let objects = 0;
      for (let i = 0; i < l.length && objects < 200; i++) {
        if (l.heap!.kind[i] !== 0 || l.heap!.node[i] === 0) continue;
        const o = engine.heapObjectAt(id(f), l.heap!.node[i]);
        expect(o.className).toBe(l.frames.func[l.frame[i]]);
        expect(o.retainedSize).toBe(l.total[i]);
        objects++;
      }
      expect(objects).toBeGreaterThan(10);
      expect(l.heap!.edge.some((e) => e.startsWith('.'))).toBe(true);
      console.info(`${f}: ${l.length} rectangles, ${groups} class groups, ${rests} rests, ${objects} single objects checked`);
    });
  }

  it('the workload’s 300 Leaky under the global leaks array are one rectangle', () => {
    const l = engine.flame(id('node-plain.heapsnapshot'), { kind: 'dominators' });
    const leaky = [...Array(l.length).keys()].filter((i) => l.frames.func[l.frame[i]] === 'Leaky');
    expect(leaky.map((i) => l.heap!.objects[i])).toContain(300);
  });
});

describe('the retainer tree', () => {
  const f = 'node-plain.heapsnapshot';
  const leaky = () => {
    const cls = engine.heapClasses(id(f), { filter: 'Leaky' }).rows.find((r) => r.name === 'Leaky')!;
    return engine.heapObjects(id(f), cls.classId, { limit: 1 }).rows[0];
  };

  it('expands level by level with one edge notation, closest retainer first, and marks cycles', () => {
    const o = leaky();
    const first = engine.heapRetainingEdges(id(f), o.node);
    expect(first.total).toBeGreaterThan(0);
    for (let i = 1; i < first.rows.length; i++) expect(first.rows[i].distance).toBeGreaterThanOrEqual(first.rows[i - 1].distance);
    // Walk the first retainers up to a user root; every edge is in heaplens' notation.
    const chain = engine.heapRetainerChain(id(f), o.node);
    expect(chain.length).toBeGreaterThan(1);
    const ancestors = [o.node];
    let at = o.node;
    const notation = /^(\[\d+\]|\.[^ ]+|\["[^"]*"\]|\{[^}]*\}|\[\[.*\]\]|[\w$]+)$/;
    for (const node of chain) {
      const rows = engine.heapRetainingEdges(id(f), at, { ancestors: ancestors.slice(0, -1) }).rows;
      expect(rows[0].object.node).toBe(node);
      for (const r of rows) {
        expect(r.edge, r.edgeType).toMatch(notation);
        if (r.edgeType === 'element' || r.edgeType === 'hidden') expect(r.edge).toMatch(/^\[\d+\]$/);
        if (r.edgeType === 'property') expect(r.edge.startsWith('.') || r.edge.startsWith('[')).toBe(true);
        // A retainer already on the path is marked and not expandable — not dropped.
        expect(r.cycle).toBe(ancestors.includes(r.object.node));
        if (r.cycle) expect(r.hasChildren).toBe(false);
      }
      ancestors.push(node);
      at = node;
    }
    expect(engine.heapRetainingEdges(id(f), o.node).rows.some((r) => r.edge === '[0]' || r.edge.startsWith('['))).toBe(true);
  });

  it('a cycle shows as a marked row', () => {
    // Some object retains one of its own retainers: find one in the first levels of Leaky's tree.
    const o = leaky();
    let found = false;
    const visit = (node: number, path: number[], depth: number) => {
      if (found || depth > 6) return;
      for (const r of engine.heapRetainingEdges(id(f), node, { ancestors: path, limit: 8 }).rows) {
        if (r.cycle) found = true;
        else if (r.hasChildren) visit(r.object.node, [...path, node], depth + 1);
        if (found) return;
      }
    };
    visit(o.node, [], 0);
    expect(found).toBe(true);
  });

  it('ignoring a retainer recomputes distances as DevTools does, and restoring undoes it', () => {
    const snapFile = 'node-before.heapsnapshot';
    const before = engine.heapRetainingEdges(id(snapFile), leakyOf(snapFile).node).rows;
    const retainer = before[0].object.node;
    expect(engine.heapIgnoreRetainer(id(snapFile), retainer)).toEqual([retainer]);
    const after = engine.heapRetainingEdges(id(snapFile), leakyOf(snapFile).node).rows;
    const row = after.find((r) => r.object.node === retainer)!;
    expect(row.ignored).toBe(true);
    // Nothing else keeps the Leaky's array holder near: it sorts after the reachable ones.
    expect(after.length).toBe(before.length);
    expect(engine.heapUnignoreRetainer(id(snapFile), retainer)).toEqual([]);
    expect(engine.heapRetainingEdges(id(snapFile), leakyOf(snapFile).node).rows).toEqual(before);
    engine.heapUnignoreAllRetainers(id(snapFile));
  });

  it('the distances with an ignored retainer equal DevTools’ ignoreNodeInRetainersView', async () => {
    const snapFile = 'node-before.heapsnapshot';
    const snap = await devtools.load(join(DIR, snapFile));
    const o = leakyOf(snapFile);
    const retainer = engine.heapRetainingEdges(id(snapFile), o.node).rows[0].object.node;
    snap.ignoreNodeInRetainersView(retainer * snap.nodeFieldCount);
    engine.heapIgnoreRetainer(id(snapFile), retainer);
    let compared = 0;
    // The retainers of the object and of its next retainers, with DevTools' retainers-view distances.
    const queue = [o.node];
    for (let k = 0; k < queue.length && k < 30; k++) {
      const want = devtools.retainers(snap, queue[k] * snap.nodeFieldCount, 40);
      const got = engine.heapRetainingEdges(id(snapFile), queue[k], { limit: 40 }).rows;
      expect(got.map((r) => [r.object.id, r.distance])).toEqual(want.map((w) => [w.object.id, w.object.distance]));
      compared += want.length;
      for (const r of got.slice(0, 3)) queue.push(r.object.node);
    }
    expect(compared).toBeGreaterThan(30);
    console.info(`ignored retainer: ${compared} retainer distances equal to DevTools`);
    engine.heapUnignoreAllRetainers(id(snapFile));
    snap.unignoreAllNodesInRetainersView();
  });

  const leakyOf = (file: string) => {
    const cls = engine.heapClasses(id(file), { filter: 'Leaky' }).rows.find((r) => r.name === 'Leaky')!;
    return engine.heapObjects(id(file), cls.classId, { limit: 1 }).rows[0];
  };
});

describe('containment', () => {
  it('starts at the root (its GC roots and globals) and pages through what a node holds', () => {
    const f = 'node-plain.heapsnapshot';
    const root = engine.heapContainment(id(f), 0);
    expect(root.rows.map((r) => r.object.name)).toContain('(GC roots)');
    expect(root.rows.some((r) => r.object.name === 'global' || r.object.className === 'global')).toBe(true);
    for (let i = 1; i < root.rows.length; i++) expect(root.rows[i].object.retainedSize!).toBeLessThanOrEqual(root.rows[i - 1].object.retainedSize!);
    const big = root.rows[0].object.node;
    const all = engine.heapContainment(id(f), big, { limit: 1e6 });
    const page = engine.heapContainment(id(f), big, { offset: 2, limit: 3 });
    expect(page.rows).toEqual(all.rows.slice(2, 5));
    expect(all.total).toBe(all.rows.length);
    // Children come with the edge by which the node holds them.
    for (const r of all.rows) expect(r.edge.length).toBeGreaterThan(0);
  });
});

describe('the Summary’s class filter and columns', () => {
  const f = 'chromium-shapes.heapsnapshot';
  it('@id finds the class of one object; /regexp/ filters names; a bad regexp is a clear error', () => {
    const rows = engine.heapClasses(id(f), {}).rows;
    const record = rows.find((r) => r.name === 'Record')!;
    const o = engine.heapObjects(id(f), record.classId, { limit: 1 }).rows[0];
    expect(engine.heapClasses(id(f), { filter: `@${o.id}` }).rows.map((r) => r.classId)).toEqual([record.classId]);
    expect(engine.heapFindObject(id(f), o.id)!.node).toBe(o.node);
    expect(engine.heapClasses(id(f), { filter: '@999999999' }).total).toBe(0);
    const shapes = engine.heapClasses(id(f), { filter: '/^\\{a, b/' }).rows.map((r) => r.name);
    expect(shapes).toEqual(rows.filter((r) => /^\{a, b/.test(r.name)).map((r) => r.name));
    expect(shapes).toContain('{a, b}');
    expect(shapes).toContain('{a, b, c}');
    expect(() => engine.heapClasses(id(f), { filter: '/[/' })).toThrow(/not a regular expression/);
  });

  it('sorts by every column as DevTools does, the same rows in each order', () => {
    const all = engine.heapClasses(id(f), {}).rows;
    const keys: HeapClassSortKey[] = ['name', 'count', 'shallowSize', 'retainedSize', 'distance'];
    for (const by of keys) {
      for (const ascending of [true, false]) {
        const rows = engine.heapClasses(id(f), { sort: { by, ascending } }).rows;
        expect(new Set(rows.map((r) => r.key))).toEqual(new Set(all.map((r) => r.key)));
        const value = (r: (typeof rows)[number]) => r[by]!;
        for (let i = 1; i < rows.length; i++) {
          const a = value(rows[i - 1]);
          const b = value(rows[i]);
          if (ascending) expect(a <= b, `${by} ${a} ${b}`).toBe(true);
          else expect(a >= b, `${by} ${a} ${b}`).toBe(true);
        }
      }
    }
  });
});
