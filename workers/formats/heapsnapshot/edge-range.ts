// The edges section on a second thread. Edges are most of a snapshot's bytes (59 % of the bench's
// 200 MB one): while the scanner reads the header and the nodes, and then the sections after the
// edges (locations, strings), a helper finds where the edges are and reads them into columns of
// its own, which become the graph's (scanner.ts, readSplit). Where the helper runs is the host's
// business (a worker thread in the CLI: cli/edge-helper.ts): this file only reads bytes into
// plain arrays.
//
// Not in the browser: there a worker reads a File at ~400 MB/s and a typed array's indexOf runs
// at ~600 MB/s (Chromium 156, measured), so finding the section's end (reading the nodes and the
// edges once more) cost more than the engine's worker saved: 200 MB opened in 4.5–5.9 s against
// 4.0–4.2 s on one thread. A helper that started inside the edges at an estimated offset (the
// record boundary from a line break, or from the values' one alignment that holds edges) and
// read to their end needs no search, and was tried too (2026-12-02, Xeon, in-page times): the
// engine's worker reads the whole snapshot at ~340 MB/s, while the helper, a fresh worker,
// read its 58 MB in 300–350 ms against the engine's 65 MB in 150–270 ms, and the copy of its
// columns cost the rest: picked → class table 1.77–1.86 s against 1.66–1.72 s on one thread.
//
// The helper is strict, and gives up rather than guess: anything but the layouts V8 and its tools
// write (three numbers a record; ",", "\n," or ",\n" between records), a value out of range, a
// count other than the header's, or bounds that are not where the scanner finds the section give
// null, and the scanner reads those bytes itself, with its own checks and error messages. So a
// split changes how fast a file opens, never what it opens to.
//
// Hand-written, like records.ts's fast loops (a measured hot path: this is the load's longest
// read), with the same one-compare digit test.

import type { EdgeBounds, EdgeRange, EdgeRangeTask } from './edge-range-types.ts';
import { MAX_U32 } from './layout.ts';

/** Below this a second thread costs more to start than it saves. */
export const SPLIT_MIN_BYTES = 24 << 20;

/**
 * The edges section's bounds in V8's layout: the nodes section's numbers hold no "]", so the
 * first one after `"nodes":[` closes it, and the next array is the edges; the first "]" after
 * that closes them. Two reads of bytes (no parse); null when the layout is another.
 */
export async function findEdges(blob: Blob, bracket: (from: number) => Promise<number> = (from) => nextBracket(blob, from)): Promise<EdgeBounds | null> {
  const head = new TextDecoder('latin1').decode(await blob.slice(0, 1 << 20).arrayBuffer());
  const nodes = /"nodes"\s*:\s*\[/.exec(head);
  if (!nodes) return null;
  const nodesEnd = await bracket(nodes.index + nodes[0].length);
  if (nodesEnd < 0) return null;
  const between = new TextDecoder('latin1').decode(await blob.slice(nodesEnd, nodesEnd + 256).arrayBuffer());
  const edges = /^\]\s*,\s*"edges"\s*:\s*\[/.exec(between);
  if (!edges) return null;
  const start = nodesEnd + edges[0].length;
  const end = await bracket(start);
  return end < 0 ? null : { start, end };
}

/**
 * Offset of the first "]" at or after `from`, or -1. (A host with faster reads passes its own:
 * the CLI's worker searches 200 MB in a fraction of the time this takes, cli/edge-worker.ts.)
 */
async function nextBracket(blob: Blob, from: number): Promise<number> {
  // Slices read whole: a Blob's stream comes in small chunks, each a round trip in a browser.
  for (let at = from; at < blob.size; at += BRACKET_PIECE) {
    const piece = new Uint8Array(await blob.slice(at, at + BRACKET_PIECE).arrayBuffer());
    const k = piece.indexOf(0x5d);
    if (k >= 0) return at + k;
  }
  return -1;
}

const BRACKET_PIECE = 8 << 20;

/** The helper's columns: exactly the header's edge count (a section with more is not read here). */
class Columns {
  count = 0;
  readonly type: Uint8Array;
  readonly name: Uint32Array;
  readonly to: Uint32Array;
  constructor(capacity: number) {
    this.type = new Uint8Array(capacity);
    this.name = new Uint32Array(capacity);
    this.to = new Uint32Array(capacity);
  }
}

/** A record is at most this long ("\n," and three numbers of up to 16 digits): records that start this far from a chunk's end are whole in it. */
const RECORD_ROOM = 64;

/**
 * Reads the edge records of a stream that holds the bytes from bounds.start to the closing "]".
 * Records are "type,name,to", one after the other with "," (Chromium's writer), "\n," (Node's) or
 * ",\n" between them.
 */
export async function readEdgeRange(stream: ReadableStream<Uint8Array>, task: EdgeRangeTask, bounds: EdgeBounds): Promise<EdgeRange | null> {
  const reader = stream.getReader();
  const cols = new Columns(task.edgeCount);
  const state: RecordState = { maxName: -1, failed: false, end: -1, at: 0 };
  // The bytes a chunk's end cut (less than two records); the first record has no "," before it, so one is put there.
  let carry: Uint8Array = Uint8Array.of(0x2c);
  let offset = bounds.start - 1; // file offset of carry[0]
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        // What is left holds the last records and the "]".
        records(carry, 0, carry.length, cols, task, state);
        return state.end >= 0 ? finish(cols, bounds, state, offset + state.end) : null;
      }
      // The carried bytes and the chunk's first ones, until the reading is back in the chunk.
      const head = Math.min(value.length, 4 * RECORD_ROOM);
      const joined = new Uint8Array(carry.length + head);
      joined.set(carry);
      joined.set(value.subarray(0, head), carry.length);
      const joinedLimit = head === value.length ? joined.length - RECORD_ROOM : carry.length + 1;
      records(joined, 0, Math.max(0, joinedLimit), cols, task, state);
      if (state.failed) return null;
      if (state.end >= 0) return finish(cols, bounds, state, offset + state.end);
      if (state.at < carry.length) {
        // A tiny chunk: keep carrying.
        offset += state.at;
        carry = joined.slice(state.at);
        continue;
      }
      let i = state.at - carry.length; // in value
      const chunkOffset = offset + carry.length;
      records(value, i, value.length - RECORD_ROOM, cols, task, state);
      if (state.failed) return null;
      if (state.end >= 0) return finish(cols, bounds, state, chunkOffset + state.end);
      i = Math.max(i, state.at);
      carry = value.slice(i);
      offset = chunkOffset + i;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

function finish(cols: Columns, bounds: EdgeBounds, state: { maxName: number }, end: number): EdgeRange | null {
  if (end !== bounds.end) return null;
  return { start: bounds.start, end, count: cols.count, type: cols.type, name: cols.name, to: cols.to, maxName: state.maxName };
}

interface RecordState {
  maxName: number;
  /** A record that is not an edge, a value out of range, or more edges than the header's count. */
  failed: boolean;
  /** Index of the closing "]" once met, else -1. */
  end: number;
  /** Where the reading stopped: the separator before the next record. */
  at: number;
}

/**
 * The records of b that start (at their separator, "," or "\n,") from i and before `limit`;
 * each is whole in b (the caller keeps RECORD_ROOM bytes after `limit`, or b ends with the "]").
 */
function records(b: Uint8Array, i: number, limit: number, cols: Columns, task: EdgeRangeTask, state: RecordState): void {
  const { nodeFields, nodeCount, edgeTypeCount, edgeElement, edgeHidden, edgeCount } = task;
  const inverse = 1 / nodeFields;
  const { type, name, to } = cols;
  let count = cols.count;
  let maxName = state.maxName;
  let d = 0;
  let ok = true;
  while (i < limit) {
    let c = b[i];
    if (c === 0x0a) c = b[++i];
    if (c !== 0x2c) {
      if (c === 0x5d) state.end = i;
      else ok = false;
      break;
    }
    if (count === edgeCount) {
      ok = false; // more edges than the header says: the scanner's to tell
      break;
    }
    // type (after the "," a line break too, as some tools write ",\n")
    d = b[++i] ^ 0x30;
    if (d === 58) d = b[++i] ^ 0x30;
    if (d >= 10) {
      ok = false;
      break;
    }
    let t = d;
    while ((d = b[++i] ^ 0x30) < 10) t = t * 10 + d;
    // name or index
    if (d !== 28 || t >= edgeTypeCount || (d = b[++i] ^ 0x30) >= 10) {
      ok = false;
      break;
    }
    let v = d;
    while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
    // to_node: a node's offset in the nodes array
    if (d !== 28 || v > MAX_U32 || (d = b[++i] ^ 0x30) >= 10) {
      ok = false;
      break;
    }
    let o = d;
    while ((d = b[++i] ^ 0x30) < 10) o = o * 10 + d;
    const node = (o * inverse + 0.5) >>> 0;
    // Next comes "\n", "," or "]" (their codes ^ 0x30); anything else is no edge.
    if ((d !== 58 && d !== 28 && d !== 109) || node >= nodeCount || node * nodeFields !== o) {
      ok = false;
      break;
    }
    type[count] = t;
    name[count] = v;
    to[count] = node;
    count++;
    if (t !== edgeElement && t !== edgeHidden && v > maxName) maxName = v;
  }
  // A "]" right at the limit (the section's last bytes).
  if (ok && state.end < 0 && i >= limit && i < b.length && (b[i] === 0x5d || (b[i] === 0x0a && b[i + 1] === 0x5d))) state.end = b[i] === 0x5d ? i : i + 1;
  cols.count = count;
  state.maxName = maxName;
  state.failed = !ok;
  state.at = i;
}
