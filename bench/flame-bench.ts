// Flame graph layout in Node for a generated profile of about 100 k stack nodes: our worker-side
// layout against d3-hierarchy's partition layout of the same tree (the usual way to lay out an
// icicle with d3), measured in the same run. Prints JSON.
// usage: node --import tsx bench/flame-bench.ts [NODES]

import { hierarchy, partition } from 'd3';
import { allocationFlame } from '../workers/analysis/flame/allocations.ts';
import { selectValues } from '../workers/model/values.ts';
import { ProfileBuilder, type Profile } from '../workers/model/profile.ts';

const target = Number(process.argv[2] ?? 100_000);

/** A random call tree of `target` stacks over 5 000 functions, each stack with samples. */
export function syntheticProfile(nodes: number, seed = 7): Profile {
  let x = seed;
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const b = new ProfileBuilder();
  const frames: number[] = [];
  for (let f = 0; f < 5000; f++) frames.push(b.frame(b.intern(`fn${f}`), b.intern(`/app/module${f % 200}.js`), 1 + (f % 400)));
  const stacks: number[] = [];
  while (b.stackTable().length < nodes) {
    const parent = stacks.length === 0 || rand() < 0.02 ? -1 : stacks[Math.floor(rand() * stacks.length)];
    stacks.push(b.stack(parent, frames[Math.floor(rand() * frames.length)]));
    if (stacks.length % 10000 === 0 && b.stackTable().length >= nodes) break;
  }
  const table = b.stackTable();
  const size = new Float64Array(table.length);
  for (let i = 0; i < size.length; i++) size[i] = Math.floor(rand() * 10000);
  return {
    meta: { format: 'heapprofile', producer: 'synthetic', tracebackLimit: null, truncatedSamples: 0, captureTime: null, hasFunctionNames: true, sampled: false },
    strings: b.strings,
    frames: b.frameTable(),
    stacks: table,
    samples: { stack: Int32Array.from(table.frame.keys()), values: [size, new Float64Array(table.length).fill(1)], length: table.length },
    valueTypes: [
      { name: 'size', unit: 'bytes', kind: 'size', pair: 'count' },
      { name: 'count', unit: 'samples', kind: 'count' },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const profile = syntheticProfile(target);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ours: number[] = [];
  const d3times: number[] = [];
  let nodes = 0;
  for (let r = 0; r < 7; r++) {
    let t = performance.now();
    const l = allocationFlame(profile, [], selectValues(profile), false);
    ours.push(performance.now() - t);
    nodes = l.length;
    // d3: build the nested tree it needs, then hierarchy().sum().sort() + partition().
    t = performance.now();
    const kids: { children: unknown[]; value: number }[] = Array.from({ length: profile.stacks.length }, (_, i) => ({ children: [], value: profile.samples.values[0][i] }));
    const root = { children: [] as unknown[], value: 0 };
    for (let s = 0; s < profile.stacks.length; s++) (profile.stacks.parent[s] >= 0 ? kids[profile.stacks.parent[s]] : root).children.push(kids[s]);
    const h = hierarchy(root)
      .sum((d) => (d as { value: number }).value)
      .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
    partition<typeof root>().size([1, 1])(h);
    d3times.push(performance.now() - t);
  }
  process.stdout.write(`${JSON.stringify({ stackNodes: profile.stacks.length, layoutNodes: nodes, heaplensMs: median(ours), d3PartitionMs: median(d3times) })}\n`);
}
