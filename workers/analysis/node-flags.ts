// One flag byte per node, shared by the load's passes so each per-node test is one read of one
// small array: page objects (dominators.ts), nodes that can be owned (shallow.ts), and the nodes
// whose edges DevTools' distance filter looks at by name (distances.ts).

import { typeCodes, type HeapGraph } from '../model/heap-graph.ts';

/** Reached from the page's entry points (set by the distance search or by pageObjects). */
export const PAGE = 1;
/** Hidden, array, or an external string's data: can be owned by one object (shallow sizes). */
export const OWNABLE = 2;
/** A native context, with the snapshot naming `sloppy_function_map` (an edge DevTools' distances skip). */
export const NATIVE_CONTEXT = 4;
/** A "(map descriptors)" array (its descriptor-value elements are skipped by distances). */
export const DESCRIPTORS = 8;

/** OWNABLE, NATIVE_CONTEXT and DESCRIPTORS for every node, in one sequential pass. */
export function nodeFlags(g: HeapGraph): Uint8Array {
  const c = typeCodes(g);
  const out = new Uint8Array(g.nodeCount);
  const externalString = g.strings.indexOf('system / ExternalStringData');
  const nativeContext = g.strings.indexOf('system / NativeContext');
  const descriptors = g.strings.indexOf('(map descriptors)');
  const sloppy = g.strings.indexOf('sloppy_function_map');
  const { nodeType, nodeName } = g;
  const hidden = c.hidden;
  const array = c.array;
  const native = c.native;
  for (let i = 0; i < g.nodeCount; i++) {
    const t = nodeType[i];
    if (t === hidden) out[i] = nodeName[i] === nativeContext && sloppy >= 0 ? OWNABLE | NATIVE_CONTEXT : OWNABLE;
    else if (t === array) out[i] = nodeName[i] === descriptors ? OWNABLE | DESCRIPTORS : OWNABLE;
    else if (t === native && externalString >= 0 && nodeName[i] === externalString) out[i] = OWNABLE;
  }
  return out;
}
