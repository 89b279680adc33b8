// Two (and three) snapshots of one Node process, compared by object id. The expected counts are
// made here from the snapshots' JSON with plain code: per constructor name of "object" nodes,
// ids present in one file and not the other.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../workers/engine/engine.ts';

const DIR = join(__dirname, '../fixtures/heapsnapshot');
const read = (name: string) => readFileSync(join(DIR, `${name}.heapsnapshot`));

/** id → {name, size} for every node of type "object", straight from the JSON. */
function objectsById(bytes: Buffer) {
  const json = JSON.parse(bytes.toString('utf8'));
  const f: string[] = json.snapshot.meta.node_fields;
  const types: string[] = json.snapshot.meta.node_types[0];
  const [t, nm, id, sz] = ['type', 'name', 'id', 'self_size'].map((x) => f.indexOf(x));
  const out = new Map<number, { name: string; size: number }>();
  for (let i = 0; i < json.nodes.length; i += f.length) {
    if (types[json.nodes[i + t]] !== 'object') continue;
    out.set(json.nodes[i + id], { name: json.strings[json.nodes[i + nm]], size: json.nodes[i + sz] });
  }
  return out;
}

describe('heap comparison by object id', () => {
  it('new and deleted counts and sizes per class equal an independent count from the ids', async () => {
    const before = objectsById(read('node-before'));
    const after = objectsById(read('node-after'));
    const expected = new Map<string, { newCount: number; deletedCount: number; allocSize: number; freedSize: number }>();
    const row = (name: string) => {
      let r = expected.get(name);
      if (!r) expected.set(name, (r = { newCount: 0, deletedCount: 0, allocSize: 0, freedSize: 0 }));
      return r;
    };
    for (const [id, o] of after) if (!before.has(id)) (row(o.name).newCount++, (row(o.name).allocSize += o.size));
    for (const [id, o] of before) if (!after.has(id)) (row(o.name).deletedCount++, (row(o.name).freedSize += o.size));

    const engine = createEngine();
    const b = await engine.open(new Uint8Array(read('node-before')), 'before');
    const a = await engine.open(new Uint8Array(read('node-after')), 'after');
    const rows = new Map(engine.heapCompare(a.id, b.id).rows.map((r) => [r.name, r]));
    expect(expected.get('Leaky')?.newCount).toBe(150); // what the workload did
    expect(expected.get('Session')?.deletedCount).toBe(100);
    for (const name of ['Leaky', 'Session', 'Secret']) {
      const want = expected.get(name) ?? { newCount: 0, deletedCount: 0, allocSize: 0, freedSize: 0 };
      const got = rows.get(name);
      if (want.newCount === 0 && want.deletedCount === 0) {
        expect(got, name).toBeUndefined(); // no change, no row
        continue;
      }
      expect(got, name).toBeDefined();
      expect({ newCount: got!.newCount, deletedCount: got!.deletedCount, allocSize: got!.allocSize, freedSize: got!.freedSize }, name).toEqual(want);
    }
  });

  it('a snapshot compared with itself has no changes', async () => {
    const engine = createEngine();
    const x = await engine.open(new Uint8Array(read('node-after')), 'x');
    const y = await engine.open(new Uint8Array(read('node-after')), 'y');
    expect(engine.heapCompare(x.id, y.id).rows).toEqual([]);
  });

  it('leak candidates: the 150 Leaky made between the snapshots and still alive', async () => {
    const engine = createEngine();
    const b = await engine.open(new Uint8Array(read('node-before')), 'before');
    const a = await engine.open(new Uint8Array(read('node-after')), 'after');
    const leaks = engine.heapLeaks(b.id, a.id, a.id).rows;
    const leaky = leaks.find((r) => r.name === 'Leaky');
    expect(leaky?.count).toBe(150);
    // Among its shortest retainer paths, one runs through the global `leaks` array.
    const paths = engine.heapRetainers(a.id, leaky!.objects[0].node, 3);
    expect(paths.some((p) => p.some((s) => s.edge === 'leaks'))).toBe(true);
    expect(leaks.some((r) => r.name === '(synthetic)')).toBe(false);
  });
});
