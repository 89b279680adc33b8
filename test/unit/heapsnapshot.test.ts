// V8 heap snapshots made by real Node and Chromium (test/fixtures/heapsnapshot/make_fixtures.mjs).
// References, run here on the same files:
// - memlab's own loader and dominator pass (@memlab/core 2.0): node and edge counts, total size,
//   and every node's dominator and retained size, under memlab's retention rules;
// - for DevTools' rules (our default), an independent Cooper–Harvey–Kennedy dominator pass
//   written below over memlab's parse of the file; and the differences from memlab, each
//   accounted for by one of the three documented rules (workers/analysis/dominators.ts);
// - JSON.parse of the file for strings, locations, samples and trace sections.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api/errors.ts';
import type { HeapClassRow, ProfileSummary } from '../../workers/api/types.ts';
import { allocationProfile } from '../../workers/analysis/allocations.ts';
import { classIndex } from '../../workers/analysis/classes.ts';
import { analyzeHeap, MEMLAB_RULES, ROOT, type HeapAnalysis, type RetentionRules } from '../../workers/analysis/dominators.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { parseHeapSnapshot } from '../../workers/formats/heapsnapshot/scanner.ts';
import type { JobControl } from '../../workers/model/job.ts';
import { nodeDisplayName, type HeapGraph } from '../../workers/model/heap-graph.ts';

const DIR = join(__dirname, '../fixtures/heapsnapshot');
// node-tracked is a link to node-before (the tracked snapshot of the before/after pair).
const FIXTURES = ['node-plain', 'node-before', 'node-after', 'chromium-detached'];
const require = createRequire(import.meta.url);
const memlabDir = join(__dirname, '../../node_modules/@memlab/core/dist');
const HeapParser = require(join(memlabDir, 'lib/HeapParser.js')).default;
const TraceFinder = require(join(memlabDir, 'paths/TraceFinder.js')).default;
require(join(memlabDir, 'lib/Config.js')).default.muteConfig = { muteTopLevel: true, muteHighLevel: true, muteMidLevel: true, muteLowLevel: true };

const fileOf = (name: string) => join(DIR, `${name}.heapsnapshot`);
const bytesOf = (name: string) => new Uint8Array(readFileSync(fileOf(name)));
const parse = (bytes: Uint8Array, chunk = 1 << 16) => parseHeapSnapshot(chunked(bytes, chunk), bytes.length);
const graphs = new Map<string, Promise<HeapGraph>>();
const graphOf = (name: string) => {
  if (!graphs.has(name)) graphs.set(name, parse(bytesOf(name)));
  return graphs.get(name)!;
};
const analyses = new Map<string, Promise<HeapAnalysis>>();
const analysisOf = (name: string) => {
  if (!analyses.has(name)) analyses.set(name, graphOf(name).then((g) => analyzeHeap(g)));
  return analyses.get(name)!;
};
// The pages the app shows come from the engine, as the worker serves them.
const engine = createEngine();
const opened = new Map<string, Promise<ProfileSummary>>();
const openedOf = (name: string) => {
  if (!opened.has(name)) opened.set(name, engine.open(bytesOf(name), `${name}.heapsnapshot`));
  return opened.get(name)!;
};
const classesOf = async (name: string): Promise<HeapClassRow[]> => engine.heapClasses((await openedOf(name)).id, {}).rows;
const classNamed = async (name: string, cls: string) => (await classesOf(name)).find((c) => c.name === cls)!;
/** A JobControl that records progress and can be told to stop. */
function job(onProgress: (done: number, total: number) => void, checkCancelled: () => void = () => {}): JobControl {
  return { progress: (_phase, done, total) => onProgress(done, total), checkCancelled, yield: async () => checkCancelled() };
}

/** A stream that delivers `bytes` in chunks of `size` (chunk boundaries land anywhere). */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

interface MemlabNode {
  nodeIndex: number;
  id: number;
  name: string;
  type: string;
  self_size: number;
  retainedSize: number;
  dominatorNode: MemlabNode;
  references: { type: string; name_or_index: string | number; toNode: MemlabNode }[];
}

const memlabHeaps = new Map<string, Promise<{ nodes: { length: number; forEach(f: (n: MemlabNode) => void): void }; edges: { length: number } }>>();
function memlabOf(name: string) {
  if (!memlabHeaps.has(name)) {
    memlabHeaps.set(
      name,
      HeapParser.parse(fileOf(name)).then((heap: never) => {
        new TraceFinder().calculateAllNodesRetainedSizes(heap);
        return heap;
      }),
    );
  }
  return memlabHeaps.get(name)!;
}

/**
 * DevTools' dominators, written independently of workers/analysis: the rules re-implemented from
 * DevTools' HeapSnapshot.ts over memlab's parse of the file, and the iterative algorithm of
 * Cooper, Harvey & Kennedy ("A Simple, Fast Dominance Algorithm") instead of Semi-NCA.
 */
function devtoolsDominators(nodes: MemlabNode[]): { dominator: Int32Array; retained: Float64Array } {
  const n = nodes.length;
  const root = nodes[0];
  const page = new Uint8Array(n);
  const work: MemlabNode[] = [];
  for (const e of root.references) {
    if (e.type === 'shortcut' || (e.type === 'element' && e.toNode.type === 'synthetic' && e.toNode.name === '(Document DOM trees)')) {
      if (!page[e.toNode.nodeIndex]) (page[e.toNode.nodeIndex] = 1), work.push(e.toNode);
    }
  }
  while (work.length) {
    for (const e of work.pop()!.references) {
      if (e.type !== 'weak' && !page[e.toNode.nodeIndex]) (page[e.toNode.nodeIndex] = 1), work.push(e.toNode);
    }
  }
  const ephemeron = /^\d+ \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$/;
  const retains = (from: MemlabNode, e: MemlabNode['references'][0]) => {
    const to = e.toNode;
    if (e.type === 'weak' || to === from) return false;
    if (from !== root && (e.type === 'shortcut' || (page[to.nodeIndex] && !page[from.nodeIndex]))) return false;
    const m = e.type === 'internal' && typeof e.name_or_index === 'string' ? ephemeron.exec(e.name_or_index) : null;
    return !(m && Number(m[1]) === from.id);
  };
  const preds: number[][] = nodes.map(() => []);
  const succs: number[][] = nodes.map(() => []);
  for (const from of nodes) {
    for (const e of from.references) {
      if (!retains(from, e)) continue;
      preds[e.toNode.nodeIndex].push(from.nodeIndex);
      succs[from.nodeIndex].push(e.toNode.nodeIndex);
    }
  }
  // Nodes with no retainer, then nodes still unreached, hang off the root (DevTools' orphans):
  // virtual edges from the root, then one DFS from the root gives the postorder CHK needs.
  const reach = new Uint8Array(n);
  const mark = (start: number) => {
    const todo = [start];
    reach[start] = 1;
    while (todo.length) for (const w of succs[todo.pop()!]) if (!reach[w]) (reach[w] = 1), todo.push(w);
  };
  mark(0);
  const extra: number[] = [];
  for (let v = 1; v < n; v++) if (!reach[v] && preds[v].length === 0) (extra.push(v), mark(v));
  for (let v = 1; v < n; v++) if (!reach[v]) (extra.push(v), (reach[v] = 1));
  for (const v of extra) (succs[0].push(v), preds[v].push(0));
  const order: number[] = [];
  const seen = new Uint8Array(n);
  const stack: [number, number][] = [[0, 0]];
  seen[0] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const next = succs[top[0]][top[1]++];
    if (next === undefined) order.push(stack.pop()![0]);
    else if (!seen[next]) (seen[next] = 1), stack.push([next, 0]);
  }
  const po = new Int32Array(n);
  order.forEach((v, i) => (po[v] = i));
  const dom = new Int32Array(n).fill(-1);
  dom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (po[a] < po[b]) a = dom[a];
      while (po[b] < po[a]) b = dom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = order.length - 1; i >= 0; i--) {
      const v = order[i];
      if (v === 0) continue;
      let d = -1;
      for (const p of preds[v]) if (dom[p] !== -1) d = d === -1 ? p : intersect(p, d);
      if (d !== dom[v]) (dom[v] = d), (changed = true);
    }
  }
  const retained = Float64Array.from(nodes, (x) => x.self_size);
  for (const v of order) if (v !== 0) retained[dom[v]] += retained[v];
  return { dominator: dom, retained };
}

describe('retained sizes: equal to memlab under its rules, to DevTools under ours', () => {
  for (const name of FIXTURES) {
    it(`${name}: counts, total size, and every node's dominator and retained size`, async () => {
      const graph = await graphOf(name);
      const heap = await memlabOf(name);
      const memlab: MemlabNode[] = [];
      heap.nodes.forEach((x) => memlab.push(x));
      expect(graph.nodeCount).toBe(heap.nodes.length);
      expect(graph.edgeCount).toBe(heap.edges.length);

      const asMemlab = await analyzeHeap(graph, { rules: MEMLAB_RULES });
      const total = memlab.reduce((s, x) => s + x.self_size, 0);
      expect(asMemlab.totalSize).toBe(total);
      expect(asMemlab.retainedSize[ROOT]).toBe(total); // the root retains everything
      const different = (a: HeapAnalysis) => memlab.filter((x) => a.retainedSize[x.nodeIndex] !== x.retainedSize || a.dominator[x.nodeIndex] !== x.dominatorNode.nodeIndex);
      expect(different(asMemlab).map((x) => `${x.nodeIndex} ${x.name}`).slice(0, 10)).toEqual([]);

      const ours = await analysisOf(name);
      const reference = devtoolsDominators(memlab);
      const wrong: string[] = [];
      for (let i = 0; i < graph.nodeCount; i++) {
        if (ours.dominator[i] !== reference.dominator[i] || ours.retainedSize[i] !== reference.retained[i]) wrong.push(`${i} ${memlab[i].name}`);
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(ours.retainedSize[ROOT]).toBe(total);

      // Every difference from memlab comes from one of the three rules: switching each back
      // alone removes its share, and all three together remove all (asserted above).
      const changedBy = async (rules: Partial<RetentionRules>) => new Set(different(await analyzeHeap(graph, { rules: { ...MEMLAB_RULES, ...rules } })).map((x) => x.nodeIndex));
      const page = await changedBy({ pageObjects: 'devtools' });
      const weakMap = await changedBy({ weakMapValues: 'held-by-key' });
      const orphans = await changedBy({ orphans: 'no-retaining-edge' });
      const all = different(ours);
      for (const x of all) expect(page.has(x.nodeIndex) || weakMap.has(x.nodeIndex) || orphans.has(x.nodeIndex), `${x.nodeIndex} ${x.name}`).toBe(true);
      // WeakMap rule: the values change dominator, and their new dominator is their key.
      const weakMapEdge = /part of key \(.*? @(\d+)\) -> value \(.*? @(\d+)\) pair in WeakMap/;
      const keyOfValue = new Map<number, number>();
      for (const x of memlab) {
        for (const e of x.references) {
          const m = typeof e.name_or_index === 'string' ? weakMapEdge.exec(e.name_or_index) : null;
          if (m && Number(m[2]) === e.toNode.id) keyOfValue.set(e.toNode.nodeIndex, Number(m[1]));
        }
      }
      const onlyWeakMap = await analyzeHeap(graph, { rules: { ...MEMLAB_RULES, weakMapValues: 'held-by-key' } });
      for (const v of weakMap) {
        if (onlyWeakMap.dominator[v] === memlab[v].dominatorNode.nodeIndex) continue; // a size change above
        expect(graph.nodeId[onlyWeakMap.dominator[v]], `${v} ${memlab[v].name}`).toBe(keyOfValue.get(v));
      }
      if (name.startsWith('node-')) expect(keyOfValue.size).toBeGreaterThanOrEqual(50); // the workload's WeakMap
      console.info(`${name}: ${all.length} of ${graph.nodeCount} nodes differ from memlab (page objects ${page.size}, WeakMap values ${weakMap.size}, orphans ${orphans.size})`);
    });
  }
});

describe('the class summary', () => {
  it("counts the workload's Leaky, Session and Secret objects, and names classes as DevTools does", async () => {
    const g = await graphOf('node-plain');
    const rows = await classesOf('node-plain');
    const byName = new Map(rows.map((c) => [c.name, c]));
    expect(byName.get('Leaky')?.count).toBe(300);
    expect(byName.get('Session')?.count).toBe(200);
    expect(byName.get('Secret')?.count).toBe(50);
    // Each Leaky retains at least its own payload array.
    expect(byName.get('Leaky')!.retainedSize).toBeGreaterThan(byName.get('Leaky')!.shallowSize);
    // DevTools' names (heap-devtools.test.ts compares every row with DevTools itself).
    for (const builtin of ['(string)', 'Function', 'RegExp', '(array)', '(compiled code)', '(system)', '(concatenated string)', 'Object', 'Array', 'Map']) {
      expect(byName.has(builtin), builtin).toBe(true);
    }
    for (const old of ['(closure)', '(regexp)']) expect(byName.has(old), old).toBe(false);
    // Largest retained size first.
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].retainedSize!).toBeGreaterThanOrEqual(rows[i].retainedSize!);
    // Shallow sizes add up to the heap (moving sizes to owners keeps the total); objects left
    // with size 0 by the move are not counted, as in DevTools.
    expect(rows.reduce((s, c) => s + c.shallowSize, 0)).toBe((await analysisOf('node-plain')).totalSize);
    const json = JSON.parse(new TextDecoder().decode(bytesOf('node-plain')));
    const sizeField = json.snapshot.meta.node_fields.indexOf('self_size');
    let nonzero = 0;
    for (let i = sizeField; i < json.nodes.length; i += json.snapshot.meta.node_fields.length) if (json.nodes[i] > 0) nonzero++;
    expect(rows.reduce((s, c) => s + c.count, 0)).toBeLessThan(nonzero);
    expect(g.nodeCount).toBeGreaterThan(nonzero);
    // Pages of the list are slices of the whole, and the name filter keeps what it names.
    const { id } = await openedOf('node-plain');
    expect(engine.heapClasses(id, { offset: 5, limit: 7 }).rows).toEqual(rows.slice(5, 12));
    const filtered = engine.heapClasses(id, { filter: 'leak' });
    expect(filtered.rows.map((r) => r.name)).toEqual(rows.filter((r) => r.name.toLowerCase().includes('leak')).map((r) => r.name));
    expect(filtered.total).toBe(filtered.rows.length);
  });

  it('a class retains what its objects retain, counting objects nested in another of the class once', async () => {
    for (const name of ['node-plain', 'chromium-detached']) {
      const { id } = await openedOf(name);
      const rows = await classesOf(name);
      // Independently of the document's tree walk: per object, its dominator chain (from the
      // engine's object rows), and DevTools' rule — an object counts unless a counted object of its
      // class that dominates others is above it.
      const a = await analyzeHeap(await graphOf(name));
      const objects = new Map<number, { classId: number; retained: number }>();
      for (const r of rows) for (const o of engine.heapObjects(id, r.classId, { limit: r.count }).rows) objects.set(o.node, { classId: r.classId, retained: o.retainedSize! });
      const hasChildren = new Uint8Array(a.dominator.length);
      for (let i = 0; i < a.dominator.length; i++) if (i !== ROOT) hasChildren[a.dominator[i]] = 1;
      // hidden(x): a counted object of x's class above x, itself not hidden, dominates others.
      const memo = new Map<number, boolean>();
      const hidden = (x: number): boolean => {
        let h = memo.get(x);
        if (h !== undefined) return h;
        h = false;
        const cls = objects.get(x)!.classId;
        for (let d = x; d !== ROOT && !h; ) {
          d = a.dominator[d];
          const above = objects.get(d);
          h = above !== undefined && above.classId === cls && hasChildren[d] === 1 && !hidden(d);
        }
        memo.set(x, h);
        return h;
      };
      const expected = new Map<number, number>();
      for (const [node, o] of objects) if (!hidden(node)) expected.set(o.classId, (expected.get(o.classId) ?? 0) + o.retained);
      for (const r of rows) expect(r.retainedSize, r.name).toBe(expected.get(r.classId) ?? 0);
    }
  });

  it('the second snapshot of one process has 150 more Leaky and 100 fewer Session', async () => {
    const count = async (name: string, cls: string) => (await classNamed(name, cls)).count;
    expect((await count('node-after', 'Leaky')) - (await count('node-before', 'Leaky'))).toBe(150);
    expect((await count('node-before', 'Session')) - (await count('node-after', 'Session'))).toBe(100);
  });

  it('objects of a class come a page at a time, largest retained size first', async () => {
    const g = await graphOf('node-plain');
    const { id } = await openedOf('node-plain');
    const leaky = await classNamed('node-plain', 'Leaky');
    const page1 = engine.heapObjects(id, leaky.classId, { offset: 0, limit: 100 });
    const page3 = engine.heapObjects(id, leaky.classId, { offset: 200, limit: 100 });
    expect(page1.total).toBe(300);
    expect(page3.rows.length).toBe(100);
    const all = [...page1.rows, ...engine.heapObjects(id, leaky.classId, { offset: 100, limit: 100 }).rows, ...page3.rows];
    expect(new Set(all.map((o) => o.node)).size).toBe(300);
    for (let i = 1; i < all.length; i++) expect(all[i - 1].retainedSize!).toBeGreaterThanOrEqual(all[i].retainedSize!);
    for (const o of all) {
      expect(g.strings[g.nodeName[o.node]]).toBe('Leaky');
      expect(o).toMatchObject({ className: 'Leaky', id: g.nodeId[o.node], selfSize: g.selfSize[o.node] });
    }
    expect(engine.heapObjects(id, 1e9).total).toBe(0);
  });
});

describe('what keeps an object alive', () => {
  it("a Leaky object's retainer path reaches the root through the global leaks array", async () => {
    const g = await graphOf('node-plain');
    const { id } = await openedOf('node-plain');
    const leaky = engine.heapObjects(id, (await classNamed('node-plain', 'Leaky')).classId, { limit: 1 }).rows[0].node;
    const paths = engine.heapRetainers(id, leaky, 3);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      expect(path[0].object.node).toBe(leaky);
      expect(path.at(-1)!.object.node).toBe(ROOT);
      // After the first retainer, each step is closer to a root than the one before (DevTools'
      // distances: the root itself is at BASE_SYSTEM_DISTANCE when there are user roots).
      for (let i = 2; i < path.length - 1; i++) expect(path[i].object.distance).toBeLessThan(path[i - 1].object.distance);
      expect(path.some((s) => s.edgeType === 'weak')).toBe(false);
      for (const step of path) expect(step.object.distance).toBe(engine.heapFindObject(id, step.object.id)!.distance);
    }
    expect(paths[0].some((step) => step.edge === 'leaks' && step.edgeText === '.leaks')).toBe(true);
    expect(paths[0].map((s) => nodeDisplayName(g, s.object.node))).toContain('global');
  });

  it('what an object dominates: a page of children, largest first, adding up to its retained size', async () => {
    const a = await analyzeHeap(await graphOf('node-plain'));
    const { id } = await openedOf('node-plain');
    const leaky = engine.heapObjects(id, (await classNamed('node-plain', 'Leaky')).classId, { limit: 1 }).rows[0].node;
    const holder = engine.heapRetainers(id, leaky, 1)[0][1].object; // the array's elements store
    const page = engine.heapDominated(id, holder.node, { limit: 1000 });
    expect(page.total).toBeGreaterThanOrEqual(300);
    const nodes = page.rows.map((o) => o.node);
    expect(nodes).toContain(leaky);
    for (let i = 1; i < page.rows.length; i++) expect(page.rows[i - 1].retainedSize!).toBeGreaterThanOrEqual(page.rows[i].retainedSize!);
    for (const n of nodes) expect(a.dominator[n]).toBe(holder.node);
    const sum = page.rows.reduce((s, o) => s + o.retainedSize!, 0);
    expect(sum + holder.selfSize).toBe(holder.retainedSize);
    expect(engine.heapDominated(id, holder.node, { offset: 10, limit: 5 }).rows.map((o) => o.node)).toEqual(nodes.slice(10, 15));
  });
});

describe('detached DOM in a Chromium snapshot', () => {
  it("the page's 25 detached <li> and their <ul> are detached elements", async () => {
    const g = await graphOf('chromium-detached');
    const { id, heap } = await openedOf('chromium-detached');
    const detached = engine.heapDetached(id, { limit: 100 });
    const names = detached.rows.map((o) => g.strings[g.nodeName[o.node]]);
    // page.js cut a <ul> with 25 <li>, each holding its text, from the document.
    expect(names.filter((s) => s === '<li>').length).toBe(25);
    expect(names.filter((s) => s.startsWith('<ul')).length).toBe(1);
    expect(names.filter((s) => s === 'Text').length).toBe(25);
    expect(detached.total).toBe(51);
    expect(heap!.detachedCount).toBe(26);
    expect(heap!.detachedTextCount).toBe(25);
    expect((await classNamed('chromium-detached', 'Detached <li>'))?.count).toBe(25);
    expect((await classNamed('chromium-detached', 'Detached <ul>'))?.count).toBe(1);
    expect((await classNamed('chromium-detached', 'ListCache'))?.count).toBe(1);
  });
});

describe('sections besides nodes and edges, against JSON.parse of the same file', () => {
  for (const name of FIXTURES) {
    it(`${name}: every string, the locations, the samples`, async () => {
      const g = await graphOf(name);
      const json = JSON.parse(new TextDecoder().decode(bytesOf(name)));
      expect(g.strings.length).toBe(json.strings.length);
      const wrong = g.strings.findIndex((s, i) => s !== json.strings[i]);
      expect(wrong).toBe(-1);
      const lf: string[] = json.snapshot.meta.location_fields;
      const nf = json.snapshot.meta.node_fields.length;
      expect(g.locations?.length ?? 0).toBe(json.locations.length / lf.length);
      for (let i = 0; i < (g.locations?.length ?? 0); i += 97) {
        expect(g.locations!.node[i]).toBe(json.locations[i * lf.length + lf.indexOf('object_index')] / nf);
        expect(g.locations!.line[i]).toBe(json.locations[i * lf.length + lf.indexOf('line')]);
        expect(g.locations!.column[i]).toBe(json.locations[i * lf.length + lf.indexOf('column')]);
      }
      expect(g.samples?.length ?? 0).toBe(json.samples.length / json.snapshot.meta.sample_fields.length);
      // The nodes and edges columns, field by field.
      const fields: string[] = json.snapshot.meta.node_fields;
      for (let i = 0; i < g.nodeCount; i += 13) {
        expect(g.nodeId[i]).toBe(json.nodes[i * nf + fields.indexOf('id')]);
        expect(g.selfSize[i]).toBe(json.nodes[i * nf + fields.indexOf('self_size')]);
        expect(g.firstEdge[i + 1] - g.firstEdge[i]).toBe(json.nodes[i * nf + fields.indexOf('edge_count')]);
      }
      const ef = json.snapshot.meta.edge_fields.length;
      for (let e = 0; e < g.edgeCount; e += 17) expect(g.edgeTo[e]).toBe(json.edges[e * ef + 2] / nf);
    });
  }

  it('node-tracked: the trace tree flattened, its functions, and the live objects as an allocation profile', async () => {
    const g = await parse(bytesOf('node-tracked'));
    const json = JSON.parse(new TextDecoder().decode(bytesOf('node-tracked')));
    const t = g.traces!;
    expect(t).not.toBeNull();
    expect(t.functionName.length).toBe(json.trace_function_infos.length / json.snapshot.meta.trace_function_info_fields.length);
    let treeNodes = 0;
    const count = (node: unknown[]): void => {
      treeNodes++;
      (node[4] as unknown[]).forEach((_, k, children) => k % 5 === 0 && count(children.slice(k, k + 5)));
    };
    count(json.trace_tree);
    expect(t.treeId.length).toBe(treeNodes);
    expect(t.treeParent[0]).toBe(-1);
    for (let i = 1; i < t.treeParent.length; i++) expect(t.treeParent[i]).toBeLessThan(i);

    // Independent count from the JSON: objects with a trace node, and their sizes.
    const fields: string[] = json.snapshot.meta.node_fields;
    const [traceField, sizeField] = [fields.indexOf('trace_node_id'), fields.indexOf('self_size')];
    let objects = 0;
    let size = 0;
    for (let i = 0; i < json.nodes.length; i += fields.length) {
      if (json.nodes[i + traceField] !== 0) (objects++, (size += json.nodes[i + sizeField]));
    }
    const profile = allocationProfile(g)!;
    const total = (k: number) => profile.samples.values[k].reduce((s, v) => s + v, 0);
    // Objects whose stack has no JavaScript frame (allocated by the runtime itself) are left out.
    expect(total(1)).toBeLessThanOrEqual(objects);
    expect(total(1)).toBeGreaterThan(objects * 0.9);
    expect(total(0)).toBeLessThanOrEqual(size);
    const leaky = profile.frames.func.findIndex((f, i) => profile.strings[f] === 'Leaky' && profile.strings[profile.frames.file[i]].endsWith('workload.cjs'));
    expect(profile.frames.line[leaky]).toBe(8);
  });

  it('a snapshot without traces has no allocation profile', async () => {
    expect((await graphOf('node-plain')).traces).toBeNull();
    expect(allocationProfile(await graphOf('node-plain'))).toBeNull();
  });
});

/** A small snapshot written the way V8 writes one, with a chosen field layout. */
function syntheticSnapshot(strings: string[], opts: { nodeFields?: string[]; chunkBreaks?: boolean } = {}) {
  const nodeFields = opts.nodeFields ?? ['type', 'name', 'id', 'self_size', 'edge_count'];
  const node = (v: Record<string, number>) => nodeFields.map((f) => v[f] ?? 0);
  // root → a (property "s0") → b (element 0); b → a (weak)
  const nodes = [
    ...node({ type: 9, name: 0, id: 1, self_size: 0, edge_count: 1 }),
    ...node({ type: 3, name: 1, id: 3, self_size: 32, edge_count: 1, trace_node_id: 0, detachedness: 0 }),
    ...node({ type: 1, name: 2, id: 5, self_size: 4294967296 * 3, edge_count: 1 }),
  ];
  const nf = nodeFields.length;
  const edges = [2, 2, nf, 1, 0, 2 * nf, 6, 1, nf];
  const meta = {
    node_fields: nodeFields,
    node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'], 'string', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
    location_fields: ['object_index', 'script_id', 'script_object_index', 'line', 'column'],
  };
  const text =
    `{"snapshot":${JSON.stringify({ meta, node_count: 3, edge_count: 3 })},\n"nodes":[${nodes.join(',')}],\n"edges":[${edges.join(',')}],\n` +
    `"future_section":{"x":[1,"]}"]},"locations":[${nf},7,0,12,4],\n"strings":[${strings.map((s) => jsonAscii(s)).join(',\n')}]}`;
  return new TextEncoder().encode(text);
}

/** JSON.stringify, then non-ASCII as \uXXXX escapes, as V8's serializer writes them. */
const jsonAscii = (s: string) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('the scanner', () => {
  const tricky = ['', 'a\u00e9b', 'emoji \ud83d\ude00 pair', 'lone \ud800 high', 'lone \udc00 low', 'quote " backslash \\ slash /', 'ctl \b\f\n\r\t\u0001', 'x'.repeat(70000)];

  it('decodes string literals with every escape, surrogate pairs and raw UTF-8, across any chunk boundary', async () => {
    const bytes = syntheticSnapshot(tricky);
    for (const chunk of [1, 2, 3, 7, 64, 1 << 20]) {
      const g = await parse(bytes, chunk);
      expect(g.strings, `chunks of ${chunk}`).toEqual(tricky);
    }
    // Raw UTF-8 (other writers than V8 do not escape non-ASCII), alone and beside escapes.
    const text = new TextDecoder().decode(syntheticSnapshot(tricky));
    const raw = new TextEncoder().encode(text.replace('a\\u00e9b', 'a\u00e9b\u{1f600}').replace('lone \\ud800 high', '\u00e9\u{1f600}\\n'));
    for (const chunk of [1, 5, 1 << 20]) {
      const g = await parse(raw, chunk);
      expect(g.strings[1]).toBe('a\u00e9b\u{1f600}');
      expect(g.strings[3]).toBe('\u00e9\u{1f600}\n');
    }
  });

  it('reads the field layout from snapshot.meta (6, 7 or reordered node fields; 5 location fields)', async () => {
    for (const nodeFields of [
      ['type', 'name', 'id', 'self_size', 'edge_count'],
      ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
      ['edge_count', 'self_size', 'id', 'name', 'type', 'detachedness'],
    ]) {
      const g = await parse(syntheticSnapshot(['', 'A', 's0'], { nodeFields }), 3);
      expect([...g.nodeType]).toEqual([9, 3, 1]);
      expect([...g.nodeId]).toEqual([1, 3, 5]);
      expect([...g.selfSize]).toEqual([0, 32, 4294967296 * 3]); // wider than 32 bits
      expect([...g.firstEdge]).toEqual([0, 1, 2, 3]);
      expect([...g.edgeTo]).toEqual([1, 2, 1]);
      expect([...g.edgeNameOrIndex]).toEqual([2, 0, 1]);
      expect(g.locations).toMatchObject({ length: 1, line: Int32Array.of(12), column: Int32Array.of(4) });
      expect([...g.locations!.node]).toEqual([1]);
      expect(g.detachedness === null).toBe(!nodeFields.includes('detachedness'));
      const a = await analyzeHeap(g);
      expect([...a.retainedSize]).toEqual([32 + 4294967296 * 3, 32 + 4294967296 * 3, 4294967296 * 3]);
      expect([...a.dominator]).toEqual([0, 0, 1]);
    }
  });

  it('gives the same graph whatever the chunk boundaries (fast and generic loops agree)', async () => {
    for (const name of ['node-plain', 'chromium-detached']) {
      const whole = await parse(bytesOf(name), 1 << 20);
      const odd = await parse(bytesOf(name), 997);
      for (const column of ['nodeType', 'nodeName', 'nodeId', 'selfSize', 'detachedness', 'firstEdge', 'edgeType', 'edgeNameOrIndex', 'edgeTo'] as const) {
        expect(odd[column], `${name} ${column}`).toEqual(whole[column]);
      }
      expect(odd.strings).toEqual(whole.strings);
      expect(odd.locations).toEqual(whole.locations);
    }
  });

  it('passes on the error of a stream that fails, and leaves no read pending', async () => {
    const bytes = bytesOf('node-plain');
    const broken = new Error('the disk went away');
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 3) return controller.error(broken);
        controller.enqueue(bytes.slice(sent * 65536, ++sent * 65536));
      },
    });
    await expect(parseHeapSnapshot(stream, bytes.length)).rejects.toBe(broken);
  });

  it('reports progress up to the whole file and stops when cancelled', async () => {
    const bytes = bytesOf('node-plain');
    const seen: number[] = [];
    await parseHeapSnapshot(chunked(bytes, 1 << 16), bytes.length, job((done, total) => (expect(total).toBe(bytes.length), seen.push(done))));
    expect(seen.at(-1)).toBe(bytes.length);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(seen.length).toBeGreaterThan(50); // every 1% (or 64 kB)
    let calls = 0;
    const stop = new Error('cancelled');
    const err = await parseHeapSnapshot(
      chunked(bytes, 1 << 16),
      bytes.length,
      job(
        () => {},
        () => {
          if (++calls === 5) throw stop;
        },
      ),
    ).catch((e) => e);
    expect(err).toBe(stop);
  });
});

describe('damaged snapshots', () => {
  const bytes = bytesOf('node-plain');
  const failure = (input: Uint8Array, total = input.length) =>
    parseHeapSnapshot(chunked(input, 1 << 16), total).then(
      () => null,
      (e) => e,
    );

  it('every one of 50 truncations says where the file was cut', async () => {
    // Where each section starts, found in the text independently.
    const text = new TextDecoder().decode(bytes);
    const keys = ['nodes', 'edges', 'trace_function_infos', 'trace_tree', 'samples', 'locations', 'strings'].map((k) => ({ k, at: text.indexOf(`"${k}":`) }));
    const header = JSON.parse(text.slice(text.indexOf(':') + 1, keys[0].at - 2));
    const sections = new Set<string>();
    for (let k = 0; k < 50; k++) {
      const cut = Math.floor(((k + 0.5) * bytes.length) / 50);
      const err = await failure(bytes.subarray(0, cut));
      expect(err, `cut at ${cut}`).toBeInstanceOf(HeaplensError);
      const fit = header.node_count * header.meta.node_fields.length * 2 + header.edge_count * header.meta.edge_fields.length * 2 <= cut + 64;
      if (!fit) {
        expect(err.message).toMatch(/^This heap snapshot is truncated or corrupt: its header announces [\d,]+ nodes and [\d,]+ edges, more than a [\d,]+-byte file can hold/);
        continue;
      }
      const inside = keys.filter((x) => x.at >= 0 && x.at < cut).at(-1)!;
      const where = cut < inside.at + inside.k.length + 3 ? 'the space between two sections' : `the ${inside.k} section`;
      sections.add(where);
      expect(err.message).toBe(
        `This heap snapshot is truncated: it ends inside ${where} (at byte ${cut.toLocaleString('en-US')} of ${cut.toLocaleString('en-US')}). ` +
          'The file was probably cut off while it was written or copied; take or copy the snapshot again.',
      );
    }
    expect(sections).toContain('the edges section');
    expect(sections).toContain('the strings section');
    // Cut inside the header, and an empty file.
    expect((await failure(bytes.subarray(0, 100))).message).toMatch(/ends inside the header \(at byte 100 of 100\)/);
    expect((await failure(new Uint8Array(0))).message).toMatch(/ends inside the header \(at byte 0 of 0\)/);
  });

  it('a download cut off (fewer bytes than announced) says which section it ended in', async () => {
    for (const fraction of [0.001, 0.2, 0.5, 0.9, 0.999]) {
      const cut = Math.floor(bytes.length * fraction);
      const err = await failure(bytes.subarray(0, cut), bytes.length);
      expect(err).toBeInstanceOf(HeaplensError);
      expect(err.message).toMatch(new RegExp(`truncated: it ends inside .* \\(at byte ${cut.toLocaleString('en-US')} of ${bytes.length.toLocaleString('en-US')}\\)`));
    }
  });

  it('flipped bytes give a HeaplensError or a graph, never another exception or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), async (flips) => {
        const copy = Uint8Array.from(bytes);
        for (const [at, x] of flips) copy[at] ^= x;
        try {
          const g = await parseHeapSnapshot(chunked(copy, 1 << 18), copy.length);
          classIndex(g);
          await analyzeHeap(g);
        } catch (e) {
          expect(e, (e as Error)?.stack).toBeInstanceOf(HeaplensError);
          expect((e as Error).message).toMatch(/^This (heap snapshot|file)/);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('counts that disagree with the header are named', async () => {
    const text = new TextDecoder().decode(syntheticSnapshot(['', 'A', 's0']));
    const cases: [string, string, RegExp][] = [
      ['"node_count":3', '"node_count":4', /nodes section holds 3 nodes, the header says 4/],
      ['"node_count":3', '"node_count":2', /more nodes than the header's node_count \(2\)/],
      ['"edge_count":3', '"edge_count":4', /edges section holds 3 edges, the header says 4/],
      ['"edge_count":3', '"edge_count":2', /nodes own more edges than the header's edge_count \(2\)/],
      ['"edges":[2,2,5', '"edges":[2,2,6', /edge 0 points to 6, which is not a node/],
      ['"nodes":[9,0', '"nodes":[19,0', /node 0 has an unknown type 19/],
      ['"strings":["",', '"strings":[', /names string 2, but the strings section holds 2/],
      ['"nodes":[', '"nodes":{', /the nodes section is not an array/],
      ['{"snapshot":{"meta":{"node_fields":["type",', '{"snapshot":{"meta":{"node_fields":[', /snapshot.meta.node_fields has no "type"/],
    ];
    for (const [from, to, message] of cases) {
      expect(text.includes(from), from).toBe(true);
      const err = await failure(new TextEncoder().encode(text.replace(from, to)));
      expect(err, to).toBeInstanceOf(HeaplensError);
      expect(err.message, to).toMatch(message);
    }
  });

  it('a header that announces more nodes than the file can hold is refused at once', async () => {
    const text = new TextDecoder().decode(bytes.subarray(0, 2000)).replace(/"node_count":\d+/, '"node_count":900000000');
    const err = await failure(new TextEncoder().encode(text));
    expect(err).toBeInstanceOf(HeaplensError);
    expect(err.message).toMatch(/more than a [\d,]+-byte file can hold/);
  });
});
