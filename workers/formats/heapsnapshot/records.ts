// The nodes and edges sections: most of a snapshot's bytes, read straight into the graph's
// typed arrays (sized from the header's counts).
//
// Why hand-written (a measured hot path: on a 200 MB snapshot this is most of the load time):
// JSON.parse needs the whole text as one string (V8 stops at ~512 MB) and builds a JS number per
// element. Whole records in V8's own layout go through the unrolled loops (fastNodes,
// fastEdges); the rest of a chunk — a record cut by the chunk's end, the end of the section, or a
// layout V8 does not write — through `generic`, one number at a time. They are separate
// functions so the optimizing compiler sees each one's own feedback: in one function, the cold
// generic branches kept throwing the optimized fast loop away.

import type { EdgeRange } from './edge-range-types.ts';
import { isDigit, isSpace, MAX_U32, openArray, type Layout, type ScanPosition } from './layout.ts';

/** Index of the last non-digit byte of the chunk: numbers before it end inside the chunk. */
function lastNonDigit(b: Uint8Array): number {
  let k = b.length - 1;
  while (k >= 0 && isDigit(b[k])) k--;
  return k;
}

export class RecordReader {
  /** Set when the current section's closing ']' has been read. */
  done = false;
  private opened = false; // seen the section's '['
  private num = 0;
  private inNum = false;
  private field = 0;
  private index = 0;

  private readonly nodeFields: number;
  private readonly edgeFields: number;
  private readonly nodeRole: Int8Array;
  private readonly edgeRole: Int8Array;
  private readonly standardNodes: boolean;
  private readonly standardEdges: boolean;
  private readonly nodeTypeCount: number;
  private readonly edgeTypeCount: number;
  private readonly edgeElement: number;
  private readonly edgeHidden: number;

  // the graph's columns
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly nodeType: Uint8Array;
  readonly nodeName: Uint32Array;
  readonly nodeId: Uint32Array;
  selfSize: Uint32Array | Float64Array;
  traceNodeId: Uint32Array | null = null;
  readonly detachedness: Uint8Array | null;
  readonly firstEdge: Uint32Array;
  edgeTotal = 0; // running sum of edge_count, so firstEdge needs no second pass
  // Replaced by a helper's columns when it read the edges (adoptEdges).
  edgeType: Uint8Array;
  edgeName: Uint32Array;
  edgeTo: Uint32Array;
  maxNodeName = -1;
  maxEdgeName = -1;
  private edgeCurType = 0;
  private edgeCurName = 0;

  constructor(
    layout: Layout,
    private readonly pos: ScanPosition,
  ) {
    this.nodeFields = layout.nodeFields;
    this.edgeFields = layout.edgeFields;
    this.nodeRole = layout.nodeRole;
    this.edgeRole = layout.edgeRole;
    this.standardNodes = layout.standardNodes;
    this.standardEdges = layout.standardEdges;
    this.nodeTypeCount = layout.nodeTypeCount;
    this.edgeTypeCount = layout.edgeTypeCount;
    this.edgeElement = layout.edgeElement;
    this.edgeHidden = layout.edgeHidden;
    const nodeCount = (this.nodeCount = layout.nodeCount);
    const edgeCount = (this.edgeCount = layout.edgeCount);
    this.nodeType = new Uint8Array(nodeCount);
    this.nodeName = new Uint32Array(nodeCount);
    this.nodeId = new Uint32Array(nodeCount);
    this.selfSize = new Uint32Array(nodeCount);
    this.firstEdge = new Uint32Array(nodeCount + 1);
    this.detachedness = layout.hasDetachedness ? new Uint8Array(nodeCount) : null;
    // The edge columns come when the edges section does (edgeColumns): a helper's may replace them.
    this.edgeType = new Uint8Array(0);
    this.edgeName = new Uint32Array(0);
    this.edgeTo = new Uint32Array(0);
  }

  /** The edge columns, sized from the header, when this reader is to fill them. */
  private edgeColumns(): void {
    if (this.edgeType.length === this.edgeCount) return;
    this.edgeType = new Uint8Array(this.edgeCount);
    this.edgeName = new Uint32Array(this.edgeCount);
    this.edgeTo = new Uint32Array(this.edgeCount);
  }

  /** Starts the nodes or the edges section. */
  begin(): void {
    this.done = false;
    this.opened = false;
    this.num = 0;
    this.inNum = false;
    this.field = 0;
    this.index = 0;
  }

  /** Set: stop right after the edges section's "[" (`stopped`), for a helper to read the edges (edge-range.ts). */
  stopAtEdges = false;
  stopped = false;

  /**
   * The edges a helper read (edge-range.ts): the whole section (the caller checked the count).
   * Its columns become the graph's; ours were never written, so they never took memory.
   */
  adoptEdges(range: EdgeRange): void {
    if (range.count !== this.edgeCount || range.type.length !== this.edgeCount) throw new Error('adoptEdges: a range of the whole section only');
    this.edgeType = range.type;
    this.edgeName = range.name;
    this.edgeTo = range.to;
    this.index = this.edgeCount;
    if (range.maxName > this.maxEdgeName) this.maxEdgeName = range.maxName;
  }

  /** Reads the edges section itself after all, from its first record (the helper gave up). */
  resumeEdges(): void {
    this.begin();
    this.opened = true;
    this.edgeColumns();
  }

  /** Goes on reading the edges section where it stopped, or reads it when it comes (no helper after all). */
  continueEdges(): void {
    if (this.stopped) this.edgeColumns();
    this.stopped = this.stopAtEdges = false;
  }

  scanNodes(b: Uint8Array, i: number): number {
    return this.scanRecords(b, i, true);
  }

  scanEdges(b: Uint8Array, i: number): number {
    return this.scanRecords(b, i, false);
  }

  private scanRecords(b: Uint8Array, i: number, nodes: boolean): number {
    if (!this.opened) {
      i = openArray(b, i, nodes ? 'nodes' : 'edges', this.pos);
      if (i < 0) return b.length;
      this.opened = true;
      if (!nodes && this.stopAtEdges) {
        this.stopped = true;
        return i;
      }
      if (!nodes) this.edgeColumns();
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
        if (nodes ? this.standardNodes : this.standardEdges) {
      // Records start before `safe` in the fast loops: with V8's number widths (every field is
      // range-checked as it is stored) no number of theirs then runs past the chunk's last
      // non-digit, so they need no bounds checks.
      const safe = lastNonDigit(b) - (nodes ? 24 * this.nodeFields : 72);
      let stalled = false;
      while (i < safe) {
        // Finish a record the chunk boundary (or an unusual separator) cut, then whole records.
        if (this.field !== 0 || stalled) i = this.generic(b, i, nodes, true);
        if (this.done || this.inNum) return i;
        if (i >= safe) break;
        const before = i;
        i = nodes ? this.fastNodes(b, i, safe) : this.fastEdges(b, i, safe);
        stalled = i === before;
      }
    }
    return this.done ? i : this.generic(b, i, nodes, false);
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
          this.pos.fail(`the ${what} section holds ${this.index.toLocaleString('en-US')} ${what}, the header says ${total.toLocaleString('en-US')}`, i);
        }
        this.done = true;
        return i + 1;
      } else {
        this.pos.fail(`unexpected "${String.fromCharCode(c)}" in the ${nodes ? 'nodes' : 'edges'} section`, i);
      }
    }
    return i;
  }

  // --- nodes --------------------------------------------------------------------------------

  private storeNode(v: number, at: number): void {
    const index = this.index;
    if (index >= this.nodeCount) this.pos.fail(`there are more nodes than the header's node_count (${this.nodeCount.toLocaleString('en-US')})`, at);
    switch (this.nodeRole[this.field]) {
      case 0:
        if (v >= this.nodeTypeCount) this.pos.fail(`node ${index} has an unknown type ${v}`, at);
        this.nodeType[index] = v;
        break;
      case 1:
        if (v > MAX_U32) this.pos.fail(`node ${index} names string ${v}`, at);
        if (v > this.maxNodeName) this.maxNodeName = v;
        this.nodeName[index] = v;
        break;
      case 2:
        if (v > MAX_U32) this.pos.fail(`node ${index} has an id beyond 32 bits`, at);
        this.nodeId[index] = v;
        break;
      case 3:
        this.storeSelfSize(index, v, at);
        break;
      case 4:
        this.edgeTotal += v;
        if (this.edgeTotal > this.edgeCount) this.pos.fail(`the nodes own more edges than the header's edge_count (${this.edgeCount.toLocaleString('en-US')})`, at);
        this.firstEdge[index + 1] = this.edgeTotal;
        break;
      case 5:
        if (v !== 0) {
          if (v > MAX_U32) this.pos.fail(`node ${index} has a trace node id beyond 32 bits`, at);
          (this.traceNodeId ??= new Uint32Array(this.nodeCount))[index] = v;
        }
        break;
      case 6:
        if (v > 3) this.pos.fail(`node ${index} has detachedness ${v}`, at);
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
      if (!Number.isSafeInteger(v)) this.pos.fail(`node ${index} has an impossible size`, at);
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
    // whitespace, "]") returns to `generic`, which resumes at the same field.
    // A digit's value is `byte ^ 0x30`, a digit when below 10: one compare per byte (measured
    // ~10 % faster than the two of a range test), and NaN-safe (b[n] is undefined, and
    // undefined ^ 0x30 is 48); a comma is 28.
    fast: while (i < safe) {
      let c = b[i];
      while (c === 0x2c || c === 0x0a) c = b[++i];
      let d = c ^ 0x30;
      if (d >= 10) break;
      if (index >= total) this.pos.fail(`there are more nodes than the header's node_count (${total.toLocaleString('en-US')})`, i);
      let v = d;
      while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
      if (v >= typeCount) this.pos.fail(`node ${index} has an unknown type ${v}`, i);
      nodeType[index] = v;
      if (d !== 28 || (d = b[++i] ^ 0x30) >= 10) {
        field = 1;
        break fast;
      }
      v = d;
      while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
      if (v > maxName) {
        if (v > MAX_U32) this.pos.fail(`node ${index} names string ${v}`, i);
        maxName = v;
      }
      nodeName[index] = v;
      if (d !== 28 || (d = b[++i] ^ 0x30) >= 10) {
        field = 2;
        break fast;
      }
      v = d;
      while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
      if (v > MAX_U32) this.pos.fail(`node ${index} has an id beyond 32 bits`, i);
      nodeId[index] = v;
      if (d !== 28 || (d = b[++i] ^ 0x30) >= 10) {
        field = 3;
        break fast;
      }
      v = d;
      while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
      if (v > MAX_U32) {
        this.storeSelfSize(index, v, i);
        selfSize = this.selfSize;
      } else selfSize[index] = v;
      if (d !== 28 || (d = b[++i] ^ 0x30) >= 10) {
        field = 4;
        break fast;
      }
      v = d;
      while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
      edgeTotal += v;
      if (edgeTotal > edgeCount) this.pos.fail(`the nodes own more edges than the header's edge_count (${edgeCount.toLocaleString('en-US')})`, i);
      firstEdge[index + 1] = edgeTotal;
      for (let k = 5; k < fields; k++) {
        if (d !== 28 || (d = b[++i] ^ 0x30) >= 10) {
          field = k;
          break fast;
        }
        v = d;
        while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
        if (roles[k] === 5) {
          if (v !== 0) {
            if (v > MAX_U32) this.pos.fail(`node ${index} has a trace node id beyond 32 bits`, i);
            (this.traceNodeId ??= new Uint32Array(total))[index] = v;
          }
        } else {
          if (v > 3) this.pos.fail(`node ${index} has detachedness ${v}`, i);
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
    if (index >= this.edgeCount) this.pos.fail(`there are more edges than the header's edge_count (${this.edgeCount.toLocaleString('en-US')})`, at);
    const role = this.edgeRole[this.field];
    if (role === 0) {
      if (v >= this.edgeTypeCount) this.pos.fail(`edge ${index} has an unknown type ${v}`, at);
      this.edgeType[index] = this.edgeCurType = v;
    } else if (role === 1) {
      if (v > MAX_U32) this.pos.fail(`edge ${index} has a name beyond 32 bits`, at);
      this.edgeName[index] = this.edgeCurName = v;
    } else if (role === 2) {
      const to = v / this.nodeFields;
      if (to >= this.nodeCount || to !== Math.floor(to)) this.pos.fail(`edge ${index} points to ${v}, which is not a node`, at);
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
    const total = this.edgeCount;
    const typeCount = this.edgeTypeCount;
    const nodeFields = this.nodeFields;
    // to_node is a multiple of the node field count: divided by a multiplication, checked by one.
    const inverse = 1 / nodeFields;
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
    // Whole records in V8's layout (see fastNodes for the digit test).
    fast: while (i < safe) {
      let c = b[i];
      while (c === 0x2c || c === 0x0a) c = b[++i];
      let d = c ^ 0x30;
      if (d >= 10) break;
      if (index >= total) this.pos.fail(`there are more edges than the header's edge_count (${total.toLocaleString('en-US')})`, i);
      let v = d;
      while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
      if (v >= typeCount) this.pos.fail(`edge ${index} has an unknown type ${v}`, i);
      edgeType[index] = curType = v;
      if (d !== 28 || (d = b[++i] ^ 0x30) >= 10) {
        field = 1;
        break fast;
      }
      v = d;
      while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
      if (v > MAX_U32) this.pos.fail(`edge ${index} has a name beyond 32 bits`, i);
      edgeName[index] = curName = v;
      if (d !== 28 || (d = b[++i] ^ 0x30) >= 10) {
        field = 2;
        break fast;
      }
      v = d;
      while ((d = b[++i] ^ 0x30) < 10) v = v * 10 + d;
      const to = (v * inverse + 0.5) >>> 0;
      if (to >= nodeCount || to * nodeFields !== v) this.pos.fail(`edge ${index} points to ${v}, which is not a node`, i);
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
}
