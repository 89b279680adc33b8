// Which edges retain, for the dominators (DevTools' computeIsEssentialEdge, or memlab's rules):
// one bit per edge and each node's count of retaining edges, in one sequential sweep — which was
// measured faster than classifying each node as the DFS, or the distance search, takes it (the
// random order costs more than a second read of the edges in order). The same reads give shallow
// sizes' direct owners (shallow.ts).

import { typeCodes, type HeapGraph } from '../model/heap-graph.ts';
import { OWNABLE, PAGE } from './node-flags.ts';
import { NO_SCRATCH, type Scratch } from '../model/scratch.ts';
import { ROOT } from './roots.ts';
import type { Owners } from './shallow.ts';
import { WeakMapEdgeNames } from './weakmap-edges.ts';

export interface RetentionRules {
  /** Which objects count as owned by the page (see above). */
  pageObjects: 'devtools' | 'memlab';
  /** Whether the WeakMap table's edge to a value retains it (memlab) or only the key's (DevTools). */
  weakMapValues: 'held-by-key' | 'held-by-key-and-table';
  /** Which unreached nodes start a subtree of their own under the root. */
  orphans: 'no-retaining-edge' | 'only-weak-or-shortcut-retainers';
}

export const DEVTOOLS_RULES: RetentionRules = { pageObjects: 'devtools', weakMapValues: 'held-by-key', orphans: 'no-retaining-edge' };
export const MEMLAB_RULES: RetentionRules = { pageObjects: 'memlab', weakMapValues: 'held-by-key-and-table', orphans: 'only-weak-or-shortcut-retainers' };


/** Which edges retain (one bit per edge) and each node's count of retaining edges. */
export interface EdgeClasses {
  retaining: Int32Array;
  /** Counts by node; offsets by DFS number once predecessors() has run. */
  firstPred: Uint32Array;
  /** memlab's orphan rule: nodes some non-weak, non-shortcut edge points to. */
  strong: Uint8Array | null;
}

// A sequential pass: classifying each node's edges as the DFS enters it was measured slower. It
// also finds the direct owners of internal nodes (shallow.ts), from the same reads.
export function classifyEdges(g: HeapGraph, rules: RetentionRules, flags: Uint8Array, owners: Owners | null, scratch: Scratch = NO_SCRATCH): EdgeClasses {
  const n = g.nodeCount;
  const m = g.edgeCount;
  const c = typeCodes(g);
  const { firstEdge, edgeTo, edgeType, edgeNameOrIndex, nodeId } = g;
  const weak = c.edgeWeak;
  const shortcut = c.edgeShortcut;
  const internal = c.edgeInternal;
  const weakMaps = rules.weakMapValues === 'held-by-key' ? new WeakMapEdgeNames(g.strings) : null;
  const weakMapNames = weakMaps ? weakMaps.state : null;
  const strong = rules.orphans === 'only-weak-or-shortcut-retainers' ? new Uint8Array(n) : null;
  const retaining = new Int32Array((m + 31) >>> 5);
  const firstPred = scratch.takeZeroed(n + 2);
  const ownerOf = owners ? owners.owner : null;
  for (let from = 0; from < n; from++) {
    const fromFlags = flags[from];
    const fromPage = fromFlags & PAGE;
    const fromRoot = from === ROOT;
    const findOwners = owners !== null && (fromFlags & OWNABLE) === 0;
    const fromOwner = from + 1; // Owners stores owner + 1
    for (let e = firstEdge[from], end = firstEdge[from + 1]; e < end; e++) {
      const t = edgeType[e];
      const to = edgeTo[e];
      if (strong && t !== weak && t !== shortcut) strong[to] = 1;
      if (t === weak) continue;
      const toFlags = flags[to];
      if (findOwners && (toFlags & OWNABLE) !== 0 && ownerOf![to] !== fromOwner) owners!.direct(from, to);
      if (to === from) continue;
      if (!fromRoot) {
        if (t === shortcut) continue;
        if ((toFlags & PAGE) !== 0 && fromPage === 0) continue;
      }
      if (t === internal && weakMapNames !== null && weakMapNames[edgeNameOrIndex[e]] !== 1) {
        const part = weakMaps!.parse(edgeNameOrIndex[e]);
        if (part && part.table === nodeId[from]) continue;
      }
      retaining[e >>> 5] |= 1 << (e & 31);
      firstPred[to]++;
    }
  }
  return { retaining, firstPred, strong };
}
