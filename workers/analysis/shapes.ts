// Plain objects named by their shape, as DevTools' Summary does (HeapSnapshot
// inferInterfaceDefinitions / applyInterfaceDefinitions): instead of one "Object" row, objects
// written `{a: …, b: …}` get the class `{a, b}`.
//
// 1. Inference: every plain object (type object, name "Object") proposes the name of its
//    properties in edge order, `{p1, p2, …}` (`__proto__` left out; names holding `,'"{}` quoted;
//    the name stops growing at 120 characters once it has one property). Proposals made by at
//    least max(2, plain objects / 1000) objects become definitions, most popular first (ties in
//    the order first seen). `{a, b}` and `{b, a}` are different proposals.
// 2. Application: an object takes the definition with the most properties among those whose
//    properties it all has (any order, extra ones allowed); ties go to the more popular. So the
//    40 objects written `{b, a}` join the 300 `{a, b}` ones, and an object with no match stays
//    "Object".
// The Comparison applies the later snapshot's definitions to the earlier one, so a shape means
// the same in both.
//
// Objects with the same property sequence get the same answers, so the work is done once per
// distinct sequence (a trie over property-name string indices), not per object.

import { formatPropertyName, typeCodes, type HeapGraph } from '../model/heap-graph.ts';

const MAX_NAME_LENGTH = 120;
const MIN_COUNT = 2;
const MIN_PROPORTION = 1000;

export interface InterfaceDefinition {
  name: string;
  /** Raw property names, in the proposing objects' edge order. */
  properties: string[];
  count: number;
}

/** The plain objects of a graph and the property sequence of each. */
export interface PlainObjects {
  /** Node indices of the plain objects, ascending. */
  nodes: Uint32Array;
  /** Per plain object: its sequence (a trie node; 0 = no property edge). */
  seq: Uint32Array;
  /** Per trie node: its parent and the string index of its last property name. */
  parent: number[];
  label: number[];
}

export function plainObjects(g: HeapGraph): PlainObjects {
  const c = typeCodes(g);
  const objectName = g.strings.indexOf('Object');
  const nodes = new Uint32Array(g.nodeCount);
  let k = 0;
  if (objectName >= 0) for (let i = 0; i < g.nodeCount; i++) if (g.nodeType[i] === c.object && g.nodeName[i] === objectName) nodes[k++] = i;
  return plainObjectsOf(g, nodes.subarray(0, k));
}

/** The property sequences of the given plain objects (node indices, ascending). */
export function plainObjectsOf(g: HeapGraph, candidates: Uint32Array): PlainObjects {
  const c = typeCodes(g);
  const parent = [0];
  const label = [-1];
  const { firstEdge, edgeType, edgeNameOrIndex } = g;
  const property = c.edgeProperty;
  const nodes = candidates.slice();
  const seq = new Uint32Array(nodes.length);
  const stride = g.strings.length + 1;
  const child = new Map<number, number>();
  // Objects of one shape come in runs: each trie node remembers the child it gave last.
  const lastName: number[] = [-1];
  const lastChild: number[] = [0];
  for (let k = 0; k < nodes.length; k++) {
    const i = nodes[k];
    let s = 0;
    for (let e = firstEdge[i], end = firstEdge[i + 1]; e < end; e++) {
      if (edgeType[e] !== property) continue;
      const name = edgeNameOrIndex[e];
      if (lastName[s] === name) {
        s = lastChild[s];
        continue;
      }
      const key = s * stride + name;
      let next = child.get(key);
      if (next === undefined) {
        next = parent.length;
        parent.push(s);
        label.push(name);
        lastName.push(-1);
        lastChild.push(0);
        child.set(key, next);
      }
      lastName[s] = name;
      lastChild[s] = next;
      s = next;
    }
    seq[k] = s;
  }
  return { nodes, seq, parent, label };
}

/** A sequence's property names, in edge order. */
function namesOf(g: HeapGraph, p: PlainObjects, seq: number): string[] {
  const out: string[] = [];
  for (let s = seq; s !== 0; s = p.parent[s]) out.push(g.strings[p.label[s]]);
  return out.reverse();
}

/** The definitions DevTools infers for a snapshot, most popular first. */
export function inferInterfaceDefinitions(g: HeapGraph, p: PlainObjects): InterfaceDefinition[] {
  const candidates = new Map<string, InterfaceDefinition>();
  const ofSeq: (InterfaceDefinition | null | undefined)[] = new Array(p.parent.length);
  for (let k = 0; k < p.nodes.length; k++) {
    const s = p.seq[k];
    let candidate = ofSeq[s];
    if (candidate === undefined) {
      let name = '{';
      const properties: string[] = [];
      for (const property of namesOf(g, p, s)) {
        if (property === '__proto__') continue;
        const shown = formatPropertyName(property);
        if (name.length > 1 && name.length + shown.length > MAX_NAME_LENGTH) break;
        name += `${name.length !== 1 ? ', ' : ''}${shown}`;
        properties.push(property);
      }
      candidate = null;
      if (properties.length > 0) {
        name += '}';
        candidate = candidates.get(name) ?? null;
        if (!candidate) candidates.set(name, (candidate = { name, properties, count: 0 }));
      }
      ofSeq[s] = candidate;
    }
    if (candidate) candidate.count++;
  }
  const sorted = [...candidates.values()].sort((a, b) => b.count - a.count); // stable: ties keep first-seen order
  const min = Math.max(MIN_COUNT, p.nodes.length / MIN_PROPORTION);
  const out: InterfaceDefinition[] = [];
  for (const d of sorted) {
    if (d.count < min) break;
    out.push(d);
  }
  return out;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  /** The definition this node completes (the earliest one with this property set), or -1. */
  match: number;
  size: number;
  /** The largest key of `next` (UTF-16 order): past it no transition is possible. */
  greatest: string | null;
}

/**
 * Which definition each plain object takes (parallel to `p.nodes`; -1: none, it stays "Object").
 * The search walks a trie of the definitions' sorted property lists with the object's sorted
 * properties, keeping every state still able to move on — the subset test DevTools does.
 */
export function applyInterfaceDefinitions(g: HeapGraph, p: PlainObjects, definitions: InterfaceDefinition[]): Int32Array {
  const root: TrieNode = { next: new Map(), match: -1, size: 0, greatest: null };
  definitions.forEach((d, index) => {
    let node = root;
    const sorted = [...d.properties].sort();
    for (const property of sorted) {
      let next = node.next.get(property);
      if (!next) {
        next = { next: new Map(), match: -1, size: 0, greatest: null };
        node.next.set(property, next);
        if (node.greatest === null || node.greatest < property) node.greatest = property;
      }
      node = next;
    }
    if (node.match < 0) {
      node.match = index;
      node.size = sorted.length;
    }
  });
  const better = (a: number, aSize: number, b: number, bSize: number) => (b < 0 ? a : a < 0 ? b : aSize > bSize ? a : bSize > aSize ? b : Math.min(a, b));
  // Per sequence: its definition + 2 (0: not looked at yet, 1: none).
  const result = new Int32Array(p.parent.length);
  const out = new Int32Array(p.nodes.length);
  for (let k = 0; k < p.nodes.length; k++) {
    const s = p.seq[k];
    let match = result[s] - 2;
    if (result[s] === 0) {
      // Every property edge counts here, __proto__ included (as DevTools collects them).
      const properties = namesOf(g, p, s).sort();
      let states = [root];
      match = root.match;
      let matchSize = root.size;
      for (const property of properties) {
        const next: TrieNode[] = [];
        for (const state of states) {
          if (!(state.greatest === null || property >= state.greatest)) next.push(state);
          const to = state.next.get(property);
          if (to) {
            next.push(to);
            const m = better(match, matchSize, to.match, to.size);
            if (m !== match) {
              match = m;
              matchSize = to.size;
            }
          }
        }
        states = [...new Set(next)];
      }
      result[s] = match + 2;
    }
    out[k] = match;
  }
  return out;
}
