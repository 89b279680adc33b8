// One contender of the tracemalloc benchmark, run in its own process so its peak RSS is its own.
// usage: node --import tsx bench/tracemalloc-contender.ts heaplens|pickleparser FILE RUNS
// Prints JSON: {load: [s…], group: [s…], peakRss, top}.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createEngine } from '../workers/engine/engine.ts';

const [who, file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const bytes = new Uint8Array(readFileSync(file));
const load: number[] = [];
const group: number[] = [];
let top: unknown = null;

for (let r = 0; r < runs; r++) {
  if (who === 'heaplens') {
    const engine = createEngine();
    const t0 = performance.now();
    const summary = await engine.open(bytes, 'bench');
    const t1 = performance.now();
    const result = engine.top(summary.id, { by: 'line', limit: 10 });
    const t2 = performance.now();
    load.push((t1 - t0) / 1000);
    group.push((t2 - t1) / 1000);
    top = result.groups.rows[0];
    engine.close(summary.id);
  } else if (who === 'pickleparser') {
    const { Parser } = createRequire(import.meta.url)('pickleparser');
    const t0 = performance.now();
    const snapshot = new Parser().parse(bytes);
    const t1 = performance.now();
    // statistics('lineno') over the plain objects it returns.
    const stats = new Map<string, { size: number; count: number }>();
    for (const trace of snapshot.traces._traces) {
      const [file, line] = trace[2][0];
      const key = `${file}\0${line}`;
      const s = stats.get(key);
      if (s) {
        s.size += trace[1];
        s.count += 1;
      } else stats.set(key, { size: trace[1], count: 1 });
    }
    const rows = [...stats.entries()].sort((a, b) => b[1].size - a[1].size || b[1].count - a[1].count);
    const t2 = performance.now();
    load.push((t1 - t0) / 1000);
    group.push((t2 - t1) / 1000);
    top = rows[0];
  } else {
    throw new Error(`unknown contender ${who}`);
  }
}
process.stdout.write(JSON.stringify({ load, group, peakRss: process.resourceUsage().maxRSS * 1024, top }) + '\n');
