// Parity report (diagnostic, not a test): heaplens' Summary, through the engine the app ships
// (createEngine → open → heapClasses/heapObjects), against DevTools' Summary rows from
// heap-snapshot-toolkit (test/reference/devtools.ts) on every snapshot fixture. Rows are matched
// by name; a DevTools row matches when heaplens has a row of that name with the same count,
// shallow size and retained size. Every other row is put down to one cause, found by comparing
// the two tools object by object (both keep the snapshot's node order):
//   location split   DevTools splits a class by its constructor's location (several rows, one name)
//   naming: …        DevTools names the objects otherwise (Function, RegExp, {a, b} shapes,
//                    tag-only DOM names like <div> / Detached <div>, other)
//   shallow moved    DevTools moved hidden/array sizes to their owner (calculateShallowSizes), so
//                    shallow sizes, and counts of the emptied objects, differ
//   zero-size        heaplens counts objects of size 0, which DevTools leaves out
//   retained         same objects and shallow sizes, another retained size
// Rows only heaplens has are put down the same way, or to "synthetic/root rows".
// Distances are compared per class (DevTools' minimum over the class) and per object.
//
// usage: npx tsx test/reference/parity.ts [--json] [--examples] [FIXTURE …]

import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createEngine } from '../../workers/engine/engine.ts';
import { BASE_SYSTEM_DISTANCE, load, summary, type Snapshot, type SummaryRow } from './devtools.ts';

const DIR = join(import.meta.dirname, '../fixtures/heapsnapshot');
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const withExamples = args.includes('--examples');
const only = args.filter((a) => !a.startsWith('--'));

const CAUSES = [
  'location split',
  'naming: Function vs (closure)',
  'naming: RegExp vs (regexp)',
  'naming: {…} shapes',
  'naming: tag-only DOM names',
  'naming: other',
  'shallow moved to owners',
  'zero-size objects',
  'retained size',
  'synthetic/root rows',
] as const;
type Cause = (typeof CAUSES)[number];

interface NodeFacts {
  /** DevTools' class key and name of every node (also those it leaves out for size 0). */
  dtKey: string[];
  dtName: string[];
  /** Self size after DevTools' calculateShallowSizes, and as the file says. */
  dtSelf: Float64Array;
  rawSelf: Float64Array;
  dtDistance: Int32Array;
  /** heaplens' class name, self size and distance of every node. */
  hlName: string[];
  hlSelf: Float64Array;
  hlDistance: Float64Array;
}

interface HeaplensRow {
  name: string;
  count: number;
  shallowSize: number;
  retainedSize: number;
  nodes: number[];
}

interface FixtureResult {
  fixture: string;
  devtoolsRows: number;
  heaplensRows: number;
  exact: number;
  exactWithDistance: number;
  sameNameAndCount: number;
  totalSize: { devtools: number; heaplens: number };
  causes: Record<Cause, number>;
  heaplensOnly: Record<Cause, number>;
  distance: { classesCompared: number; classesEqual: number; objectsCompared: number; objectsEqual: number; systemOnly: number; heaplensNearer: number };
  examples: Partial<Record<Cause, string[]>>;
}

function fixtures(): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of readdirSync(DIR).sort()) {
    if (!/\.(heapsnapshot|heaptimeline)$/.test(f)) continue;
    const real = realpathSync(join(DIR, f));
    if (seen.has(real)) continue; // node-tracked is a link to node-before
    seen.add(real);
    if (only.length === 0 || only.some((o) => f.startsWith(o))) out.push(f);
  }
  return out;
}

async function heaplensSide(file: string): Promise<{ rows: HeaplensRow[]; totalSize: number; nodeCount: number; name: string[]; self: Float64Array; distance: Float64Array }> {
  const engine = createEngine();
  const opened = await engine.open(new Uint8Array(readFileSync(file)), basename(file));
  const nodeCount = opened.heap!.nodeCount;
  const name: string[] = new Array(nodeCount).fill('');
  const self = new Float64Array(nodeCount);
  const distance = new Float64Array(nodeCount).fill(-1);
  const result = engine.heapClasses(opened.id, {});
  const rows: HeaplensRow[] = [];
  for (const r of result.rows) {
    const page = engine.heapObjects(opened.id, r.classId, { offset: 0, limit: r.count });
    for (const o of page.rows) {
      name[o.node] = r.name;
      self[o.node] = o.selfSize;
      distance[o.node] = o.distance;
    }
    rows.push({ name: r.name, count: r.count, shallowSize: r.shallowSize, retainedSize: r.retainedSize, nodes: page.rows.map((o) => o.node) });
  }
  engine.close(opened.id);
  return { rows, totalSize: opened.heap!.totalSize, nodeCount, name, self, distance };
}

function devtoolsFacts(snap: Snapshot, file: string): Pick<NodeFacts, 'dtKey' | 'dtName' | 'dtSelf' | 'rawSelf' | 'dtDistance'> {
  const n = snap.nodeCount;
  const fields = snap.nodeFieldCount;
  const selfOffset = snap.nodeSelfSizeOffset;
  const dtKey: string[] = new Array(n);
  const dtName: string[] = new Array(n);
  const dtSelf = new Float64Array(n);
  const node = snap.createNode(0);
  for (let o = 0; o < n; o++) {
    node.nodeIndex = o * fields;
    dtKey[o] = snap.classKeyFromClassKeyInternal(node.classKeyInternal());
    dtName[o] = node.className();
    dtSelf[o] = snap.nodes.getValue(o * fields + selfOffset);
  }
  // The file's own self sizes, before DevTools moved any: read from the JSON itself.
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { nodes: number[] };
  const rawSelf = new Float64Array(n);
  for (let o = 0; o < n; o++) rawSelf[o] = raw.nodes[o * fields + selfOffset];
  return { dtKey, dtName, dtSelf, rawSelf, dtDistance: snap.nodeDistances };
}

const isTagOnly = (name: string) => /^(Detached )?<[^ >]+>$/.test(name);

function namingCause(dtName: string, hlNames: Set<string>): Cause {
  if (dtName === 'Function' && hlNames.has('(closure)')) return 'naming: Function vs (closure)';
  if (dtName === 'RegExp' && hlNames.has('(regexp)')) return 'naming: RegExp vs (regexp)';
  if (dtName.startsWith('{')) return 'naming: {…} shapes';
  if (isTagOnly(dtName)) return 'naming: tag-only DOM names';
  return 'naming: other';
}

/** Why a DevTools row and heaplens' row of the same name differ, object by object. */
function sameNameCause(dt: SummaryRow, members: number[], hl: HeaplensRow, f: NodeFacts): Cause {
  if (/^\((synthetic|root)\)$/.test(dt.name)) return 'synthetic/root rows';
  const inDt = new Set(members);
  const hlMembers = new Set(hl.nodes);
  const missing = hl.nodes.filter((o) => !inDt.has(o)); // heaplens counts them here, DevTools not
  const extra = members.filter((o) => !hlMembers.has(o)); // DevTools counts them here, heaplens elsewhere
  if (extra.length > 0) return namingCause(dt.name, new Set(extra.map((o) => f.hlName[o])));
  if (missing.length > 0) {
    const moved = missing.some((o) => f.dtKey[o] === dt.key && f.dtSelf[o] === 0 && f.rawSelf[o] > 0);
    const zero = missing.some((o) => f.rawSelf[o] === 0);
    const renamed = missing.find((o) => f.dtKey[o] !== dt.key);
    if (renamed !== undefined) return namingCause(f.dtName[renamed], new Set([dt.name]));
    if (moved) return 'shallow moved to owners';
    if (zero) return 'zero-size objects';
  }
  if (members.some((o) => f.dtSelf[o] !== f.rawSelf[o]) || dt.shallowSize !== hl.shallowSize) return 'shallow moved to owners';
  return 'retained size';
}

function heaplensOnlyCause(hl: HeaplensRow, f: NodeFacts): Cause {
  if (/^\((synthetic|root)\)$/.test(hl.name)) return 'synthetic/root rows';
  if (hl.name === '(closure)') return 'naming: Function vs (closure)';
  if (hl.name === '(regexp)') return 'naming: RegExp vs (regexp)';
  if (hl.nodes.every((o) => f.rawSelf[o] === 0)) return 'zero-size objects';
  if (hl.nodes.every((o) => f.dtSelf[o] === 0)) return 'shallow moved to owners';
  const dtNames = new Set(hl.nodes.filter((o) => f.dtSelf[o] > 0).map((o) => f.dtName[o]));
  if ([...dtNames].some((n) => isTagOnly(n))) return 'naming: tag-only DOM names';
  if ([...dtNames].some((n) => n.startsWith('{'))) return 'naming: {…} shapes';
  return 'naming: other';
}

/** DevTools shows distances ≥ 1e8 (reached only through system roots) as "−". */
const sameDistance = (dt: number, hl: number) => (dt < 0 ? hl < 0 : dt >= BASE_SYSTEM_DISTANCE ? false : dt === hl);

async function compare(fixture: string): Promise<FixtureResult> {
  const file = join(DIR, fixture);
  const snap = await load(file);
  const dtRows = summary(snap);
  const hl = await heaplensSide(file);
  const facts: NodeFacts = { ...devtoolsFacts(snap, file), hlName: hl.name, hlSelf: hl.self, hlDistance: hl.distance };
  if (hl.nodeCount !== snap.nodeCount) throw new Error(`${fixture}: node counts differ (${hl.nodeCount} vs ${snap.nodeCount})`);

  const membersByKey = new Map<string, number[]>();
  for (let o = 0; o < snap.nodeCount; o++) {
    if (facts.dtSelf[o] === 0) continue; // buildAggregates skips objects of size 0
    let list = membersByKey.get(facts.dtKey[o]);
    if (!list) membersByKey.set(facts.dtKey[o], (list = []));
    list.push(o);
  }
  const keysByName = new Map<string, number>();
  for (const r of dtRows) keysByName.set(r.name, (keysByName.get(r.name) ?? 0) + 1);
  const hlByName = new Map(hl.rows.map((r) => [r.name, r]));

  const causes = Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<Cause, number>;
  const heaplensOnly = Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<Cause, number>;
  const examples: Partial<Record<Cause, string[]>> = {};
  const note = (c: Cause, text: string) => {
    const list = (examples[c] ??= []);
    if (list.length < 4) list.push(text);
  };
  let exact = 0;
  let exactWithDistance = 0;
  let sameNameAndCount = 0;
  let classesCompared = 0;
  let classesEqual = 0;

  for (const dt of dtRows) {
    const h = hlByName.get(dt.name);
    const members = membersByKey.get(dt.key) ?? [];
    let hlDistance = Infinity;
    for (const o of members) if (facts.hlDistance[o] >= 0) hlDistance = Math.min(hlDistance, facts.hlDistance[o]);
    classesCompared++;
    if (sameDistance(dt.distance, hlDistance === Infinity ? -1 : hlDistance)) classesEqual++;
    if (h && h.count === dt.count) sameNameAndCount++;
    if (keysByName.get(dt.name)! > 1) {
      causes['location split']++;
      note('location split', `${dt.name} @${dt.key.split(',').slice(0, 3).join(':')} ×${dt.count}`);
      continue;
    }
    if (h && h.count === dt.count && h.shallowSize === dt.shallowSize && h.retainedSize === dt.retainedSize) {
      exact++;
      if (sameDistance(dt.distance, hlDistance === Infinity ? -1 : hlDistance)) exactWithDistance++;
      continue;
    }
    let cause: Cause;
    if (!h) cause = namingCause(dt.name, new Set(members.map((o) => facts.hlName[o])));
    else cause = sameNameCause(dt, members, h, facts);
    causes[cause]++;
    const theirs = h ? `${h.count} / ${h.shallowSize} / ${h.retainedSize}` : `as ${[...new Set(members.map((o) => facts.hlName[o]))].slice(0, 3).join(', ')}`;
    note(cause, `${dt.name}: devtools ${dt.count} / ${dt.shallowSize} / ${dt.retainedSize}, heaplens ${theirs}`);
  }
  const dtNames = new Set(dtRows.map((r) => r.name));
  for (const h of hl.rows) {
    if (dtNames.has(h.name)) continue;
    const cause = heaplensOnlyCause(h, facts);
    heaplensOnly[cause]++;
    note(cause, `heaplens only: ${h.name} ${h.count} / ${h.shallowSize} / ${h.retainedSize}`);
  }

  let objectsCompared = 0;
  let objectsEqual = 0;
  let systemOnly = 0;
  let heaplensNearer = 0;
  for (let o = 0; o < snap.nodeCount; o++) {
    if (facts.dtSelf[o] === 0) continue;
    objectsCompared++;
    const d = facts.dtDistance[o];
    if (d >= BASE_SYSTEM_DISTANCE) systemOnly++;
    if (sameDistance(d, facts.hlDistance[o])) objectsEqual++;
    else if (facts.hlDistance[o] >= 0 && facts.hlDistance[o] < (d >= BASE_SYSTEM_DISTANCE ? d - BASE_SYSTEM_DISTANCE : d)) heaplensNearer++;
  }
  return {
    fixture,
    devtoolsRows: dtRows.length,
    heaplensRows: hl.rows.length,
    exact,
    exactWithDistance,
    sameNameAndCount,
    totalSize: { devtools: snap.totalSize, heaplens: hl.totalSize },
    causes,
    heaplensOnly,
    distance: { classesCompared, classesEqual, objectsCompared, objectsEqual, systemOnly, heaplensNearer },
    examples,
  };
}

function print(results: FixtureResult[]): void {
  const pct = (a: number, b: number) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(0)} %`);
  const col = (s: string | number, w: number) => String(s).padStart(w);
  console.log('DevTools Summary rows (heap-snapshot-toolkit) vs heaplens (createEngine → heapClasses), matched by name');
  console.log(`${'fixture'.padEnd(36)}${col('dt rows', 8)}${col('hl rows', 8)}${col('exact', 7)}${col('', 6)}${col('+dist', 7)}${col('name+count', 11)}${col('total size', 22)}`);
  const sum = { dt: 0, hl: 0, exact: 0, dist: 0, nc: 0 };
  for (const r of results) {
    sum.dt += r.devtoolsRows;
    sum.hl += r.heaplensRows;
    sum.exact += r.exact;
    sum.dist += r.exactWithDistance;
    sum.nc += r.sameNameAndCount;
    const total = r.totalSize.devtools === r.totalSize.heaplens ? 'equal' : `${r.totalSize.devtools} vs ${r.totalSize.heaplens}`;
    console.log(`${r.fixture.padEnd(36)}${col(r.devtoolsRows, 8)}${col(r.heaplensRows, 8)}${col(r.exact, 7)}${col(pct(r.exact, r.devtoolsRows), 6)}${col(r.exactWithDistance, 7)}${col(r.sameNameAndCount, 11)}${col(total, 22)}`);
  }
  console.log(`${'all'.padEnd(36)}${col(sum.dt, 8)}${col(sum.hl, 8)}${col(sum.exact, 7)}${col(pct(sum.exact, sum.dt), 6)}${col(sum.dist, 7)}${col(sum.nc, 11)}`);

  console.log('\nDevTools rows that do not match, by cause (one cause per row) — and rows only heaplens has');
  const short = results.map((r) => r.fixture.replace(/\.(heapsnapshot|heaptimeline)$/, '').replace('chromium', 'chr'));
  console.log(`${'cause'.padEnd(32)}${short.map((s) => col(s, 15)).join('')}${col('all', 7)}${col('hl-only', 9)}`);
  for (const c of CAUSES) {
    const counts = results.map((r) => r.causes[c]);
    const hlOnly = results.reduce((a, r) => a + r.heaplensOnly[c], 0);
    const all = counts.reduce((a, b) => a + b, 0);
    if (all === 0 && hlOnly === 0) continue;
    console.log(`${c.padEnd(32)}${counts.map((n) => col(n, 15)).join('')}${col(all, 7)}${col(hlOnly, 9)}`);
  }

  console.log('\nDistances (DevTools: per class the minimum over its objects; ≥ 1e8 = reached only through system roots, shown "−")');
  console.log(`${'fixture'.padEnd(36)}${col('classes equal', 16)}${col('objects equal', 20)}${col('system-only objects', 21)}${col('heaplens nearer', 17)}`);
  for (const r of results) {
    const d = r.distance;
    console.log(
      `${r.fixture.padEnd(36)}${col(`${d.classesEqual}/${d.classesCompared}`, 16)}${col(`${d.objectsEqual}/${d.objectsCompared}`, 20)}${col(d.systemOnly, 21)}${col(d.heaplensNearer, 17)}`,
    );
  }
  console.log('(objects of size 0 after DevTools\' shallow-size pass are left out, as its Summary leaves them out;');
  console.log(' "heaplens nearer": heaplens\' distance is smaller than DevTools\' less its 1e8 offset, i.e. a path DevTools does not take)');
  if (withExamples) {
    for (const r of results) {
      console.log(`\n${r.fixture}`);
      for (const [c, list] of Object.entries(r.examples)) for (const e of list ?? []) console.log(`  ${c.padEnd(30)} ${e.slice(0, 150)}`);
    }
  }
}

const results: FixtureResult[] = [];
for (const f of fixtures()) results.push(await compare(f));
if (asJson) process.stdout.write(`${JSON.stringify(results, null, 1)}\n`);
else print(results);
