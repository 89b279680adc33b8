// Diffs equal tracemalloc's Snapshot.compare_to() for a real before/after pair of one process,
// for every key type, and obey the algebra of differences.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiffRow } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { KEY_TYPES } from './key-types.ts';

const DIR = join(__dirname, '../fixtures/tracemalloc');
const expected = JSON.parse(readFileSync(join(DIR, 'compare.expected.json'), 'utf8')).compare_to as Record<string, unknown[]>;

const asTracemalloc = (rows: DiffRow[]) =>
  rows.map((r) => ({ frames: r.frames.map((f) => [f.file, f.line ?? 0]), size: r.size, sizeDiff: r.sizeDiff, count: r.count, countDiff: r.countDiff }));

async function openPair() {
  const engine = createEngine();
  const before = await engine.open(new Uint8Array(readFileSync(join(DIR, 'before_p5.pickle'))), 'before');
  const after = await engine.open(new Uint8Array(readFileSync(join(DIR, 'after_p5.pickle'))), 'after');
  return { engine, before, after };
}

describe('compare_to equivalence', () => {
  for (const [keyType, q] of Object.entries(KEY_TYPES)) {
    it(`after.compare_to(before, '${keyType}') — same rows, same order`, async () => {
      const { engine, before, after } = await openPair();
      const got = engine.diff(after.id, before.id, { by: q.by, mode: q.mode });
      expect(asTracemalloc(got.groups.rows)).toEqual(expected[keyType]);
    });
  }
});

describe('diff algebra', () => {
  it('diff(a, a) has no change; diff(a, b) = −diff(b, a); size diffs sum to the difference of totals', async () => {
    const { engine, before, after } = await openPair();
    for (const q of Object.values(KEY_TYPES)) {
      const same = engine.diff(after.id, after.id, q);
      expect(same.groups.rows.every((r) => r.sizeDiff === 0 && r.countDiff === 0 && r.status === 'same')).toBe(true);
      const ab = engine.diff(after.id, before.id, q);
      const ba = engine.diff(before.id, after.id, q);
      const key = (r: DiffRow) => JSON.stringify(r.frames);
      const back = new Map(ba.groups.rows.map((r) => [key(r), r]));
      for (const r of ab.groups.rows) {
        expect(back.get(key(r))!.sizeDiff + r.sizeDiff).toBe(0);
        expect(back.get(key(r))!.countDiff + r.countDiff).toBe(0);
      }
      if (q.mode === 'self') {
        expect(ab.groups.rows.reduce((a, r) => a + r.sizeDiff, 0)).toBe(ab.total.sizeDiff);
        expect(ab.groups.rows.reduce((a, r) => a + r.countDiff, 0)).toBe(ab.total.countDiff);
      }
      expect(ab.total.sizeDiff).toBe(after.total.size - before.total.size);
    }
  });
});

describe('a diff row opened to its tracebacks', () => {
  it("a line's tracebacks are tracemalloc's compare_to('traceback') rows that end on that line, each with its own change", async () => {
    const { engine, before, after } = await openPair();
    const lines = engine.diff(after.id, before.id, { by: 'line' }).groups.rows;
    const tracebacks = expected.traceback as { frames: [string, number][]; size: number; sizeDiff: number; count: number; countDiff: number }[];
    let compared = 0;
    for (const row of lines) {
      const [file, line] = [row.frames[0].file, row.frames[0].line];
      const want = tracebacks.filter((t) => t.frames.at(-1)![0] === file && t.frames.at(-1)![1] === line);
      const got = engine.diffTracebacksOf(after.id, before.id, { by: 'line' }, row.frames, 1000).groups.rows;
      const key = (r: { frames: [string, number][] }) => JSON.stringify(r.frames);
      expect(new Map(asTracemalloc(got).map((r) => [key(r as never), r])), `${file}:${line}`).toEqual(new Map(want.map((r) => [key(r), r])));
      // The row's change is the sum of its tracebacks' changes.
      expect(got.reduce((a, r) => a + r.sizeDiff, 0)).toBe(row.sizeDiff);
      expect(got.reduce((a, r) => a + r.countDiff, 0)).toBe(row.countDiff);
      compared += got.length;
    }
    expect(compared).toBe(tracebacks.length);
  });
});
