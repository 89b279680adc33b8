// The snapshot's header (`"snapshot": {meta, node_count, edge_count}`) turned into the field
// layout the section readers follow, and the byte position every error message names.
//
// Field layouts come from snapshot.meta, never hard-coded: Node 20 writes 7 node fields (with
// detachedness), newer V8 6 plus trace_node_id only when tracing, `locations` has 4 or 5 fields.

import { HeaplensError } from '../../api/errors.ts';
import type { HeapOpenMode } from '../../api/types.ts';
import { formatBytes } from '../input.ts';

export interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
  trace_function_info_fields?: string[];
  trace_node_fields?: string[];
  sample_fields?: string[];
  location_fields?: string[];
}

export interface SnapshotHeader {
  meta: SnapshotMeta;
  node_count: number;
  edge_count: number;
}

// Node and edge field roles (indices into these lists).
const NODE_ROLES = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
const EDGE_ROLES = ['type', 'name_or_index', 'to_node'];
export const MAX_U32 = 0xffffffff;

export const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
export const isDigit = (c: number) => c - 0x30 >>> 0 < 10;

/** What the scanner may read and hold: sizes checked before anything is allocated. */
export interface SnapshotBounds {
  /** Bytes the stream yields, or null when not known before reading (a gzip expanding). */
  length: number | null;
  /** At most this many: `length`, or for gzip the 1032-fold of its compressed size deflate allows. */
  maxLength: number;
  /** For gzip: the compressed size, for messages. */
  compressedSize?: number;
  /** Bytes of memory the graph, its indexes and the kept sections may take. */
  memoryBudget: number;
  /** How the graph will be indexed (default 'full'): decides the estimate held against the budget. */
  heapMode?: HeapOpenMode;
}

/** Where the scanner is in the file, for messages that say where it went wrong. */
export class ScanPosition {
  offset = 0; // bytes consumed before the current chunk
  constructor(readonly bounds: SnapshotBounds) {}

  /** " of N" when the size is known, else " of the unpacked data". */
  get ofTotal(): string {
    const n = this.bounds.length;
    return n === null ? ' of the unpacked data' : ` of ${n.toLocaleString('en-US')}`;
  }

  fail(what: string, at: number): never {
    throw new HeaplensError('corrupt', `This heap snapshot is malformed at byte ${(this.offset + at).toLocaleString('en-US')}${this.ofTotal}: ${what}.`);
  }
}

// Memory per node and per edge at the peak of opening (parsing, then indexing), from the typed
// arrays the code allocates: the graph keeps 22 B/node (type, name, id, self size, first edge,
// detachedness, trace id) and 9 B/edge (type, name, target); indexing adds the DFS and
// semidominator arrays, predecessors, dominators, retained sizes, distances, the dominator tree
// and the class index (~58 B/node, ~5 B/edge at the peak). Checked against peak RSS less the
// process baseline in the CLI: 93 MB for 0.71 M nodes / 2.1 M edges (estimate 87 MB), 333 MB
// for 3.0 M / 8.7 M (estimate 362 MB) — bench/out's 50 and 200 MB snapshots.
export const BYTES_PER_NODE = 80;
export const BYTES_PER_EDGE = 14;

// Opened 'summary-only' (no dominator pass): the graph's 22 B/node and 9 B/edge, then at the
// peak distances, moved shallow sizes, owners, node flags, DOM states, the search queue and the
// class index (~18 B/node). The strings and locations are not in it: the scanner holds them
// against what the budget leaves (keptMemory, over-estimated). Checked the same way as above
// (peak RSS of `heaplens summary --json --no-retained`, the bundle, less `heaplens --help`'s,
// best of 3): 280.7 MB for 3.0 M / 8.7 M (estimate 198.6 MB + kept sections 103.8 MB = 302 MB;
// the full open 341.8 MB in the same runs), 94.7 MB for 0.71 M / 2.1 M (47.5 + 27.4 = 75 MB; full
// 107.7 MB). The parse's own peak is most of it: after it (a forced GC) the graph, its strings and
// locations hold 181 MB of the 200 MB snapshot's; so the whole process needs ~82 % of a full open.
export const REDUCED_BYTES_PER_NODE = 40;
export const REDUCED_BYTES_PER_EDGE = 9;

export function heapMemoryEstimate(nodeCount: number, edgeCount: number, mode: HeapOpenMode = 'full'): number {
  return mode === 'summary-only' ? nodeCount * REDUCED_BYTES_PER_NODE + edgeCount * REDUCED_BYTES_PER_EDGE : nodeCount * BYTES_PER_NODE + edgeCount * BYTES_PER_EDGE;
}


export interface Layout {
  header: SnapshotHeader;
  nodeCount: number;
  edgeCount: number;
  nodeFields: number;
  edgeFields: number;
  /** The role (index into NODE_ROLES / EDGE_ROLES) of each field, -1 for fields we skip. */
  nodeRole: Int8Array;
  edgeRole: Int8Array;
  /** Whether the layout is one of V8's own, which the unrolled loops read. */
  standardNodes: boolean;
  standardEdges: boolean;
  nodeTypeCount: number;
  edgeTypeCount: number;
  edgeElement: number;
  edgeHidden: number;
  hasDetachedness: boolean;
}

/**
 * The header's counts against the memory budget, for the mode asked. A full open that does not
 * fit while a summary-only one would says so, and carries the hint callers offer it from.
 */
function checkBudget(nodeCount: number, edgeCount: number, counts: string, bounds: SnapshotBounds): void {
  const mode = bounds.heapMode ?? 'full';
  const budget = bounds.memoryBudget;
  const needs = heapMemoryEstimate(nodeCount, edgeCount, mode);
  if (needs <= budget) return;
  const reduced = heapMemoryEstimate(nodeCount, edgeCount, 'summary-only');
  const perItem = mode === 'full' ? `${BYTES_PER_NODE} bytes per node and ${BYTES_PER_EDGE} per edge` : `${REDUCED_BYTES_PER_NODE} bytes per node and ${REDUCED_BYTES_PER_EDGE} per edge, without retained sizes`;
  const head =
    `This heap snapshot announces ${counts}; opening it takes about ${formatBytes(needs)} of memory ` +
    `(${perItem}), more than the ${formatBytes(budget)} heaplens allows itself here. `;
  if (mode === 'full' && reduced <= budget) {
    throw new HeaplensError(
      'too-big',
      head +
        `Opened without retained sizes (no dominator tree: the Summary's names, counts, shallow sizes and distances, and Statistics, as DevTools shows them) it takes about ${formatBytes(reduced)}, which fits.`,
      { heap: 'summary-only', fullEstimate: needs, reducedEstimate: reduced, budget },
    );
  }
  throw new HeaplensError('too-big', head + 'Take the snapshot of a smaller heap (earlier, or of one process), or open it on a machine with more memory.');
}

/** Checks the header and derives the layout; `at` is the header's end, for messages. */
export function readLayout(h: SnapshotHeader, pos: ScanPosition, at: number): Layout {
  const meta = h?.meta;
  const isNames = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!meta || !isNames(meta.node_fields) || !isNames(meta.edge_fields) || !isNames(meta.node_types?.[0]) || !isNames(meta.edge_types?.[0])) {
    pos.fail('the header has no node and edge field layout (snapshot.meta)', at);
  }
  const { node_count: nodeCount, edge_count: edgeCount } = h;
  if (!Number.isSafeInteger(nodeCount) || nodeCount < 1 || !Number.isSafeInteger(edgeCount) || edgeCount < 0) {
    pos.fail('the header has no valid node_count and edge_count', at);
  }
  // Every field takes at least 2 bytes in the file ("0,"): larger counts are lies that would
  // make us allocate gigabytes for nothing. A gzip's expanded size is unknown until the end, so
  // the counts are held against the most its compressed bytes can expand to.
  const least = nodeCount * meta.node_fields.length * 2 + edgeCount * meta.edge_fields.length * 2;
  const { length, maxLength, compressedSize } = pos.bounds;
  const counts = `${nodeCount.toLocaleString('en-US')} nodes and ${edgeCount.toLocaleString('en-US')} edges`;
  if (length !== null && least > length + 64) {
    throw new HeaplensError(
      'truncated',
      `This heap snapshot is truncated or corrupt: its header announces ${counts}, more than a ${length.toLocaleString('en-US')}-byte file can hold.`,
    );
  }
  if (length === null && least > maxLength + 64) {
    throw new HeaplensError(
      'corrupt',
      `This heap snapshot is corrupt: its header announces ${counts}, more than this ${(compressedSize ?? 0).toLocaleString('en-US')}-byte gzip file ` +
        `can hold even fully expanded (at most ${maxLength.toLocaleString('en-US')} bytes).`,
    );
  }
  if (nodeCount > MAX_U32 - 1 || edgeCount > MAX_U32) {
    throw new HeaplensError('too-big', `This heap snapshot announces more than 4 billion nodes or edges (${nodeCount.toLocaleString('en-US')} nodes), more than heaplens can index.`);
  }
  checkBudget(nodeCount, edgeCount, counts, pos.bounds);
  for (const needed of ['type', 'name', 'id', 'self_size', 'edge_count']) {
    if (!meta.node_fields.includes(needed)) pos.fail(`snapshot.meta.node_fields has no "${needed}"`, at);
  }
  for (const needed of EDGE_ROLES) if (!meta.edge_fields.includes(needed)) pos.fail(`snapshot.meta.edge_fields has no "${needed}"`, at);
  const nodeRole = Int8Array.from(meta.node_fields, (f) => NODE_ROLES.indexOf(f));
  const edgeRole = Int8Array.from(meta.edge_fields, (f) => EDGE_ROLES.indexOf(f));
  const nodeTypeCount = meta.node_types[0].length;
  const edgeTypeCount = meta.edge_types[0].length;
  if (nodeTypeCount > 256 || edgeTypeCount > 256) pos.fail('the header lists more than 256 node or edge types', at);
  return {
    header: h,
    nodeCount,
    edgeCount,
    nodeFields: meta.node_fields.length,
    edgeFields: meta.edge_fields.length,
    nodeRole,
    edgeRole,
    // V8's own layouts, which the scanner's unrolled loops read: type, name, id, self_size,
    // edge_count, then trace_node_id and/or detachedness; edges type, name_or_index, to_node.
    standardNodes: [0, 1, 2, 3, 4].every((r, k) => nodeRole[k] === r) && [...nodeRole.subarray(5)].every((r) => r === 5 || r === 6),
    standardEdges: edgeRole.length === 3 && edgeRole[0] === 0 && edgeRole[1] === 1 && edgeRole[2] === 2,
    nodeTypeCount,
    edgeTypeCount,
    edgeElement: meta.edge_types[0].indexOf('element'),
    edgeHidden: meta.edge_types[0].indexOf('hidden'),
    hasDetachedness: meta.node_fields.includes('detachedness'),
  };
}

/** Skips whitespace to a section's '['; returns the index after it, or -1 at the chunk's end. */
export function openArray(b: Uint8Array, i: number, what: string, pos: ScanPosition): number {
  const n = b.length;
  while (i < n && isSpace(b[i])) i++;
  if (i === n) return -1;
  if (b[i] !== 0x5b) pos.fail(`the ${what} section is not an array`, i);
  return i + 1;
}

/** A byte buffer that grows by doubling, for header text and string literals split by chunks. */
export class ByteBuffer {
  data = new Uint8Array(256);
  length = 0;
  append(src: Uint8Array, from: number, to: number): void {
    const need = this.length + (to - from);
    if (need > this.data.length) {
      let cap = this.data.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(src.subarray(from, to), this.length);
    this.length = need;
  }
}
