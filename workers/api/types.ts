// The wire contract: every type that crosses between the engine and its callers (the UI through
// comlink, the CLI and the tests directly). A leaf: it imports nothing of the engine, and what it
// describes is small (a page of rows) or transferable (a flame layout's typed arrays).

/** The kinds of data heaplens reads; a format's importer names which it produced. */
export type ProfileFormat = 'tracemalloc' | 'heapprofile' | 'heapsnapshot' | 'pprof';

export type GroupBy = 'file' | 'line' | 'function' | 'traceback';

/**
 * self: each sample counts for the group of its innermost frame (tracemalloc's statistics()).
 * inclusive: each sample counts once for every group that appears anywhere in its stack.
 * cumulative: tracemalloc's `cumulative=True`: once per occurrence, so recursion counts twice.
 */
export type Mode = 'self' | 'inclusive' | 'cumulative';

/** The views a profile can be shown in; which ones a profile has is in its capabilities. */
/** timeline: a heap timeline's samples (HeapSummary.hasTimeline); allocation: DevTools' Allocation view (hasAllocationView). */
export type ViewId = 'top' | 'flame' | 'heap' | 'dominators' | 'comparison' | 'containment' | 'statistics' | 'timeline' | 'allocation';

/** What one column of sample values measures (tracemalloc: size and count; pprof: its own). */
export interface ValueTypeInfo {
  name: string; // 'size', 'count', 'inuse_space', …
  unit: string; // 'bytes', 'blocks', 'objects', 'samples', 'nanoseconds', …
  kind: 'size' | 'count' | 'time' | 'other';
}

/** One page of a longer list: `total` rows match, `rows` are those from the asked offset. */
export interface Page<T> {
  total: number;
  rows: T[];
}

/** Which part of a list to return. */
export interface Range {
  offset?: number; // default 0
  limit?: number; // default: all (or the call's own default)
}

/** `tracemalloc.Filter` / `tracemalloc.DomainFilter`. */
export interface TraceFilter {
  /** true keeps matching traces, false drops them. */
  inclusive: boolean;
  /** fnmatch pattern on the file name (`*`, `?`, `[seq]`, `[!seq]`); omitted for a domain-only filter. */
  pattern?: string;
  /** Only this line of the file. */
  line?: number | null;
  /** Match any frame of the traceback instead of the innermost one. */
  allFrames?: boolean;
  /** tracemalloc address-space domain. */
  domain?: number | null;
  /**
   * A condition on the sample's labels (pprof's -tagfocus / -tagignore) instead of its frames.
   * Label filters do not take part in tracemalloc's include/exclude rule: each one must hold on
   * its own (inclusive: the sample has a matching label; not inclusive: it has none).
   */
  label?: LabelFilter | null;
}

/** `tag:key`, `tag:key=v1,v2`, `tag:bytes=1kb:4kb` (filter-syntax.ts). */
export interface LabelFilter {
  key: string;
  /** fnmatch patterns, any of which a string value must match; absent: any value. */
  values?: string[];
  /** Ranges [low, high] (inclusive, null = open) any of which a numeric value must be in. */
  ranges?: [number | null, number | null][];
}

export interface TopQuery extends Range {
  by: GroupBy;
  mode?: Mode; // default 'self'
  /** The value type to rank by (a name from the profile's value types); default: the profile's. */
  value?: string;
  filters?: TraceFilter[];
  /** Case-insensitive substring that a row's frames (file or function) must contain. */
  search?: string;
  /**
   * A label key: every stack gets a frame for the sample's value of it at its root (pprof's
   * -tagroot), so rows, tracebacks and diffs split by the label. The frame's function is the
   * value (values joined by ",", "" when the sample has none), its file the key.
   */
  groupLabel?: string | null;
}

export interface FrameOut {
  file: string;
  line: number | null; // null when grouped by file
  function: string | null; // null when the format has none
}

/** Sums of samples: size and count (the ranked value's pair) and every value type, in order. */
export interface Totals {
  size: number;
  count: number;
  values: number[];
}

export interface TopRow {
  /** Opaque key of the group, to ask for its tracebacks. */
  key: number;
  frames: FrameOut[]; // outermost first
  size: number;
  count: number;
  /** Every value type's sum, in the order of `TopResult.valueTypes`. */
  values: number[];
}

export interface TopResult {
  format: ProfileFormat;
  /** The value type rows are ranked by. */
  value: string;
  valueTypes: ValueTypeInfo[];
  /** What `count` counts ('blocks', 'samples', 'objects'; '' when there is no count). */
  countUnit: string;
  /** Totals of the samples that pass the filters (all samples when there is none). */
  total: Totals;
  /** Totals of the whole profile, filters ignored. */
  profileTotal: Totals;
  /** Number of groups before the search. */
  groupCount: number;
  /** The groups matching the search, a page of them. */
  groups: Page<TopRow>;
}

export interface DiffRow {
  frames: FrameOut[]; // outermost first
  size: number; // in the head profile
  sizeDiff: number; // head − base
  count: number;
  countDiff: number;
  /** 'new': only in the head; 'gone': only in the base. */
  status: 'new' | 'gone' | 'changed' | 'same';
  values: number[];
  valueDiffs: number[];
}

export interface DiffResult {
  format: ProfileFormat;
  value: string;
  valueTypes: ValueTypeInfo[];
  countUnit: string;
  /** Totals of the filtered head, and their change from the filtered base. */
  total: Totals & { sizeDiff: number; countDiff: number; valueDiffs: number[] };
  groupCount: number;
  groups: Page<DiffRow>;
}

export interface HeapSummary {
  nodeCount: number;
  edgeCount: number;
  /** DevTools' total: the root's retained size plus the native bytes the header reports outside the graph. */
  totalSize: number;
  /** Rows of the Summary (classes with an object of nonzero size). */
  classCount: number;
  /** DOM elements the page cut from its document but still references. */
  detachedCount: number;
  /** Text nodes likewise detached. */
  detachedTextCount: number;
  /** Whether live objects carry allocation stacks (the Top view works on them). */
  hasAllocationTraces: boolean;
  /** The largest JavaScript object id (odd ids): "allocated after this snapshot" starts above it. */
  maxJsObjectId?: number;
  /** Whether the snapshot has timeline samples (.heaptimeline) and DevTools' Allocation view. */
  hasTimeline?: boolean;
  hasAllocationView?: boolean;
  /** Whether DevTools finds user roots (globals, DOM trees): without them sizes are not moved to owners and no distance is "−". */
  hasUserRoots?: boolean;
  /**
   * How the snapshot was opened: 'full' (DevTools' every pass), or 'summary-only' (no dominator
   * pass: no retained sizes and no dominator tree; names, counts, shallow sizes, distances and
   * Statistics are DevTools' all the same). Opened so, rows' retainedSize is null.
   */
  openMode: HeapOpenMode;
  /** False when retained sizes were not computed (openMode 'summary-only'). */
  hasRetainedSizes: boolean;
}

/**
 * How a heap snapshot is opened. 'summary-only' skips the dominator pass and what hangs on it
 * (retained sizes, the dominator tree and its flame graph, "dominates"): about half the memory
 * (formats/heapsnapshot/layout.ts), for snapshots too big to open in full.
 */
export type HeapOpenMode = 'full' | 'summary-only';

export interface OpenOptions {
  /** Heap snapshots only (default 'full'). */
  heap?: HeapOpenMode;
}

/**
 * Which objects a heap query counts (DevTools' Summary filters). `ids`: minNodeId < id ≤
 * maxNodeId (null: no upper bound) — objects allocated between two snapshots of one process
 * (the earlier's and the later's maxJsObjectId), or in a timeline range (heapTimelineSelection);
 * `allocation`: objects allocated at an Allocation-view row or caller node (its path).
 */
export type HeapNodeFilter =
  | { kind: 'all' }
  | { kind: 'retained-by-detached-dom' }
  | { kind: 'retained-by-console' }
  | { kind: 'duplicated-strings' }
  | { kind: 'ids'; minNodeId: number; maxNodeId: number | null }
  | { kind: 'allocation'; path: number[] };

/** The Summary's sortable columns (DevTools' tie-breaks: name → retained size; counts and sizes → name). */
export type HeapClassSortKey = 'name' | 'count' | 'shallowSize' | 'retainedSize' | 'distance';

export interface HeapSort<K extends string> {
  by: K;
  /** Default false (largest first). */
  ascending?: boolean;
}

export interface HeapClassQuery extends Range {
  /**
   * The class filter: a case-insensitive substring of the class name; `/regexp/flags` for a
   * regular expression (a bad one is an 'unsupported-query' error); `@123` for the class of the
   * object with id 123.
   */
  filter?: string;
  /** Which objects count (default all). */
  objects?: HeapNodeFilter;
  /** Default: retained size, largest first (DevTools' default). */
  sort?: HeapSort<HeapClassSortKey>;
}

export interface SourceLocationOut {
  scriptId: number;
  /** 0-based, as V8 writes them (DevTools adds 1 when it prints them). */
  line: number;
  column: number;
  /** The script's URL when the snapshot names it (allocation traces do), else null. */
  scriptName: string | null;
}

export interface HeapClassRow {
  classId: number;
  name: string;
  count: number;
  shallowSize: number;
  /**
   * Retained size, not counting objects nested (by dominance) in another of the same class; null
   * when the snapshot was opened without retained sizes (HeapSummary.hasRetainedSizes): a 0
   * would read as "keeps nothing alive".
   */
  retainedSize: number | null;
  /** DevTools' class key (`,Name`, or `scriptId,line,column,Name` for classes split by constructor location). */
  key: string;
  /** Where the constructor is, for classes DevTools splits by location (two `Record` rows); null otherwise. */
  location: SourceLocationOut | null;
  /** DevTools' distance: the smallest over the class's objects; see HeapObjectRow.distance. */
  distance: number;
  /** The distance as DevTools prints it: the number, or "−" (unreached, or reached only through system roots). */
  distanceText: string;
}

export interface HeapObjectRow {
  node: number; // index in the snapshot, for further questions
  id: number; // V8's object id (@id in DevTools)
  name: string;
  className: string;
  type: string;
  /** Shallow size as DevTools shows it (internal arrays moved to their owner). */
  selfSize: number;
  /** Null when opened without retained sizes (HeapSummary.hasRetainedSizes). */
  retainedSize: number | null;
  /**
   * DevTools' distance: hops from a user root; ≥ 100,000,000 (BASE_SYSTEM_DISTANCE) when only
   * system roots reach it; −5 when nothing does. `distanceText` is how DevTools prints it.
   */
  distance: number;
  detached: boolean;
  distanceText: string;
  classId: number;
  /** The self size the file gives, before DevTools' move to owners. */
  fileSelfSize: number;
}

/** Objects of one class (or of a Comparison's new or deleted list), sortable as DevTools' grid. */
export type HeapObjectSortKey = 'name' | 'id' | 'shallowSize' | 'retainedSize' | 'distance';

export interface HeapObjectQuery extends Range {
  objects?: HeapNodeFilter;
  /** Default: retained size, largest first, then id. */
  sort?: HeapSort<HeapObjectSortKey>;
}

/** DevTools' Statistics (getStatistics()), bytes. */
export interface HeapStatistics {
  total: number;
  native: { total: number; typedArrays: number };
  v8heap: { total: number; code: number; jsArrays: number; strings: number; system: number };
}

/** One edge of the retainer tree or the containment tree, with the object at its other end. */
export interface HeapEdgeRow {
  /** The edge in heaplens' notation: `[3]` elements and hidden, `.name` properties, `name` context variables, `{name}` internal, `[[name]]` weak. */
  edge: string;
  edgeType: string;
  edgeIndex: number;
  object: HeapObjectRow;
  /** Retainers: the retainer's distance for the retainers view (ignored retainers: ≥ BASE_UNREACHABLE_DISTANCE). */
  distance: number;
  /** The object is already on the path from the tree's root: shown, marked, not expandable. */
  cycle: boolean;
  /** The object is ignored ("ignore this retainer"). */
  ignored: boolean;
  /** Whether expanding it shows anything. */
  hasChildren: boolean;
}

export interface HeapEdgeQuery extends Range {
  /** The nodes from the tree's root down to `node` (exclusive), to mark cycles. */
  ancestors?: number[];
}

export interface HeapSample {
  /** ms since the recording started. */
  timestamp: number;
  lastAssignedId: number;
  /** Bytes still alive of the objects allocated in this interval. */
  size: number;
}

export interface HeapTimeline {
  samples: HeapSample[];
}

/** A time range of the timeline, as DevTools' overview selects it: the objects it allocated, and the bars' size. */
export interface HeapTimelineSelection {
  minNodeId: number;
  /** null: to the end. */
  maxNodeId: number | null;
  size: number;
  fromIndex: number;
  toIndex: number;
}

export interface AllocationFrame {
  function: string;
  script: string;
  scriptId: number;
  /** As V8 writes them in trace_function_infos (1-based; 0 unknown). */
  line: number;
  column: number;
  /** The bottom-up node of this frame: [function, caller, …] (function indices), for allocationCallers. */
  path: number[];
}

/** A row of DevTools' Allocation view, or one of its caller nodes. */
export interface AllocationRow extends AllocationFrame {
  /** Objects and bytes allocated since tracking began. */
  count: number;
  size: number;
  /** Of those, alive in this snapshot. */
  liveCount: number;
  liveSize: number;
  hasCallers: boolean;
}

export interface AllocationCallers {
  /** The chain of single callers. */
  singleCallers: AllocationRow[];
  /** The callers where it branches. */
  branchingCallers: AllocationRow[];
}

/** How many object ids two snapshots share: a Comparison of two processes means nothing. */
export interface HeapIdOverlap {
  headObjects: number;
  baseObjects: number;
  /** Base objects (JS, odd ids) whose id the head also has. */
  shared: number;
  /** shared / base JS objects. */
  fraction: number;
  /** Of the shared ids, the fraction that name the same kind of object (type and name) in both. */
  sameObjectFraction: number;
  /** False when they share too few ids to be snapshots of one process. */
  sameProcess: boolean;
}

/** A Comparison class opened: its new objects (in the head) or deleted ones (in the base), largest first. */
export interface ComparisonObjectsQuery extends Range {
  which: 'new' | 'deleted';
  sort?: HeapSort<HeapObjectSortKey>;
}

export interface RetainerStep {
  object: HeapObjectRow;
  /** How the next step (its retainer) refers to this object, e.g. "leaks" or "[3]". */
  edge: string;
  edgeType: string;
  /** The same in heaplens' one notation (HeapEdgeRow.edge). */
  edgeText?: string;
}

/** One class of DevTools' Comparison: objects new in the head, deleted since the base. */
export interface ClassComparison {
  name: string;
  newCount: number;
  deletedCount: number;
  countDelta: number;
  allocSize: number;
  freedSize: number;
  sizeDelta: number;
  /** Head's count and shallow size of the class, for the CLI's size/count columns. */
  count: number;
  size: number;
  /** DevTools' class key (the Comparison matches classes by it). */
  key?: string;
  location?: SourceLocationOut | null;
}

export interface LeakClassRow {
  name: string;
  count: number;
  shallowSize: number;
  /** Null when opened without retained sizes. */
  retainedSize: number | null;
  /** The largest candidates of the class (in the last snapshot), to ask for their retainers. */
  objects: HeapObjectRow[];
}

export interface FlameQuery {
  /** allocations: the stacks of an allocation profile; dominators: a heap snapshot's dominator tree. */
  kind: 'allocations' | 'dominators';
  /** Allocation sites at the root, callers below. */
  inverted?: boolean;
  /** The value type widths stand for; default: the profile's. */
  value?: string;
  filters?: TraceFilter[];
  /** Differential graph: this profile is the base. */
  baseId?: number | null;
  /** Callers or callees of one frame (an index into the layout's frames), speedscope's sandwich. */
  sandwich?: { frame: number; side: 'callers' | 'callees' } | null;
  /** As TopQuery.groupLabel: the label's values become the graph's roots. */
  groupLabel?: string | null;
}

export interface FlameFrames {
  func: string[]; // '' when the format has no function names
  file: string[];
  line: Int32Array; // -1 unknown
}

/**
 * A flame graph: a tree in depth-first order (every node after its parent, children largest
 * first), each node's start and width in value units, its depth and frame.
 */
export interface FlameLayout {
  length: number;
  start: Float64Array;
  /** Drawn width: the inclusive size, or for a differential graph the larger of the two
   * profiles at each node, made additive (own part + children) so children always fit. */
  width: Float64Array;
  total: Float64Array; // inclusive value
  self: Float64Array;
  count: Float64Array; // inclusive count (objects, samples, blocks)
  depth: Int32Array;
  parent: Int32Array;
  frame: Int32Array; // index into frames
  /** Differential graphs only: the base profile's inclusive value at the same path. */
  base: Float64Array | null;
  /** Nodes row by row: those at depth d are rowNodes[rowStart[d] .. rowStart[d + 1]], left to right. */
  rowStart: Int32Array;
  rowNodes: Int32Array;
  frames: FlameFrames;
  maxDepth: number;
  totalValue: number;
  /** What widths measure. */
  unit: string;
  /**
   * Dominator flame graphs only, per node. Children of one rectangle are grouped by class
   * ("Entry ×5,000"); what is too narrow to draw apart is one "rest" rectangle per parent.
   */
  heap?: {
    /** The snapshot node (its largest member for a group; -1 for a rest), e.g. to open its retainers. */
    node: Int32Array;
    /** How many objects the rectangle stands for (1: one object). */
    objects: Float64Array;
    /** 0 one object, 1 a group of one class, 2 the rest (smaller objects of several classes). */
    kind: Uint8Array;
    /** How the dominator refers to it, in heaplens' edge notation ('' when not by one direct edge). */
    edge: string[];
  };
}

/** What a profile offers, decided by the engine from its data: the UI and CLI read this. */
export interface Capabilities {
  views: ViewId[];
  /** The view to open first. */
  defaultView: ViewId;
  groupings: GroupBy[];
  defaultGrouping: GroupBy;
  modes: Mode[];
  valueTypes: ValueTypeInfo[];
  /** The value type ranked by default (null for a heap snapshot without allocation stacks). */
  defaultValue: string | null;
  /** Keys of the samples' labels (pprof), sorted: for label filters and groupLabel. */
  labelKeys: string[];
}

export interface ProfileSummary {
  id: number;
  name: string;
  format: ProfileFormat;
  producer: string;
  /** The file's format version and layout, for a details tooltip. */
  producerDetails: string;
  sampleCount: number;
  stackCount: number;
  frameCount: number;
  total: { size: number; count: number };
  /** Every value type's total (in `capabilities.valueTypes` order; empty for a snapshot without allocation stacks). */
  totalValues: number[];
  hasFunctionNames: boolean;
  sampled: boolean;
  tracebackLimit: number | null;
  truncatedSamples: number;
  captureTime: number | null;
  /** Domains present (tracemalloc), ascending. */
  domains: number[];
  /** Samples the file holds that could not be placed on a stack (0 when none), and their bytes. */
  droppedSamples: { count: number; size: number };
  /** Lines are where functions start, not where they allocated (V8 sampling profiles). */
  linesAreFunctionStarts: boolean;
  /** For heap snapshots: the graph's totals. */
  heap: HeapSummary | null;
  /** Whether top()/diff() work (false for a heap snapshot without allocation traces). */
  hasAllocations: boolean;
  capabilities: Capabilities;
  /** Things to know before reading the numbers (a CPU profile, no samples, drop_frames not applied). */
  notices: string[];
  /** The producer's comments and documentation link (pprof), when it wrote them. */
  comments: string[];
  docUrl: string | null;
  /** How samples were taken (pprof's period_type and period), when the file says. */
  period: { type: string; unit: string; value: number } | null;
  durationNanos: number | null;
}

export interface Progress {
  phase: 'reading' | 'parsing' | 'indexing';
  done: number; // bytes, or steps of the indexing phase
  total: number;
  /** For a gzip file (done and total are its compressed bytes): the bytes unpacked so far. */
  expanded?: number;
}

export interface EngineApi {
  /**
   * Reads a profile. `jobId` lets `cancel(jobId)` stop it while it reads or indexes. Progress
   * arrives through `onProgress`. Throws a HeaplensError (with a code) for files it cannot read.
   */
  open(source: Blob | ArrayBuffer | Uint8Array, name: string, jobId?: number, onProgress?: (p: Progress) => void, options?: OpenOptions): Promise<ProfileSummary>;
  cancel(jobId: number): void;
  /** Frees an open profile; its id is invalid afterwards. */
  close(id: number): void;
  top(id: number, query: TopQuery): TopResult;
  /** The tracebacks (whole stacks) of the samples in one group of `query`, largest first. */
  tracebacksOf(id: number, query: TopQuery, key: number, limit?: number): TopResult;
  /** `head` compared to `base` (Snapshot.compare_to): rows ordered by |sizeDiff| first. */
  diff(headId: number, baseId: number, query: TopQuery): DiffResult;
  /** The tracebacks under one row of `diff` (the group with these frames), each with its own change. */
  diffTracebacksOf(headId: number, baseId: number, query: TopQuery, frames: FrameOut[], limit?: number): DiffResult;
  /** A flame graph layout (typed arrays, transferred by the worker). */
  flame(id: number, query: FlameQuery): FlameLayout;
  /** The open allocation profile in heaplens' compact form, gzipped (.heaplens.json.gz, data links). */
  exportCompact(id: number): Promise<Uint8Array>;
  /** Heap snapshots: the class summary, largest retained size first. */
  heapClasses(id: number, query: HeapClassQuery): Page<HeapClassRow>;
  /** Heap snapshots: objects of one class (those the Summary counts under the query's filter), largest retained size first or by `sort`. */
  heapObjects(id: number, classId: number, query?: HeapObjectQuery): Page<HeapObjectRow>;
  /** Heap snapshots: one object by node index (a flame graph rectangle's, a path step's). */
  heapObjectAt(id: number, node: number): HeapObjectRow;
  /** Heap snapshots: the object with V8 id `objectId` (DevTools' @id), or null. */
  heapFindObject(id: number, objectId: number): HeapObjectRow | null;
  /** Heap snapshots: DevTools' Statistics (code, strings, JS arrays, typed arrays, system, native). */
  heapStatistics(id: number): HeapStatistics;
  /** Heap snapshots: how many strings the duplicated-strings filter shows, and the bytes all but the largest copy of each text waste. */
  heapDuplicateStrings(id: number): { groups: number; strings: number; wasted: number };
  /** Heap snapshots: one level of the retainer tree, closest retainer first (cycles marked via `ancestors`). */
  heapRetainingEdges(id: number, node: number, query?: HeapEdgeQuery): Page<HeapEdgeRow>;
  /** Heap snapshots: the chain of first retainers DevTools opens when an object is selected (node indices). */
  heapRetainerChain(id: number, node: number, depth?: number): number[];
  /** Heap snapshots: "ignore this retainer" / "restore": distances of the retainers view are recomputed; returns the ignored nodes. */
  heapIgnoreRetainer(id: number, node: number): number[];
  heapUnignoreRetainer(id: number, node: number): number[];
  heapUnignoreAllRetainers(id: number): number[];
  /** Heap snapshots: one level of the containment tree (node 0: the root, its GC roots and globals). */
  heapContainment(id: number, node: number, query?: HeapEdgeQuery): Page<HeapEdgeRow>;
  /** Heap snapshots: the shortest retainer paths of an object, object first, root last. */
  heapRetainers(id: number, node: number, maxPaths?: number): RetainerStep[][];
  /** Heap snapshots: what an object dominates (keeps alive alone), largest first. */
  heapDominated(id: number, node: number, range?: Range): Page<HeapObjectRow>;
  /** Heap snapshots: detached DOM nodes, elements and text (cut from their document, still referenced), largest first. */
  heapDetached(id: number, range?: Range): Page<HeapObjectRow>;
  /** Two heap snapshots of one process by object id (DevTools' Comparison): new, deleted and size change per class, largest |size change| first or by `sort`. */
  heapCompare(headId: number, baseId: number, range?: Range & { sort?: HeapSort<'name' | 'newCount' | 'deletedCount' | 'countDelta' | 'allocSize' | 'freedSize' | 'sizeDelta'> }): Page<ClassComparison>;
  /** A Comparison class (by key) opened: its new objects (rows of the head) or deleted ones (rows of the base), largest first. */
  heapComparisonObjects(headId: number, baseId: number, classKey: string, query: ComparisonObjectsQuery): Page<HeapObjectRow>;
  /** How many object ids two snapshots share; `sameProcess` false means their Comparison means nothing. */
  heapIdOverlap(headId: number, baseId: number): HeapIdOverlap;
  /** Allocation timelines: DevTools' bars (surviving bytes per interval); null without samples. */
  heapTimeline(id: number): HeapTimeline | null;
  /** Allocation timelines: a time range [fromMs, toMs] as an id range (filter the Summary with it) and the selected size. */
  heapTimelineSelection(id: number, fromMs: number, toMs: number): HeapTimelineSelection | null;
  /** Snapshots with allocation traces: DevTools' Allocation view (bottom-up by function), largest traced size first. */
  heapAllocations(id: number, range?: Range): Page<AllocationRow>;
  /** The callers of an Allocation-view row or caller node (by its path). */
  heapAllocationCallers(id: number, path: number[]): AllocationCallers;
  /** An object's allocation stack, innermost first; null when it was not traced. */
  heapAllocationStack(id: number, node: number): AllocationFrame[] | null;
  /** Leak candidates: allocated between the first two snapshots, still alive in the third (memlab's rule). */
  heapLeaks(firstId: number, secondId: number, thirdId: number, range?: Range): Page<LeakClassRow>;
}
