// The `heaplens` command: its JSON is a public contract (DESIGN.md, "CLI contract"), and its
// numbers are tracemalloc's own.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(__dirname, '../../cli/heaplens.js');
const DUMP = join(__dirname, '../fixtures/tracemalloc/limit25_p5.pickle');
const expected = JSON.parse(readFileSync(DUMP.replace(/\.pickle$/, '.expected.json'), 'utf8'));

function heaplens(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { ...r, json: () => JSON.parse(r.stdout) };
}

describe('heaplens top --json', () => {
  it('has the contract\'s shape and tracemalloc\'s numbers by line', () => {
    const r = heaplens('top', DUMP, '--by', 'line', '--limit', '5', '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = r.json();
    expect(out.format).toBe('tracemalloc');
    expect(out.value).toBe('size');
    expect(out.total).toMatchObject(expected.total);
    expect(out.rows).toHaveLength(Math.min(5, expected.statistics.lineno.length));
    out.rows.forEach((row: { frames: { file: string; line: number | null; function: string | null }[]; size: number; count: number }, i: number) => {
      const want = expected.statistics.lineno[i];
      // The contract's fields; later ones (values by sample type) may be added beside them.
      expect(Object.keys(row)).toEqual(expect.arrayContaining(['count', 'frames', 'size']));
      expect((row as { values?: Record<string, number> }).values).toEqual({ size: want.size, count: want.count });
      expect(row.frames).toEqual(want.frames.map(([file, line]: [string, number]) => ({ file, line, function: null })));
      expect(row.size).toBe(want.size);
      expect(row.count).toBe(want.count);
    });
  });

  it('by file: line is null; by traceback: frames outermost first', () => {
    const byFile = heaplens('top', DUMP, '--by', 'file', '--limit', '3', '--json').json();
    expect(byFile.rows[0].frames).toEqual([{ file: expected.statistics.filename[0].frames[0][0], line: null, function: null }]);
    const byTb = heaplens('top', DUMP, '--by', 'traceback', '--limit', '1', '--json').json();
    const want = expected.statistics.traceback[0];
    expect(byTb.rows[0].frames.map((f: { file: string; line: number }) => [f.file, f.line])).toEqual(want.frames);
    expect(byTb.rows[0].size).toBe(want.size);
  });

  it('--limit 0 prints every group; --cumulative equals statistics(cumulative=True)', () => {
    const all = heaplens('top', DUMP, '--limit', '0', '--cumulative', '--json').json();
    expect(all.rows.length).toBe(expected.statistics.lineno_cumulative.length);
    expect(all.rows.map((r: { size: number }) => r.size)).toEqual(expected.statistics.lineno_cumulative.map((s: { size: number }) => s.size));
  });

  it('human output reads like tracemalloc\'s', () => {
    const r = heaplens('top', DUMP, '--limit', '3');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\[ Top 3 lines of \d+ in limit25_p5\.pickle \]/);
    expect(r.stdout).toMatch(/#1: .+:\d+: [\d.]+ (B|KiB|MiB) \(count=[\d,]+, [\d.]+%\)/);
    expect(r.stdout).toMatch(/Total allocated size: .+ in [\d,]+ blocks/);
  });

  it('usage errors exit with 2 and say what is wrong', () => {
    const r = heaplens('top', DUMP, '--by', 'module');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--by must be file, line, function or traceback/);
    const fn = heaplens('top', DUMP, '--by', 'function');
    expect(fn.status).toBe(1);
    expect(fn.stderr).toMatch(/no function names/);
  });
});

describe('heaplens summary --json', () => {
  const SNAPSHOT = join(__dirname, '../fixtures/heapsnapshot/node-plain.heapsnapshot');

  it('has the contract\'s shape and the workload\'s classes', () => {
    const r = heaplens('summary', SNAPSHOT, '--limit', '0', '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = r.json();
    expect(out.nodeCount).toBe(41110);
    expect(out.edgeCount).toBe(183545);
    expect(typeof out.totalSize).toBe('number');
    // The contract's fields, and what this issue added (DevTools' distance, class key, location).
    for (const c of out.classes) expect(Object.keys(c).sort()).toEqual(['count', 'distance', 'distanceText', 'key', 'location', 'name', 'retainedSize', 'shallowSize']);
    expect(Object.keys(out.statistics).sort()).toEqual(['native', 'total', 'v8heap']);
    expect(Object.keys(out.statistics.v8heap).sort()).toEqual(['code', 'jsArrays', 'strings', 'system', 'total']);
    expect(out.classes.find((c: { name: string }) => c.name === 'Leaky').count).toBe(300);
    // largest retained first
    for (let i = 1; i < out.classes.length; i++) expect(out.classes[i].retainedSize).toBeLessThanOrEqual(out.classes[i - 1].retainedSize);
  });

  it('top on a snapshot without allocation traces explains how to record them', () => {
    const r = heaplens('top', SNAPSHOT);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--track-heap-objects/);
  });

  it('top works on a .heapprofile', () => {
    const r = heaplens('top', join(__dirname, '../fixtures/heapprofile/workload.heapprofile'), '--by', 'function', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json().format).toBe('heapprofile');
    expect(r.json().rows.some((row: { frames: { function: string }[] }) => row.frames[0].function === 'Session')).toBe(true);
    // The samples V8 left without a call tree node are reported, counted from the file itself.
    const raw = JSON.parse(readFileSync(join(__dirname, '../fixtures/heapprofile/workload.heapprofile'), 'utf8'));
    const ids = new Set<number>();
    const collect = (n: { id: number; children: unknown[] }) => (ids.add(n.id), n.children.forEach((c) => collect(c as typeof n)));
    collect(raw.head);
    const missing = raw.samples.filter((x: { nodeId: number }) => !ids.has(x.nodeId));
    expect(r.json().droppedSamples).toEqual({ count: missing.length, size: missing.reduce((a: number, x: { size: number }) => a + x.size, 0) });
    expect(heaplens('top', join(__dirname, '../fixtures/heapprofile/workload.heapprofile')).stdout).toMatch(new RegExp(`${missing.length} samples of .+ are in the file but on no stack`));
  });
});

describe('heaplens diff', () => {
  const dir = join(__dirname, '../fixtures/tracemalloc');
  const compare = JSON.parse(readFileSync(join(dir, 'compare.expected.json'), 'utf8')).compare_to;

  it('equals Snapshot.compare_to() by line, and --fail-over exits 3 when memory grew past it', () => {
    const r = heaplens('diff', join(dir, 'before_p5.pickle'), join(dir, 'after_p5.pickle'), '--limit', '0', '--json');
    expect(r.status, r.stderr).toBe(0);
    const rows = r.json().rows.map((x: { frames: { file: string; line: number }[]; size: number; sizeDiff: number; count: number; countDiff: number }) => ({
      frames: x.frames.map((f) => [f.file, f.line]),
      size: x.size,
      sizeDiff: x.sizeDiff,
      count: x.count,
      countDiff: x.countDiff,
    }));
    expect(rows).toEqual(compare.lineno);
    const grew = r.json().total.sizeDiff;
    expect(grew).toBeGreaterThan(0);
    expect(heaplens('diff', join(dir, 'before_p5.pickle'), join(dir, 'after_p5.pickle'), '--fail-over', String(grew - 1)).status).toBe(3);
    expect(heaplens('diff', join(dir, 'before_p5.pickle'), join(dir, 'after_p5.pickle'), '--fail-over', String(grew)).status).toBe(0);
  });
});
