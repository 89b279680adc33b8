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
export type ViewId = 'top' | 'flame' | 'heap' | 'dominators';

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
}

export interface TopQuery extends Range {
  by: GroupBy;
  mode?: Mode; // default 'self'
  /** The value type to rank by (a name from the profile's value types); default: the profile's. */
  value?: string;
  filters?: TraceFilter[];
  /** Case-insensitive substring that a row's frames (file or function) must contain. */
  search?: string;
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
  totalSize: number;
  classCount: number;
  /** Objects the snapshot marks detached (DOM nodes cut from their document). */
  detachedCount: number;
  /** Whether live objects carry allocation stacks (the Top view works on them). */
  hasAllocationTraces: boolean;
}

export interface HeapClassQuery extends Range {
  /** Case-insensitive substring of the class name. */
  filter?: string;
}

export interface HeapClassRow {
  classId: number;
  name: string;
  count: number;
  shallowSize: number;
  /** Retained size, not counting objects nested (by dominance) in another of the same class. */
  retainedSize: number;
}

export interface HeapObjectRow {
  node: number; // index in the snapshot, for further questions
  id: number; // V8's object id (@id in DevTools)
  name: string;
  className: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  distance: number; // -1 unreachable
  detached: boolean;
}

export interface RetainerStep {
  object: HeapObjectRow;
  /** How the next step (its retainer) refers to this object, e.g. "leaks" or "[3]". */
  edge: string;
  edgeType: string;
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
}

export interface LeakClassRow {
  name: string;
  count: number;
  shallowSize: number;
  retainedSize: number;
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
}

export interface ProfileSummary {
  id: number;
  name: string;
  format: ProfileFormat;
  producer: string;
  sampleCount: number;
  stackCount: number;
  frameCount: number;
  total: { size: number; count: number };
  hasFunctionNames: boolean;
  sampled: boolean;
  tracebackLimit: number | null;
  truncatedSamples: number;
  captureTime: number | null;
  /** Domains present (tracemalloc), ascending. */
  domains: number[];
  /** For heap snapshots: the graph's totals. */
  heap: HeapSummary | null;
  /** Whether top()/diff() work (false for a heap snapshot without allocation traces). */
  hasAllocations: boolean;
  capabilities: Capabilities;
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
  open(source: Blob | ArrayBuffer | Uint8Array, name: string, jobId?: number, onProgress?: (p: Progress) => void): Promise<ProfileSummary>;
  cancel(jobId: number): void;
  /** Frees an open profile; its id is invalid afterwards. */
  close(id: number): void;
  top(id: number, query: TopQuery): TopResult;
  /** The tracebacks (whole stacks) of the samples in one group of `query`, largest first. */
  tracebacksOf(id: number, query: TopQuery, key: number, limit?: number): TopResult;
  /** `head` compared to `base` (Snapshot.compare_to): rows ordered by |sizeDiff| first. */
  diff(headId: number, baseId: number, query: TopQuery): DiffResult;
  /** A flame graph layout (typed arrays, transferred by the worker). */
  flame(id: number, query: FlameQuery): FlameLayout;
  /** The open allocation profile in heaplens' compact form, gzipped (.heaplens.json.gz, data links). */
  exportCompact(id: number): Promise<Uint8Array>;
  /** Heap snapshots: the class summary, largest retained size first. */
  heapClasses(id: number, query: HeapClassQuery): Page<HeapClassRow>;
  /** Heap snapshots: objects of one class, largest retained size first. */
  heapObjects(id: number, classId: number, range?: Range): Page<HeapObjectRow>;
  /** Heap snapshots: the shortest retainer paths of an object, object first, root last. */
  heapRetainers(id: number, node: number, maxPaths?: number): RetainerStep[][];
  /** Heap snapshots: what an object dominates (keeps alive alone), largest first. */
  heapDominated(id: number, node: number, range?: Range): Page<HeapObjectRow>;
  /** Heap snapshots: detached DOM elements (cut from their document, still referenced), largest first. */
  heapDetached(id: number, range?: Range): Page<HeapObjectRow>;
  /** Two heap snapshots of one process by object id: new, deleted and size change per class. */
  heapCompare(headId: number, baseId: number, range?: Range): Page<ClassComparison>;
  /** Leak candidates: allocated between the first two snapshots, still alive in the third (memlab's rule). */
  heapLeaks(firstId: number, secondId: number, thirdId: number, range?: Range): Page<LeakClassRow>;
}
