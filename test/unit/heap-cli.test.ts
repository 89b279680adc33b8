// The heap commands of the `heaplens` CLI as users run them (the bundle, a process per call):
// `summary --json` (rows, statistics, --filter), `diff` of two snapshots, `timeline`, `allocations`
// — each compared with DevTools' own numbers from heap-snapshot-toolkit (test/reference/devtools.ts).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { heapMemoryEstimate } from '../../workers/formats/heapsnapshot/layout.ts';
import { bombs } from '../hostile/bombs.mjs';
import * as devtools from '../reference/devtools.ts';

const CLI = join(__dirname, '../../cli/heaplens.js');
const DIR = join(__dirname, '../fixtures/heapsnapshot');
const file = (name: string) => join(DIR, name);

function heaplens(...args: string[]) {
  return heaplensWith({}, ...args);
}

function heaplensWith(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  return { ...r, json: () => JSON.parse(r.stdout) };
}

const snaps = new Map<string, devtools.Snapshot>();
beforeAll(async () => {
  for (const f of ['node-plain.heapsnapshot', 'node-before.heapsnapshot', 'node-after.heapsnapshot', 'chromium-shapes.heapsnapshot', 'chromium.heaptimeline']) snaps.set(f, await devtools.load(file(f)));
}, 120_000);

const row = (r: { name: string; count: number; shallowSize: number; retainedSize: number; distance: number; key: string }) => ({
  key: r.key,
  name: r.name,
  count: r.count,
  shallowSize: r.shallowSize,
  retainedSize: r.retainedSize,
  distance: r.distance,
});

describe('heaplens summary --json is DevTools’ Summary', () => {
  for (const f of ['node-plain.heapsnapshot', 'chromium-shapes.heapsnapshot']) {
    it(`${f}: every row and the statistics`, () => {
      const r = heaplens('summary', file(f), '--limit', '0', '--json');
      expect(r.status, r.stderr).toBe(0);
      const out = r.json();
      const snap = snaps.get(f)!;
      expect(out.classes.map(row)).toEqual(devtools.summary(snap).map(row));
      expect(out.classCount).toBe(out.classes.length);
      expect(out.statistics).toEqual(devtools.statistics(snap));
      expect(out.totalSize).toBe(devtools.staticData(snap).totalSize);
      console.info(`${f}: ${out.classes.length} summary rows equal to DevTools`);
    });
  }

  it('detached DOM: the elements and the text nodes the page cut from its document, apart', () => {
    // chromium-detached's page.js cut a <ul> with 25 <li>, each holding its text, from the document.
    const r = heaplens('summary', file('chromium-detached.heapsnapshot'), '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ detachedCount: 26, detachedTextCount: 25 });
    const text = heaplens('summary', file('chromium-detached.heapsnapshot'), '--limit', '1');
    expect(text.stdout.split('\n')[0]).toMatch(/, 26 detached DOM elements and 25 detached text nodes \]$/);
  });

  it('--filter: the named filters and allocated-between', () => {
    const snap = snaps.get('chromium-shapes.heapsnapshot')!;
    for (const [word, name] of [
      ['retained-by-detached-dom', 'objectsRetainedByDetachedDomNodes'],
      ['retained-by-console', 'objectsRetainedByConsole'],
      ['duplicated-strings', 'duplicatedStrings'],
    ] as const) {
      const out = heaplens('summary', file('chromium-shapes.heapsnapshot'), '--filter', word, '--limit', '0', '--json').json();
      expect(out.classes.map(row), word).toEqual(devtools.summary(snap, { kind: 'named', name }).map(row));
      expect(out.filter).toEqual({ kind: word });
    }
    const dup = heaplens('summary', file('chromium-shapes.heapsnapshot'), '--filter', 'duplicated-strings', '--json').json();
    expect(dup.duplicates.wasted).toBeGreaterThan(0); // the page holds 40 equal strings
    const { minNodeId, maxNodeId, rows } = devtools.allocatedBetween(snaps.get('node-before.heapsnapshot')!, snaps.get('node-after.heapsnapshot')!);
    const before = heaplens('summary', file('node-before.heapsnapshot'), '--json').json();
    expect(before.maxJsObjectId).toBe(minNodeId);
    const out = heaplens('summary', file('node-after.heapsnapshot'), '--filter', `allocated-between:${minNodeId}:${maxNodeId}`, '--limit', '0', '--json').json();
    expect(out.classes.map(row)).toEqual(rows.map(row));
    expect(out.classes.find((c: { name: string }) => c.name === 'Leaky').count).toBe(150);
  });

  it('a bad --filter is refused with the words it takes; --filter belongs to summary', () => {
    const r = heaplens('summary', file('node-plain.heapsnapshot'), '--filter', 'leaky');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--filter takes retained-by-detached-dom, retained-by-console, duplicated-strings or allocated-between:FROM_ID:TO_ID/);
    expect(heaplens('top', file('node-plain.heapsnapshot'), '--filter', 'duplicated-strings').status).toBe(2);
  });
});

describe('heaplens diff of two snapshots is DevTools’ Comparison', () => {
  it('node-before → node-after: every row’s counts and sizes', () => {
    const r = heaplens('diff', file('node-before.heapsnapshot'), file('node-after.heapsnapshot'), '--limit', '0', '--json');
    expect(r.status, r.stderr).toBe(0);
    const got = new Map(r.json().rows.map((x: { key: string }) => [x.key, x]));
    const want = devtools.comparison(snaps.get('node-before.heapsnapshot')!, snaps.get('node-after.heapsnapshot')!);
    expect(got.size).toBe(want.length);
    for (const w of want) {
      expect(got.get(w.key), w.key).toMatchObject({ name: w.name, newCount: w.newCount, deletedCount: w.deletedCount, allocSize: w.allocSize, freedSize: w.freedSize, countDelta: w.countDelta, sizeDelta: w.sizeDelta });
    }
    // Fields the contract had before stay.
    for (const x of r.json().rows) for (const k of ['name', 'newCount', 'deletedCount', 'countDelta', 'allocSize', 'freedSize', 'sizeDelta', 'count', 'size', 'sizeDiff', 'countDiff']) expect(x).toHaveProperty(k);
    expect(r.json().idOverlap.sameProcess).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('warns when the two snapshots are of two processes', () => {
    const r = heaplens('diff', file('node-plain.heapsnapshot'), file('node-after.heapsnapshot'), '--json');
    expect(r.status).toBe(0);
    expect(r.json().idOverlap.sameProcess).toBe(false);
    expect(r.stderr).toMatch(/do not look like snapshots of one process/);
  });
});

describe('heaplens timeline and allocations', () => {
  it('timeline --json: DevTools’ samples', () => {
    const r = heaplens('timeline', file('chromium.heaptimeline'), '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json()).toEqual({ samples: devtools.samples(snaps.get('chromium.heaptimeline')!) });
    const none = heaplens('timeline', file('node-plain.heapsnapshot'));
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/no timeline samples/);
  });

  for (const f of ['chromium.heaptimeline', 'node-before.heapsnapshot']) {
    it(`allocations --json on ${f}: DevTools’ Allocation view`, () => {
      const r = heaplens('allocations', file(f), '--limit', '0', '--json');
      expect(r.status, r.stderr).toBe(0);
      const pick = (x: devtools.AllocationRow) => ({ function: x.function, script: x.script, line: x.line, column: x.column, count: x.count, size: x.size, liveCount: x.liveCount, liveSize: x.liveSize });
      expect(r.json().rows.map(pick)).toEqual(devtools.allocationTops(snaps.get(f)!)!.map(pick));
    });
  }

  it('allocations on a snapshot without traces says how to record them', () => {
    const r = heaplens('allocations', file('node-plain.heapsnapshot'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Allocation instrumentation on timeline/);
  });
});

describe('heaplens summary --no-retained: a snapshot too big for a full open', () => {
  // A budget just under the snapshot's full estimate (its header's counts, layout.ts): the full
  // open is refused, one without retained sizes fits.
  const f = 'node-plain.heapsnapshot';
  const { snapshot } = JSON.parse(readFileSync(file(f), 'utf8')) as { snapshot: { node_count: number; edge_count: number } };
  const budget = String(heapMemoryEstimate(snapshot.node_count, snapshot.edge_count, 'full') - 1);

  it('the full open fails naming the flag; --no-retained gives DevTools’ rows and statistics, retainedSize null', () => {
    const refused = heaplensWith({ HEAPLENS_MEMORY_BUDGET: budget }, 'summary', file(f), '--json');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/without retained sizes/);
    expect(refused.stderr).toContain(`heaplens summary ${file(f)} --no-retained`);

    const r = heaplensWith({ HEAPLENS_MEMORY_BUDGET: budget }, 'summary', file(f), '--no-retained', '--limit', '0', '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = r.json();
    const snap = snaps.get(f)!;
    expect(out.hasRetainedSizes).toBe(false);
    expect(out.openMode).toBe('summary-only');
    const noRetained = ({ retainedSize, ...rest }: ReturnType<typeof row>) => (expect(retainedSize).toBeNull(), rest);
    const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    expect(out.classes.map(row).map(noRetained).sort(byKey)).toEqual(devtools.summary(snap).map(row).map(({ retainedSize: _, ...rest }) => rest).sort(byKey));
    // Every field of a full open's rows is there.
    const full = heaplens('summary', file(f), '--limit', '1', '--json').json();
    expect(Object.keys(out.classes[0]).sort()).toEqual(Object.keys(full.classes[0]).sort());
    expect(Object.keys(out).sort()).toEqual(Object.keys(full).sort());
    expect(full.hasRetainedSizes).toBe(true);
    expect(out.statistics).toEqual(devtools.statistics(snap));
    expect(out.totalSize).toBe(devtools.staticData(snap).totalSize);

    const text = heaplensWith({ HEAPLENS_MEMORY_BUDGET: budget }, 'summary', file(f), '--no-retained');
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/retained sizes were not computed/);
  });

  it('HEAPLENS_MEMORY_BUDGET only lowers the budget; --no-retained goes with summary only', async () => {
    // Far above the default (8 GiB): the default holds, so the heap snapshot bomb of issue 13
    // (its header announces 157 M nodes: about 11.7 GiB in full) is still refused at its header.
    const { heap } = await bombs();
    const huge = heaplensWith({ HEAPLENS_MEMORY_BUDGET: String(2 ** 50) }, 'summary', heap, '--json');
    expect(huge.status, huge.stderr).toBe(1);
    expect(huge.stderr).toMatch(/more than the 8\.00 GiB heaplens allows itself/);
    expect(heaplensWith({ HEAPLENS_MEMORY_BUDGET: 'lots' }, 'summary', file(f)).status).toBe(2);
    const wrong = heaplens('timeline', file('chromium.heaptimeline'), '--no-retained');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/--no-retained goes with summary/);
  }, 120_000);
});
