// The small sections beside nodes, edges and strings: trace_function_infos, samples and locations
// (flat number arrays), and trace_tree (nested arrays, flattened in preorder), with the checks
// that turn them into the graph's allocation traces, locations and timeline samples.

import { HeaplensError } from '../../api/errors.ts';
import type { AllocationTraces, HeapSamples, Locations } from '../../model/heap-graph.ts';
import { isDigit, isSpace, openArray, type ScanPosition, type SnapshotMeta } from './layout.ts';

/** A growable number column. */
export class Numbers {
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

/** A flat array of (possibly negative) integers. */
export class NumberSection {
  done = false;
  private opened = false;
  private num = 0;
  private inNum = false;
  private neg = false;
  private readonly out = new Numbers();

  constructor(
    readonly key: string,
    private readonly pos: ScanPosition,
  ) {}

  get values(): Float64Array {
    return this.out.view();
  }

  scan(b: Uint8Array, i: number): number {
    if (!this.opened) {
      i = openArray(b, i, this.key, this.pos);
      if (i < 0) return b.length;
      this.opened = true;
    }
    const n = b.length;
    const out = this.out;
    let data = out.data;
    let length = out.length;
    let num = this.num;
    let inNum = this.inNum;
    let neg = this.neg;
    // Numbers that start before `safe` end inside the chunk: their digit loop needs no bounds
    // check. A read past the chunk's end (undefined ^ 0x30 is a non-digit too) made the
    // optimized code bail out ("out of bounds") at every chunk's last number; the section ran at
    // 5–10 ns a byte against the edges' 2 (measured on the 200 MB bench snapshot's locations).
    let safe = n - 1;
    while (safe >= 0 && (b[safe] ^ 0x30) < 10) safe--;
    while (i < n) {
      // Digits as in records.ts (byte ^ 0x30 below 10); the run of a number's digits in its own loop.
      let d = b[i] ^ 0x30;
      if (d < 10) {
        let v = num;
        if (i < safe) {
          do {
            v = v * 10 + d;
            d = b[++i] ^ 0x30;
          } while (d < 10);
        } else {
          do {
            v = v * 10 + d;
            d = ++i < n ? b[i] ^ 0x30 : 10;
          } while (d < 10);
        }
        num = v;
        inNum = true;
        if (i === n) break;
      }
      const c = b[i++];
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
      } else if (neg) this.pos.fail(`a lone "-" in ${this.key}`, i - 1);
      if (c === 0x5d) {
        this.done = true;
        break;
      }
      if (c !== 0x2c && !isSpace(c)) this.pos.fail(`unexpected "${String.fromCharCode(c)}" in ${this.key}`, i - 1);
    }
    out.data = data;
    out.length = length;
    this.num = num;
    this.inNum = inNum;
    this.neg = neg;
    return i;
  }
}

/** trace_tree: `[id, function_info_index, count, size, [children…], …]`, nested, flattened here. */
export class TraceTreeReader {
  done = false;
  readonly tree = { id: new Numbers(), fn: new Numbers(), parent: new Numbers(), count: new Numbers(), size: new Numbers() };
  private opened = false;
  private num = 0;
  private inNum = false;
  private readonly pending: number[] = [];
  private readonly stack: number[] = [];

  constructor(
    private readonly fields: string[],
    private readonly pos: ScanPosition,
  ) {}

  scan(b: Uint8Array, i: number): number {
    const n = b.length;
    const fields = this.fields;
    const k = fields.length - 1; // numbers before the children array
    if (fields[k] !== 'children') this.pos.fail('snapshot.meta.trace_node_fields does not end with "children"', i);
    while (i < n) {
      const c = b[i++];
      if (isDigit(c)) {
        this.num = this.num * 10 + (c - 0x30);
        this.inNum = true;
        continue;
      }
      if (this.inNum) {
        if (this.pending.length === k) this.pos.fail('a trace_tree node has too many fields', i - 1);
        this.pending.push(this.num);
        this.num = 0;
        this.inNum = false;
      }
      if (c === 0x5b) {
        if (!this.opened) {
          this.opened = true;
          continue;
        }
        // A children list opens after a node's own fields.
        if (this.pending.length !== k) this.pos.fail(`a trace_tree node without its ${k} fields`, i - 1);
        const p = this.pending;
        const t = this.tree;
        const node = t.id.length;
        t.id.push(p[fields.indexOf('id')] ?? 0);
        t.fn.push(p[fields.indexOf('function_info_index')] ?? 0);
        t.count.push(p[fields.indexOf('count')] ?? 0);
        t.size.push(p[fields.indexOf('size')] ?? 0);
        t.parent.push(this.stack.length > 0 ? this.stack[this.stack.length - 1] : -1);
        p.length = 0;
        this.stack.push(node);
      } else if (c === 0x5d) {
        if (this.pending.length !== 0) this.pos.fail('a trace_tree node without its children list', i - 1);
        if (this.stack.length === 0) {
          this.done = true;
          break;
        }
        this.stack.pop();
      } else if (!this.opened && !isSpace(c)) {
        this.pos.fail('the trace_tree section is not an array', i - 1);
      } else if (c !== 0x2c && !isSpace(c)) this.pos.fail(`unexpected "${String.fromCharCode(c)}" in the trace_tree section`, i - 1);
    }
    return i;
  }
}

function corrupt(what: string): never {
  throw new HeaplensError('corrupt', `This heap snapshot is corrupt: ${what}.`);
}

export function buildTraces(meta: SnapshotMeta, infos: Float64Array | undefined, tree: TraceTreeReader['tree'] | null, stringCount: number): AllocationTraces | null {
  const fields = meta.trace_function_info_fields;
  if (!infos || !fields || infos.length === 0 || !tree || tree.id.length === 0) return null;
  const k = fields.length;
  if (infos.length % k !== 0) corrupt(`trace_function_infos holds ${infos.length} numbers, not a multiple of its ${k} fields`);
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
    if (functionName[i] >= stringCount || scriptName[i] >= stringCount) corrupt(`trace function ${i} names a string that does not exist`);
  }
  const treeFunction = Uint32Array.from(tree.fn.view());
  for (let i = 0; i < treeFunction.length; i++) {
    if (treeFunction[i] >= count) corrupt(`trace_tree node ${i} calls function ${treeFunction[i]} of ${count}`);
  }
  return {
    functionName,
    scriptName,
    scriptId: column('script_id'),
    line: column('line'),
    column: column('column'),
    treeId: Uint32Array.from(tree.id.view()),
    treeFunction,
    treeParent: Int32Array.from(tree.parent.view()),
    treeCount: Float64Array.from(tree.count.view()),
    treeSize: Float64Array.from(tree.size.view()),
  };
}

export function buildLocations(meta: SnapshotMeta, values: Float64Array | undefined, nodeFields: number, nodeCount: number): Locations | null {
  const fields = meta.location_fields;
  if (!values || !fields || values.length === 0) return null;
  const k = fields.length;
  if (values.length % k !== 0) corrupt(`locations holds ${values.length} numbers, not a multiple of its ${k} fields`);
  const length = values.length / k;
  const f = (name: string) => fields.indexOf(name);
  const [object, script, line, column] = [f('object_index'), f('script_id'), f('line'), f('column')];
  if (object < 0) corrupt('snapshot.meta.location_fields has no "object_index"');
  const node = new Uint32Array(length);
  const pick = (col: number) => {
    const out = new Int32Array(length).fill(-1);
    if (col >= 0) for (let i = 0; i < length; i++) out[i] = values[i * k + col];
    return out;
  };
  for (let i = 0; i < length; i++) {
    const at = values[i * k + object] / nodeFields;
    if (!(at >= 0 && at < nodeCount && at === Math.floor(at))) corrupt(`location ${i} points to ${values[i * k + object]}, which is not a node`);
    node[i] = at;
  }
  return { node, scriptId: pick(script), line: pick(line), column: pick(column), length };
}

export function buildSamples(meta: SnapshotMeta, values: Float64Array | undefined): HeapSamples | null {
  const fields = meta.sample_fields;
  if (!values || !fields || values.length === 0) return null;
  const k = fields.length;
  if (values.length % k !== 0) corrupt(`samples holds ${values.length} numbers, not a multiple of its ${k} fields`);
  const length = values.length / k;
  const pick = (name: string) => {
    const col = fields.indexOf(name);
    const out = new Float64Array(length);
    if (col >= 0) for (let i = 0; i < length; i++) out[i] = values[i * k + col];
    return out;
  };
  return { timestampUs: pick('timestamp_us'), lastAssignedId: pick('last_assigned_id'), length };
}
