// V8 sampling heap profiles (`.heapprofile`: DevTools "Allocation sampling", `node --heap-prof`)
// → the neutral profile.
//
// The file is a call tree (head → children, each with a callFrame and selfSize) plus the samples
// that hit each node. Sizes come from selfSize, as DevTools shows them (V8 scales each sample by
// its sampling interval, so they are estimates); counts are the number of samples per node.
// Lines and columns are 0-based in the file and 1-based in the model.

import { HeaplensError } from '../../api/errors.ts';
import { NO_SCRIPT, ProfileBuilder, GrowableFloat64, GrowableInt32, type Profile } from '../../model/profile.ts';
import { parseJson } from '../json.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface Node {
  callFrame: CallFrame;
  selfSize: number;
  id: number;
  children?: Node[];
}

function invalid(what: string): never {
  throw new HeaplensError('corrupt', `This V8 sampling heap profile cannot be read: ${what}.`);
}

export function parseHeapProfile(bytes: Uint8Array): Profile {
  const json = parseJson(bytes, 'This V8 sampling heap profile', 'Save or copy the profile again.') as { head?: Node; samples?: { size: number; nodeId: number }[] };
  if (!json || typeof json !== 'object' || !json.head || typeof json.head !== 'object') invalid('it has no "head" call tree');

  const samples = Array.isArray(json.samples) ? json.samples : [];
  const samplesPerNode = new Map<number, number>();
  for (const s of samples) {
    if (typeof s?.nodeId === 'number') samplesPerNode.set(s.nodeId, (samplesPerNode.get(s.nodeId) ?? 0) + 1);
  }
  const placed = new Set<number>();

  const b = new ProfileBuilder();
  const sampleStack = new GrowableInt32();
  const sampleSize = new GrowableFloat64();
  const sampleCount = new GrowableFloat64();
  // Iterative walk: real profiles have call trees deeper than the JS stack allows for recursion.
  const work: { node: Node; parent: number }[] = [];
  const childrenOf = (node: Node): Node[] => {
    const children = node.children ?? [];
    if (!Array.isArray(children)) invalid(`node ${node.id} has children that are not a list`);
    return children;
  };
  for (const child of childrenOf(json.head)) work.push({ node: child, parent: -1 });
  let rootSelf = Number(json.head.selfSize) || 0;
  while (work.length > 0) {
    const { node, parent } = work.pop()!;
    const cf = node?.callFrame;
    if (!cf || typeof cf !== 'object') invalid('a call tree node has no callFrame');
    const line = Number.isInteger(cf.lineNumber) && cf.lineNumber >= 0 ? cf.lineNumber + 1 : -1;
    const column = Number.isInteger(cf.columnNumber) && cf.columnNumber >= 0 ? cf.columnNumber + 1 : -1;
    const text = (v: unknown, otherwise: string) => (typeof v === 'string' && v !== '' ? v : otherwise);
    const frame = b.frame(b.intern(text(cf.functionName, '(anonymous)')), b.intern(text(cf.url, NO_SCRIPT)), line, column);
    placed.add(node.id);
    const stack = b.stack(parent, frame);
    const self = Number(node.selfSize);
    if (!Number.isFinite(self) || self < 0) invalid(`node ${node.id} has a selfSize of ${node.selfSize}`);
    const count = samplesPerNode.get(node.id) ?? 0;
    if (self > 0 || count > 0) {
      sampleStack.push(stack);
      sampleSize.push(self);
      sampleCount.push(count);
    }
    for (const child of childrenOf(node)) work.push({ node: child, parent: stack });
  }
  if (rootSelf > 0) {
    const stack = b.stack(-1, b.frame(b.intern('(root)'), b.intern(NO_SCRIPT), -1, -1));
    sampleStack.push(stack);
    sampleSize.push(rootSelf);
    sampleCount.push(samplesPerNode.get(json.head.id) ?? 0);
    rootSelf = 0;
  }
  // V8 prunes call tree nodes whose samples it dropped; their samples stay in the list. Say so.
  placed.add(json.head.id);
  let droppedCount = 0;
  let droppedSize = 0;
  for (const s of samples) {
    if (typeof s?.nodeId === 'number' && !placed.has(s.nodeId)) {
      droppedCount++;
      droppedSize += Number(s.size) || 0;
    }
  }
  return {
    meta: {
      format: 'heapprofile',
      producer: 'V8 sampling heap profiler',
      defaultGrouping: 'function',
      // V8 samples per function: a node's lineNumber is where the function starts.
      linesAreFunctionStarts: true,
      droppedSamples: { count: droppedCount, size: droppedSize },
      tracebackLimit: null,
      truncatedSamples: 0,
      captureTime: null,
      hasFunctionNames: true,
      sampled: true,
    },
    strings: b.strings,
    frames: b.frameTable(),
    stacks: b.stackTable(),
    samples: { stack: sampleStack.toArray(), values: [sampleSize.toArray(), sampleCount.toArray()], length: sampleStack.length },
    valueTypes: [
      { name: 'size', unit: 'bytes', kind: 'size', pair: 'count' },
      { name: 'count', unit: 'samples', kind: 'count' },
    ],
  };
}
