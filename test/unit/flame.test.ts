// Flame graph layouts: widths are sizes, children fit inside their parent, and the inverted
// graph's roots are tracemalloc's statistics('lineno') — an independent check from Python.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlameLayout } from '../../workers/api/types.ts';
import { layoutTreeWithSource } from '../../workers/analysis/flame/layout.ts';
import { createEngine } from '../../workers/engine/engine.ts';

const EXAMPLE = join(__dirname, '../../public/examples/tornado-server.pickle');
const expected = JSON.parse(readFileSync(EXAMPLE.replace(/\.pickle$/, '.expected.json'), 'utf8'));
const TM = join(__dirname, '../fixtures/tracemalloc');

/** Checks depth-first order and nesting; returns each node's sum of children's totals. */
function checkNesting(l: FlameLayout) {
  const childSum = new Float64Array(l.length);
  const problems: string[] = [];
  for (let i = 0; i < l.length; i++) {
    const p = l.parent[i];
    const w = l.width[i];
    if (l.base ? w < Math.max(l.total[i], l.base[i]) - 1e-6 : w !== l.total[i]) problems.push(`${i}: width ${w}`);
    if (p < 0) {
      if (l.depth[i] !== 0) problems.push(`${i}: root at depth ${l.depth[i]}`);
      continue;
    }
    if (p >= i) problems.push(`${i}: parent ${p} comes after it`);
    if (l.depth[i] !== l.depth[p] + 1) problems.push(`${i}: depth`);
    if (l.start[i] < l.start[p] || l.start[i] + w > l.start[p] + l.width[p] + 1e-6) problems.push(`${i}: outside its parent`);
    childSum[p] += l.total[i];
  }
  expect(problems.slice(0, 5)).toEqual([]);
  return childSum;
}

describe('allocation flame graphs', () => {
  it('icicle: roots add up to the total; a node is its self size plus its children', async () => {
    const engine = createEngine();
    const s = await engine.open(new Uint8Array(readFileSync(EXAMPLE)), 'tornado');
    const l = engine.flame(s.id, { kind: 'allocations' });
    expect(l.totalValue).toBe(expected.total.size);
    const childSum = checkNesting(l);
    const wrong = [...Array(l.length).keys()].filter((i) => childSum[i] + l.self[i] !== l.total[i]);
    expect(wrong).toEqual([]);
    // The widest root is the BadHandler class body (server.py:10), holding the million ints.
    const roots = [...Array(l.length).keys()].filter((i) => l.parent[i] < 0);
    const widest = roots[0];
    expect(l.frames.file[l.frame[widest]]).toMatch(/server\.py$/);
    expect(l.frames.line[l.frame[widest]]).toBe(10);
  });

  it('inverted: the roots are statistics("lineno"), sizes and counts', async () => {
    const engine = createEngine();
    const s = await engine.open(new Uint8Array(readFileSync(EXAMPLE)), 'tornado');
    const l = engine.flame(s.id, { kind: 'allocations', inverted: true });
    checkNesting(l);
    const roots = [...Array(l.length).keys()].filter((i) => l.parent[i] < 0);
    const byLine = new Map(roots.map((i) => [`${l.frames.file[l.frame[i]]}:${l.frames.line[l.frame[i]]}`, { size: l.total[i], count: l.count[i] }]));
    // Groups of size 0 (zero-byte allocations) have no width to draw.
    for (const stat of expected.statistics.lineno.filter((x: { size: number }) => x.size > 0)) {
      const [file, line] = stat.frames[0];
      expect(byLine.get(`${file}:${line}`), `${file}:${line}`).toEqual({ size: stat.size, count: stat.count });
    }
    expect(roots.length).toBeLessThanOrEqual(expected.groupCounts.lineno);
  });

  it('filters apply: excluding server.py removes its width', async () => {
    const engine = createEngine();
    const s = await engine.open(new Uint8Array(readFileSync(EXAMPLE)), 'tornado');
    const all = engine.flame(s.id, { kind: 'allocations' });
    const rest = engine.flame(s.id, { kind: 'allocations', filters: [{ inclusive: false, pattern: '*/server.py' }] });
    expect(rest.totalValue).toBe(all.totalValue - expected.statistics.filename.find((f: { frames: [string][] }) => f.frames[0][0].endsWith('/server.py')).size);
  });

  it('differential: head widths are the head, base widths the base', async () => {
    const engine = createEngine();
    const before = await engine.open(new Uint8Array(readFileSync(join(TM, 'before_p5.pickle'))), 'before');
    const after = await engine.open(new Uint8Array(readFileSync(join(TM, 'after_p5.pickle'))), 'after');
    const l = engine.flame(after.id, { kind: 'allocations', baseId: before.id });
    checkNesting(l);
    let head = 0;
    let base = 0;
    for (let i = 0; i < l.length; i++) {
      if (l.parent[i] >= 0) continue;
      head += l.total[i];
      base += l.base![i];
    }
    expect(head).toBe(after.total.size);
    expect(base).toBe(before.total.size);
  });
});

describe('dominator flame graph', () => {
  it('the root is the whole heap; children never exceed what their dominator retains', async () => {
    const engine = createEngine();
    const s = await engine.open(new Uint8Array(readFileSync(join(__dirname, '../fixtures/heapsnapshot/node-plain.heapsnapshot'))), 'plain');
    const l = engine.flame(s.id, { kind: 'dominators' });
    expect(l.totalValue).toBe(s.heap!.totalSize);
    const childSum = checkNesting(l);
    const wrong = [...Array(l.length).keys()].filter((i) => childSum[i] + l.self[i] > l.total[i] + 1e-6);
    expect(wrong).toEqual([]);
  });
});

describe('sandwich: callers and callees of one frame', () => {
  it('both sides total what the frame holds inclusively, computed independently from the stacks', async () => {
    const engine = createEngine();
    const s = await engine.open(new Uint8Array(readFileSync(join(__dirname, '../fixtures/heapprofile/workload.heapprofile'))), 'workload');
    const full = engine.flame(s.id, { kind: 'allocations' });
    const frame = full.frames.func.indexOf('recurse'); // recursive: appears several times per stack
    expect(frame).toBeGreaterThanOrEqual(0);
    const inclusive = engine.top(s.id, { by: 'function', mode: 'inclusive', limit: 1000 }).groups.rows.find((r) => r.frames[0].function === 'recurse')!;
    for (const side of ['callers', 'callees'] as const) {
      const l = engine.flame(s.id, { kind: 'allocations', sandwich: { frame, side } });
      checkNesting(l);
      const roots = [...Array(l.length).keys()].filter((i) => l.parent[i] < 0);
      expect(roots.map((i) => l.frames.func[l.frame[i]])).toEqual(['recurse']);
      expect(l.total[roots[0]]).toBe(inclusive.size);
    }
  });
});

describe('layout order', () => {
  // A plain recursive layout, written for the test: children with a width, largest first (ties:
  // the earlier tree node), each starting where its left sibling ends, in depth-first order.
  function reference(parent: number[], total: number[]): { source: number[]; start: number[] } {
    const kids: number[][] = Array.from({ length: parent.length + 1 }, () => []);
    parent.forEach((p, i) => total[i] > 0 && kids[p + 1].push(i));
    for (const k of kids) k.sort((a, b) => total[b] - total[a] || a - b);
    const source: number[] = [];
    const start: number[] = [];
    const visit = (i: number, x: number) => {
      source.push(i);
      start.push(x);
      for (const c of kids[i + 1]) {
        visit(c, x);
        x += total[c];
      }
    };
    let x = 0;
    for (const r of kids[0]) {
      visit(r, x);
      x += total[r];
    }
    return { source, start };
  }

  it('siblings largest first, ties in tree order, packed left to right; short and long child lists alike', () => {
    fc.assert(
      fc.property(
        // Parents first (each node's parent is an earlier node or -1); few distinct sizes, so
        // ties are common; a wide fan-out (over the insertion sort's 24) from node 0 sometimes.
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 1, 2, 3, 8)), { minLength: 1, maxLength: 120 }),
        fc.boolean(),
        (spec, fan) => {
          const parent = spec.map(([p], i) => (i === 0 ? -1 : fan && i % 2 === 0 ? 0 : (p % (i + 1)) - 1));
          // Inclusive totals, as the stack table's are: own size plus the children's.
          const total = spec.map(([, v]) => v);
          for (let i = total.length - 1; i > 0; i--) if (parent[i] >= 0) total[parent[i]] += total[i];
          const columns = { parent, frame: parent.map(() => 0), total, self: total, count: total, base: null };
          const { layout, source } = layoutTreeWithSource(columns, { func: ['f'], file: [''], line: Int32Array.of(-1) }, false, 'bytes');
          const want = reference(parent, total);
          expect(Array.from(source)).toEqual(want.source);
          expect(Array.from(layout.start)).toEqual(want.start);
        },
      ),
      { numRuns: 300 },
    );
  });
});
