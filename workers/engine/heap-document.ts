// An open heap snapshot, modelled as DevTools models it (the passes in HeapSnapshot.initialize,
// in its order): DOM states propagated, shallow sizes moved to owners, dominators and retained
// sizes over those sizes, distances, class names and shapes, the Summary, Statistics. Indexes
// built on first use (class members per filter, retainers, ids, the Allocation view) are kept
// here, and the engine's questions about the snapshot are answered from them, a page at a time.

import { HeaplensError } from '../api/errors.ts';
import type {
  AllocationCallers,
  AllocationFrame,
  AllocationRow,
  FlameLayout,
  HeapClassQuery,
  HeapClassRow,
  HeapNodeFilter,
  HeapObjectQuery,
  HeapObjectRow,
  HeapOpenMode,
  HeapSample,
  HeapStatistics,
  HeapSummary,
  HeapTimelineSelection,
  ClassComparison,
  ComparisonObjectsQuery,
  HeapIdOverlap,
  LeakClassRow,
  RetainerStep,
  Page,
  Range,
  SourceLocationOut,
} from '../api/types.ts';
import { allocationProfile } from '../analysis/allocations.ts';
import { compareHeaps, idOverlap, leakCandidates, leaksByClass, type ClassDiff } from '../analysis/compare-heaps.ts';
import { AllocationView } from '../analysis/allocation-view.ts';
import { sortSummary, summaryRows, type SummaryRow } from '../analysis/class-summary.ts';
import { classIndex, dominatorTree, propagateDomState, rawNameOf, type ClassIndex, type DominatorTree, type HeapClass } from '../analysis/classes.ts';
import { distancesAndPageObjects, distanceText } from '../analysis/distances.ts';
import { analyzeHeap, type HeapAnalysis } from '../analysis/dominators.ts';
import { dominatorFlame } from '../analysis/flame/dominators.ts';
import { duplicatedStrings, duplicateWaste, idRangeFilter, maxJsObjectId, retainedByConsole, retainedByDetachedDom } from '../analysis/heap-filters.ts';
import { classMembers, detachedElements, detachedKind, dominatedBy, membersOf, nodesById, nodeWithId, objectComparator, slice, type ClassMembers, type ObjectFacts } from '../analysis/heap-pages.ts';
import { nodeFlags } from '../analysis/node-flags.ts';
import { shallowSizes } from '../analysis/shallow.ts';
import { hasUserRoots } from '../analysis/roots.ts';
import { heapStatistics } from '../analysis/statistics.ts';
import { scriptNames } from '../analysis/scripts.ts';
import { heapSamples, timelineSelection } from '../analysis/timeline.ts';
import { nodeDisplayName, typeCodes, type HeapGraph, type TypeCodes } from '../model/heap-graph.ts';
import type { JobControl } from '../model/job.ts';
import { Scratch } from '../model/scratch.ts';
import { AllocationDocument } from './allocation-document.ts';
import { HeapRetainerState } from './heap-retainers.ts';

/** Summaries of a few filters stay cached; a brushed timeline asks for many. */
const MAX_FILTERS = 6;

interface FilteredView {
  flags: Uint8Array | null;
  rows: SummaryRow[];
  members: ClassMembers | null;
}

/** Step k of `steps` of the indexing phase: reported, then a chance to cancel. */
const indexingStep = (job: JobControl, steps: number) => async (k: number) => {
  job.progress('indexing', k, steps);
  await job.yield();
};

export class HeapDocument {
  private readonly filtered = new Map<string, FilteredView>();
  private byId: Uint32Array | null = null;
  private detachedList: Uint32Array | null = null;
  private allocationViewCache: AllocationView | null | undefined;
  private samplesCache: HeapSample[] | null | undefined;
  private maxJsId: number | null = null;
  readonly codes: TypeCodes;
  /** Retainer tree and containment, with "ignore this retainer" (state per document). */
  readonly retainerState: HeapRetainerState;

  private constructor(
    readonly name: string,
    readonly graph: HeapGraph,
    /** The dominator pass; null (and `tree` too) when opened 'summary-only'. */
    readonly analysis: HeapAnalysis | null,
    readonly tree: DominatorTree | null,
    /** Shallow sizes as DevTools shows them (moved to owners when the snapshot has user roots). */
    readonly selfSize: Uint32Array | Float64Array,
    /** DevTools' distances (distances.ts). */
    readonly distance: Int32Array,
    readonly classes: ClassIndex,
    /** The whole-heap Summary, in class id order. */
    private readonly rows: SummaryRow[],
    readonly statistics: HeapStatistics,
    readonly userRoots: boolean,
    /** The live objects with allocation stacks, as an allocation profile; null without traces. */
    readonly allocations: AllocationDocument | null,
  ) {
    this.codes = typeCodes(graph);
    this.retainerState = new HeapRetainerState(this);
    this.filtered.set('all', { flags: null, rows, members: null });
  }

  /**
   * Indexes a parsed graph (the "indexing" phase): progress per step, cancellable between steps.
   * `mode: 'summary-only'` leaves out the dominator pass and the dominator tree; every other pass
   * is the same, so every number but retained sizes is DevTools' all the same.
   */
  static async open(name: string, graph: HeapGraph, job: JobControl, options: { mode?: HeapOpenMode } = {}): Promise<HeapDocument> {
    if (options.mode === 'summary-only') return HeapDocument.openSummaryOnly(name, graph, job);
    const steps = 9;
    const step = indexingStep(job, steps);
    const domState = propagateDomState(graph);
    // The distance search also finds the page objects the dominators need; the dominator pass
    // moves shallow sizes to owners in its sweep over the edges (DevTools' order of passes gives
    // the same: sizes are moved before retained sizes are summed).
    // Work arrays pass from each step to the next (model/scratch.ts): peak memory is the largest step's.
    const scratch = new Scratch();
    const flags = nodeFlags(graph);
    const { distance, page } = distancesAndPageObjects(graph, flags, scratch);
    await step(1);
    // The dominator pass reports its own five steps: they are steps 1–6 of ours.
    const inner: JobControl = { ...job, progress: (phase, done, total) => job.progress(phase, 1 + (5 * done) / total, steps) };
    const analysis = await analyzeHeap(graph, { job: inner, moveShallowSizes: true, nodeFlags: page ? flags : undefined, scratch });
    const selfSize = analysis.selfSize;
    await step(6);
    const tree = dominatorTree(graph, analysis, scratch);
    await step(7);
    const classes = classIndex(graph, { domState, scratch });
    const rows = summaryRows(classes, selfSize, tree, analysis.retainedSize, distance, null, scratch);
    await step(8);
    const total = analysis.totalSize + (graph.meta.extraNativeBytes ?? 0);
    const statistics = heapStatistics(graph, selfSize, total);
    const profile = allocationProfile(graph);
    job.progress('indexing', steps, steps);
    return new HeapDocument(name, graph, analysis, tree, selfSize, distance, classes, rows, statistics, hasUserRoots(graph), profile ? new AllocationDocument(name, profile) : null);
  }

  /** DevTools' passes but the dominator pass: shallow sizes are moved to owners on their own (shallow.ts). */
  private static async openSummaryOnly(name: string, graph: HeapGraph, job: JobControl): Promise<HeapDocument> {
    const steps = 4;
    const step = indexingStep(job, steps);
    const domState = propagateDomState(graph);
    const scratch = new Scratch();
    const flags = nodeFlags(graph);
    const { distance } = distancesAndPageObjects(graph, flags, scratch);
    await step(1);
    const selfSize = shallowSizes(graph, { nodeFlags: flags, scratch });
    await step(2);
    const classes = classIndex(graph, { domState, scratch });
    const rows = summaryRows(classes, selfSize, null, null, distance, null, scratch);
    await step(3);
    // DevTools' total is the root's retained size: every node's shallow size (the unreached hang off the root).
    let total = graph.meta.extraNativeBytes ?? 0;
    for (let i = 0; i < graph.nodeCount; i++) total += selfSize[i];
    const statistics = heapStatistics(graph, selfSize, total);
    const profile = allocationProfile(graph);
    job.progress('indexing', steps, steps);
    return new HeapDocument(name, graph, null, null, selfSize, distance, classes, rows, statistics, hasUserRoots(graph), profile ? new AllocationDocument(name, profile) : null);
  }

  get hasRetainedSizes(): boolean {
    return this.analysis !== null;
  }

  /**
   * What lists DevTools orders by retained size are ordered by: retained sizes, or without them
   * shallow sizes (the nearest figure there is; the rows then say their retained size is null).
   */
  get sizeForOrder(): Uint32Array | Float64Array {
    return this.analysis?.retainedSize ?? this.selfSize;
  }

  private noRetainedSizes(what: string): never {
    throw new HeaplensError('unsupported-query', `${this.name} was opened without retained sizes (no dominator tree), so it has no ${what}. Open it in full to see it.`);
  }

  get totalSize(): number {
    return this.statistics.total;
  }

  summary(): HeapSummary {
    const g = this.graph;
    let detached = 0;
    let detachedText = 0;
    let maxId = 0;
    const domState = this.classes.domState;
    // One pass for both: the largest JS object id (odd ids), and detached DOM nodes after
    // DevTools' propagation of the embedder's states — Blink names elements "<tag …>" and text
    // nodes "Text"; Node marks some of its own bindings detached too, which are no DOM and not
    // what the user means by detached nodes.
    for (let i = 0; i < g.nodeCount; i++) {
      const id = g.nodeId[i];
      if (id % 2 === 1 && id > maxId) maxId = id;
      if (domState === null || domState[i] !== 2) continue;
      const kind = detachedKind(g, i);
      if (kind === 'element') detached++;
      else if (kind === 'text') detachedText++;
    }
    this.maxJsId ??= maxId;
    return {
      nodeCount: g.nodeCount,
      edgeCount: g.edgeCount,
      totalSize: this.totalSize,
      classCount: this.rows.length,
      detachedCount: detached,
      detachedTextCount: detachedText,
      hasAllocationTraces: this.allocations !== null,
      maxJsObjectId: this.maxJsObjectId(),
      hasTimeline: g.samples !== null && g.samples.length > 0,
      hasAllocationView: AllocationView.available(g),
      hasUserRoots: this.userRoots,
      openMode: this.analysis ? 'full' : 'summary-only',
      hasRetainedSizes: this.analysis !== null,
    };
  }

  maxJsObjectId(): number {
    return (this.maxJsId ??= maxJsObjectId(this.graph));
  }

  // ---- the Summary ----

  /** The flags of a node filter (null: every node), and the Summary under it; a few are cached. */
  private view(filter: HeapNodeFilter | undefined): FilteredView {
    const key = filterKey(filter);
    let v = this.filtered.get(key);
    if (v) {
      // Refresh its place (most recent last); 'all' is never evicted.
      this.filtered.delete(key);
      this.filtered.set(key, v);
      return v;
    }
    const flags = this.flagsOf(filter!);
    v = { flags, rows: summaryRows(this.classes, this.selfSize, this.tree, this.analysis?.retainedSize ?? null, this.distance, flags), members: null };
    this.filtered.set(key, v);
    for (const k of this.filtered.keys()) {
      if (this.filtered.size <= MAX_FILTERS) break;
      if (k !== 'all') this.filtered.delete(k);
    }
    return v;
  }

  private flagsOf(filter: HeapNodeFilter): Uint8Array {
    const g = this.graph;
    switch (filter.kind) {
      case 'retained-by-detached-dom':
        return retainedByDetachedDom(g, this.distance, this.classes.domState);
      case 'retained-by-console':
        return retainedByConsole(g, this.distance);
      case 'duplicated-strings':
        return duplicatedStrings(g);
      case 'ids':
        return idRangeFilter(g, filter.minNodeId, filter.maxNodeId ?? Infinity);
      case 'allocation': {
        const view = this.allocationView();
        if (!view) throw new HeaplensError('no-allocation-stacks', `${this.name} has no allocation traces, so it cannot be filtered by allocation site.`);
        const ids = new Set(view.traceIds(filter.path));
        const out = new Uint8Array(g.nodeCount);
        const trace = g.traceNodeId;
        if (trace) for (let i = 0; i < g.nodeCount; i++) if (ids.has(trace[i])) out[i] = 1;
        return out;
      }
      default:
        throw new HeaplensError('unsupported-query', `Unknown object filter ${JSON.stringify((filter as { kind: unknown }).kind)}.`);
    }
  }

  /** The Summary: one row per class, filtered by class name and by object filter, sorted by a column. */
  classRows(query: HeapClassQuery = {}): Page<HeapClassRow> {
    const v = this.view(query.objects);
    let rows = v.rows;
    const match = this.classFilter(query.filter, v.flags);
    if (match) rows = rows.filter(match);
    // Without retained sizes their column (DevTools' default order) is ordered by shallow size.
    const by = !this.analysis && (query.sort?.by ?? 'retainedSize') === 'retainedSize' ? 'shallowSize' : query.sort?.by;
    rows = sortSummary([...rows], this.classes, by, query.sort?.ascending ?? false);
    const offset = Math.max(0, query.offset ?? 0);
    const shown = rows.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
    return { total: rows.length, rows: shown.map((r) => this.classRow(r)) };
  }

  private classFilter(filter: string | undefined, flags: Uint8Array | null): ((r: SummaryRow) => boolean) | null {
    const text = filter?.trim() ?? '';
    if (!text) return null;
    const names = this.classes.names;
    const at = /^@(\d+)$/.exec(text);
    if (at) {
      const node = this.nodeOfId(Number(at[1]));
      const ok = node >= 0 && this.selfSize[node] !== 0 && (flags === null || flags[node] === 1);
      const cls = ok ? this.classes.classOf[node] : -1;
      return (r) => r.classId === cls;
    }
    const re = /^\/(.+)\/([a-z]*)$/.exec(text);
    if (re) {
      let regexp: RegExp;
      try {
        regexp = new RegExp(re[1], re[2]);
      } catch (e) {
        throw new HeaplensError('unsupported-query', `The class filter ${text} is not a regular expression JavaScript reads: ${(e as Error).message}`);
      }
      return (r) => {
        regexp.lastIndex = 0;
        return regexp.test(names[r.classId]);
      };
    }
    const lower = text.toLowerCase();
    return (r) => names[r.classId].toLowerCase().includes(lower);
  }

  private classRow(r: SummaryRow): HeapClassRow {
    const c = this.classes.classes[r.classId];
    return { ...r, retainedSize: this.analysis ? r.retainedSize : null, name: c.name, key: c.key, location: this.locationOut(c), distanceText: distanceText(r.distance) };
  }

  locationOut(c: HeapClass): SourceLocationOut | null {
    if (!c.location) return null;
    return { ...c.location, scriptName: this.scriptNames().get(c.location.scriptId) ?? null };
  }

  private scriptNameMap: Map<number, string> | null = null;
  /** Script ids → URLs (analysis/scripts.ts), found when a location is first shown. */
  private scriptNames(): Map<number, string> {
    return (this.scriptNameMap ??= scriptNames(this.graph));
  }

  /** A class's objects under a filter, sorted as DevTools' object grid sorts a column. */
  objects(classId: number, query: HeapObjectQuery = {}): Page<HeapObjectRow> {
    const v = this.view(query.objects);
    v.members ??= classMembers(this.classes, this.selfSize, v.flags);
    const list = membersOf(v.members, classId, this.facts(), query.sort?.by, query.sort?.ascending ?? false);
    return this.page(list, query.offset, query.limit ?? 100);
  }

  facts(): ObjectFacts {
    return { g: this.graph, selfSize: this.selfSize, retained: this.sizeForOrder, distance: this.distance, name: (n) => this.displayName(n) };
  }

  objectAt(node: number): HeapObjectRow {
    if (!(Number.isInteger(node) && node >= 0 && node < this.graph.nodeCount)) throw new HeaplensError('unsupported-query', `${this.name} has no node ${node}.`);
    return this.row(node);
  }

  /** The object with V8 id `id`, or null. */
  findObject(id: number): HeapObjectRow | null {
    const node = this.nodeOfId(id);
    return node < 0 ? null : this.row(node);
  }

  nodeOfId(id: number): number {
    this.byId ??= nodesById(this.graph);
    return nodeWithId(this.graph, this.byId, id);
  }

  /** Bytes wasted by duplicated strings (all but the largest copy of each text), for the filter's banner. */
  duplicateStrings(): { groups: number; strings: number; wasted: number } {
    return duplicateWaste(this.graph, this.selfSize, this.view({ kind: 'duplicated-strings' }).flags!);
  }

  // ---- other lists ----

  /** What an object dominates (keeps alive alone), largest first. */
  dominated(node: number, range: Range = {}): Page<HeapObjectRow> {
    if (!this.tree || !this.analysis) this.noRetainedSizes('"dominates" list');
    return this.page(dominatedBy(this.tree, node, this.analysis.retainedSize), range.offset, range.limit ?? 100);
  }

  /** Detached DOM elements, largest retained size first. */
  detached(range: Range = {}): Page<HeapObjectRow> {
    this.detachedList ??= detachedElements(this.graph, this.classes, this.sizeForOrder);
    return this.page(this.detachedList, range.offset, range.limit ?? 100);
  }

  // ---- retainers ----

  /** Shortest retainer paths, object first, root last. */
  retainers(node: number, maxPaths = 5): RetainerStep[][] {
    return this.retainerState.paths(node, maxPaths);
  }

  // ---- comparison ----

  private comparisons = new WeakMap<HeapDocument, ClassDiff[]>();

  /** DevTools' Comparison with `base`, an earlier snapshot of the same process (cached per base). */
  comparison(base: HeapDocument): ClassDiff[] {
    let diff = this.comparisons.get(base);
    if (!diff) {
      diff = compareHeaps({ g: this.graph, classes: this.classes, selfSize: this.selfSize }, { g: base.graph, classes: base.classes, selfSize: base.selfSize });
      this.comparisons.set(base, diff);
    }
    return diff;
  }

  /** The Comparison's rows, largest absolute size change first (heaplens' diff order). */
  compare(base: HeapDocument, range: Range & { sort?: ComparisonSort } = {}): Page<ClassComparison> {
    const headRows = new Map(this.rows.map((r) => [r.classId, r]));
    const all = this.comparison(base).map((d): ClassComparison => {
      const r = d.headClass >= 0 ? headRows.get(d.headClass) : undefined;
      const cls = d.headClass >= 0 ? this.classes.classes[d.headClass] : null;
      return {
        name: d.name,
        newCount: d.newCount,
        deletedCount: d.deletedCount,
        countDelta: d.newCount - d.deletedCount,
        allocSize: d.allocSize,
        freedSize: d.freedSize,
        sizeDelta: d.allocSize - d.freedSize,
        count: r?.count ?? 0,
        size: r?.shallowSize ?? 0,
        key: d.key,
        location: cls ? this.locationOut(cls) : null,
      };
    });
    sortComparison(all, range.sort);
    const offset = Math.max(0, range.offset ?? 0);
    return { total: all.length, rows: all.slice(offset, range.limit === undefined ? undefined : offset + range.limit) };
  }

  /** A Comparison class opened: its new objects (rows of this snapshot) or deleted ones (rows of `base`). */
  comparisonObjects(base: HeapDocument, key: string, query: ComparisonObjectsQuery): Page<HeapObjectRow> {
    const d = this.comparison(base).find((x) => x.key === key);
    if (!d) return { total: 0, rows: [] };
    const owner = query.which === 'new' ? this : base;
    const list = owner.sortNodes(Uint32Array.from(query.which === 'new' ? d.added : d.deleted), query.sort ?? { by: 'shallowSize' });
    return owner.page(list, query.offset, query.limit ?? 100);
  }

  idOverlap(base: HeapDocument): HeapIdOverlap {
    const o = idOverlap(this.graph, base.graph);
    const fraction = o.baseObjects === 0 ? 0 : o.shared / o.baseObjects;
    const same = o.shared === 0 ? 0 : o.sameObject / o.shared;
    return { headObjects: o.headObjects, baseObjects: o.baseObjects, shared: o.shared, fraction, sameObjectFraction: same, sameProcess: fraction >= MIN_SHARED && same >= MIN_SAME_OBJECT };
  }

  /** memlab's leak candidates: allocated between `first` and `second`, alive in this one. */
  leaks(first: HeapDocument, second: HeapDocument, range: Range = {}): Page<LeakClassRow> {
    const candidates = leakCandidates(first.graph, second.graph, this.graph);
    const all = leaksByClass(this.graph, this.classes, this.selfSize, this.sizeForOrder, this.distance, candidates);
    const offset = Math.max(0, range.offset ?? 0);
    const shown = all.slice(offset, range.limit === undefined ? undefined : offset + range.limit);
    return {
      total: all.length,
      rows: shown.map((c) => ({
        name: this.classes.names[c.classId],
        count: c.nodes.length,
        shallowSize: c.shallowSize,
        retainedSize: this.analysis ? c.retainedSize : null,
        objects: c.nodes.slice(0, 10).map((n) => this.row(n)),
      })),
    };
  }

  flame(): FlameLayout {
    if (!this.tree || !this.analysis) this.noRetainedSizes('dominator flame graph');
    return dominatorFlame(this.graph, this.analysis, this.classes, this.selfSize, this.tree);
  }

  // ---- timelines and the Allocation view ----

  samples(): HeapSample[] | null {
    if (this.samplesCache === undefined) this.samplesCache = heapSamples(this.graph, this.selfSize);
    return this.samplesCache;
  }

  timelineSelection(fromMs: number, toMs: number): HeapTimelineSelection | null {
    const s = this.samples();
    if (!s) return null;
    const sel = timelineSelection(s, fromMs, toMs);
    return { ...sel, maxNodeId: Number.isFinite(sel.maxNodeId) ? sel.maxNodeId : null };
  }

  allocationView(): AllocationView | null {
    if (this.allocationViewCache === undefined) this.allocationViewCache = AllocationView.available(this.graph) ? new AllocationView(this.graph, this.selfSize) : null;
    return this.allocationViewCache;
  }

  private needAllocationView(): AllocationView {
    const v = this.allocationView();
    if (!v) {
      throw new HeaplensError(
        'no-allocation-stacks',
        `${this.name} has no allocation traces. Record them with DevTools' "Allocation instrumentation on timeline" or \`node --track-heap-objects\`.`,
      );
    }
    return v;
  }

  allocationRows(range: Range = {}): Page<AllocationRow> {
    const rows = this.needAllocationView().rows();
    const offset = Math.max(0, range.offset ?? 0);
    return { total: rows.length, rows: rows.slice(offset, range.limit === undefined ? undefined : offset + range.limit) };
  }

  allocationCallers(path: number[]): AllocationCallers {
    const c = this.needAllocationView().callers(path);
    if (!c) throw new HeaplensError('unsupported-query', `No Allocation-view node has the path ${JSON.stringify(path)}.`);
    return c;
  }

  allocationStack(node: number): AllocationFrame[] | null {
    const v = this.allocationView();
    const trace = this.graph.traceNodeId;
    if (!v || !trace || !(node >= 0 && node < this.graph.nodeCount)) return null;
    return v.stack(trace[node]);
  }

  // ---- rows ----

  page(list: Uint32Array, offset = 0, limit = 100): Page<HeapObjectRow> {
    return { total: list.length, rows: Array.from(slice(list, offset, limit), (n) => this.row(n)) };
  }

  /** DevTools' display name of a node (node.name()): shapes' property lists, cons strings' text, "Detached …". */
  displayName(node: number): string {
    const g = this.graph;
    if (g.nodeType[node] === this.codes.native) return rawNameOf(g, this.classes.domState, node);
    return nodeDisplayName(g, node, this.codes);
  }

  row(node: number): HeapObjectRow {
    const g = this.graph;
    const classId = this.classes.classOf[node];
    return {
      node,
      id: g.nodeId[node],
      name: clip(this.displayName(node)),
      className: this.classes.names[classId],
      type: g.nodeTypes[g.nodeType[node]],
      selfSize: this.selfSize[node],
      retainedSize: this.analysis ? this.analysis.retainedSize[node] : null,
      distance: this.distance[node],
      distanceText: distanceText(this.distance[node]),
      detached: g.detachedness ? g.detachedness[node] === 2 : false,
      classId,
      fileSelfSize: g.selfSize[node],
    };
  }

  /** Sorts node lists as the object grid does (used by the Comparison's object pages). */
  sortNodes(list: Uint32Array, by?: HeapObjectQuery['sort']): Uint32Array {
    return list.sort(objectComparator(this.facts(), by?.by, by?.ascending ?? false));
  }
}

/**
 * Snapshots of one process share most of their JS objects' ids (long-lived objects survive), and
 * an id names the same object in both. Below these fractions (base objects still there; shared
 * ids that are still the same kind of object) the Comparison is of two processes.
 */
const MIN_SHARED = 0.1;
const MIN_SAME_OBJECT = 0.9;

export type ComparisonSort = { by: 'name' | 'newCount' | 'deletedCount' | 'countDelta' | 'allocSize' | 'freedSize' | 'sizeDelta'; ascending?: boolean };

/** heaplens' default: largest absolute size change first; or a column, DevTools' tie-break (name). */
function sortComparison(rows: ClassComparison[], sort: ComparisonSort | undefined): void {
  const name = (a: ClassComparison, b: ClassComparison) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || ((a.key ?? '') < (b.key ?? '') ? -1 : 1);
  if (!sort) {
    rows.sort((a, b) => Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta) || b.newCount - a.newCount || name(a, b));
    return;
  }
  const dir = sort.ascending ? 1 : -1;
  const by = sort.by;
  if (by === 'name') rows.sort((a, b) => dir * name(a, b));
  else rows.sort((a, b) => dir * (a[by] - b[by]) || name(a, b));
}

function filterKey(f: HeapNodeFilter | undefined): string {
  if (!f || f.kind === 'all') return 'all';
  return JSON.stringify(f);
}

/** String objects are named by their contents, which can be megabytes: rows carry a prefix. */
function clip(name: string): string {
  return name.length > 300 ? `${name.slice(0, 300)}…` : name;
}
