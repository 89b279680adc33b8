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
