// V8 heap snapshots (.heapsnapshot) → the heap graph, in one streaming pass over the bytes.
//
// Why a hand-written scanner (a measured hot path: on a 200 MB snapshot it is most of the load
// time): a snapshot is one JSON object whose arrays hold tens of millions of numbers, and real
// files pass 4 GB. JSON.parse needs the whole text as one string (V8 stops at ~512 MB) and builds
// a JS number per element; DevTools and memlab die there. This scanner reads bytes as they
// arrive, writes numbers straight into typed arrays sized from the header's node_count and
// edge_count, and decodes `strings` one string literal at a time (escapes included), so no string
// larger than one of the snapshot's own strings is ever built.
//
// Field layouts come from snapshot.meta, never hard-coded: Node 20 writes 7 node fields (with
// detachedness), newer V8 6 plus trace_node_id only when tracing, `locations` has 4 or 5 fields.
// Sections V8 writes: snapshot (header), nodes, edges, trace_function_infos, trace_tree, samples,
// locations, strings; unknown ones are skipped.

import { HeaplensError } from '../api.ts';
import type { AllocationTraces, HeapGraph, HeapSamples, Locations } from '../model/heap-graph.ts';

interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
  trace_function_info_fields?: string[];
  trace_node_fields?: string[];
  sample_fields?: string[];
  location_fields?: string[];
}

interface SnapshotHeader {
  meta: SnapshotMeta;
  node_count: number;
  edge_count: number;
}

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

// Node and edge field roles (indices into these lists).
const NODE_ROLES = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
const EDGE_ROLES = ['type', 'name_or_index', 'to_node'];
const MAX_U32 = 0xffffffff;
const MAX_HEADER_BYTES = 1 << 24;

/** A byte buffer that grows by doubling, for header text and string literals split by chunks. */
class ByteBuffer {
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

/** A growable number column for the small sections (trace infos, trace tree, samples, locations). */
class Numbers {
  data = new Float64Array(64);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c - 0x30 >>> 0 < 10;

export class HeapSnapshotScanner {
  private state = State.Start;
  private offset = 0; // bytes consumed before the current chunk
  private readonly utf8 = new TextDecoder('utf-8');
  // Byte-per-character (windows-1252, the same as ASCII below 0x80): only ASCII strings are
  // sliced from it.
  private readonly latin1 = new TextDecoder('latin1');
  private latinOf: Uint8Array | null = null;
  private latinText = '';

  // between sections: the key being read
  private key = new ByteBuffer();
  private inKey = false;
  private keyEscape = false;
  private sectionsSeen = new Set<string>();
  // header and skipped values
  private value = new ByteBuffer();
  private depth = 0;
  private inString = false;
  private escape = false;
  private valueStarted = false;

  // number scanning (shared by all number sections; only one is open at a time)
  private num = 0;
  private inNum = false;
  private neg = false;
  private opened = false; // seen the section's '['
  private field = 0;
  private index = 0;

  private header: SnapshotHeader | null = null;
  private nodeFields = 0;
  private edgeFields = 0;
  private nodeRole = new Int8Array(0);
  private edgeRole = new Int8Array(0);
  private standardNodes = false;
  private standardEdges = false;
  private nodeTypeCount = 0;
  private edgeTypeCount = 0;
  private edgeElement = -1;
  private edgeHidden = -1;

  // the graph's columns
  private nodeCount = 0;
  private edgeCount = 0;
  private nodeType = new Uint8Array(0);
  private nodeName = new Uint32Array(0);
  private nodeId = new Uint32Array(0);
  private selfSize: Uint32Array | Float64Array = new Uint32Array(0);
  private traceNodeId: Uint32Array | null = null;
  private detachedness: Uint8Array | null = null;
  private firstEdge = new Uint32Array(1);
  private edgeTotal = 0; // running sum of edge_count, so firstEdge needs no second pass
  private edgeType = new Uint8Array(0);
  private edgeName = new Uint32Array(0);
  private edgeTo = new Uint32Array(0);
  private maxNodeName = -1;
  private maxEdgeName = -1;
  private edgeCurType = 0;
  private edgeCurName = 0;

  // strings
  private strings: string[] = [];
  private str = new ByteBuffer();
  private strEscaped = false;

  // small sections
  private numbers = new Numbers();
  private numbersKey = '';
  private kept = new Map<string, Float64Array>();
  private tree = { id: new Numbers(), fn: new Numbers(), parent: new Numbers(), count: new Numbers(), size: new Numbers() };
  private treePending: number[] = [];
  private treeStack: number[] = [];

  constructor(private readonly totalBytes: number) {}

  private fail(what: string, at: number): never {
    throw new HeaplensError(
      `This heap snapshot is malformed at byte ${(this.offset + at).toLocaleString('en-US')} of ${this.totalBytes.toLocaleString('en-US')}: ${what}.`,
    );
  }

  push(b: Uint8Array): void {
    let i = 0;
    const n = b.length;
    while (i < n) {
      switch (this.state) {
        case State.Start: {
          const c = b[i++];
          if (c === 0x7b) this.state = State.BetweenSections;
          else if (!(isSpace(c) || (this.offset + i <= 3 && (c === 0xef || c === 0xbb || c === 0xbf)))) {
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
        case State.Nodes:
          i = this.scanNodes(b, i);
          break;
        case State.Edges:
          i = this.scanEdges(b, i);
          break;
        case State.Numbers:
          i = this.scanNumbers(b, i);
          break;
        case State.TraceTree:
          i = this.scanTraceTree(b, i);
          break;
        case State.Strings:
          i = this.scanStrings(b, i);
          break;
        case State.Done: {
          const c = b[i++];
          if (!isSpace(c) && c !== 0) this.fail('there are bytes after the end of the snapshot', i - 1);
          break;
        }
      }
    }
    this.offset += n;
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
    this.opened = false;
    this.inNum = false;
    this.neg = false;
    this.num = 0;
    this.field = 0;
    this.index = 0;
    this.depth = 0;
    this.valueStarted = false;
    this.inString = false;
    this.escape = false;
    if (key === 'snapshot') {
      this.value.length = 0;
      this.state = State.Header;
      return i;
    }
    const known = key === 'nodes' || key === 'edges' || key === 'strings' || key === 'trace_tree' || key === 'trace_function_infos' || key === 'samples' || key === 'locations';
    if (!known) {
      this.state = State.Skip; // anything newer V8 adds
      return i;
    }
    if (!this.header) this.fail(`the "${key}" section comes before the "snapshot" header`, i);
    if (key === 'nodes') this.state = State.Nodes;
    else if (key === 'edges') {
      if (!this.sectionsSeen.has('nodes')) this.fail('the edges come before the nodes', i);
      this.state = State.Edges;
    } else if (key === 'strings') this.state = State.Strings;
    else if (key === 'trace_tree') this.state = State.TraceTree;
    else {
      if (key === 'locations' && !this.sectionsSeen.has('nodes')) this.fail('the locations come before the nodes', i);
      this.numbers = new Numbers();
      this.numbersKey = key;
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
      this.setHeader(parsed as SnapshotHeader, end);
    }
    this.state = State.BetweenSections;
    return end;
  }

  private setHeader(h: SnapshotHeader, at: number): void {
    const meta = h?.meta;
    const isNames = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
    if (!meta || !isNames(meta.node_fields) || !isNames(meta.edge_fields) || !isNames(meta.node_types?.[0]) || !isNames(meta.edge_types?.[0])) {
      this.fail('the header has no node and edge field layout (snapshot.meta)', at);
    }
    const { node_count: nodeCount, edge_count: edgeCount } = h;
    if (!Number.isSafeInteger(nodeCount) || nodeCount < 1 || !Number.isSafeInteger(edgeCount) || edgeCount < 0) {
      this.fail('the header has no valid node_count and edge_count', at);
    }
    // Every field takes at least 2 bytes in the file ("0,"): larger counts are lies that would
    // make us allocate gigabytes for nothing.
    if (nodeCount * meta.node_fields.length * 2 + edgeCount * meta.edge_fields.length * 2 > this.totalBytes + 64) {
      throw new HeaplensError(
        `This heap snapshot is truncated or corrupt: its header announces ${nodeCount.toLocaleString('en-US')} nodes and ` +
          `${edgeCount.toLocaleString('en-US')} edges, more than a ${this.totalBytes.toLocaleString('en-US')}-byte file can hold.`,
      );
    }
    if (nodeCount > MAX_U32 - 1 || edgeCount > MAX_U32) this.fail('the header announces more than 4 billion nodes or edges', at);
    for (const needed of ['type', 'name', 'id', 'self_size', 'edge_count']) {
      if (!meta.node_fields.includes(needed)) this.fail(`snapshot.meta.node_fields has no "${needed}"`, at);
    }
    for (const needed of EDGE_ROLES) if (!meta.edge_fields.includes(needed)) this.fail(`snapshot.meta.edge_fields has no "${needed}"`, at);
    this.header = h;
    this.nodeFields = meta.node_fields.length;
    this.edgeFields = meta.edge_fields.length;
    this.nodeRole = Int8Array.from(meta.node_fields, (f) => NODE_ROLES.indexOf(f));
    this.edgeRole = Int8Array.from(meta.edge_fields, (f) => EDGE_ROLES.indexOf(f));
    // V8's own layouts, which the scanner's unrolled loops read: type, name, id, self_size,
    // edge_count, then trace_node_id and/or detachedness; edges type, name_or_index, to_node.
    this.standardNodes = [0, 1, 2, 3, 4].every((r, k) => this.nodeRole[k] === r) && [...this.nodeRole.subarray(5)].every((r) => r === 5 || r === 6);
    this.standardEdges = this.edgeFields === 3 && this.edgeRole[0] === 0 && this.edgeRole[1] === 1 && this.edgeRole[2] === 2;
    this.nodeTypeCount = meta.node_types[0].length;
    this.edgeTypeCount = meta.edge_types[0].length;
    if (this.nodeTypeCount > 256 || this.edgeTypeCount > 256) this.fail('the header lists more than 256 node or edge types', at);
    this.edgeElement = meta.edge_types[0].indexOf('element');
    this.edgeHidden = meta.edge_types[0].indexOf('hidden');
    this.nodeCount = nodeCount;
    this.edgeCount = edgeCount;
    this.nodeType = new Uint8Array(nodeCount);
    this.nodeName = new Uint32Array(nodeCount);
    this.nodeId = new Uint32Array(nodeCount);
    this.selfSize = new Uint32Array(nodeCount);
    this.firstEdge = new Uint32Array(nodeCount + 1);
    if (meta.node_fields.includes('detachedness')) this.detachedness = new Uint8Array(nodeCount);
    this.edgeType = new Uint8Array(edgeCount);
    this.edgeName = new Uint32Array(edgeCount);
    this.edgeTo = new Uint32Array(edgeCount);
  }

  /** Skips whitespace to the section's '['; returns the index after it, or -1 at the chunk's end. */
  private openArray(b: Uint8Array, i: number, what: string): number {
    const n = b.length;
    while (i < n && isSpace(b[i])) i++;
    if (i === n) return -1;
    if (b[i] !== 0x5b) this.fail(`the ${what} section is not an array`, i);
    this.opened = true;
    return i + 1;
  }

  /** Index of the last non-digit byte of the chunk: numbers before it end inside the chunk. */
  private static lastNonDigit(b: Uint8Array): number {
    let k = b.length - 1;
    while (k >= 0 && isDigit(b[k])) k--;
    return k;
  }

  // --- nodes and edges -----------------------------------------------------------------------
  //
  // Most of a snapshot's bytes. Whole records in V8's own layout go through the unrolled loops
  // (fastNodes, fastEdges); the rest of a chunk — a record cut by the chunk's end, the end of
  // the section, or a layout V8 does not write — through `generic`, one number at a time. They
  // are separate functions so the optimizing compiler sees each one's own feedback: in one
  // function, the cold generic branches kept throwing the optimized fast loop away.

  private scanNodes(b: Uint8Array, i: number): number {
    return this.scanRecords(b, i, true);
  }

  private scanEdges(b: Uint8Array, i: number): number {
    return this.scanRecords(b, i, false);
  }

  private scanRecords(b: Uint8Array, i: number, nodes: boolean): number {
    if (!this.opened) {
      i = this.openArray(b, i, nodes ? 'nodes' : 'edges');
      if (i < 0) return b.length;
    }
    const n = b.length;
    if (this.inNum) {
      // A number cut by the previous chunk's end.
      let v = this.num;
      while (i < n && isDigit(b[i])) v = v * 10 + (b[i++] - 0x30);
      if (i === n) {
        this.num = v;
        return n;
      }
      this.inNum = false;
      if (nodes) this.storeNode(v, i);
      else this.storeEdge(v, i);
    }
    const section = nodes ? State.Nodes : State.Edges;
    if (nodes ? this.standardNodes : this.standardEdges) {
      // Records start before `safe` in the fast loops: with V8's number widths (every field is
      // range-checked as it is stored) no number of theirs then runs past the chunk's last
      // non-digit, so they need no bounds checks.
      const safe = HeapSnapshotScanner.lastNonDigit(b) - (nodes ? 24 * this.nodeFields : 72);
      let stalled = false;
      while (i < safe) {
        // Finish a record the chunk boundary (or an unusual separator) cut, then whole records.
        if (this.field !== 0 || stalled) i = this.generic(b, i, nodes, true);
        if (this.state !== section || this.inNum) return i;
        if (i >= safe) break;
        const before = i;
        i = nodes ? this.fastNodes(b, i, safe) : this.fastEdges(b, i, safe);
        stalled = i === before;
      }
    }
    return this.state === section ? this.generic(b, i, nodes, false) : i;
  }

  /** Numbers one at a time up to the chunk's end, the section's end, or (`toRecord`) a record's end. */
  private generic(b: Uint8Array, i: number, nodes: boolean, toRecord: boolean): number {
    const n = b.length;
    while (i < n) {
      const c = b[i];
      if (isDigit(c)) {
        let v = 0;
        while (i < n && isDigit(b[i])) v = v * 10 + (b[i++] - 0x30);
        if (i === n) {
          // The chunk ends inside this number: carry it over.
          this.num = v;
          this.inNum = true;
          return n;
        }
        if (nodes) this.storeNode(v, i);
        else this.storeEdge(v, i);
        if (toRecord && this.field === 0) return i;
      } else if (c === 0x2c || isSpace(c)) {
        i++;
      } else if (c === 0x5d) {
        const [what, total] = nodes ? ['nodes', this.nodeCount] : ['edges', this.edgeCount];
        if (this.field !== 0 || this.index !== total) {
          this.fail(`the ${what} section holds ${this.index.toLocaleString('en-US')} ${what}, the header says ${total.toLocaleString('en-US')}`, i);
        }
        this.state = State.BetweenSections;
        return i + 1;
      } else {
        this.fail(`unexpected "${String.fromCharCode(c)}" in the ${nodes ? 'nodes' : 'edges'} section`, i);
      }
    }
    return i;
  }

  // --- nodes --------------------------------------------------------------------------------

  private storeNode(v: number, at: number): void {
    const index = this.index;
    if (index >= this.nodeCount) this.fail(`there are more nodes than the header's node_count (${this.nodeCount.toLocaleString('en-US')})`, at);
    switch (this.nodeRole[this.field]) {
      case 0:
        if (v >= this.nodeTypeCount) this.fail(`node ${index} has an unknown type ${v}`, at);
        this.nodeType[index] = v;
        break;
      case 1:
        if (v > MAX_U32) this.fail(`node ${index} names string ${v}`, at);
        if (v > this.maxNodeName) this.maxNodeName = v;
        this.nodeName[index] = v;
        break;
      case 2:
        if (v > MAX_U32) this.fail(`node ${index} has an id beyond 32 bits`, at);
        this.nodeId[index] = v;
        break;
      case 3:
        this.storeSelfSize(index, v, at);
        break;
      case 4:
        this.edgeTotal += v;
        if (this.edgeTotal > this.edgeCount) this.fail(`the nodes own more edges than the header's edge_count (${this.edgeCount.toLocaleString('en-US')})`, at);
        this.firstEdge[index + 1] = this.edgeTotal;
        break;
      case 5:
        if (v !== 0) {
          if (v > MAX_U32) this.fail(`node ${index} has a trace node id beyond 32 bits`, at);
          (this.traceNodeId ??= new Uint32Array(this.nodeCount))[index] = v;
        }
        break;
      case 6:
        if (v > 3) this.fail(`node ${index} has detachedness ${v}`, at);
        this.detachedness![index] = v;
        break;
    }
    if (++this.field === this.nodeFields) {
      this.field = 0;
      this.index++;
    }
  }

  private storeSelfSize(index: number, v: number, at: number): void {
    if (v > MAX_U32 && this.selfSize instanceof Uint32Array) {
      if (!Number.isSafeInteger(v)) this.fail(`node ${index} has an impossible size`, at);
      this.selfSize = Float64Array.from(this.selfSize); // a native blob over 4 GB: widen once
    }
    this.selfSize[index] = v;
  }

  private fastNodes(b: Uint8Array, i: number, safe: number): number {
    const fields = this.nodeFields;
    const total = this.nodeCount;
    const roles = this.nodeRole;
    const typeCount = this.nodeTypeCount;
    const nodeType = this.nodeType;
    const nodeName = this.nodeName;
    const nodeId = this.nodeId;
    const firstEdge = this.firstEdge;
    const edgeCount = this.edgeCount;
    const detachedness = this.detachedness;
    let selfSize = this.selfSize;
    let field = this.field;
    let index = this.index;
    let edgeTotal = this.edgeTotal;
    let maxName = this.maxNodeName;
    // The hot loop: locals only; whole records in V8's own layout and separators ("," between
    // fields, "\n," between records), the five fixed fields unrolled. Anything else (other
    // whitespace, "]") returns to `generic`, which resumes at the same field. The digit tests
    // are NaN-safe besides (b[n] is undefined).
    fast: while (i < safe) {
      let c = b[i];
      while (c === 0x2c || c === 0x0a) c = b[++i];
      if (!(c >= 0x30 && c <= 0x39)) break;
      if (index >= total) this.fail(`there are more nodes than the header's node_count (${total.toLocaleString('en-US')})`, i);
      let v = c - 0x30;
      c = b[++i];
      while (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        c = b[++i];
      }
      if (v >= typeCount) this.fail(`node ${index} has an unknown type ${v}`, i);
      nodeType[index] = v;
      if (c !== 0x2c || !((c = b[++i]) >= 0x30 && c <= 0x39)) {
        field = 1;
        break fast;
      }
      v = c - 0x30;
      c = b[++i];
      while (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        c = b[++i];
      }
      if (v > maxName) {
        if (v > MAX_U32) this.fail(`node ${index} names string ${v}`, i);
        maxName = v;
      }
      nodeName[index] = v;
      if (c !== 0x2c || !((c = b[++i]) >= 0x30 && c <= 0x39)) {
        field = 2;
        break fast;
      }
      v = c - 0x30;
      c = b[++i];
      while (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        c = b[++i];
      }
      if (v > MAX_U32) this.fail(`node ${index} has an id beyond 32 bits`, i);
      nodeId[index] = v;
      if (c !== 0x2c || !((c = b[++i]) >= 0x30 && c <= 0x39)) {
        field = 3;
        break fast;
      }
      v = c - 0x30;
      c = b[++i];
      while (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        c = b[++i];
      }
      if (v > MAX_U32) {
        this.storeSelfSize(index, v, i);
        selfSize = this.selfSize;
      } else selfSize[index] = v;
      if (c !== 0x2c || !((c = b[++i]) >= 0x30 && c <= 0x39)) {
        field = 4;
        break fast;
      }
      v = c - 0x30;
      c = b[++i];
      while (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        c = b[++i];
      }
      edgeTotal += v;
      if (edgeTotal > edgeCount) this.fail(`the nodes own more edges than the header's edge_count (${edgeCount.toLocaleString('en-US')})`, i);
      firstEdge[index + 1] = edgeTotal;
      for (let k = 5; k < fields; k++) {
        if (c !== 0x2c || !((c = b[++i]) >= 0x30 && c <= 0x39)) {
          field = k;
          break fast;
        }
        v = c - 0x30;
        c = b[++i];
        while (c >= 0x30 && c <= 0x39) {
          v = v * 10 + (c - 0x30);
          c = b[++i];
        }
        if (roles[k] === 5) {
          if (v !== 0) {
            if (v > MAX_U32) this.fail(`node ${index} has a trace node id beyond 32 bits`, i);
            (this.traceNodeId ??= new Uint32Array(total))[index] = v;
          }
        } else {
          if (v > 3) this.fail(`node ${index} has detachedness ${v}`, i);
          detachedness![index] = v;
        }
      }
      index++;
    }
    this.field = field;
    this.index = index;
    this.edgeTotal = edgeTotal;
    this.maxNodeName = maxName;
    return i;
  }

  // --- edges --------------------------------------------------------------------------------

  private storeEdge(v: number, at: number): void {
    const index = this.index;
    if (index >= this.edgeCount) this.fail(`there are more edges than the header's edge_count (${this.edgeCount.toLocaleString('en-US')})`, at);
    const role = this.edgeRole[this.field];
    if (role === 0) {
      if (v >= this.edgeTypeCount) this.fail(`edge ${index} has an unknown type ${v}`, at);
      this.edgeType[index] = this.edgeCurType = v;
    } else if (role === 1) {
      if (v > MAX_U32) this.fail(`edge ${index} has a name beyond 32 bits`, at);
      this.edgeName[index] = this.edgeCurName = v;
    } else if (role === 2) {
      const to = v / this.nodeFields;
      if (to >= this.nodeCount || to !== Math.floor(to)) this.fail(`edge ${index} points to ${v}, which is not a node`, at);
      this.edgeTo[index] = to;
    }
    if (++this.field === this.edgeFields) {
      const t = this.edgeCurType;
      if (t !== this.edgeElement && t !== this.edgeHidden && this.edgeCurName > this.maxEdgeName) this.maxEdgeName = this.edgeCurName;
      this.field = 0;
      this.index++;
    }
  }

  private fastEdges(b: Uint8Array, i: number, safe: number): number {
    const fields = this.edgeFields;
    const total = this.edgeCount;
    const roles = this.edgeRole;
    const typeCount = this.edgeTypeCount;
    const nodeFields = this.nodeFields;
    const nodeCount = this.nodeCount;
    const element = this.edgeElement;
    const hidden = this.edgeHidden;
    const edgeType = this.edgeType;
    const edgeName = this.edgeName;
    const edgeTo = this.edgeTo;
    let field = this.field;
    let index = this.index;
    let curType = this.edgeCurType;
    let curName = this.edgeCurName;
    let maxName = this.maxEdgeName;
    // Whole records in V8's layout (see fastNodes).
    fast: while (i < safe) {
      let c = b[i];
      while (c === 0x2c || c === 0x0a) c = b[++i];
      if (!(c >= 0x30 && c <= 0x39)) break;
      if (index >= total) this.fail(`there are more edges than the header's edge_count (${total.toLocaleString('en-US')})`, i);
      let v = c - 0x30;
      c = b[++i];
      while (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        c = b[++i];
      }
      if (v >= typeCount) this.fail(`edge ${index} has an unknown type ${v}`, i);
      edgeType[index] = curType = v;
      if (c !== 0x2c || !((c = b[++i]) >= 0x30 && c <= 0x39)) {
        field = 1;
        break fast;
      }
      v = c - 0x30;
      c = b[++i];
      while (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        c = b[++i];
      }
      if (v > MAX_U32) this.fail(`edge ${index} has a name beyond 32 bits`, i);
      edgeName[index] = curName = v;
      if (c !== 0x2c || !((c = b[++i]) >= 0x30 && c <= 0x39)) {
        field = 2;
        break fast;
      }
      v = c - 0x30;
      c = b[++i];
      while (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        c = b[++i];
      }
      const to = v / nodeFields;
      if (to >= nodeCount || to !== Math.floor(to)) this.fail(`edge ${index} points to ${v}, which is not a node`, i);
      edgeTo[index] = to;
      if (curType !== element && curType !== hidden && curName > maxName) maxName = curName;
      index++;
    }
    this.field = field;
    this.index = index;
    this.edgeCurType = curType;
    this.edgeCurName = curName;
    this.maxEdgeName = maxName;
    return i;
  }

  // --- small number sections ------------------------------------------------------------------

  private scanNumbers(b: Uint8Array, i: number): number {
    if (!this.opened) {
      i = this.openArray(b, i, this.numbersKey);
      if (i < 0) return b.length;
    }
    const n = b.length;
    const out = this.numbers;
    let data = out.data;
    let length = out.length;
    let num = this.num;
    let inNum = this.inNum;
    let neg = this.neg;
    while (i < n) {
      const c = b[i++];
      if (c >= 0x30 && c <= 0x39) {
        num = num * 10 + (c - 0x30);
        inNum = true;
        continue;
      }
      if (inNum) {
        if (length === data.length) {
          const bigger = new Float64Array(length * 2);
          bigger.set(data);
          data = bigger;
        }
        data[length++] = neg ? -num : num;
        num = 0;
        inNum = false;
        neg = false;
      } else if (c === 0x2d && !neg) {
        neg = true;
        continue;
      } else if (neg) this.fail(`a lone "-" in ${this.numbersKey}`, i - 1);
      if (c === 0x5d) {
        this.state = State.BetweenSections;
        break;
      }
      if (c !== 0x2c && !isSpace(c)) this.fail(`unexpected "${String.fromCharCode(c)}" in ${this.numbersKey}`, i - 1);
    }
    out.data = data;
    out.length = length;
    if (this.state === State.BetweenSections) this.kept.set(this.numbersKey, out.view());
    this.num = num;
    this.inNum = inNum;
    this.neg = neg;
    return i;
  }

  /** trace_tree: `[id, function_info_index, count, size, [children…], …]`, nested, flattened here. */
  private scanTraceTree(b: Uint8Array, i: number): number {
    const n = b.length;
    const fields = this.header!.meta.trace_node_fields ?? ['id', 'function_info_index', 'count', 'size', 'children'];
    const k = fields.length - 1; // numbers before the children array
    if (fields[k] !== 'children') this.fail('snapshot.meta.trace_node_fields does not end with "children"', i);
    while (i < n) {
      const c = b[i++];
      if (isDigit(c)) {
        this.num = this.num * 10 + (c - 0x30);
        this.inNum = true;
        continue;
      }
      if (this.inNum) {
        if (this.treePending.length === k) this.fail('a trace_tree node has too many fields', i - 1);
        this.treePending.push(this.num);
        this.num = 0;
        this.inNum = false;
      }
      if (c === 0x5b) {
        if (!this.opened) {
          this.opened = true;
          continue;
        }
        // A children list opens after a node's own fields.
        if (this.treePending.length !== k) this.fail(`a trace_tree node without its ${k} fields`, i - 1);
        const p = this.treePending;
        const t = this.tree;
        const node = t.id.length;
        t.id.push(p[fields.indexOf('id')] ?? 0);
        t.fn.push(p[fields.indexOf('function_info_index')] ?? 0);
        t.count.push(p[fields.indexOf('count')] ?? 0);
        t.size.push(p[fields.indexOf('size')] ?? 0);
        t.parent.push(this.treeStack.length > 0 ? this.treeStack[this.treeStack.length - 1] : -1);
        p.length = 0;
        this.treeStack.push(node);
      } else if (c === 0x5d) {
        if (this.treePending.length !== 0) this.fail('a trace_tree node without its children list', i - 1);
        if (this.treeStack.length === 0) {
          this.state = State.BetweenSections;
          break;
        }
        this.treeStack.pop();
      } else if (!this.opened && !isSpace(c)) {
        this.fail('the trace_tree section is not an array', i - 1);
      } else if (c !== 0x2c && !isSpace(c)) this.fail(`unexpected "${String.fromCharCode(c)}" in the trace_tree section`, i - 1);
    }
    return i;
  }

  // --- strings --------------------------------------------------------------------------------

  private scanStrings(b: Uint8Array, i: number): number {
    if (!this.opened) {
      i = this.openArray(b, i, 'strings');
      if (i < 0) return b.length;
    }
    const n = b.length;
    while (i < n) {
      if (this.inString) {
        // Find the closing quote, noting whether the literal has escapes.
        let j = i;
        let esc = this.escape;
        let escaped = false;
        let ascii = true;
        while (j < n) {
          const c = b[j];
          if (esc) esc = false;
          else if (c === 0x5c) esc = escaped = true;
          else if (c === 0x22) break;
          else if (c < 0x20) this.fail('a string holds a raw control character', j);
          else if (c >= 0x80) ascii = false;
          j++;
        }
        this.escape = esc;
        if (escaped) this.strEscaped = true;
        if (j === n) {
          this.str.append(b, i, n);
          if (this.str.length > 0x1fffffe8) this.fail('a string is longer than JavaScript strings can be', j);
          return n;
        }
        let text: string;
        if (this.str.length === 0 && !this.strEscaped) {
          // Most strings are short ASCII names. One Latin-1 decode of the chunk and a slice per
          // string is 3× faster than a decoder call per string (a measured hot path).
          if (ascii && n <= 1 << 24) {
            if (this.latinOf !== b) {
              this.latinOf = b;
              this.latinText = this.latin1.decode(b);
            }
            text = this.latinText.slice(i, j);
          } else text = this.utf8.decode(b.subarray(i, j));
        }
        else {
          this.str.append(b, i, j);
          const raw = this.str.data.subarray(0, this.str.length);
          text = this.strEscaped ? this.unescape(raw, j) : this.utf8.decode(raw);
        }
        this.strings.push(text);
        this.str.length = 0;
        this.strEscaped = false;
        this.inString = false;
        i = j + 1;
        continue;
      }
      const c = b[i++];
      if (c === 0x22) this.inString = true;
      else if (c === 0x5d) {
        this.state = State.BetweenSections;
        return i;
      } else if (c !== 0x2c && !isSpace(c)) this.fail(`unexpected "${String.fromCharCode(c)}" in the strings section`, i - 1);
    }
    return i;
  }

  private units = new Uint16Array(1024);

  /**
   * A JSON string literal's bytes (without quotes) → the string: UTF-8 sequences and escapes,
   * `\uXXXX` included, become UTF-16 code units; a surrogate pair written as two escapes becomes
   * one character, and a lone surrogate (which JS strings may hold) is kept as it is.
   */
  private unescape(raw: Uint8Array, at: number): string {
    if (this.units.length < raw.length) this.units = new Uint16Array(Math.max(raw.length, this.units.length * 2));
    const u = this.units;
    let k = 0;
    for (let i = 0; i < raw.length; ) {
      const c = raw[i++];
      if (c === 0x5c) {
        const e = raw[i++];
        if (e === 0x75) {
          if (i + 4 > raw.length) this.fail('a string ends inside a \\u escape', at);
          let v = 0;
          for (let h = 0; h < 4; h++) {
            const x = raw[i++];
            const d = x >= 0x30 && x <= 0x39 ? x - 0x30 : x >= 0x61 && x <= 0x66 ? x - 0x57 : x >= 0x41 && x <= 0x46 ? x - 0x37 : -1;
            if (d < 0) this.fail('a string has a malformed \\u escape', at);
            v = v * 16 + d;
          }
          u[k++] = v;
        } else if (e === 0x6e) u[k++] = 0x0a;
        else if (e === 0x22 || e === 0x5c || e === 0x2f) u[k++] = e;
        else if (e === 0x74) u[k++] = 0x09;
        else if (e === 0x72) u[k++] = 0x0d;
        else if (e === 0x62) u[k++] = 0x08;
        else if (e === 0x66) u[k++] = 0x0c;
        else this.fail('a string has an invalid escape', at);
      } else if (c < 0x80) {
        u[k++] = c;
      } else {
        // A raw UTF-8 sequence (V8 escapes non-ASCII, other writers may not).
        let cp: number;
        let more: number;
        if (c >= 0xf0 && c < 0xf8) [cp, more] = [c & 0x07, 3];
        else if (c >= 0xe0) [cp, more] = [c & 0x0f, 2];
        else if (c >= 0xc0) [cp, more] = [c & 0x1f, 1];
        else [cp, more] = [0xfffd, 0];
        for (; more > 0 && i < raw.length && (raw[i] & 0xc0) === 0x80; more--) cp = (cp << 6) | (raw[i++] & 0x3f);
        if (more > 0 || cp > 0x10ffff) cp = 0xfffd;
        if (cp >= 0x10000) {
          cp -= 0x10000;
          u[k++] = 0xd800 + (cp >> 10);
          u[k++] = 0xdc00 + (cp & 0x3ff);
        } else u[k++] = cp;
      }
    }
    let text = '';
    for (let s = 0; s < k; s += 8192) text += String.fromCharCode.apply(null, u.subarray(s, Math.min(k, s + 8192)) as unknown as number[]);
    return text;
  }

  // --- the end --------------------------------------------------------------------------------

  finish(): HeapGraph {
    const bytes = (x: number) => x.toLocaleString('en-US');
    if (this.state !== State.Done) {
      const where = this.header ? (SECTION[this.state] ?? 'the file') : 'the header';
      const what = this.state === State.Numbers ? `the ${this.numbersKey} section` : where;
      throw new HeaplensError(
        `This heap snapshot is truncated: it ends inside ${what} (at byte ${bytes(this.offset)} of ${bytes(this.totalBytes)}). ` +
          'The file was probably cut off while it was written or copied; take or copy the snapshot again.',
      );
    }
    const h = this.header;
    if (!h) throw new HeaplensError('This file is JSON but has no "snapshot" header: it is not a V8 heap snapshot.');
    const missing = ['nodes', 'edges', 'strings'].filter((s) => !this.sectionsSeen.has(s));
    if (missing.length > 0) throw new HeaplensError(`This heap snapshot has no ${missing.join(', ')} section: it is incomplete.`);
    if (this.edgeTotal !== this.edgeCount) {
      throw new HeaplensError(`This heap snapshot is corrupt: its nodes own ${bytes(this.edgeTotal)} edges but the header says ${bytes(this.edgeCount)}.`);
    }
    const strings = this.strings;
    if (this.maxNodeName >= strings.length || this.maxEdgeName >= strings.length) {
      throw new HeaplensError(
        `This heap snapshot is corrupt: a ${this.maxNodeName >= strings.length ? 'node' : 'edge'} names string ` +
          `${bytes(Math.max(this.maxNodeName, this.maxEdgeName))}, but the strings section holds ${bytes(strings.length)}.`,
      );
    }
    const meta = h.meta;
    return {
      nodeCount: this.nodeCount,
      edgeCount: this.edgeCount,
      nodeTypes: meta.node_types[0],
      edgeTypes: meta.edge_types[0],
      strings,
      nodeType: this.nodeType,
      nodeName: this.nodeName,
      nodeId: this.nodeId,
      selfSize: this.selfSize,
      traceNodeId: this.traceNodeId,
      detachedness: this.detachedness,
      firstEdge: this.firstEdge,
      edgeType: this.edgeType,
      edgeNameOrIndex: this.edgeName,
      edgeTo: this.edgeTo,
      traces: this.traces(),
      locations: this.locations(),
      samples: this.samples(),
      meta: { rawMeta: meta as unknown as Record<string, unknown>, producer: `V8 heap snapshot (${meta.node_fields.length} node fields)` },
    };
  }

  private corrupt(what: string): never {
    throw new HeaplensError(`This heap snapshot is corrupt: ${what}.`);
  }

  private traces(): AllocationTraces | null {
    const meta = this.header!.meta;
    const infos = this.kept.get('trace_function_infos');
    const fields = meta.trace_function_info_fields;
    const t = this.tree;
    if (!infos || !fields || infos.length === 0 || t.id.length === 0) return null;
    const k = fields.length;
    if (infos.length % k !== 0) this.corrupt(`trace_function_infos holds ${infos.length} numbers, not a multiple of its ${k} fields`);
    const count = infos.length / k;
    const column = (name: string) => {
      const f = fields.indexOf(name);
      const out = new Int32Array(count).fill(-1);
      if (f >= 0) for (let i = 0; i < count; i++) out[i] = infos[i * k + f];
      return out;
    };
    const functionName = Uint32Array.from(column('name'));
    const scriptName = Uint32Array.from(column('script_name'));
    for (let i = 0; i < count; i++) {
      if (functionName[i] >= this.strings.length || scriptName[i] >= this.strings.length) this.corrupt(`trace function ${i} names a string that does not exist`);
    }
    const treeFunction = Uint32Array.from(t.fn.view());
    for (let i = 0; i < treeFunction.length; i++) {
      if (treeFunction[i] >= count) this.corrupt(`trace_tree node ${i} calls function ${treeFunction[i]} of ${count}`);
    }
    return {
      functionName,
      scriptName,
      scriptId: column('script_id'),
      line: column('line'),
      column: column('column'),
      treeId: Uint32Array.from(t.id.view()),
      treeFunction,
      treeParent: Int32Array.from(t.parent.view()),
      treeCount: Float64Array.from(t.count.view()),
      treeSize: Float64Array.from(t.size.view()),
    };
  }

  private locations(): Locations | null {
    const values = this.kept.get('locations');
    const fields = this.header!.meta.location_fields;
    if (!values || !fields || values.length === 0) return null;
    const k = fields.length;
    if (values.length % k !== 0) this.corrupt(`locations holds ${values.length} numbers, not a multiple of its ${k} fields`);
    const length = values.length / k;
    const f = (name: string) => fields.indexOf(name);
    const [object, script, line, column] = [f('object_index'), f('script_id'), f('line'), f('column')];
    if (object < 0) this.corrupt('snapshot.meta.location_fields has no "object_index"');
    const node = new Uint32Array(length);
    const pick = (col: number) => {
      const out = new Int32Array(length).fill(-1);
      if (col >= 0) for (let i = 0; i < length; i++) out[i] = values[i * k + col];
      return out;
    };
    for (let i = 0; i < length; i++) {
      const at = values[i * k + object] / this.nodeFields;
      if (!(at >= 0 && at < this.nodeCount && at === Math.floor(at))) this.corrupt(`location ${i} points to ${values[i * k + object]}, which is not a node`);
      node[i] = at;
    }
    return { node, scriptId: pick(script), line: pick(line), column: pick(column), length };
  }

  private samples(): HeapSamples | null {
    const values = this.kept.get('samples');
    const fields = this.header!.meta.sample_fields;
    if (!values || !fields || values.length === 0) return null;
    const k = fields.length;
    if (values.length % k !== 0) this.corrupt(`samples holds ${values.length} numbers, not a multiple of its ${k} fields`);
    const length = values.length / k;
    const pick = (name: string) => {
      const col = fields.indexOf(name);
      const out = new Float64Array(length);
      if (col >= 0) for (let i = 0; i < length; i++) out[i] = values[i * k + col];
      return out;
    };
    return { timestampUs: pick('timestamp_us'), lastAssignedId: pick('last_assigned_id'), length };
  }
}

export interface ParseControl {
  onProgress?(done: number, total: number): void;
  checkCancelled?(): void;
}

const SLICE = 1 << 20;

/** Reads a snapshot from a byte stream (File.stream() in the browser, a file stream in Node). */
export async function parseHeapSnapshot(stream: ReadableStream<Uint8Array>, totalBytes: number, control: ParseControl = {}): Promise<HeapGraph> {
  const scanner = new HeapSnapshotScanner(totalBytes);
  const reader = stream.getReader();
  let done = 0;
  let lastReport = 0;
  const step = Math.max(1 << 16, Math.floor(totalBytes / 100));
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
        scanner.push(slice);
        done += slice.length;
        if (done - lastReport >= step) {
          control.onProgress?.(done, totalBytes);
          lastReport = done;
        }
        control.checkCancelled?.();
      }
    }
  } catch (e) {
    next?.catch(() => {}); // the read already asked for is abandoned with the stream
    await reader.cancel().catch(() => {});
    throw e;
  }
  control.onProgress?.(done, totalBytes);
  return scanner.finish();
}
