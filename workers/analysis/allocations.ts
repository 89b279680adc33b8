// The live objects of a snapshot recorded with allocation traces (`node --track-heap-objects`,
// DevTools "Allocation instrumentation on timeline") as an allocation profile: each object's
// stack comes from the trace tree, its value is its self size and a count of one. Every
// allocation view (Top table, flame graph, CLI top) then works on heap snapshots too.

import type { HeapGraph } from '../model/heap-graph.ts';
import { GrowableFloat64, GrowableInt32, NO_SCRIPT, ProfileBuilder, type Profile } from '../model/profile.ts';

export function allocationProfile(g: HeapGraph): Profile | null {
  const t = g.traces;
  if (!t || !g.traceNodeId) return null;
  const b = new ProfileBuilder();
  const indexOfId = new Map<number, number>();
  for (let i = 0; i < t.treeId.length; i++) indexOfId.set(t.treeId[i], i);
  const stackOf = new Int32Array(t.treeId.length).fill(-2); // -2: not built yet
  const frameOf = new Int32Array(t.functionName.length).fill(-1);

  const stackFor = (traceIndex: number): number => {
    if (stackOf[traceIndex] !== -2) return stackOf[traceIndex];
    // Walk up to the first built ancestor, then build down.
    const path: number[] = [];
    let x = traceIndex;
    while (x >= 0 && stackOf[x] === -2) {
      path.push(x);
      x = t.treeParent[x];
    }
    let parent = x >= 0 ? stackOf[x] : -1;
    for (let k = path.length - 1; k >= 0; k--) {
      const node = path[k];
      if (t.treeParent[node] < 0) {
        stackOf[node] = -1; // the trace tree's "(root)" is no frame of the program
      } else {
        const fi = t.treeFunction[node];
        if (frameOf[fi] < 0) {
          const name = g.strings[t.functionName[fi]] || '(anonymous)';
          const script = g.strings[t.scriptName[fi]] || NO_SCRIPT;
          // V8 writes 1-based positions with 0 for "unknown".
          frameOf[fi] = b.frame(b.intern(name), b.intern(script), t.line[fi] > 0 ? t.line[fi] : -1, t.column[fi] > 0 ? t.column[fi] : -1);
        }
        stackOf[node] = b.stack(parent, frameOf[fi]);
      }
      parent = stackOf[node];
    }
    return stackOf[traceIndex];
  };

  // One sample per trace node: the sum of its live objects.
  const sizeOfTrace = new Float64Array(t.treeId.length);
  const countOfTrace = new Float64Array(t.treeId.length);
  for (let i = 0; i < g.nodeCount; i++) {
    const id = g.traceNodeId[i];
    if (id === 0) continue;
    const ti = indexOfId.get(id);
    if (ti === undefined) continue;
    sizeOfTrace[ti] += g.selfSize[i];
    countOfTrace[ti] += 1;
  }
  const stack = new GrowableInt32();
  const size = new GrowableFloat64();
  const count = new GrowableFloat64();
  for (let ti = 0; ti < t.treeId.length; ti++) {
    if (countOfTrace[ti] === 0) continue;
    const s = stackFor(ti);
    if (s < 0) continue; // allocated with no JS frame
    stack.push(s);
    size.push(sizeOfTrace[ti]);
    count.push(countOfTrace[ti]);
  }
  return {
    meta: {
      format: 'heapsnapshot',
      producer: 'V8 heap snapshot with allocation traces',
      tracebackLimit: null,
      truncatedSamples: 0,
      captureTime: null,
      hasFunctionNames: true,
      sampled: false,
    },
    strings: b.strings,
    frames: b.frameTable(),
    stacks: b.stackTable(),
    samples: { stack: stack.toArray(), values: [size.toArray(), count.toArray()], length: stack.length },
    valueTypes: [
      { name: 'size', unit: 'bytes', kind: 'size', pair: 'count' },
      { name: 'count', unit: 'objects', kind: 'count' },
    ],
  };
}
