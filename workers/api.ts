// The engine's public surface: what the UI (through comlink), the CLI and the tests may ask.
// Everything that crosses it is small (a page of rows) or transferable.

import type { ProfileFormat } from './model/profile.ts';

export type GroupBy = 'file' | 'line' | 'function' | 'traceback';

/**
 * self: each sample counts for the group of its innermost frame (tracemalloc's statistics()).
 * inclusive: each sample counts once for every group that appears anywhere in its stack.
 * cumulative: tracemalloc's `cumulative=True`: once per occurrence, so recursion counts twice.
 */
export type Mode = 'self' | 'inclusive' | 'cumulative';

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

export interface TopQuery {
  by: GroupBy;
  mode?: Mode; // default 'self'
  filters?: TraceFilter[];
  /** Case-insensitive substring that a row's frames (file or function) must contain. */
  search?: string;
  offset?: number; // default 0
  limit?: number; // default all
}

export interface FrameOut {
  file: string;
  line: number | null; // null when grouped by file
  function: string | null; // null when the format has none
}

export interface TopRow {
  /** Opaque key of the group, to ask for its tracebacks. */
  key: number;
  frames: FrameOut[]; // outermost first
  size: number;
  count: number;
}

export interface TopResult {
  format: ProfileFormat;
  value: 'size';
  /** Totals of the samples that pass the filters (all samples when there is none). */
  total: { size: number; count: number };
  /** Totals of the whole profile, filters ignored. */
  profileTotal: { size: number; count: number };
  /** Number of groups before offset/limit/search paging. */
  groupCount: number;
  /** Number of groups matching the search (before paging). */
  matchCount: number;
  rows: TopRow[];
}

export interface DiffRow {
  frames: FrameOut[]; // outermost first
  size: number; // in the head profile
  sizeDiff: number; // head − base
  count: number;
  countDiff: number;
  /** 'new': only in the head; 'gone': only in the base. */
  status: 'new' | 'gone' | 'changed' | 'same';
}

export interface DiffResult {
  format: ProfileFormat;
  value: 'size';
  /** Totals of the filtered head, and their change from the filtered base. */
  total: { size: number; count: number; sizeDiff: number; countDiff: number };
  groupCount: number;
  matchCount: number;
  rows: DiffRow[];
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

export interface HeapClassRow {
  classId: number;
  name: string;
  count: number;
  shallowSize: number;
  /** Retained size, not counting objects nested (by dominance) in another of the same class. */
  retainedSize: number;
}

export interface HeapClassResult {
  totalSize: number;
  classCount: number; // before paging, after the name filter
  rows: HeapClassRow[];
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

export interface HeapObjectPage {
  total: number;
  rows: HeapObjectRow[];
}

export interface RetainerStep {
  object: HeapObjectRow;
  /** How the next step (its retainer) refers to this object, e.g. "leaks" or "[3]". */
  edge: string;
  edgeType: string;
}

export type { ClassComparison } from './analysis/compare-heaps.ts';

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
  filters?: TraceFilter[];
  /** Differential graph: this profile is the base. */
  baseId?: number | null;
  /** Callers or callees of one frame (an index into the layout's frames), speedscope's sandwich. */
  sandwich?: { frame: number; side: 'callers' | 'callees' } | null;
}

export type { FlameLayout } from './analysis/flame.ts';

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
}

export interface Progress {
  phase: 'reading' | 'parsing' | 'indexing';
  done: number; // bytes
  total: number; // bytes
}

/** A file the engine cannot read: `message` is meant for the user as it is. */
export class HeaplensError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeaplensError';
  }
}

export interface EngineApi {
  /**
   * Reads a profile. `jobId` lets `cancel(jobId)` stop it while it reads. Progress arrives through
   * `onProgress`. Throws a HeaplensError with a user-facing message for files it cannot read.
   */
  open(source: Blob | ArrayBuffer | Uint8Array, name: string, jobId?: number, onProgress?: (p: Progress) => void): Promise<ProfileSummary>;
  cancel(jobId: number): void;
  top(id: number, query: TopQuery): TopResult;
  /** The tracebacks (whole stacks) of the samples in one group of `query`, largest first. */
  tracebacksOf(id: number, query: TopQuery, key: number, limit?: number): TopResult;
  /** `head` compared to `base` (Snapshot.compare_to): rows ordered by |sizeDiff| first. */
  diff(headId: number, baseId: number, query: TopQuery): DiffResult;
  /** Heap snapshots: the class summary, largest retained size first. */
  heapClasses(id: number, query: { filter?: string; offset?: number; limit?: number }): HeapClassResult;
  /** Heap snapshots: objects of one class, largest retained size first. */
  heapObjects(id: number, classId: number, offset?: number, limit?: number): HeapObjectPage;
  /** Heap snapshots: the shortest retainer paths of an object, object first, root last. */
  heapRetainers(id: number, node: number, maxPaths?: number): RetainerStep[][];
  /** Heap snapshots: what an object dominates (keeps alive alone), largest first. */
  heapDominated(id: number, node: number, offset?: number, limit?: number): HeapObjectPage;
  /** A flame graph layout (typed arrays, transferred by the worker). */
  flame(id: number, query: FlameQuery): import('./analysis/flame.ts').FlameLayout;
  /** Two heap snapshots of one process by object id: new, deleted and size change per class. */
  heapCompare(headId: number, baseId: number): import('./analysis/compare-heaps.ts').ClassComparison[];
  /** Leak candidates: allocated between the first two snapshots, still alive in the third (memlab's rule). */
  heapLeaks(firstId: number, secondId: number, thirdId: number): LeakClassRow[];
  /** The open allocation profile in heaplens' compact form, gzipped (.heaplens.json.gz, data links). */
  exportCompact(id: number): Promise<Uint8Array>;
  close(id: number): void;
}
