// Invariants of grouping and filtering on random profiles (fast-check): whatever the traces,
// self groups add up to the total, a filter and its negation split the traces in two, and a
// group's inclusive share is never below its self share.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GroupBy, TraceFilter } from '../../workers/api/types.ts';
import { compareGroups } from '../../workers/analysis/diff.ts';
import { groupBy, sumByStack } from '../../workers/analysis/group.ts';
import { ProfileBuilder, type Profile } from '../../workers/model/profile.ts';
import { selectValues, type ValueSelection } from '../../workers/model/values.ts';

const FILES = ['/app/server.py', '/app/handlers.py', '<frozen importlib._bootstrap>', '/usr/lib/python3/json/ü.py', 'x.pyc'];

const frameArb = fc.record({ file: fc.integer({ min: 0, max: FILES.length - 1 }), line: fc.integer({ min: 0, max: 6 }) });
const traceArb = fc.record({
  domain: fc.constantFrom(0, 0, 0, 7),
  size: fc.integer({ min: 0, max: 2 ** 33 }),
  // most recent first, like tracemalloc; repeated frames model recursion
  frames: fc.array(frameArb, { minLength: 1, maxLength: 6 }),
});

function profileOf(traces: { domain: number; size: number; frames: { file: number; line: number }[] }[]): Profile {
  const b = new ProfileBuilder();
  const stack = new Int32Array(traces.length);
  traces.forEach((t, i) => {
    let s = -1;
    for (let j = t.frames.length - 1; j >= 0; j--) s = b.stack(s, b.frame(-1, b.intern(FILES[t.frames[j].file]), t.frames[j].line));
    stack[i] = s;
  });
  return {
    meta: { format: 'tracemalloc', producer: 'test', tracebackLimit: 6, truncatedSamples: 0, captureTime: null, hasFunctionNames: false, sampled: false },
    strings: b.strings,
    frames: b.frameTable(),
    stacks: b.stackTable(),
    samples: {
      stack,
      values: [Float64Array.from(traces, (t) => t.size), new Float64Array(traces.length).fill(1)],
      domain: Int32Array.from(traces, (t) => t.domain),
      length: traces.length,
    },
    valueTypes: [
      { name: 'size', unit: 'bytes', kind: 'size', pair: 'count' },
      { name: 'count', unit: 'blocks', kind: 'count' },
    ],
  };
}

const filterArb: fc.Arbitrary<TraceFilter> = fc.oneof(
  fc.record({
    inclusive: fc.boolean(),
    pattern: fc.constantFrom('*', '/app/*', '*.py', '<*', '*[!y]', '?app*', 'x.pyc', '/usr/lib/python3/json/?.py'),
    line: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }),
    allFrames: fc.boolean(),
    domain: fc.option(fc.constantFrom(0, 7), { nil: null }),
  }),
  fc.record({ inclusive: fc.boolean(), domain: fc.constantFrom(0, 7) }),
);

const KEYS: GroupBy[] = ['file', 'line', 'traceback'];
const SIZE_COLUMN = 0;
const COUNT_COLUMN = 1;
/** Ranked by size, ties by count: tracemalloc's order (the model's default for these profiles). */
const SIZE: ValueSelection = { primary: SIZE_COLUMN, secondary: COUNT_COLUMN, size: SIZE_COLUMN, count: COUNT_COLUMN };

describe('grouping invariants', () => {
  it("the model's default value selection ranks by size and breaks ties by its paired count", () => {
    expect(selectValues(profileOf([]))).toEqual(SIZE);
    expect(selectValues(profileOf([]), 'count')).toEqual({ primary: COUNT_COLUMN, secondary: SIZE_COLUMN, size: SIZE_COLUMN, count: COUNT_COLUMN });
    expect(() => selectValues(profileOf([]), 'alloc_space')).toThrow(/no value type "alloc_space"/);
  });

  it('self groups sum to the total, for every key', () => {
    fc.assert(
      fc.property(fc.array(traceArb, { maxLength: 60 }), fc.constantFrom(...KEYS), (traces, by) => {
        const p = profileOf(traces);
        const sums = sumByStack(p, []);
        const g = groupBy(p, sums, by, 'self', SIZE);
        let size = 0;
        let count = 0;
        for (const k of g.order) {
          size += g.values[SIZE_COLUMN][k];
          count += g.values[COUNT_COLUMN][k];
        }
        expect(size).toBe(traces.reduce((a, t) => a + t.size, 0));
        expect(count).toBe(traces.length);
      }),
    );
  });

  it('a filter and its negation partition the traces', () => {
    fc.assert(
      fc.property(fc.array(traceArb, { maxLength: 60 }), filterArb, (traces, f) => {
        const p = profileOf(traces);
        const kept = sumByStack(p, [f]);
        const dropped = sumByStack(p, [{ ...f, inclusive: !f.inclusive }]);
        expect(kept.totals[COUNT_COLUMN] + dropped.totals[COUNT_COLUMN]).toBe(traces.length);
        expect(kept.totals[SIZE_COLUMN] + dropped.totals[SIZE_COLUMN]).toBe(traces.reduce((a, t) => a + t.size, 0));
      }),
    );
  });

  it('inclusive ≥ self and cumulative ≥ inclusive for every group; inclusive never exceeds the total', () => {
    fc.assert(
      fc.property(fc.array(traceArb, { maxLength: 60 }), fc.constantFrom<GroupBy>('file', 'line'), fc.array(filterArb, { maxLength: 2 }), (traces, by, filters) => {
        const p = profileOf(traces);
        const sums = sumByStack(p, filters);
        const self = groupBy(p, sums, by, 'self', SIZE);
        const incl = groupBy(p, sums, by, 'inclusive', SIZE);
        const cum = groupBy(p, sums, by, 'cumulative', SIZE);
        for (let k = 0; k < incl.values[SIZE_COLUMN].length; k++) {
          expect(incl.values[SIZE_COLUMN][k]).toBeGreaterThanOrEqual(self.values[SIZE_COLUMN][k]);
          expect(incl.values[COUNT_COLUMN][k]).toBeGreaterThanOrEqual(self.values[COUNT_COLUMN][k]);
          expect(incl.values[COUNT_COLUMN][k]).toBeLessThanOrEqual(sums.totals[COUNT_COLUMN]);
          expect(cum.values[COUNT_COLUMN][k]).toBeGreaterThanOrEqual(incl.values[COUNT_COLUMN][k]);
        }
      }),
    );
  });

  it('inclusive counts a trace once per group however often the group recurs on its stack', () => {
    fc.assert(
      fc.property(fc.array(traceArb, { maxLength: 40 }), (traces) => {
        const p = profileOf(traces);
        const g = groupBy(p, sumByStack(p, []), 'file', 'inclusive', SIZE);
        // Independent count straight from the traces.
        const expected = new Map<string, number>();
        for (const t of traces) for (const f of new Set(t.frames.map((x) => FILES[x.file]))) expected.set(f, (expected.get(f) ?? 0) + 1);
        for (const k of g.order) {
          const file = p.strings[p.frames.file[g.keys!.representative[k]]];
          expect(g.values[COUNT_COLUMN][k]).toBe(expected.get(file));
        }
        expect(g.order.length).toBe(expected.size);
      }),
    );
  });
});

describe('diff invariants (compare_to)', () => {
  const diff = (head: Profile, base: Profile, by: GroupBy) =>
    compareGroups({ profile: base, groups: groupBy(base, sumByStack(base, []), by, 'self', SIZE) }, { profile: head, groups: groupBy(head, sumByStack(head, []), by, 'self', SIZE) }, SIZE);
  const key = (frames: { file: string; line: number | null }[]) => JSON.stringify(frames);

  it('diff(a, a) changes nothing; diff(a, b) = −diff(b, a); size diffs add up to the change of the total', () => {
    fc.assert(
      fc.property(fc.array(traceArb, { maxLength: 40 }), fc.array(traceArb, { maxLength: 40 }), fc.constantFrom(...KEYS), (ta, tb, by) => {
        const a = profileOf(ta);
        const b = profileOf(tb);
        expect(diff(a, a, by).every((r) => r.sizeDiff === 0 && r.countDiff === 0)).toBe(true);
        const ab = diff(a, b, by);
        const ba = new Map(diff(b, a, by).map((r) => [key(r.frames), r]));
        expect(ab.length).toBe(ba.size);
        for (const r of ab) {
          const back = ba.get(key(r.frames))!;
          expect(back.sizeDiff + r.sizeDiff).toBe(0);
          expect(back.countDiff + r.countDiff).toBe(0);
        }
        const total = (t: typeof ta) => t.reduce((s, x) => s + x.size, 0);
        expect(ab.reduce((s, r) => s + r.sizeDiff, 0)).toBe(total(ta) - total(tb));
        expect(ab.reduce((s, r) => s + r.countDiff, 0)).toBe(ta.length - tb.length);
      }),
    );
  });
});
