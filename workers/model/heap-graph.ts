// The heap snapshot graph (.heapsnapshot), struct-of-arrays: one typed array per node field and
// per edge field, edges of node i at firstEdge[i] .. firstEdge[i + 1]. Node and edge type codes
// index `nodeTypes` / `edgeTypes`, which come from the snapshot's own meta (V8 versions differ).
//
// Column widths are chosen for memory (the graph of a 200 MB file should stay well under 200 MB):
// V8's object ids are uint32 (SnapshotObjectId), self sizes fit 32 bits except for rare native
// blobs, so `selfSize` starts as a Uint32Array and the parser widens it only when one does not.

export interface HeapGraph {
  nodeCount: number;
  edgeCount: number;
  nodeTypes: string[];
  edgeTypes: string[];
  strings: string[];

  nodeType: Uint8Array;
  nodeName: Uint32Array; // string index
  nodeId: Uint32Array; // V8's object id (stable between snapshots of one process)
  selfSize: Uint32Array | Float64Array;
  /** Allocation trace node per object; null when the snapshot has no nonzero trace ids. */
  traceNodeId: Uint32Array | null;
  /** 0 unknown, 1 attached, 2 detached (DOM nodes), as the embedder wrote it; null when absent. */
  detachedness: Uint8Array | null;
  firstEdge: Uint32Array; // length nodeCount + 1

  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array; // string index, or an element/hidden index
  edgeTo: Uint32Array; // node index (the file's to_node offset divided by the node field count)

  /** Allocation traces (`--track-heap-objects`, DevTools "Allocation instrumentation"). */
  traces: AllocationTraces | null;
  /** Source positions of closures and objects (the `locations` section), when present. */
  locations: Locations | null;
  /** Heap growth samples of allocation timelines (the `samples` section), when present. */
  samples: HeapSamples | null;
  /** extraNativeBytes: the header's `extra_native_bytes` (native memory the embedder reports outside the graph; DevTools adds it to the total). */
  meta: { rawMeta: Record<string, unknown>; producer: string; producerDetails?: string; extraNativeBytes?: number };
}

export interface AllocationTraces {
  // trace_function_infos
  functionName: Uint32Array; // string index
  scriptName: Uint32Array; // string index
  scriptId: Int32Array;
  line: Int32Array; // 1-based as written by V8 (0 = unknown)
  column: Int32Array;
  // trace_tree, flattened in preorder: node i is a call of function treeFunction[i] from treeParent[i]
  treeId: Uint32Array;
  treeFunction: Uint32Array;
  treeParent: Int32Array; // -1 for the tree's root
  /** Objects allocated at this trace node since tracking started (live or not), and their bytes. */
  treeCount: Float64Array;
  treeSize: Float64Array;
}

export interface Locations {
  node: Uint32Array; // node index
  scriptId: Int32Array;
  line: Int32Array; // 0-based, as V8 writes them
  column: Int32Array;
  length: number;
}

export interface HeapSamples {
  timestampUs: Float64Array;
  lastAssignedId: Float64Array;
  length: number;
}

/** Edge and node type codes by name, looked up once per graph (-1 when a V8 has no such type). */
export function typeCodes(graph: HeapGraph) {
  const n = (name: string) => graph.nodeTypes.indexOf(name);
  const e = (name: string) => graph.edgeTypes.indexOf(name);
  return {
    hidden: n('hidden'),
    array: n('array'),
    string: n('string'),
    object: n('object'),
    code: n('code'),
    closure: n('closure'),
    regexp: n('regexp'),
    number: n('number'),
    native: n('native'),
    synthetic: n('synthetic'),
    consString: n('concatenated string'),
    slicedString: n('sliced string'),
    symbol: n('symbol'),
    bigint: n('bigint'),
    objectShape: n('object shape'),
    edgeContext: e('context'),
    edgeElement: e('element'),
    edgeProperty: e('property'),
    edgeInternal: e('internal'),
    edgeHidden: e('hidden'),
    edgeShortcut: e('shortcut'),
    edgeWeak: e('weak'),
  };
}

export type TypeCodes = ReturnType<typeof typeCodes>;

/** Whether an edge's name_or_index is a number (elements, hidden) rather than a string index. */
export function edgeHasIndex(graph: HeapGraph, edge: number, codes: TypeCodes): boolean {
  const t = graph.edgeType[edge];
  return t === codes.edgeElement || t === codes.edgeHidden;
}

/** An edge's name as DevTools prints it: a property name, or `[index]` for elements. */
export function edgeName(graph: HeapGraph, edge: number, codes: TypeCodes): string {
  const v = graph.edgeNameOrIndex[edge];
  if (edgeHasIndex(graph, edge, codes)) return `[${v}]`;
  return graph.strings[v] ?? `<${v}>`;
}

/**
 * An edge in heaplens' one notation (retainer trees, containment, flame labels): `[3]` for
 * elements and hidden edges, `.name` for properties and shortcuts (`["a b"]` when the name has a
 * space, as DevTools writes it), a bare `name` for context variables, `{name}` for V8's internal
 * edges and `[[name]]` for weak ones. DevTools itself prints hidden edges as bare numbers and
 * context variables as `->name`; one notation reads better in a path.
 */
export function edgeText(graph: HeapGraph, edge: number, codes: TypeCodes): string {
  const t = graph.edgeType[edge];
  const v = graph.edgeNameOrIndex[edge];
  if (t === codes.edgeElement || t === codes.edgeHidden) return `[${v}]`;
  const name = graph.strings[v] ?? `<${v}>`;
  if (t === codes.edgeContext) return name;
  if (t === codes.edgeProperty || t === codes.edgeShortcut) {
    if (t === codes.edgeShortcut && /^\d+$/.test(name)) return `[${name}]`;
    return name.includes(' ') ? `[${JSON.stringify(name)}]` : `.${name}`;
  }
  if (t === codes.edgeWeak) return `[[${name}]]`;
  return `{${name}}`;
}

/** The node an edge starts from (edges are stored by source; binary search over firstEdge). */
export function edgeSource(graph: HeapGraph, edge: number): number {
  const first = graph.firstEdge;
  let lo = 0;
  let hi = graph.nodeCount - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (first[mid] <= edge) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A node's name as DevTools shows it in its object rows: the raw name, except that a
 * concatenated string shows its text (the leaves of its first/second tree, up to `max` chars)
 * and a plain `Object` shows its property names, `{a, b, …, z}`.
 */
export function nodeDisplayName(graph: HeapGraph, node: number, codes: TypeCodes = typeCodes(graph), max = 1024): string {
  const type = graph.nodeType[node];
  const raw = graph.strings[graph.nodeName[node]];
  if (type === codes.consString) return consStringText(graph, node, codes, max);
  if (type === codes.object && raw === 'Object') return plainObjectName(graph, node, codes);
  return raw;
}

function consStringText(graph: HeapGraph, node: number, codes: TypeCodes, max: number): string {
  const stack = [node];
  let text = '';
  while (stack.length > 0 && text.length < max) {
    const n = stack.pop()!;
    if (graph.nodeType[n] !== codes.consString) {
      text += graph.strings[graph.nodeName[n]];
      continue;
    }
    let first = -1;
    let second = -1;
    for (let e = graph.firstEdge[n]; e < graph.firstEdge[n + 1]; e++) {
      if (graph.edgeType[e] !== codes.edgeInternal) continue;
      const name = graph.strings[graph.edgeNameOrIndex[e]];
      if (name === 'first') first = graph.edgeTo[e];
      else if (name === 'second') second = graph.edgeTo[e];
    }
    if (second >= 0) stack.push(second);
    if (first >= 0) stack.push(first);
  }
  // Like DevTools: the leaf that crosses `max` is kept whole (duplicate strings are grouped by this text).
  return text;
}

/**
 * DevTools' property-name quoting in shape names: a name holding a comma, a quote or a brace is
 * written as its JSON string, so `{"a,b"}` cannot be read as two properties.
 */
export function formatPropertyName(name: string): string {
  return /[,'"{}]/.test(name) ? JSON.stringify(name) : name;
}

/**
 * The display name of one plain object, as DevTools builds it: property names taken alternately
 * from the first and the last edges, so both ends show, until about 100 characters; `…` marks
 * the ones left out. (Its class name, the shape `{a, b}`, is chosen separately: analysis/shapes.ts.)
 */
function plainObjectName(graph: HeapGraph, node: number, codes: TypeCodes): string {
  let head = '{';
  let tail = '}';
  let from = graph.firstEdge[node];
  let to = graph.firstEdge[node + 1] - 1;
  let fromEnd = false;
  while (from <= to) {
    const e = fromEnd ? to : from;
    const name = graph.edgeType[e] === codes.edgeProperty ? graph.strings[graph.edgeNameOrIndex[e]] : '__proto__';
    if (name === '__proto__') {
      if (fromEnd) to--;
      else from++;
      continue;
    }
    const shown = formatPropertyName(name);
    if (head.length > 1 && head.length + tail.length + shown.length > 100) break;
    if (fromEnd) {
      to--;
      tail = `${shown}${tail.length > 1 ? ', ' : ''}${tail}`;
    } else {
      from++;
      head += `${head.length > 1 ? ', ' : ''}${shown}`;
    }
    fromEnd = !fromEnd;
  }
  if (from <= to) head += ', …';
  return tail.length > 1 ? `${head}, ${tail}` : `${head}${tail}`;
}
