// V8 heap snapshots (.heapsnapshot) → the heap graph, in one streaming pass over the bytes.
//
// Why a hand-written scanner (a measured hot path): a snapshot is one JSON object whose arrays
// hold tens of millions of numbers, and real files pass 4 GB. JSON.parse needs the whole text as
// one string (V8 stops at ~512 MB) and builds a JS number per element; DevTools and memlab die
// there. This scanner reads bytes as they arrive, writes numbers straight into typed arrays sized
// from the header's node_count/edge_count, and decodes `strings` one string at a time.
//
// Field layouts come from snapshot.meta, never hard-coded: Node 20 writes 7 node fields (with
// detachedness), newer V8 6 plus trace_node_id only when tracing, and locations 4 or 5 fields.

import { HeaplensError } from '../api.ts';
import type { AllocationTraces, HeapGraph } from '../model/heap-graph.ts';

interface SnapshotHeader {
  meta: {
    node_fields: string[];
    node_types: [string[], ...unknown[]];
    edge_fields: string[];
    edge_types: [string[], ...unknown[]];
    trace_function_info_fields?: string[];
    trace_node_fields?: string[];
  };
  node_count: number;
  edge_count: number;
  trace_function_count?: number;
}

const enum State {
  Start,
  ExpectKey,
  AfterKey,
  CollectValue, // the "snapshot" header object
  SkipValue,
  Nodes,
  Edges,
  Numbers, // trace_function_infos and other number arrays we keep
  TraceTree,
  Strings,
  Done,
}

const SECTION_NAMES: Record<number, string> = {
  [State.Nodes]: 'nodes',
  [State.Edges]: 'edges',
  [State.Numbers]: 'number array',
  [State.TraceTree]: 'trace_tree',
  [State.Strings]: 'strings',
};

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
  push(b: number): void {
    if (this.length === this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = b;
  }
}

export class HeapSnapshotScanner {
  private state = State.Start;
  private offset = 0; // bytes consumed before the current chunk
  private readonly decoder = new TextDecoder('utf-8');

  // key / value scanning
  private key = new ByteBuffer();
  private inKey = false;
  private keyEscape = false;
  private value = new ByteBuffer();
  private depth = 0;
  private inString = false;
  private escape = false;
  private valueStarted = false;

  // number scanning
  private num = 0;
  private inNum = false;
  private neg = false;
  private started = false; // seen the array's '['

  private header: SnapshotHeader | null = null;
  private nodeFieldCount = 0;
  private edgeFieldCount = 0;
  private nodeRole: Int8Array = new Int8Array(0);
  private edgeRole: Int8Array = new Int8Array(0);
  private field = 0;
  private index = 0; // node or edge index being filled

  // results
  private nodeType = new Uint8Array(0);
  private nodeName = new Uint32Array(0);
  private nodeId = new Float64Array(0);
  private selfSize = new Float64Array(0);
  private edgeCountOf = new Uint32Array(0);
  private traceNodeId: Uint32Array | null = null;
  private detachedness: Uint8Array | null = null;
  private edgeType = new Uint8Array(0);
  private edgeName = new Uint32Array(0);
  private edgeTo = new Uint32Array(0);
  private nodesDone = false;
  private edgesDone = false;
  private strings: string[] = [];
  private stringsDone = false;
  private str = new ByteBuffer();
  private strEscaped = false;
  private numbers: number[] = [];
  private numbersKey = '';
  private functionInfos: number[] | null = null;
  // trace tree
  private treeId: number[] = [];
  private treeFunction: number[] = [];
  private treeParent: number[] = [];
  private treePending: number[] = [];
  private treeStack: number[] = [];

  constructor(private readonly totalBytes: number) {}

  private fail(what: string, at: number): never {
    throw new HeaplensError(`This heap snapshot is malformed at byte ${(this.offset + at).toLocaleString('en-US')}: ${what}.`);
  }

  push(b: Uint8Array): void {
    let i = 0;
    const n = b.length;
    while (i < n) {
      switch (this.state) {
        case State.Start: {
          const c = b[i++];
          if (c === 0x7b) this.state = State.ExpectKey;
          else if (c === 0xef || c === 0xbb || c === 0xbf || isSpace(c)) continue;
          else this.fail('a heap snapshot starts with "{"', i - 1);
          break;
        }
        case State.ExpectKey:
          i = this.scanKey(b, i);
          break;
        case State.AfterKey:
          i = this.afterKey(b, i);
          break;
        case State.CollectValue:
        case State.SkipValue:
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
          if (!isSpace(c)) this.fail('unexpected bytes after the end of the snapshot', i - 1);
          break;
        }
      }
    }
    this.offset += n;
  }

  /** Between top-level values: `,`, whitespace, a `"key"`, `:`, or the final `}`. */
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
        this.key.push(c);
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
        this.fail(`unexpected "${String.fromCharCode(c)}" between sections`, i);
      }
      i++;
    }
    return i;
  }

  private afterKey(b: Uint8Array, i: number): number {
    const n = b.length;
    while (i < n && isSpace(b[i])) i++;
    if (i === n) return i;
    if (b[i] !== 0x3a) this.fail('expected ":" after a key', i);
    i++;
    const key = this.decoder.decode(this.key.data.subarray(0, this.key.length));
    this.started = false;
    this.inNum = false;
    this.field = 0;
    this.index = 0;
    if (key === 'snapshot') {
      this.value.length = 0;
      this.depth = 0;
      this.valueStarted = false;
      this.state = State.CollectValue;
    } else if (key === 'nodes' || key === 'edges' || key === 'strings' || key === 'trace_tree' || key === 'trace_function_infos') {
      if (!this.header) this.fail(`the "${key}" section comes before the "snapshot" header`, i);
      if (key === 'nodes') this.state = State.Nodes;
      else if (key === 'edges') {
        if (!this.nodesDone) this.fail('the edges come before the nodes', i);
        this.state = State.Edges;
      } else if (key === 'strings') this.state = State.Strings;
      else if (key === 'trace_tree') this.state = State.TraceTree;
      else {
        this.numbers = [];
        this.numbersKey = key;
        this.state = State.Numbers;
      }
    } else {
      // samples, locations and anything newer V8 adds: not needed for the analyses.
      this.depth = 0;
      this.valueStarted = false;
      this.state = State.SkipValue;
    }
    return i;
  }

  /** A whole JSON value, tracking depth and strings; collected only for the header. */
  private scanValue(b: Uint8Array, i: number): number {
    const n = b.length;
    const collect = this.state === State.CollectValue;
    const start = i;
    while (i < n) {
      const c = b[i++];
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.depth === 0) return this.endValue(b, start, i, collect);
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
        this.depth--;
        if (this.depth < 0) this.fail('unbalanced brackets', i - 1);
        if (this.depth === 0) return this.endValue(b, start, i, collect);
      } else if ((c === 0x2c || c === 0x7d) && this.depth === 0 && this.valueStarted) {
        return this.endValue(b, start, i - 1, collect);
      } else if (!isSpace(c)) this.valueStarted = true;
    }
    if (collect) this.value.append(b, start, i);
    return i;
  }

  private endValue(b: Uint8Array, start: number, end: number, collect: boolean): number {
    if (collect) {
      this.value.append(b, start, end);
      let parsed: SnapshotHeader;
      try {
        parsed = JSON.parse(this.decoder.decode(this.value.data.subarray(0, this.value.length)));
      } catch {
        this.fail('the "snapshot" header is not valid JSON', end);
      }
      this.setHeader(parsed, end);
    }
    this.state = State.ExpectKey;
    return end;
  }

  private setHeader(h: SnapshotHeader, at: number): void {
    const meta = h?.meta;
    if (!meta || !Array.isArray(meta.node_fields) || !Array.isArray(meta.edge_fields) || !Array.isArray(meta.node_types?.[0]) || !Array.isArray(meta.edge_types?.[0])) {
      this.fail('the header has no node and edge field layout (snapshot.meta)', at);
    }
    const nodeCount = h.node_count;
    const edgeCount = h.edge_count;
    if (!Number.isSafeInteger(nodeCount) || nodeCount < 0 || !Number.isSafeInteger(edgeCount) || edgeCount < 0) {
      this.fail('the header has no valid node_count and edge_count', at);
    }
    // A node takes at least 2 bytes per field in the file and an edge too: larger counts are lies
    // that would make us allocate gigabytes for nothing.
    if (nodeCount * meta.node_fields.length * 2 + edgeCount * meta.edge_fields.length * 2 > this.totalBytes + 64) {
      throw new HeaplensError(
        `This heap snapshot is truncated or corrupt: its header announces ${nodeCount.toLocaleString('en-US')} nodes and ` +
          `${edgeCount.toLocaleString('en-US')} edges, more than a ${this.totalBytes.toLocaleString('en-US')}-byte file can hold.`,
      );
    }
    this.header = h;
    this.nodeFieldCount = meta.node_fields.length;
    this.edgeFieldCount = meta.edge_fields.length;
    const nodeRoles = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
    this.nodeRole = Int8Array.from(meta.node_fields, (f) => nodeRoles.indexOf(f));
    for (const needed of ['type', 'name', 'id', 'self_size', 'edge_count']) {
      if (!meta.node_fields.includes(needed)) this.fail(`snapshot.meta.node_fields has no "${needed}"`, at);
    }
    const edgeRoles = ['type', 'name_or_index', 'to_node'];
    this.edgeRole = Int8Array.from(meta.edge_fields, (f) => edgeRoles.indexOf(f));
    for (const needed of edgeRoles) if (!meta.edge_fields.includes(needed)) this.fail(`snapshot.meta.edge_fields has no "${needed}"`, at);
    this.nodeType = new Uint8Array(nodeCount);
    this.nodeName = new Uint32Array(nodeCount);
    this.nodeId = new Float64Array(nodeCount);
    this.selfSize = new Float64Array(nodeCount);
    this.edgeCountOf = new Uint32Array(nodeCount);
    if (meta.node_fields.includes('trace_node_id')) this.traceNodeId = new Uint32Array(nodeCount);
    if (meta.node_fields.includes('detachedness')) this.detachedness = new Uint8Array(nodeCount);
    this.edgeType = new Uint8Array(edgeCount);
    this.edgeName = new Uint32Array(edgeCount);
    this.edgeTo = new Uint32Array(edgeCount);
  }

  /** Reads `[`, whitespace; returns the index after '[' or -1 when the chunk ended first. */
  private openArray(b: Uint8Array, i: number): number {
    const n = b.length;
    while (i < n && isSpace(b[i])) i++;
    if (i === n) return -1;
    if (b[i] !== 0x5b) this.fail('expected "[" to open a section', i);
    this.started = true;
    return i + 1;
  }

  private scanNodes(b: Uint8Array, i: number): number {
    if (!this.started) {
      i = this.openArray(b, i);
      if (i < 0) return b.length;
    }
    const n = b.length;
    const fields = this.nodeFieldCount;
    const roles = this.nodeRole;
    const total = this.nodeType.length;
    // Locals, not fields: this loop runs once per byte of the biggest sections.
    const nodeType = this.nodeType;
    const nodeName = this.nodeName;
    const nodeId = this.nodeId;
    const selfSize = this.selfSize;
    const edgeCountOf = this.edgeCountOf;
    const traceNodeId = this.traceNodeId;
    const detachedness = this.detachedness;
    let num = this.num;
    let inNum = this.inNum;
    let field = this.field;
    let index = this.index;
    let role = roles[field];
    while (i < n) {
      const c = b[i++];
      if (c >= 0x30 && c <= 0x39) {
        num = num * 10 + (c - 0x30);
        inNum = true;
        continue;
      }
      if (inNum) {
        if (index >= total) this.fail("more nodes than the header's node_count", i - 1);
        if (role === 0) nodeType[index] = num;
        else if (role === 1) nodeName[index] = num;
        else if (role === 2) nodeId[index] = num;
        else if (role === 3) selfSize[index] = num;
        else if (role === 4) edgeCountOf[index] = num;
        else if (role === 5) traceNodeId![index] = num;
        else if (role === 6) detachedness![index] = num;
        if (++field === fields) {
          field = 0;
          index++;
        }
        role = roles[field];
        num = 0;
        inNum = false;
      }
      if (c === 0x5d) {
        if (field !== 0 || index !== total) this.fail(`the nodes section holds ${index} nodes, the header says ${total}`, i - 1);
        this.nodesDone = true;
        this.state = State.ExpectKey;
        break;
      }
      if (c !== 0x2c && c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) this.fail(`unexpected "${String.fromCharCode(c)}" in the nodes section`, i - 1);
    }
    this.num = num;
    this.inNum = inNum;
    this.field = field;
    this.index = index;
    return i;
  }

  private scanEdges(b: Uint8Array, i: number): number {
    if (!this.started) {
      i = this.openArray(b, i);
      if (i < 0) return b.length;
    }
    const n = b.length;
    const fields = this.edgeFieldCount;
    const roles = this.edgeRole;
    const total = this.edgeType.length;
    const nodeFields = this.nodeFieldCount;
    const nodeSlots = this.nodeType.length * nodeFields;
    const edgeType = this.edgeType;
    const edgeName = this.edgeName;
    const edgeTo = this.edgeTo;
    let num = this.num;
    let inNum = this.inNum;
    let field = this.field;
    let index = this.index;
    let role = roles[field];
    while (i < n) {
      const c = b[i++];
      if (c >= 0x30 && c <= 0x39) {
        num = num * 10 + (c - 0x30);
        inNum = true;
        continue;
      }
      if (inNum) {
        if (index >= total) this.fail("more edges than the header's edge_count", i - 1);
        if (role === 0) edgeType[index] = num;
        else if (role === 1) edgeName[index] = num;
        else if (role === 2) {
          // to_node is an offset into the flat nodes array, not a node index.
          if (num >= nodeSlots || num % nodeFields !== 0) this.fail(`an edge points to ${num}, which is not a node`, i - 1);
          edgeTo[index] = num / nodeFields;
        }
        if (++field === fields) {
          field = 0;
          index++;
        }
        role = roles[field];
        num = 0;
        inNum = false;
      }
      if (c === 0x5d) {
        if (field !== 0 || index !== total) this.fail(`the edges section holds ${index} edges, the header says ${total}`, i - 1);
        this.edgesDone = true;
        this.state = State.ExpectKey;
        break;
      }
      if (c !== 0x2c && c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) this.fail(`unexpected "${String.fromCharCode(c)}" in the edges section`, i - 1);
    }
    this.num = num;
    this.inNum = inNum;
    this.field = field;
    this.index = index;
    return i;
  }

  private scanNumbers(b: Uint8Array, i: number): number {
    if (!this.started) {
      i = this.openArray(b, i);
      if (i < 0) return b.length;
    }
    const n = b.length;
    while (i < n) {
      const c = b[i++];
      if (c >= 0x30 && c <= 0x39) {
        this.num = this.num * 10 + (c - 0x30);
        this.inNum = true;
        continue;
      }
      if (c === 0x2d && !this.inNum) {
        this.neg = true;
        continue;
      }
      if (this.inNum) {
        this.numbers.push(this.neg ? -this.num : this.num);
        this.num = 0;
        this.inNum = false;
        this.neg = false;
      }
      if (c === 0x5d) {
        if (this.numbersKey === 'trace_function_infos') this.functionInfos = this.numbers;
        this.numbers = [];
        this.state = State.ExpectKey;
        break;
      }
      if (c !== 0x2c && !isSpace(c)) this.fail(`unexpected "${String.fromCharCode(c)}" in ${this.numbersKey}`, i - 1);
    }
    return i;
  }

  /** trace_tree: [id, function_info_index, count, size, [children…], …], nested. */
  private scanTraceTree(b: Uint8Array, i: number): number {
    const n = b.length;
    while (i < n) {
      const c = b[i++];
      if (c >= 0x30 && c <= 0x39) {
        this.num = this.num * 10 + (c - 0x30);
        this.inNum = true;
        continue;
      }
      if (this.inNum) {
        this.treePending.push(this.num);
        this.num = 0;
        this.inNum = false;
      }
      if (c === 0x5b) {
        if (!this.started) {
          this.started = true;
          continue;
        }
        // A children list opens after a node's four numbers.
        if (this.treePending.length !== 4) this.fail('a trace_tree node without its four fields', i - 1);
        const node = this.treeId.length;
        this.treeId.push(this.treePending[0]);
        this.treeFunction.push(this.treePending[1]);
        this.treeParent.push(this.treeStack.length > 0 ? this.treeStack[this.treeStack.length - 1] : -1);
        this.treePending.length = 0;
        this.treeStack.push(node);
      } else if (c === 0x5d) {
        if (this.treePending.length !== 0) this.fail('a trace_tree node without children', i - 1);
        if (this.treeStack.length === 0) {
          this.state = State.ExpectKey;
          break;
        }
        this.treeStack.pop();
      } else if (c !== 0x2c && !isSpace(c)) this.fail(`unexpected "${String.fromCharCode(c)}" in trace_tree`, i - 1);
    }
    return i;
  }

  private scanStrings(b: Uint8Array, i: number): number {
    if (!this.started) {
      i = this.openArray(b, i);
      if (i < 0) return b.length;
    }
    const n = b.length;
    while (i < n) {
      if (this.inString) {
        // Find the closing quote in this chunk, skipping escaped characters.
        let j = i;
        let esc = this.escape;
        while (j < n) {
          const c = b[j];
          if (esc) esc = false;
          else if (c === 0x5c) {
            esc = true;
            this.strEscaped = true;
          } else if (c === 0x22) break;
          j++;
        }
        this.escape = esc;
        if (j === n) {
          this.str.append(b, i, n);
          return n;
        }
        let text: string;
        if (this.str.length === 0 && !this.strEscaped) text = this.decoder.decode(b.subarray(i, j));
        else {
          this.str.append(b, i, j);
          const raw = this.decoder.decode(this.str.data.subarray(0, this.str.length));
          if (this.strEscaped) {
            try {
              text = JSON.parse(`"${raw}"`);
            } catch {
              this.fail('a string with an invalid escape', j);
            }
          } else text = raw;
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
        this.stringsDone = true;
        this.state = State.ExpectKey;
        return i;
      } else if (c !== 0x2c && !isSpace(c)) this.fail(`unexpected "${String.fromCharCode(c)}" in the strings section`, i - 1);
    }
    return i;
  }

  finish(): HeapGraph {
    const where = (s: State) => SECTION_NAMES[s] ?? (s === State.Start || !this.header ? 'the header' : 'between sections');
    if (this.state !== State.Done) {
      throw new HeaplensError(
        `This heap snapshot is truncated: it ends inside ${where(this.state) === 'the header' || where(this.state) === 'between sections' ? where(this.state) : `the ${where(this.state)} section`} ` +
          `(at byte ${this.offset.toLocaleString('en-US')}). The file was probably cut off while it was written or copied; take or copy the snapshot again.`,
      );
    }
    const h = this.header;
    if (!h) throw new HeaplensError('This file is JSON but has no "snapshot" header: it is not a V8 heap snapshot.');
    if (!this.nodesDone || !this.edgesDone || !this.stringsDone) {
      const missing = [!this.nodesDone && 'nodes', !this.edgesDone && 'edges', !this.stringsDone && 'strings'].filter(Boolean).join(', ');
      throw new HeaplensError(`This heap snapshot has no ${missing} section: it is incomplete.`);
    }
    const nodeCount = h.node_count;
    const firstEdge = new Uint32Array(nodeCount + 1);
    let e = 0;
    for (let i = 0; i < nodeCount; i++) {
      firstEdge[i] = e;
      e += this.edgeCountOf[i];
    }
    firstEdge[nodeCount] = e;
    if (e !== h.edge_count) throw new HeaplensError(`This heap snapshot is corrupt: its nodes own ${e} edges but the header says ${h.edge_count}.`);
    const strings = this.strings;
    const nodeTypes = h.meta.node_types[0];
    const edgeTypes = h.meta.edge_types[0];
    for (let i = 0; i < nodeCount; i++) {
      if (this.nodeName[i] >= strings.length) throw new HeaplensError(`This heap snapshot is corrupt: node ${i} names string ${this.nodeName[i]} of ${strings.length}.`);
      if (this.nodeType[i] >= nodeTypes.length) throw new HeaplensError(`This heap snapshot is corrupt: node ${i} has an unknown type ${this.nodeType[i]}.`);
    }
    const element = edgeTypes.indexOf('element');
    const hidden = edgeTypes.indexOf('hidden');
    for (let i = 0; i < h.edge_count; i++) {
      const t = this.edgeType[i];
      if (t >= edgeTypes.length) throw new HeaplensError(`This heap snapshot is corrupt: edge ${i} has an unknown type ${t}.`);
      if (t !== element && t !== hidden && this.edgeName[i] >= strings.length) {
        throw new HeaplensError(`This heap snapshot is corrupt: edge ${i} names string ${this.edgeName[i]} of ${strings.length}.`);
      }
    }
    return {
      nodeCount,
      edgeCount: h.edge_count,
      nodeTypes,
      edgeTypes,
      strings,
      nodeType: this.nodeType,
      nodeName: this.nodeName,
      nodeId: this.nodeId,
      selfSize: this.selfSize,
      traceNodeId: this.traceNodeId,
      detachedness: this.detachedness,
      firstEdge,
      edgeType: this.edgeType,
      edgeNameOrIndex: this.edgeName,
      edgeTo: this.edgeTo,
      traces: this.traces(),
      meta: { rawMeta: h.meta as unknown as Record<string, unknown>, producer: `V8 heap snapshot (${h.meta.node_fields.length} node fields)` },
    };
  }

  private traces(): AllocationTraces | null {
    const h = this.header!;
    const infos = this.functionInfos;
    const fields = h.meta.trace_function_info_fields;
    if (!infos || !fields || infos.length === 0 || this.treeId.length === 0) return null;
    const k = fields.length;
    const count = Math.floor(infos.length / k);
    const col = (name: string) => fields.indexOf(name);
    const [fName, fScript, fLine, fColumn] = [col('name'), col('script_name'), col('line'), col('column')];
    const functionName = new Uint32Array(count);
    const scriptName = new Uint32Array(count);
    const line = new Int32Array(count);
    const column = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      functionName[i] = infos[i * k + fName];
      scriptName[i] = infos[i * k + fScript];
      line[i] = fLine >= 0 ? infos[i * k + fLine] : -1;
      column[i] = fColumn >= 0 ? infos[i * k + fColumn] : -1;
    }
    return {
      functionName,
      scriptName,
      line,
      column,
      treeId: Uint32Array.from(this.treeId),
      treeFunction: Uint32Array.from(this.treeFunction),
      treeParent: Int32Array.from(this.treeParent),
    };
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export interface ParseControl {
  onProgress?: (done: number, total: number) => void;
  checkCancelled?: () => void;
}

/** Reads a snapshot from a byte stream (File.stream() in the browser, a file stream in Node). */
export async function parseHeapSnapshot(stream: ReadableStream<Uint8Array>, totalBytes: number, control: ParseControl = {}): Promise<HeapGraph> {
  const scanner = new HeapSnapshotScanner(totalBytes);
  const reader = stream.getReader();
  let done = 0;
  let lastReport = 0;
  try {
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      scanner.push(value);
      done += value.length;
      if (done - lastReport >= 4 << 20 || done === totalBytes) {
        control.onProgress?.(done, totalBytes);
        lastReport = done;
      }
      control.checkCancelled?.();
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  control.onProgress?.(done, totalBytes);
  return scanner.finish();
}
