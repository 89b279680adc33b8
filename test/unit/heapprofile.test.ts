// .heapprofile files from `node --heap-prof` (test/fixtures/heapprofile/make_fixtures.sh): sizes
// are the profile's own selfSize values, as DevTools shows them, counts are its samples.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api/errors.ts';
import { createEngine } from '../../workers/engine/engine.ts';

const FILE = join(__dirname, '../fixtures/heapprofile/workload.heapprofile');
const bytes = new Uint8Array(readFileSync(FILE));

interface RawNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  id: number;
  children: RawNode[];
}
const raw: { head: RawNode; samples: { nodeId: number; size: number }[] } = JSON.parse(readFileSync(FILE, 'utf8'));

/** Straight from the JSON: selfSize summed per function (name, url, 1-based line), and samples. */
function bySelfFunction() {
  const samples = new Map<number, number>();
  for (const s of raw.samples) samples.set(s.nodeId, (samples.get(s.nodeId) ?? 0) + 1);
  const out = new Map<string, { size: number; count: number }>();
  const walk = (n: RawNode, isRoot: boolean) => {
    if (!isRoot) {
      const key = `${n.callFrame.functionName || '(anonymous)'}\0${n.callFrame.url || '(no script)'}`;
      const e = out.get(key) ?? { size: 0, count: 0 };
      e.size += n.selfSize;
      e.count += samples.get(n.id) ?? 0;
      out.set(key, e);
    }
    n.children.forEach((c) => walk(c, false));
  };
  walk(raw.head, true);
  return out;
}

describe('V8 sampling heap profiles', () => {
  it('totals equal the sum of selfSize and the number of samples', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes, 'workload.heapprofile');
    let total = 0;
    const walk = (n: RawNode) => {
      total += n.selfSize;
      n.children.forEach(walk);
    };
    walk(raw.head);
    expect(s.format).toBe('heapprofile');
    expect(s.sampled).toBe(true);
    expect(s.total.size).toBe(total);
    // V8 writes a few samples whose node is not in the tree (pruned); like DevTools we skip them.
    const ids = new Set<number>();
    const collect = (n: RawNode) => {
      ids.add(n.id);
      n.children.forEach(collect);
    };
    collect(raw.head);
    expect(s.total.count).toBe(raw.samples.filter((x) => ids.has(x.nodeId)).length);
  });

  it('self size by function equals the profile summed per function', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes, 'workload.heapprofile');
    const want = bySelfFunction();
    const got = engine.top(s.id, { by: 'function' });
    const gotMap = new Map(got.groups.rows.map((r) => [`${r.frames[0].function}\0${r.frames[0].file}`, { size: r.size, count: r.count }]));
    for (const [key, v] of want) {
      if (v.size === 0 && v.count === 0) continue;
      expect(gotMap.get(key), key).toEqual(v);
    }
    // The workload's known sites are there, 1-based lines as in the source file.
    const session = got.groups.rows.find((r) => r.frames[0].function === 'Session');
    expect(session?.frames[0].file).toMatch(/workload\.js$/);
    expect(session?.frames[0].line).toBe(12);
  });

  it('inclusive by function: the workload\'s entry covers its callees', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes, 'workload.heapprofile');
    const incl = engine.top(s.id, { by: 'function', mode: 'inclusive' });
    const self = engine.top(s.id, { by: 'function', mode: 'self' });
    const open = incl.groups.rows.find((r) => r.frames[0].function === 'openSessions')!;
    const session = self.groups.rows.find((r) => r.frames[0].function === 'Session')!;
    const openSelf = self.groups.rows.find((r) => r.frames[0].function === 'openSessions')!;
    expect(open.size).toBe(openSelf.size + session.size);
    // recursion counts once in inclusive mode
    const recurse = incl.groups.rows.find((r) => r.frames[0].function === 'recurse')!;
    const strings = self.groups.rows.filter((r) => r.frames[0].function === 'makeStrings');
    expect(recurse.size).toBeLessThan(strings.reduce((a, r) => a + r.size, 0) + 1);
  });

  it('frames without a script are keyed by their function in every grouping, under one name', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes, 'workload.heapprofile');
    // Straight from the JSON: self size of script-less frames, per function name.
    const scriptless = new Map<string, number>();
    const walk = (n: RawNode, isRoot: boolean) => {
      if (!isRoot && !n.callFrame.url) scriptless.set(n.callFrame.functionName || '(anonymous)', (scriptless.get(n.callFrame.functionName || '(anonymous)') ?? 0) + n.selfSize);
      n.children.forEach((c) => walk(c, false));
    };
    walk(raw.head, true);
    const named = [...scriptless].filter(([, size]) => size > 0);
    expect(named.length).toBeGreaterThan(3); // builtins such as set, push, slice allocate here
    for (const by of ['file', 'line', 'function'] as const) {
      const rows = engine.top(s.id, { by }).groups.rows.filter((r) => r.frames[0].file === '(no script)');
      for (const [fn, size] of named) {
        const row = rows.find((r) => r.frames[0].function === fn);
        expect(row?.size, `${by}: ${fn}`).toBe(size);
        expect(row?.frames[0].line, `${by}: ${fn}`).toBeNull();
      }
    }
    expect(s.capabilities.defaultGrouping).toBe('function');
  });

  it('samples whose node is missing from the call tree are counted as dropped, with their bytes', async () => {
    const engine = createEngine();
    const s = await engine.open(bytes, 'workload.heapprofile');
    const ids = new Set<number>();
    const collect = (n: RawNode) => {
      ids.add(n.id);
      n.children.forEach(collect);
    };
    collect(raw.head);
    const missing = raw.samples.filter((x) => !ids.has(x.nodeId));
    expect(missing.length).toBeGreaterThan(0); // V8 pruned some in this real profile
    expect(s.droppedSamples).toEqual({ count: missing.length, size: missing.reduce((a, x) => a + x.size, 0) });
  });

  it('a truncated profile says so', async () => {
    const engine = createEngine();
    await expect(engine.open(bytes.subarray(0, bytes.length >> 1), 'cut.heapprofile')).rejects.toThrow(HeaplensError);
    await expect(engine.open(bytes.subarray(0, bytes.length >> 1), 'cut.heapprofile')).rejects.toThrow(/truncated|not valid JSON/);
  });
});
