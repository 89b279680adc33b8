// DevTools' own heap snapshot code (npm heap-snapshot-toolkit, a bundle of devtools-frontend's
// heap_snapshot_worker at commit 138048f) as the reference for every heap-snapshot number heaplens
// shows. Each function answers in plain JSON what one DevTools view shows, calling the toolkit the
// way DevTools' panel (front_end/panels/profiler) calls its worker; the comment on each names the
// worker function it uses. Nothing here computes a number itself: rows are only sorted and renamed.
//
// As a script: npx tsx test/reference/devtools.ts FILE [BASE_FILE]  → the whole report as JSON.

import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DevToolsAPI, parse } from 'heap-snapshot-toolkit';

export type Snapshot = Awaited<ReturnType<typeof parse>>;
const { NodeFilter } = DevToolsAPI.HeapSnapshotModel;

/** DevTools puts objects reached only through system roots at distance ≥ this (shown as "−"). */
export const BASE_SYSTEM_DISTANCE = DevToolsAPI.HeapSnapshotModel.baseSystemDistance; // 1e8
/** Retainers cut off by "ignore this retainer" sort after this. */
export const BASE_UNREACHABLE_DISTANCE = DevToolsAPI.HeapSnapshotModel.baseUnreachableDistance; // 2e8

/**
 * index.js parse(): HeapSnapshotLoader.write() per chunk, then buildSnapshot() with the
 * second-worker half (dominators, retained sizes) run on a MessageChannel in this thread.
 * The loader appends chunks to a string, so it is handed decoded text: a Buffer chunk would be
 * decoded on its own and could split a multi-byte character.
 */
export async function load(path: string): Promise<Snapshot> {
  return parse(createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }));
}

export interface SummaryRow {
  /** DevTools' class key: ",Name", or "scriptId,line,column,Name" for objects with a location. */
  key: string;
  name: string;
  count: number;
  shallowSize: number;
  retainedSize: number;
  /** The smallest distance of the class's objects; ≥ 1e8 means reached only from system roots. */
  distance: number;
}

export type Filter =
  | { kind: 'all' }
  | { kind: 'named'; name: NamedFilter }
  | { kind: 'ids'; minNodeId: number; maxNodeId: number }
  | { kind: 'allocation'; allocationNodeId: number };

/** The named filters this toolkit's worker knows (createNamedFilter). */
export const NAMED_FILTERS = ['objectsRetainedByDetachedDomNodes', 'objectsRetainedByConsole', 'duplicatedStrings'] as const;
export type NamedFilter = (typeof NAMED_FILTERS)[number];

function nodeFilter(f: Filter): InstanceType<typeof NodeFilter> {
  const nf = new NodeFilter();
  if (f.kind === 'named') nf.filterName = f.name;
  else if (f.kind === 'ids') {
    nf.minNodeId = f.minNodeId;
    nf.maxNodeId = f.maxNodeId;
  } else if (f.kind === 'allocation') nf.allocationNodeId = f.allocationNodeId;
  return nf;
}

/**
 * The Summary view: HeapSnapshot.aggregatesWithFilter(nodeFilter) (buildAggregates +
 * calculateClassesRetainedSize), one row per class key. Order: the grid's default, retained size
 * descending then name (HeapSnapshotConstructorsDataGrid.sortFields('retainedSize')).
 */
export function summary(snap: Snapshot, filter: Filter = { kind: 'all' }): SummaryRow[] {
  const aggregates = snap.aggregatesWithFilter(nodeFilter(filter));
  return Object.entries(aggregates)
    .map(([key, a]) => ({ key, name: a.name, count: a.count, shallowSize: a.self, retainedSize: a.maxRet, distance: a.distance }))
    .sort((a, b) => b.retainedSize - a.retainedSize || cmp(a.name, b.name) || cmp(a.key, b.key));
}

export interface ObjectRow {
  id: number;
  nodeIndex: number;
  name: string;
  type: string;
  distance: number;
  shallowSize: number;
  retainedSize: number;
}

/**
 * A class opened in the Summary: createNodesProviderForClass(classKey, filter) serialized with
 * HeapSnapshotNode.serialize(); order of HeapSnapshotInstanceNode.comparator() for the default
 * column, retained size descending then id ascending.
 */
export function classObjects(snap: Snapshot, classKey: string, limit = 20, filter: Filter = { kind: 'all' }): ObjectRow[] {
  const provider = snap.createNodesProviderForClass(classKey, nodeFilter(filter));
  provider.sortAndRewind(new DevToolsAPI.HeapSnapshotModel.ComparatorConfig('retainedSize', false, 'id', true));
  const range = provider.serializeItemsRange(0, limit);
  return range.items.map((item) => objectRow(item as SerializedNode));
}

interface SerializedNode {
  id: number;
  nodeIndex: number;
  name: string;
  type: string;
  distance: number;
  selfSize: number;
  retainedSize: number;
}

const objectRow = (n: SerializedNode): ObjectRow => ({
  id: n.id,
  nodeIndex: n.nodeIndex,
  name: n.name.length > 200 ? `${n.name.slice(0, 200)}…` : n.name,
  type: n.type,
  distance: n.distance,
  shallowSize: n.selfSize,
  retainedSize: n.retainedSize,
});

/** JSHeapSnapshot.getStatistics(): computed once by calculateStatistics() at load. */
export function statistics(snap: Snapshot): {
  total: number;
  native: { total: number; typedArrays: number };
  v8heap: { total: number; code: number; jsArrays: number; strings: number; system: number };
} {
  return structuredClone(snap.getStatistics());
}

/** StaticData as the panel gets it (updateStaticData): node count, total size, max JS object id. */
export function staticData(snap: Snapshot): { nodeCount: number; totalSize: number; maxJSObjectId: number } {
  const s = snap.updateStaticData();
  return { nodeCount: s.nodeCount, totalSize: s.totalSize, maxJSObjectId: s.maxJSObjectId };
}

export interface ComparisonRow {
  key: string;
  name: string;
  newCount: number;
  deletedCount: number;
  countDelta: number;
  /** DevTools' "Alloc. Size" (Diff.addedSize) and "Freed Size" (Diff.removedSize). */
  allocSize: number;
  freedSize: number;
  sizeDelta: number;
}

let diffIds = 0;

/**
 * The Comparison view of `head` against `base`, called as HeapSnapshotDiffDataGrid.populateChildren
 * does: the head's interfaceDefinitions() are applied to the base (base.aggregatesForDiff), then
 * head.calculateSnapshotDiff(baseId, thoseAggregates). Not the toolkit's diff(), which applies
 * the base's own definitions and caches every diff under one key (it passes snapshot.uid, which
 * the snapshot object does not have). Order: the grid's default, Alloc. Size descending, then name.
 */
export function comparison(base: Snapshot, head: Snapshot): ComparisonRow[] {
  const aggregates = base.aggregatesForDiff(head.interfaceDefinitions());
  const diff = head.calculateSnapshotDiff(`reference-${++diffIds}`, aggregates);
  return Object.entries(diff)
    .map(([key, d]) => ({
      key,
      name: d.name,
      newCount: d.addedCount,
      deletedCount: d.removedCount,
      countDelta: d.countDelta,
      allocSize: d.addedSize,
      freedSize: d.removedSize,
      sizeDelta: d.sizeDelta,
    }))
    .sort((a, b) => b.allocSize - a.allocSize || cmp(a.name, b.name) || cmp(a.key, b.key));
}

/**
 * "Objects allocated between S1 and S2": the Summary of the later snapshot filtered to ids in
 * (max JS object id of the earlier snapshot, max JS object id of the later] — filterSelectIndexChanged
 * with profiles[i-1].maxJSObjectId and profiles[i].maxJSObjectId, i.e. createNodeIdFilter.
 */
export function allocatedBetween(earlier: Snapshot, later: Snapshot): { minNodeId: number; maxNodeId: number; rows: SummaryRow[] } {
  const minNodeId = earlier.updateStaticData().maxJSObjectId;
  const maxNodeId = later.updateStaticData().maxJSObjectId;
  return { minNodeId, maxNodeId, rows: summary(later, { kind: 'ids', minNodeId, maxNodeId }) };
}

export interface Sample {
  /** ms since the recording started (buildSamples divides timestamp_us by 1000). */
  timestamp: number;
  lastAssignedId: number;
  /** Bytes of live JS objects (odd ids) whose id falls in this interval. */
  size: number;
}

/** Timeline bars of a .heaptimeline: HeapSnapshot.getSamples() (buildSamples at load); null without samples. */
export function samples(snap: Snapshot): Sample[] | null {
  const s = snap.getSamples();
  if (!s) return null;
  return s.timestamps.map((timestamp, i) => ({ timestamp, lastAssignedId: s.lastAssignedIds[i], size: s.sizes[i] }));
}

export interface AllocationRow {
  /** The id allocationNodeCallers() takes (numbered as DevTools serializes, not stable across calls). */
  id: number;
  function: string;
  script: string;
  scriptId: number;
  line: number;
  column: number;
  count: number;
  size: number;
  liveCount: number;
  liveSize: number;
  hasCallers: boolean;
}

interface SerializedAllocationNode {
  id: number;
  name: string;
  scriptName: string;
  scriptId: number;
  line: number;
  column: number;
  count: number;
  size: number;
  liveCount: number;
  liveSize: number;
  hasChildren: boolean;
}

const allocationRow = (n: SerializedAllocationNode): AllocationRow => ({
  id: n.id,
  function: n.name,
  script: n.scriptName,
  scriptId: n.scriptId,
  line: n.line,
  column: n.column,
  count: n.count,
  size: n.size,
  liveCount: n.liveCount,
  liveSize: n.liveSize,
  hasCallers: n.hasChildren,
});

/**
 * The Allocation view's rows: allocationTracesTops() (AllocationProfile.serializeTraceTops), one
 * row per function with allocations, size descending as the worker returns them (the grid's
 * default sort is the same column). Null for a snapshot without allocation traces.
 */
export function allocationTops(snap: Snapshot): AllocationRow[] | null {
  if (!snap.profile.snapshot.trace_function_count) return null;
  return snap.allocationTracesTops().map((n) => allocationRow(n as SerializedAllocationNode));
}

/**
 * One row opened in the Allocation view: allocationNodeCallers(id) (serializeCallers): the chain of
 * single callers, then the callers where the tree branches. `id` is an AllocationRow.id from
 * allocationTops() of the same snapshot object.
 */
export function allocationCallers(snap: Snapshot, id: number): { singleCallers: AllocationRow[]; branchingCallers: AllocationRow[] } {
  const c = snap.allocationNodeCallers(id);
  return {
    singleCallers: c.nodesWithSingleCaller.map((n) => allocationRow(n as SerializedAllocationNode)),
    branchingCallers: c.branchingCallers.map((n) => allocationRow(n as SerializedAllocationNode)),
  };
}

/** The "Allocation stack" tab of one object: allocationStack(nodeIndex), innermost frame first. */
export function allocationStack(snap: Snapshot, nodeIndex: number): { function: string; script: string; line: number; column: number }[] | null {
  const frames = snap.allocationStack(nodeIndex);
  return frames && frames.map((f) => ({ function: f.functionName, script: f.scriptName, line: f.line, column: f.column }));
}

export interface RetainerRow {
  /** The edge's name as the grid shows it: elements as "[3]", everything else as named. */
  edge: string;
  edgeType: string;
  /** JSHeapSnapshotEdge.toString(): ".name", "[3]", "->ctx", "{internal}", "[[weak]]". */
  edgeText: string;
  object: ObjectRow;
}

/**
 * The Retainers view of one object, first level: createRetainingEdgesProvider(nodeIndex) (which
 * drops invisible and weak edges and edges from the root) sorted as the grid sorts by default,
 * ('!edgeDistance' ascending, then the retainer's name ascending); the retainer's distance is its
 * distance for the retainers view.
 */
export function retainers(snap: Snapshot, nodeIndex: number, limit = 50): RetainerRow[] {
  const provider = snap.createRetainingEdgesProvider(nodeIndex);
  provider.sortAndRewind(new DevToolsAPI.HeapSnapshotModel.ComparatorConfig('!edgeDistance', true, 'name', true));
  const range = provider.serializeItemsRange(0, limit);
  return range.items.map((item) => {
    const e = item as unknown as { name: string; type: string; edgeIndex: number; node: SerializedNode };
    const edgeObject = snap.createEdge(e.edgeIndex);
    return {
      edge: e.type === 'element' ? `[${e.name}]` : e.name || '(empty)',
      edgeType: e.type,
      edgeText: edgeObject.toString(),
      object: objectRow(e.node),
    };
  });
}

/** The node index of the object with this @id (nodeForSnapshotObjectId is private; a scan). */
export function nodeIndexOfId(snap: Snapshot, id: number): number | null {
  const { nodes, nodeFieldCount, nodeIdOffset } = snap;
  for (let i = 0; i < nodes.length; i += nodeFieldCount) if (nodes.getValue(i + nodeIdOffset) === id) return i;
  return null;
}

export interface Report {
  file: string;
  nodeCount: number;
  totalSize: number;
  maxJSObjectId: number;
  statistics: ReturnType<typeof statistics>;
  summary: SummaryRow[];
  /** The largest objects of a few classes: the top classes by retained size and every location-split one. */
  objects: Record<string, ObjectRow[]>;
  filters: Record<NamedFilter, SummaryRow[]>;
  retainers: { of: ObjectRow; rows: RetainerRow[] } | null;
  samples: Sample[] | null;
  allocations: { rows: AllocationRow[]; callersOfTop: ReturnType<typeof allocationCallers> | null } | null;
}

/** Everything above for one file, in plain JSON. */
export function report(file: string, snap: Snapshot, { classes = 5, objectsPerClass = 10 } = {}): Report {
  const rows = summary(snap);
  const picked = [...rows.slice(0, classes), ...rows.filter((r) => !r.key.startsWith(',')).slice(0, classes)];
  const objects: Record<string, ObjectRow[]> = {};
  for (const r of picked) objects[r.key] = classObjects(snap, r.key, objectsPerClass);
  const filters = Object.fromEntries(NAMED_FILTERS.map((name) => [name, summary(snap, { kind: 'named', name })])) as Record<NamedFilter, SummaryRow[]>;
  // The retainers of the largest object of the largest non-system class, as a sample.
  const firstUser = rows.find((r) => !r.name.startsWith('(') && r.distance < BASE_SYSTEM_DISTANCE);
  const target = firstUser ? (objects[firstUser.key] ?? classObjects(snap, firstUser.key, 1))[0] : undefined;
  const tops = allocationTops(snap);
  const top = tops?.find((r) => r.hasCallers);
  const stat = staticData(snap);
  return {
    file,
    nodeCount: stat.nodeCount,
    totalSize: stat.totalSize,
    maxJSObjectId: stat.maxJSObjectId,
    statistics: statistics(snap),
    summary: rows,
    objects,
    filters,
    retainers: target ? { of: target, rows: retainers(snap, target.nodeIndex, 20) } : null,
    samples: samples(snap),
    allocations: tops ? { rows: tops, callersOfTop: top ? allocationCallers(snap, top.id) : null } : null,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, baseFile] = process.argv.slice(2);
  if (!file) {
    console.error('usage: npx tsx test/reference/devtools.ts FILE [BASE_FILE]');
    process.exit(2);
  }
  const snap = await load(file);
  const out: Record<string, unknown> = { ...report(file, snap) };
  if (baseFile) {
    const base = await load(baseFile);
    out.comparison = comparison(base, snap);
    out.allocatedBetween = allocatedBetween(base, snap);
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}
