// Our numbers and order equal tracemalloc's own Snapshot.statistics() for real dumps made by
// Python (test/fixtures/tracemalloc/make_fixtures.py writes each dump and, beside it, what
// tracemalloc itself printed for it).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TopRow, TraceFilter } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { KEY_TYPES } from './key-types.ts';

const DIR = join(__dirname, '../fixtures/tracemalloc');
const EXAMPLE_DIR = join(__dirname, '../../public/examples');

interface Stat {
  frames: [string, number][];
  size: number;
  count: number;
}
interface Expected {
  protocol: number;
  traceFields: number;
  tracebackLimit: number;
  traceCount: number;
  total: { size: number; count: number };
  statistics: Record<string, Stat[]>;
  /** Set for big dumps whose expected lists keep only their first rows. */
  statisticsTruncatedTo?: number;
  groupCounts?: Record<string, number>;
  filtered?: { filters: TraceFilter[]; total: { size: number; count: number }; statistics: Record<string, Stat[]> }[];
}


/** Our rows in the shape tracemalloc's expected files use: frames as [file, lineno], oldest first. */
function asTracemalloc(rows: TopRow[]): Stat[] {
  return rows.map((r) => ({ frames: r.frames.map((f) => [f.file, f.line ?? 0] as [string, number]), size: r.size, count: r.count }));
}

const fixtures = [
  ...readdirSync(DIR)
    .filter((f) => f.endsWith('.pickle'))
    .map((f) => join(DIR, f)),
  join(EXAMPLE_DIR, 'tornado-server.pickle'),
].filter((f) => {
  try {
    readFileSync(f.replace(/\.pickle$/, '.expected.json'));
    return true;
  } catch {
    return false;
  }
});

describe('tracemalloc statistics() equivalence', () => {
  it('has real fixtures with expected output', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of fixtures) {
    const name = file.split('/').pop()!;
    describe(name, () => {
      const expected: Expected = JSON.parse(readFileSync(file.replace(/\.pickle$/, '.expected.json'), 'utf8'));
      const engine = createEngine();
      const opened = engine.open(new Uint8Array(readFileSync(file)), name);

      it('reads the traces, totals and traceback limit', async () => {
        const s = await opened;
        expect(s.sampleCount).toBe(expected.traceCount);
        expect(s.total).toEqual(expected.total);
        expect(s.tracebackLimit).toBe(expected.tracebackLimit);
        expect(s.producer).toBe('Python tracemalloc');
        expect(s.producerDetails).toContain(`protocol ${expected.protocol}`);
        if (expected.traceCount > 0) expect(s.producerDetails).toContain(`${expected.traceFields}-field`);
      });

      for (const [keyType, q] of Object.entries(KEY_TYPES)) {
        it(`statistics('${keyType.replace('_cumulative', "', cumulative=True")}') — same rows, same order`, async () => {
          const s = await opened;
          const want = expected.statistics[keyType];
          expect(want, `expected output has ${keyType}`).toBeDefined();
          const got = engine.top(s.id, { by: q.by, mode: q.mode, limit: expected.statisticsTruncatedTo });
          expect(asTracemalloc(got.groups.rows)).toEqual(want);
          expect(got.groupCount).toBe(expected.groupCounts?.[keyType] ?? want.length);
        });
      }

      for (const [i, f] of (expected.filtered ?? []).entries()) {
        it(`filter_traces(${JSON.stringify(f.filters)}) [case ${i}]`, async () => {
          const s = await opened;
          for (const [keyType, want] of Object.entries(f.statistics)) {
            const q = KEY_TYPES[keyType];
            const got = engine.top(s.id, { by: q.by, mode: q.mode, filters: f.filters });
            expect(got.total).toMatchObject(f.total);
            expect(asTracemalloc(got.groups.rows)).toEqual(want);
          }
        });
      }
    });
  }
});
