// The heap snapshot graph (.heapsnapshot), struct-of-arrays: one typed array per node field and
// per edge field, edges of node i at firstEdge[i] .. firstEdge[i + 1]. Node and edge type codes
// index `nodeTypes` / `edgeTypes`, which come from the snapshot's own meta (V8 versions differ).

export interface HeapGraph {
  nodeCount: number;
  edgeCount: number;
  nodeTypes: string[];
  edgeTypes: string[];
  strings: string[];

  nodeType: Uint8Array;
  nodeName: Uint32Array; // string index
  nodeId: Float64Array; // V8's object id (stable between snapshots of one process)
  selfSize: Float64Array;
  traceNodeId: Uint32Array | null; // allocation trace node, when recorded with traces
  detachedness: Uint8Array | null; // 0 unknown, 1 attached, 2 detached (DOM nodes)
  firstEdge: Uint32Array; // length nodeCount + 1

  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array; // string index, or an element/hidden index
  edgeTo: Uint32Array; // node index

  /** Allocation traces (`--track-heap-objects`, DevTools "Allocation instrumentation"). */
  traces: AllocationTraces | null;
  /** Source positions of closures and objects, when the snapshot has them. */
  meta: { rawMeta: Record<string, unknown>; producer: string };
}

export interface AllocationTraces {
  // trace_function_infos
  functionName: Uint32Array; // string index
  scriptName: Uint32Array; // string index
  line: Int32Array; // 1-based as written by V8 (0 = unknown)
  column: Int32Array;
  // trace_tree, flattened: node i is a call of function functionInfo[i] from parent[i]
  treeId: Uint32Array;
  treeFunction: Uint32Array;
  treeParent: Int32Array;
}

/** Edge and node type codes by name, looked up once per graph. */
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

/** An edge's name as DevTools prints it: a property name, or `[index]` for elements. */
export function edgeName(graph: HeapGraph, edge: number, codes: TypeCodes): string {
  const t = graph.edgeType[edge];
  const v = graph.edgeNameOrIndex[edge];
  if (t === codes.edgeElement || t === codes.edgeHidden) return `[${v}]`;
  return graph.strings[v] ?? `<${v}>`;
}
