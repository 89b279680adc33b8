// Classes as DevTools' Summary has them (HeapSnapshot.calculateObjectNames, classKeyInternal):
// every node gets a class name by its type — `(system)` for V8's hidden objects, `(compiled
// code)`, `Function` for closures, `RegExp`, the constructor name for objects, the tag for DOM
// nodes (`<div id="a">` → `<div>`, `Detached <div>` once cut from the document), a shape `{a, b}`
// for plain objects (shapes.ts), `(string)`, `(array)`, … for the rest — and a class key: objects
// whose constructor has a source position (the snapshot's `locations`) are split by it, so two
// `Record` classes from two scripts are two rows. The key is DevTools' own
// (`scriptId,line,column,Name` or `,Name`), which the Comparison matches across snapshots.
// The Summary rows are in class-summary.ts.

import { typeCodes, type HeapGraph } from '../model/heap-graph.ts';
import { NO_SCRATCH, type Scratch } from '../model/scratch.ts';
import { ROOT, type HeapAnalysis } from './dominators.ts';
import { applyInterfaceDefinitions, inferInterfaceDefinitions, plainObjectsOf, type InterfaceDefinition, type PlainObjects } from './shapes.ts';

/** A source position, as V8 writes it (0-based line and column). */
export interface SourceLocation {
  scriptId: number;
  line: number;
  column: number;
}

export interface HeapClass {
  /** DevTools' public class key. */
  key: string;
  name: string;
  /** The constructor's position for location-split classes, else null. */
  location: SourceLocation | null;
}

export interface ClassIndex {
  classes: HeapClass[];
  /** Node → class id (index into `classes`). */
  classOf: Uint32Array;
  /** Class names by id (classes[i].name), for callers that only need the name. */
  names: string[];
  /** DOM link state after DevTools' propagation: 0 unknown, 1 attached, 2 detached; null without the field. */
  domState: Uint8Array | null;
  /** The plain objects and the shape definitions applied to them (this snapshot's own, unless given). */
  plain: PlainObjects;
  definitions: InterfaceDefinition[];
}

/**
 * DevTools' propagation of the embedder's DOM states: what an attached DOM node reaches is
 * attached, what a detached one reaches and nothing attached does is detached. Only native
 * (embedder) nodes take a state; JavaScript objects in between are not entered.
 */
export function propagateDomState(g: HeapGraph): Uint8Array | null {
  if (!g.detachedness) return null;
  const c = typeCodes(g);
  const n = g.nodeCount;
  const state = new Uint8Array(n);
  const visited = new Uint8Array(n);
  const attached: number[] = [];
  const detached: number[] = [];
  const visit = (node: number, s: number) => {
    if (visited[node]) return;
    visited[node] = 1;
    if (g.nodeType[node] !== c.native) return;
    state[node] = s;
    (s === 1 ? attached : detached).push(node);
  };
  for (let i = 0; i < n; i++) if (g.detachedness[i] === 1 || g.detachedness[i] === 2) visit(i, g.detachedness[i]);
  const spread = (from: number, s: number) => {
    for (let e = g.firstEdge[from]; e < g.firstEdge[from + 1]; e++) {
      const t = g.edgeType[e];
      if (t === c.edgeHidden || t === c.edgeWeak) continue;
      visit(g.edgeTo[e], s);
    }
  };
  while (attached.length > 0) spread(attached.pop()!, 1);
  while (detached.length > 0) {
    const node = detached.pop()!;
    if (state[node] !== 1) spread(node, 2);
  }
  return state;
}

/** The node's raw name as DevTools holds it after the DOM pass: detached DOM nodes are renamed "Detached …". */
export function rawNameOf(g: HeapGraph, domState: Uint8Array | null, node: number): string {
  const name = g.strings[g.nodeName[node]];
  return domState !== null && domState[node] === 2 ? `Detached ${name}` : name;
}

/** DevTools cuts DOM names to the tag: `<div id="a">` → `<div>`, `Detached <div id="a">` → `Detached <div>`. */
function tagOnly(name: string): string {
  if (name.startsWith('<')) {
    const space = name.indexOf(' ');
    return space === -1 ? name : `${name.slice(0, space)}>`;
  }
  if (name.startsWith('Detached <')) {
    const space = name.indexOf(' ', 10);
    return space === -1 ? name : `${name.slice(0, space)}>`;
  }
  return name;
}

/**
 * The class of every node. `definitions` are the shape definitions to apply (the snapshot's own
 * by default; the Comparison passes the later snapshot's to the earlier one).
 */
export function classIndex(
  g: HeapGraph,
  options: { domState?: Uint8Array | null; plain?: PlainObjects; definitions?: InterfaceDefinition[]; scratch?: Scratch } = {},
): ClassIndex {
  const c = typeCodes(g);
  const domState = options.domState === undefined ? propagateDomState(g) : options.domState;

  const classes: HeapClass[] = [];
  const ids = new Map<string, number>();
  const classFor = (key: string, name: string, location: SourceLocation | null) => {
    let k = ids.get(key);
    if (k === undefined) {
      k = classes.length;
      classes.push({ key, name, location });
      ids.set(key, k);
    }
    return k;
  };
  const byType = new Int32Array(g.nodeTypes.length).fill(-1);
  // Hidden, code, closure, regexp and the other non-object types are named by type alone.
  const typeClass = (code: number) => {
    if (byType[code] < 0) {
      const name = code === c.hidden ? '(system)' : code === c.code ? '(compiled code)' : code === c.closure ? 'Function' : code === c.regexp ? 'RegExp' : `(${g.nodeTypes[code]})`;
      byType[code] = classFor(`,${name}`, name, null);
    }
    return byType[code];
  };
  // Three passes, each a tight loop: by type and name; plain objects by shape; objects with a
  // constructor location by location.
  // A free work array of the load's earlier passes when there is one (kept as the index).
  const classOf = (options.scratch ?? NO_SCRATCH).takeZeroed(g.nodeCount);
  const nameCache = new Int32Array(2 * g.strings.length).fill(-1);
  for (let t = 0; t < g.nodeTypes.length; t++) if (t !== c.object && t !== c.native) typeClass(t);
  // The same pass finds the plain objects (type object, named "Object") for their shapes.
  const walk: ByName = { byType, nameCache, classOf, objectName: options.plain ? -1 : g.strings.indexOf('Object'), plain: options.plain ? new Uint32Array(0) : (options.scratch ?? NO_SCRATCH).take(g.nodeCount), plainCount: 0 };
  for (let at = byName(g.nodeType, g.nodeName, domState, c.object, c.native, walk, 0); at >= 0; ) {
    // A name seen for the first time gets its class here, and the loop goes on from it.
    const detached = domState !== null && domState[at] === 2;
    const raw = g.strings[g.nodeName[at]];
    const name = tagOnly(detached ? `Detached ${raw}` : raw);
    nameCache[2 * g.nodeName[at] + (detached ? 1 : 0)] = classFor(`,${name}`, name, null);
    at = byName(g.nodeType, g.nodeName, domState, c.object, c.native, walk, at);
  }
  const plain = options.plain ?? plainObjectsOf(g, walk.plain.subarray(0, walk.plainCount)); // a copy
  if (!options.plain) options.scratch?.give(walk.plain);
  const definitions = options.definitions ?? inferInterfaceDefinitions(g, plain);
  const match = applyInterfaceDefinitions(g, plain, definitions);
  const { nodeType } = g;
  const object = c.object;
  const shapeClass = new Int32Array(definitions.length).fill(-1); // created on first use
  for (let p = 0; p < plain.nodes.length; p++) {
    const m = match[p];
    if (m < 0) continue;
    if (shapeClass[m] < 0) shapeClass[m] = classFor(`,${definitions[m].name}`, definitions[m].name, null);
    classOf[plain.nodes[p]] = shapeClass[m];
  }
  // Rows in file order: a node listed twice keeps its last location, as in DevTools' map.
  const loc = g.locations;
  if (loc) {
    let lastScript = NaN;
    let lastLine = NaN;
    let lastColumn = NaN;
    let lastBase = -1;
    let lastId = -1;
    for (let r = 0; r < loc.length; r++) {
      const node = loc.node[r];
      if (nodeType[node] !== object) continue; // closures have locations too; DevTools splits objects only
      const scriptId = loc.scriptId[r];
      const line = loc.line[r];
      const column = loc.column[r];
      const base = classOf[node];
      if (scriptId === lastScript && line === lastLine && column === lastColumn && base === lastBase) {
        classOf[node] = lastId;
        continue;
      }
      const name = classes[base].name;
      const id = classFor(`${scriptId},${line},${column},${name}`, name, { scriptId, line, column });
      classOf[node] = id;
      // A node listed twice would see its own located class as base: same name, same key.
      lastScript = scriptId;
      lastLine = line;
      lastColumn = column;
      lastBase = base;
      lastId = id;
    }
  }
  return { classes, classOf, names: classes.map((k) => k.name), domState, plain, definitions };
}

interface ByName {
  byType: Int32Array;
  nameCache: Int32Array;
  classOf: Uint32Array;
  /** The string "Object" (-1: do not collect plain objects), and where they are collected. */
  objectName: number;
  plain: Uint32Array;
  plainCount: number;
}

/**
 * Classes by type and name, from node `from` on, until a name without a class yet: returns that
 * node (the caller names it and calls again from there), or -1 at the end. A plain function over
 * typed arrays: it runs over every node at load.
 */
function byName(nodeType: Uint8Array, nodeName: Uint32Array, domState: Uint8Array | null, object: number, native: number, w: ByName, from: number): number {
  const { byType, nameCache, classOf, objectName, plain } = w;
  const n = classOf.length;
  let plainCount = w.plainCount;
  for (let i = from; i < n; i++) {
    const t = nodeType[i];
    if (t !== object && t !== native) {
      classOf[i] = byType[t];
      continue;
    }
    const name = nodeName[i];
    const k = nameCache[2 * name + (domState !== null && domState[i] === 2 ? 1 : 0)];
    if (k < 0) {
      w.plainCount = plainCount;
      return i;
    }
    classOf[i] = k;
    if (name === objectName && t === object) plain[plainCount++] = i;
  }
  w.plainCount = plainCount;
  return -1;
}

/** Children of each node in the dominator tree, as CSR: children of i are list[first[i] .. first[i+1]]. */
export interface DominatorTree {
  first: Uint32Array;
  list: Uint32Array;
}

export function dominatorTree(g: HeapGraph, a: HeapAnalysis, scratch: Scratch = NO_SCRATCH): DominatorTree {
  const n = g.nodeCount;
  const first = scratch.takeZeroed(n + 1);
  const dom = a.dominator;
  for (let i = 0; i < n; i++) if (i !== ROOT) first[dom[i] + 1]++;
  for (let i = 0; i < n; i++) first[i + 1] += first[i];
  const fill = scratch.take(n);
  fill.set(first.subarray(0, n));
  const list = scratch.take(Math.max(0, n - 1)); // every entry is written
  for (let i = 0; i < n; i++) if (i !== ROOT) list[fill[dom[i]]++] = i;
  scratch.give(fill);
  return { first, list };
}
