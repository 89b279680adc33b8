// V8 heap snapshots (.heapsnapshot, .heaptimeline) → the heap graph, in one streaming pass over
// the bytes.
//
// Why a hand-written scanner (a measured hot path: on a 200 MB snapshot it is most of the load
// time): a snapshot is one JSON object whose arrays hold tens of millions of numbers, and real
// files pass 4 GB. JSON.parse needs the whole text as one string (V8 stops at ~512 MB) and builds
// a JS number per element; DevTools and memlab die there. This scanner reads bytes as they
// arrive and hands each section to its reader (records.ts, strings.ts, sections.ts), which
// writes straight into typed arrays sized from the header.
//
// Sections V8 writes: snapshot (header), nodes, edges, trace_function_infos, trace_tree, samples,
// locations, strings; unknown ones are skipped.

import { HeaplensError } from '../../api/errors.ts';
import type { HeapGraph } from '../../model/heap-graph.ts';
import { NO_JOB, type JobControl } from '../../model/job.ts';
import { ByteBuffer, heapMemoryEstimate, isSpace, readLayout, ScanPosition, type Layout, type SnapshotBounds, type SnapshotHeader } from './layout.ts';
import { DEFAULT_MEMORY_BUDGET, formatBytes } from '../input.ts';
import { SPLIT_MIN_BYTES } from './edge-range.ts';
import type { EdgeRange, EdgeRangeHelper, EdgeRangeTask, SnapshotSplit } from './edge-range-types.ts';
import { RecordReader } from './records.ts';
import { buildLocations, buildSamples, buildTraces, NumberSection, TraceTreeReader } from './sections.ts';
import { StringReader } from './strings.ts';

const enum State {
  Start,
  BetweenSections,
  AfterKey,
  Header,
  Skip,
  Nodes,
  Edges,
  Numbers,
  TraceTree,
  Strings,
  Done,
}

const SECTION: Partial<Record<State, string>> = {
  [State.Start]: 'the header',
  [State.BetweenSections]: 'the space between two sections',
  [State.AfterKey]: 'the space between two sections',
  [State.Header]: 'the header',
  [State.Skip]: 'a section heaplens skips',
  [State.Nodes]: 'the nodes section',
  [State.Edges]: 'the edges section',
  [State.Numbers]: 'a number section',
  [State.TraceTree]: 'the trace_tree section',
  [State.Strings]: 'the strings section',
};

const MAX_HEADER_BYTES = 1 << 24;
const NUMBER_SECTIONS = new Set(['trace_function_infos', 'samples', 'locations']);

export class HeapSnapshotScanner {
  private state = State.Start;
  private readonly pos: ScanPosition;
  private readonly utf8 = new TextDecoder('utf-8');

  // between sections: the key being read
  private readonly key = new ByteBuffer();
  private inKey = false;
  private keyEscape = false;
  private readonly sectionsSeen = new Set<string>();
  // header and skipped values
  private readonly value = new ByteBuffer();
  private depth = 0;
  private inString = false;
  private escape = false;
  private valueStarted = false;

  private layout: Layout | null = null;
  private records: RecordReader | null = null;
  private readonly strings: StringReader;
  private numbers: NumberSection | null = null;
  private readonly kept = new Map<string, Float64Array>();
  private traceTree: TraceTreeReader | null = null;

  // What the kept sections (strings, trace tree, samples, locations) hold, against the memory
  // the header's counts leave: their text bytes, and the strings read.
  private numberText = 0;
  private stringText = 0;
  private keptRoom = 0;

  /** `stopAtEdges`: stop right after the edges section's "[" (push then returns the bytes it took), for a helper to read them (readSplit). */
  constructor(
    bounds: SnapshotBounds | number,
    private stopAtEdges = false,
  ) {
    this.pos = new ScanPosition(typeof bounds === 'number' ? exactly(bounds) : bounds);
    this.strings = new StringReader(this.pos);
  }

  private fail(what: string, at: number): never {
    this.pos.fail(what, at);
  }

  /** Scans a chunk; returns the bytes it took: all of them, unless it stopped at the edges (splitting). */
  push(b: Uint8Array): number {
    let i = 0;
    const n = b.length;
    while (i < n) {
      switch (this.state) {
        case State.Start: {
          const c = b[i++];
          if (c === 0x7b) this.state = State.BetweenSections;
          else if (!(isSpace(c) || (this.pos.offset + i <= 3 && (c === 0xef || c === 0xbb || c === 0xbf)))) {
            this.fail('a heap snapshot is a JSON object and starts with "{"', i - 1);
          }
          break;
        }
        case State.BetweenSections:
          i = this.scanKey(b, i);
          break;
        case State.AfterKey:
          i = this.afterKey(b, i);
          break;
        case State.Header:
        case State.Skip:
          i = this.scanValue(b, i);
          break;
        case State.Nodes: {
          const r = this.records!;
          i = r.scanNodes(b, i);
          if (r.done) this.state = State.BetweenSections;
          break;
        }
        case State.Edges: {
          const r = this.records!;
          i = r.scanEdges(b, i);
          if (r.done) this.state = State.BetweenSections;
          if (r.stopped) {
            this.pos.offset += i;
            return i;
          }
          break;
        }
        case State.Numbers: {
          const s = this.numbers!;
          const from = i;
          i = s.scan(b, i);
          this.numberText += i - from;
          if (s.done) {
            this.kept.set(s.key, s.values);
            this.state = State.BetweenSections;
          }
          break;
        }
        case State.TraceTree: {
          const t = this.traceTree!;
          const from = i;
          i = t.scan(b, i);
          this.numberText += i - from;
          if (t.done) this.state = State.BetweenSections;
          break;
        }
        case State.Strings: {
          const from = i;
          i = this.strings.scan(b, i);
          this.stringText += i - from;
          if (this.strings.done) this.state = State.BetweenSections;
          break;
        }
        case State.Done: {
          const c = b[i++];
          if (!isSpace(c) && c !== 0) this.fail('there are bytes after the end of the snapshot', i - 1);
          break;
        }
      }
    }
    this.pos.offset += n;
    if (this.layout && this.keptMemory() > this.keptRoom) this.tooMuchKept();
    return n;
  }

  // --- reading on two threads (edge-range.ts, readSplit) ------------------------------------

  /** What a helper needs to read the edges (edge-range.ts); null before the header, or for a layout it does not read. */
  edgeTask(): EdgeRangeTask | null {
    const l = this.layout;
    if (!l || !l.standardEdges || l.edgeFields !== 3) return null;
    return { nodeFields: l.nodeFields, nodeCount: l.nodeCount, edgeCount: l.edgeCount, edgeTypeCount: l.edgeTypeCount, edgeElement: l.edgeElement, edgeHidden: l.edgeHidden };
  }

  /** Stopped at the edges: the offset of their first byte; else null. */
  get stoppedAt(): number | null {
    return this.records?.stopped ? this.pos.offset : null;
  }

  /** Goes on reading the edges itself, from where it stopped or (when it has not got there) when it gets there. */
  continueEdges(): void {
    this.stopAtEdges = false;
    this.records?.continueEdges();
  }

  /** Leaves the edges to a helper: they end at `end` (their "]"), and the next bytes pushed are those after it. */
  parkEdges(end: number): void {
    const r = this.records!;
    r.stopped = r.stopAtEdges = this.stopAtEdges = false;
    r.done = true;
    this.state = State.BetweenSections;
    this.pos.offset = end + 1;
  }

  /** The helper's edges, for the ones parked. */
  joinEdges(range: EdgeRange): void {
    this.records!.adoptEdges(range);
    this.helped = true;
  }

  /** Whether the edges came from a helper (the profile's details say so). */
  private helped = false;

  private parked: { state: State; offset: number } | null = null;

  /** The helper gave up: the next bytes pushed are the parked edges, from `start` to their "]" (then endReparse). */
  beginReparse(start: number): void {
    this.parked = { state: this.state, offset: this.pos.offset };
    this.state = State.Edges;
    this.records!.resumeEdges();
    this.pos.offset = start;
  }

  endReparse(): void {
    if (!this.records!.done) this.fail('the edges section does not end where it seemed to', 0);
    this.state = this.parked!.state;
    this.pos.offset = this.parked!.offset;
    this.parked = null;
  }

  /**
   * Memory the kept sections take, over-estimated: a number is at least 2 bytes of text ("0,")
   * and 8 in a Float64 column that grows by doubling; a string costs its text and a header.
   */
  private keptMemory(): number {
    return this.numberText * 8 + this.stringText + this.strings.strings.length * 32;
  }

  private tooMuchKept(): never {
    throw new HeaplensError(
      'too-big',
      `This heap snapshot's strings and allocation sections need more than ${formatBytes(this.keptRoom)} beside its nodes and edges ` +
        `(${formatBytes(this.pos.bounds.memoryBudget)} in all is what heaplens allows itself here; stopped at byte ${this.pos.offset.toLocaleString('en-US')}${this.pos.ofTotal}). ` +
        'Take the snapshot of a smaller heap (earlier, or of one process), or open it on a machine with more memory.',
    );
  }

  /** Between sections: `,`, whitespace, a `"key"`, or the final `}`. */
  private scanKey(b: Uint8Array, i: number): number {
    const n = b.length;
    while (i < n) {
      const c = b[i];
      if (this.inKey) {
        if (this.keyEscape) this.keyEscape = false;
        else if (c === 0x5c) this.keyEscape = true;
        else if (c === 0x22) {
          this.inKey = false;
          this.state = State.AfterKey;
          return i + 1;
        }
        if (this.key.length > 256) this.fail('a section name is implausibly long', i);
        this.key.append(b, i, i + 1);
        i++;
        continue;
      }
      if (c === 0x22) {
        this.inKey = true;
        this.key.length = 0;
      } else if (c === 0x7d) {
        this.state = State.Done;
        return i + 1;
      } else if (c !== 0x2c && !isSpace(c)) {
        this.fail(`expected the next section's name but found "${String.fromCharCode(c)}"`, i);
      }
      i++;
    }
    return i;
  }

  private afterKey(b: Uint8Array, i: number): number {
    const n = b.length;
    while (i < n && isSpace(b[i])) i++;
    if (i === n) return i;
    if (b[i] !== 0x3a) this.fail('expected ":" after a section name', i);
    i++;
    const key = this.utf8.decode(this.key.data.subarray(0, this.key.length));
    if (this.sectionsSeen.has(key)) this.fail(`the "${key}" section appears twice`, i);
    this.sectionsSeen.add(key);
    this.depth = 0;
    this.valueStarted = false;
    this.inString = false;
    this.escape = false;
    if (key === 'snapshot') {
      this.value.length = 0;
      this.state = State.Header;
      return i;
    }
    const known = key === 'nodes' || key === 'edges' || key === 'strings' || key === 'trace_tree' || NUMBER_SECTIONS.has(key);
    if (!known) {
      this.state = State.Skip; // anything newer V8 adds
      return i;
    }
    const layout = this.layout;
    if (!layout) this.fail(`the "${key}" section comes before the "snapshot" header`, i);
    if (key === 'nodes') {
      this.records!.begin();
      this.state = State.Nodes;
    } else if (key === 'edges') {
      if (!this.sectionsSeen.has('nodes')) this.fail('the edges come before the nodes', i);
      this.records!.begin();
      this.state = State.Edges;
    } else if (key === 'strings') this.state = State.Strings;
    else if (key === 'trace_tree') {
      this.traceTree = new TraceTreeReader(layout.header.meta.trace_node_fields ?? ['id', 'function_info_index', 'count', 'size', 'children'], this.pos);
      this.state = State.TraceTree;
    } else {
      if (key === 'locations' && !this.sectionsSeen.has('nodes')) this.fail('the locations come before the nodes', i);
      this.numbers = new NumberSection(key, this.pos);
      this.state = State.Numbers;
    }
    return i;
  }

  /** One whole JSON value, tracking depth and strings; its bytes are kept only for the header. */
  private scanValue(b: Uint8Array, i: number): number {
    const n = b.length;
    const keep = this.state === State.Header;
    const start = i;
    while (i < n) {
      const c = b[i++];
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.depth === 0) return this.endValue(b, start, i, keep);
        }
        continue;
      }
      if (c === 0x22) {
        this.inString = true;
        this.valueStarted = true;
      } else if (c === 0x7b || c === 0x5b) {
        this.depth++;
        this.valueStarted = true;
      } else if (c === 0x7d || c === 0x5d) {
        if (this.depth === 0) {
          if (!this.valueStarted) this.fail('a section has no value', i - 1);
          return this.endValue(b, start, i - 1, keep); // a number or literal ended by the final '}'
        }
        this.depth--;
        if (this.depth === 0) return this.endValue(b, start, i, keep);
      } else if (c === 0x2c && this.depth === 0) {
        if (!this.valueStarted) this.fail('a section has no value', i - 1);
        return this.endValue(b, start, i - 1, keep);
      } else if (!isSpace(c)) this.valueStarted = true;
    }
    if (keep) {
      this.value.append(b, start, i);
      if (this.value.length > MAX_HEADER_BYTES) this.fail('the "snapshot" header is implausibly large', i);
    }
    return i;
  }

  private endValue(b: Uint8Array, start: number, end: number, keep: boolean): number {
    if (keep) {
      this.value.append(b, start, end);
      let parsed: unknown;
      try {
        parsed = JSON.parse(this.utf8.decode(this.value.data.subarray(0, this.value.length)));
      } catch {
        this.fail('the "snapshot" header is not valid JSON', end);
      }
      this.layout = readLayout(parsed as SnapshotHeader, this.pos, end);
      this.keptRoom = Math.max(0, this.pos.bounds.memoryBudget - heapMemoryEstimate(this.layout.nodeCount, this.layout.edgeCount, this.pos.bounds.heapMode));
      this.records = new RecordReader(this.layout, this.pos);
      this.records.stopAtEdges = this.stopAtEdges;
    }
    this.state = State.BetweenSections;
    return end;
  }

  finish(): HeapGraph {
    const bytes = (x: number) => x.toLocaleString('en-US');
    if (this.state !== State.Done) {
      const where = this.layout ? (SECTION[this.state] ?? 'the file') : 'the header';
      const what = this.state === State.Numbers ? `the ${this.numbers!.key} section` : where;
      throw new HeaplensError(
        'truncated',
        `This heap snapshot is truncated: it ends inside ${what} (at byte ${bytes(this.pos.offset)}${this.pos.ofTotal}). ` +
          'The file was probably cut off while it was written or copied; take or copy the snapshot again.',
      );
    }
    const layout = this.layout;
    const r = this.records;
    if (!layout || !r) throw new HeaplensError('not-a-profile', 'This file is JSON but has no "snapshot" header: it is not a V8 heap snapshot.');
    const missing = ['nodes', 'edges', 'strings'].filter((s) => !this.sectionsSeen.has(s));
    if (missing.length > 0) throw new HeaplensError('corrupt', `This heap snapshot has no ${missing.join(', ')} section: it is incomplete.`);
    if (r.edgeTotal !== r.edgeCount) {
      throw new HeaplensError('corrupt', `This heap snapshot is corrupt: its nodes own ${bytes(r.edgeTotal)} edges but the header says ${bytes(r.edgeCount)}.`);
    }
    const strings = this.strings.strings;
    if (r.maxNodeName >= strings.length || r.maxEdgeName >= strings.length) {
      throw new HeaplensError(
        'corrupt',
        `This heap snapshot is corrupt: a ${r.maxNodeName >= strings.length ? 'node' : 'edge'} names string ` +
          `${bytes(Math.max(r.maxNodeName, r.maxEdgeName))}, but the strings section holds ${bytes(strings.length)}.`,
      );
    }
    const meta = layout.header.meta;
    return {
      nodeCount: r.nodeCount,
      edgeCount: r.edgeCount,
      nodeTypes: meta.node_types[0],
      edgeTypes: meta.edge_types[0],
      strings,
      nodeType: r.nodeType,
      nodeName: r.nodeName,
      nodeId: r.nodeId,
      selfSize: r.selfSize,
      traceNodeId: r.traceNodeId,
      detachedness: r.detachedness,
      firstEdge: r.firstEdge,
      edgeType: r.edgeType,
      edgeNameOrIndex: r.edgeName,
      edgeTo: r.edgeTo,
      traces: buildTraces(meta, this.kept.get('trace_function_infos'), this.traceTree?.tree ?? null, strings.length),
      locations: buildLocations(meta, this.kept.get('locations'), layout.nodeFields, r.nodeCount),
      samples: buildSamples(meta, this.kept.get('samples')),
      meta: {
        rawMeta: meta as unknown as Record<string, unknown>,
        producer: 'V8 heap snapshot',
        producerDetails: `node fields: ${meta.node_fields.join(', ')}${this.helped ? '; edges read on a second thread' : ''}`,
        extraNativeBytes: Math.max(0, Number((layout.header as { extra_native_bytes?: unknown }).extra_native_bytes) || 0),
      },
    };
  }
}

const SLICE = 1 << 20;

/** The bounds of a plain input of `n` bytes. */
function exactly(n: number): SnapshotBounds {
  return { length: n, maxLength: n, memoryBudget: DEFAULT_MEMORY_BUDGET };
}

/**
 * Reads a snapshot from a byte stream (File.stream() in the browser, a file stream in Node).
 * `bounds` is the stream's size (a number) or what is known of it (gzip: only an upper bound);
 * `report(consumed)` turns bytes read into progress (the input's own, e.g. compressed bytes).
 * With `split` (a plain file the host can read on a second thread), the edges past a point are
 * read by the helper meanwhile, and the stream is not used: the Blob is read in pieces instead.
 */
export async function parseHeapSnapshot(
  stream: ReadableStream<Uint8Array>,
  bounds: number | SnapshotBounds,
  job: JobControl = NO_JOB,
  report?: (consumed: number) => void,
  split?: SnapshotSplit,
): Promise<HeapGraph> {
  const b = typeof bounds === 'number' ? exactly(bounds) : bounds;
  const splitting = split !== undefined && b.length !== null && split.blob.size === b.length && b.length >= (split.minBytes ?? SPLIT_MIN_BYTES);
  const scanner = new HeapSnapshotScanner(b, splitting);
  const totalBytes = b.length ?? 0;
  const feed = new Feed(scanner, job, report ?? ((done: number) => job.progress('parsing', done, totalBytes)), b.length === null ? 1 << 22 : Math.max(1 << 16, Math.floor(totalBytes / 100)));
  if (splitting) {
    await stream.cancel().catch(() => {});
    await readSplit(scanner, feed, split!, job);
  } else await feed.all(stream);
  feed.report();
  return scanner.finish();
}

/** The header's piece: a header past it means no split (V8's are a few kB). */
const HEAD_PIECE = 64 << 10;

/**
 * The snapshot on two threads: the header, then the helper starts (it finds the edges and reads
 * them) while this thread reads the nodes, stops at the edges and reads what comes after them;
 * then the helper's columns become the graph's. When the helper gives up or disagrees on where the
 * edges are, this thread reads them itself: the result is the same either way.
 */
async function readSplit(scanner: HeapSnapshotScanner, feed: Feed, split: SnapshotSplit, job: JobControl): Promise<void> {
  const { blob, helper } = split;
  let stop = await feed.all(blob.slice(0, HEAD_PIECE).stream());
  const task = scanner.edgeTask();
  let started: ReturnType<EdgeRangeHelper> | null = null;
  try {
    if (task !== null && stop === null) started = helper(blob, task);
  } catch {
    // no helper after all
  }
  if (task === null || started === null) {
    // No header in the first piece, a layout the helper does not read, edges that start in it, or no helper.
    scanner.continueEdges();
    await feed.all(blob.slice(stop ?? HEAD_PIECE).stream());
    return;
  }
  // The helper's failure is no error of the file's: the scanner then reads those bytes itself.
  const helping = { bounds: started.bounds.catch(() => null), range: started.range.catch(() => null), cancel: started.cancel };
  try {
    stop = await feed.all(blob.slice(HEAD_PIECE).stream());
    if (stop === null) return; // no edges section: the scanner says what is wrong at finish()
    const bounds = await cancellable(helping.bounds, job);
    if (bounds === null || bounds.start !== stop) {
      scanner.continueEdges();
      await feed.all(blob.slice(stop).stream());
      return;
    }
    scanner.parkEdges(bounds.end);
    await feed.all(blob.slice(bounds.end + 1).stream());
    const range = await cancellable(helping.range, job);
    // A count other than the header's: the scanner reads the edges itself, to say where it is wrong.
    if (range !== null && range.start === bounds.start && range.end === bounds.end && range.count === task.edgeCount) {
      scanner.joinEdges(range);
      feed.skip(bounds.end + 1 - bounds.start);
    } else {
      scanner.beginReparse(bounds.start);
      await feed.all(blob.slice(bounds.start, bounds.end + 1).stream());
      scanner.endReparse();
    }
  } finally {
    helping.cancel();
  }
}

/** Waits for `p`, checking for a Cancel meanwhile (the helper may take seconds on a big file). */
async function cancellable<T>(p: Promise<T>, job: JobControl): Promise<T> {
  let settled = false;
  const done = p.finally(() => {
    settled = true;
  });
  while (!settled) {
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 50))]);
    job.checkCancelled();
  }
  return done;
}

/** Pushes a stream's chunks into the scanner, with progress and Cancel. */
class Feed {
  private done = 0;
  private lastReport = 0;
  constructor(
    private readonly scanner: HeapSnapshotScanner,
    private readonly job: JobControl,
    private readonly progress: (consumed: number) => void,
    private readonly step: number,
  ) {}

  report(): void {
    this.progress(this.done);
  }

  /** Bytes a helper read: counted as read. */
  skip(bytes: number): void {
    this.done += bytes;
    this.report();
    this.lastReport = this.done;
  }

  /** Pushes the whole stream, unless the scanner stops at the edges: then returns where (and leaves the rest). */
  async all(stream: ReadableStream<Uint8Array>): Promise<number | null> {
    const reader = stream.getReader();
    // Ask for the next chunk before scanning this one, so reading overlaps scanning.
    let next: ReturnType<typeof reader.read> | null = reader.read();
    try {
      for (;;) {
        const { value, done: end } = await next;
        if (end) {
          next = null;
          break;
        }
        next = reader.read();
        // Big chunks (a whole in-memory file) are fed in slices, so progress and cancel stay live.
        for (let at = 0; at < value.length; at += SLICE) {
          const slice = value.length <= SLICE ? value : value.subarray(at, Math.min(value.length, at + SLICE));
          const used = this.scanner.push(slice);
          this.done += used;
          const stop = this.scanner.stoppedAt;
          if (stop !== null) {
            next.catch(() => {});
            await reader.cancel().catch(() => {});
            return stop;
          }
          if (this.done - this.lastReport >= this.step) {
            this.progress(this.done);
            this.lastReport = this.done;
          }
          this.job.checkCancelled();
        }
      }
    } catch (e) {
      next?.catch(() => {}); // the read already asked for is abandoned with the stream
      await reader.cancel().catch(() => {});
      throw e;
    }
    return null;
  }
}
