// Parity report (diagnostic, not a test — heap-devtools.test.ts asserts the same): heaplens'
// Summary through the engine the app ships (createEngine → open → heapClasses/heapObjects)
// against DevTools' Summary rows from heap-snapshot-toolkit (test/reference/devtools.ts) on every
// snapshot fixture. Rows are matched by DevTools' class key (`,Name` or `scriptId,line,column,Name`);
// a row matches when name, count, shallow size, retained size and distance are all equal. Rows
// that do not are listed with both sides, and per object where the two differ (class, self size,
// distance), so a regression points at its cause.
//
// usage: npx tsx test/reference/parity.ts [--json] [FIXTURE …]

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { HeapClassRow } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { load, statistics, summary, type Snapshot, type SummaryRow } from './devtools.ts';
import { HEAP_FIXTURE_DIR, heapFixtures } from './heap-fixtures.ts';

const DIR = HEAP_FIXTURE_DIR;
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const only = args.filter((a) => !a.startsWith('--'));

interface FixtureResult {
  fixture: string;
  devtoolsRows: number;
  heaplensRows: number;
  equal: number;
  statisticsEqual: boolean;
  objectsCompared: number;
  objectsDiffering: number;
  mismatches: string[];
}

function fixtures(): string[] {
  return heapFixtures().filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
}

const same = (a: SummaryRow, b: HeapClassRow) =>
  a.name === b.name && a.count === b.count && a.shallowSize === b.shallowSize && a.retainedSize === b.retainedSize && a.distance === b.distance;

/** Per node, DevTools' class key, self size (after its move to owners) and distance. */
function devtoolsNodes(snap: Snapshot): { key: string[]; self: Float64Array; distance: Int32Array } {
  const n = snap.nodeCount;
  const key: string[] = new Array(n);
  const self = new Float64Array(n);
  const node = snap.createNode(0);
  for (let o = 0; o < n; o++) {
    node.nodeIndex = o * snap.nodeFieldCount;
    key[o] = snap.classKeyFromClassKeyInternal(node.classKeyInternal());
    self[o] = snap.nodes.getValue(o * snap.nodeFieldCount + snap.nodeSelfSizeOffset);
  }
  return { key, self, distance: snap.nodeDistances };
}

async function compare(fixture: string): Promise<FixtureResult> {
  const file = join(DIR, fixture);
  const snap = await load(file);
  const engine = createEngine();
  const opened = await engine.open(new Uint8Array(readFileSync(file)), basename(file));
  const dt = summary(snap);
  const hl = engine.heapClasses(opened.id, {}).rows;
  const byKey = new Map(hl.map((r) => [r.key, r]));
  const mismatches: string[] = [];
  let equal = 0;
  for (const r of dt) {
    const h = byKey.get(r.key);
    if (h && same(r, h)) equal++;
    else mismatches.push(`${r.key}: devtools ${r.count}/${r.shallowSize}/${r.retainedSize}/d${r.distance}, heaplens ${h ? `${h.count}/${h.shallowSize}/${h.retainedSize}/d${h.distance}` : 'no row'}`);
  }
  const dtKeys = new Set(dt.map((r) => r.key));
  for (const h of hl) if (!dtKeys.has(h.key)) mismatches.push(`${h.key}: heaplens only, ${h.count}/${h.shallowSize}/${h.retainedSize}`);
  // Object by object: every object DevTools counts, in heaplens' class with the same size and distance.
  const nodes = devtoolsNodes(snap);
  const ours = new Map<number, { key: string; self: number; distance: number }>();
  for (const r of hl) for (const o of engine.heapObjects(opened.id, r.classId, { limit: r.count }).rows) ours.set(o.node, { key: r.key, self: o.selfSize, distance: o.distance });
  let objectsCompared = 0;
  let objectsDiffering = 0;
  for (let o = 0; o < snap.nodeCount; o++) {
    if (nodes.self[o] === 0) continue;
    objectsCompared++;
    const h = ours.get(o);
    if (h && h.key === nodes.key[o] && h.self === nodes.self[o] && h.distance === nodes.distance[o]) continue;
    objectsDiffering++;
    if (objectsDiffering <= 5) mismatches.push(`node ${o}: devtools ${nodes.key[o]} ${nodes.self[o]} B d${nodes.distance[o]}, heaplens ${h ? `${h.key} ${h.self} B d${h.distance}` : 'not counted'}`);
  }
  const statisticsEqual = JSON.stringify(statistics(snap)) === JSON.stringify(engine.heapStatistics(opened.id));
  return { fixture, devtoolsRows: dt.length, heaplensRows: hl.length, equal, statisticsEqual, objectsCompared, objectsDiffering, mismatches };
}

const results: FixtureResult[] = [];
for (const f of fixtures()) results.push(await compare(f));
if (asJson) process.stdout.write(`${JSON.stringify(results, null, 1)}\n`);
else {
  const col = (s: string | number, w: number) => String(s).padStart(w);
  console.log('DevTools Summary rows (heap-snapshot-toolkit) vs heaplens (createEngine → heapClasses), matched by class key');
  console.log(`${'fixture'.padEnd(36)}${col('dt rows', 8)}${col('hl rows', 8)}${col('equal', 7)}${col('objects', 9)}${col('differ', 8)}${col('statistics', 12)}`);
  let dt = 0;
  let eq = 0;
  for (const r of results) {
    dt += r.devtoolsRows;
    eq += r.equal;
    console.log(`${r.fixture.padEnd(36)}${col(r.devtoolsRows, 8)}${col(r.heaplensRows, 8)}${col(r.equal, 7)}${col(r.objectsCompared, 9)}${col(r.objectsDiffering, 8)}${col(r.statisticsEqual ? 'equal' : 'DIFFERENT', 12)}`);
  }
  console.log(`${'all'.padEnd(36)}${col(dt, 8)}${''.padStart(8)}${col(eq, 7)}`);
  for (const r of results) for (const m of r.mismatches.slice(0, 10)) console.log(`  ${r.fixture}: ${m}`);
}
