// heaplens on pprof profiles against `go tool pprof` (Go 1.19): for every fixture and every
// sample type, totals and flat and cum per function, line and file, -traces, -diff_base, and
// the label options (-tagroot, -tagfocus, -tagignore), through the engine; the same through the
// CLI's JSON for functions and diffs. The expected numbers are pprof's text output, kept beside
// the profiles (test/fixtures/pprof/README.md); nothing here computes them.
//
// How a heaplens row is named as pprof names its node (internal/graph NodeInfo.NameComponents):
// - function grouping: the function's name. An unsymbolized frame (`0x4a3f10 (mapping)`, one
//   row per address in heaplens) is pprof's -addresses node `00000000004a3f10 [mapping]`; pprof's
//   -functions and -lines lump a mapping's addresses into one node `[mapping]`, which is
//   heaplens' row of the mapping's file when grouped by file.
// - line grouping: "function file:line", or "function file" when the line is unknown (pprof's
//   line 0, heaplens' -1), or just "function" when the file is unknown too.
// - file grouping: the file (cleaned by the importer as pprof cleans it); "" is `<unknown>`; a
//   mapping's file is `[basename]`.
// - -traces: each frame's function name, leaf first; unsymbolized frames `[mapping]`.
// - a label frame (groupLabel = -tagroot): function = the value, file = the key.
// self = flat, inclusive = cum; pprof's "Showing nodes accounting for" is heaplens' total of
// the filtered samples, its "of N total" the whole profile's.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFilterWord } from '../../workers/api/filter-syntax.ts';
import type { EngineApi, FrameOut, GroupBy, ProfileSummary, TopQuery, TraceFilter } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { decodePprof } from '../../workers/formats/pprof/decode.ts';
import { readExpected, type Section, type TopSection, type TracesSection } from './pprof-expected.ts';

const dir = join(import.meta.dirname, '../fixtures/pprof');
const CLI = join(import.meta.dirname, '../../cli/heaplens.js');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.pb.gz')).sort();

const counts = { totals: 0, rows: 0, traces: 0, diffRows: 0, cliRows: 0, cliDiffRows: 0 };
afterAll(() => {
  console.log(
    `pprof through heaplens: ${counts.totals} totals, ${counts.rows} -top rows, ${counts.traces} -traces stacks, ${counts.diffRows} -diff_base rows (engine); ` +
      `${counts.cliRows} -top rows and ${counts.cliDiffRows} -diff_base rows through the CLI's JSON, equal to go tool pprof`,
  );
});

const engine: EngineApi = createEngine();
const opened = new Map<string, Promise<ProfileSummary>>();
const open = (name: string) => {
  if (!opened.has(name)) opened.set(name, engine.open(new Uint8Array(readFileSync(join(dir, name))), name));
  return opened.get(name)!;
};
/** The mapping files of a fixture, to tell pprof's `[mapping]` rows (read from the file, not from heaplens). */
const mappingFiles = (name: string) => new Set(decodePprof(new Uint8Array(gunzipSync(readFileSync(join(dir, name))))).mappings.map((m) => m.filename));

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const UNSYMBOLIZED = /^0x([0-9a-f]+) \((.*)\)$/;
type Granularity = TopSection['granularity'];

/** pprof's name of a heaplens row (see the top of this file); null: pprof shows it under another granularity. */
function pprofName(f: FrameOut, g: Granularity, mappings: Set<string>): string | null {
  const u = UNSYMBOLIZED.exec(f.function ?? '');
  if (g === 'addresses') return u ? `${u[1].padStart(16, '0')} [${u[2]}]` : null;
  if (g === 'files') return mappings.has(f.file) ? `[${base(f.file)}]` : f.file || '<unknown>';
  if (u) return null;
  const fn = f.function ?? '';
  if (g === 'functions') return fn || '<unknown>';
  const where = f.line !== null && f.line > 0 ? `${f.file}:${f.line}` : f.file;
  return [fn, where].filter(Boolean).join(' ') || '<unknown>';
}

interface Row {
  name: string;
  flat: number;
  cum: number;
}
const byName = (a: Row, b: Row) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const keep = (rows: Map<string, Row>) => [...rows.values()].filter((r) => r.flat !== 0 || r.cum !== 0).sort(byName);

/** The query parts a section's flags ask for. */
function queryOf(s: Section): Pick<TopQuery, 'value' | 'filters' | 'groupLabel'> {
  const filters: TraceFilter[] = [];
  for (const [spec, negate] of [
    [s.tagfocus, false],
    [s.tagignore, true],
  ] as const) {
    if (!spec) continue;
    const f = parseFilterWord(`${negate ? '!' : ''}tag:${spec}`);
    if (typeof f === 'string') throw new Error(f);
    filters.push(f);
  }
  return { value: s.sampleIndex, filters, groupLabel: s.tagroot };
}

/** Rows of one grouping in both modes: self into flat, inclusive into cum, named as pprof names them. */
type Fetch = (by: GroupBy, mode: 'self' | 'inclusive') => Promise<{ frames: FrameOut[]; value: number }[]>;
async function ourRows(fetch: Fetch, g: Granularity, mappings: Set<string>): Promise<Row[]> {
  const rows = new Map<string, Row>();
  const add = async (by: GroupBy, named: Granularity, only: (f: FrameOut) => boolean) => {
    for (const mode of ['self', 'inclusive'] as const) {
      for (const r of await fetch(by, mode)) {
        const f = r.frames[0];
        if (!only(f)) continue;
        const name = pprofName(f, named, mappings);
        if (name === null) continue;
        let row = rows.get(name);
        if (!row) rows.set(name, (row = { name, flat: 0, cum: 0 }));
        expect(row[mode === 'self' ? 'flat' : 'cum'], `two heaplens rows named ${name}`).toBe(0);
        row[mode === 'self' ? 'flat' : 'cum'] = r.value;
      }
    }
  };
  if (g === 'addresses') await add('function', 'addresses', () => true);
  else {
    await add(g === 'functions' ? 'function' : g === 'lines' ? 'line' : 'file', g, () => true);
    // pprof's one node per mapping of unsymbolized code, at -functions and -lines.
    if (g !== 'files') await add('file', 'files', (f) => mappings.has(f.file));
  }
  return keep(rows);
}

const theirRows = (s: TopSection) => s.rows.map((r) => ({ name: r.name, flat: r.flat, cum: r.cum })).sort(byName);

const BY: Record<Granularity, GroupBy> = { functions: 'function', lines: 'line', files: 'file', addresses: 'function' };

function engineFetch(id: number, q: Pick<TopQuery, 'value' | 'filters' | 'groupLabel'>): Fetch {
  return async (by, mode) => {
    const r = engine.top(id, { ...q, by, mode });
    const t = r.valueTypes.findIndex((v) => v.name === q.value);
    return r.groups.rows.map((row) => ({ frames: row.frames, value: row.values[t] }));
  };
}

/** -traces: pprof prints one stack per merged sample (and label set); both sides summed per printed stack. */
function ourTraces(id: number, q: Pick<TopQuery, 'value' | 'filters' | 'groupLabel'>, mappings: Set<string>): Map<string, number> {
  const r = engine.top(id, { ...q, by: 'traceback' });
  const t = r.valueTypes.findIndex((v) => v.name === q.value);
  const out = new Map<string, number>();
  for (const row of r.groups.rows) {
    const names = row.frames
      .slice()
      .reverse()
      .map((f) => {
        const u = UNSYMBOLIZED.exec(f.function ?? '');
        return u ? `[${u[2]}]` : mappings.has(f.file) ? `[${base(f.file)}]` : f.function || '<unknown>';
      });
    const key = names.join('\n');
    out.set(key, (out.get(key) ?? 0) + row.values[t]);
  }
  return out;
}
function theirTraces(s: TracesSection): Map<string, number> {
  const out = new Map<string, number>();
  for (const sample of s.samples) {
    const key = sample.frames.map((f) => f.name).join('\n');
    out.set(key, (out.get(key) ?? 0) + sample.value);
  }
  return out;
}
const nonZero = (m: Map<string, number>) => new Map([...m].filter(([, v]) => v !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function sectionsOf(name: string): Section[] {
  const stem = name.replace(/\.pb\.gz$/, '');
  const files = [`${stem}.expected.txt`, `${stem}.labels.expected.txt`].map((f) => join(dir, f)).filter(existsSync);
  return files.flatMap((f) => readExpected(f));
}

describe('pprof through the engine equals go tool pprof', () => {
  for (const name of fixtures) {
    it(`${name}: totals, flat and cum per function, line and file, -traces, labels`, async () => {
      const s = await open(name);
      expect(s.format).toBe('pprof');
      const mappings = mappingFiles(name);
      const sections = sectionsOf(name);
      // Every sample type of the file is checked.
      expect(new Set(sections.map((x) => x.sampleIndex))).toEqual(new Set(s.capabilities.valueTypes.map((v) => v.name)));
      for (const section of sections) {
        const q = queryOf(section);
        const what = section.args.join(' ');
        if (section.kind === 'traces') {
          const ours = nonZero(ourTraces(s.id, q, mappings));
          expect(ours, what).toEqual(nonZero(theirTraces(section)));
          counts.traces += ours.size;
          continue;
        }
        const top = engine.top(s.id, { ...q, by: BY[section.granularity], limit: 0 });
        const t = top.valueTypes.findIndex((v) => v.name === section.sampleIndex);
        expect(top.value).toBe(section.sampleIndex);
        expect(top.total.values[t], `${what}: shown`).toBe(section.shown);
        if (name === 'go-heap-diff.pb.gz') {
          // A saved -diff_base: pprof's total is the base's, the samples labelled pprof::base=true.
          const baseOnly = engine.top(s.id, { ...q, by: 'file', filters: [...(q.filters ?? []), parseFilterWord('tag:pprof::base=true') as TraceFilter], limit: 0 });
          expect(Math.abs(baseOnly.total.values[t]), `${what}: total`).toBe(section.total);
        } else {
          expect(top.profileTotal.values[t], `${what}: total`).toBe(section.total);
        }
        counts.totals++;
        const ours = await ourRows(engineFetch(s.id, q), section.granularity, mappings);
        expect(ours, what).toEqual(theirRows(section));
        counts.rows += ours.length;
      }
    });
  }

  it('before/after: heaplens diff BASE HEAD --value X equals -diff_base per function, line and file', async () => {
    const before = await open('go-heap-before.pb.gz');
    const after = await open('go-heap-after.pb.gz');
    const mappings = mappingFiles('go-heap-after.pb.gz');
    const sections = readExpected(join(dir, 'go-heap-before-after.expected.txt'));
    expect(new Set(sections.map((x) => x.sampleIndex))).toEqual(new Set(after.capabilities.valueTypes.map((v) => v.name)));
    for (const section of sections) {
      if (section.kind !== 'top') continue;
      const q = queryOf(section);
      const fetch: Fetch = async (by, mode) => {
        const d = engine.diff(after.id, before.id, { ...q, by, mode });
        const t = d.valueTypes.findIndex((v) => v.name === q.value);
        return d.groups.rows.map((row) => ({ frames: row.frames, value: row.valueDiffs[t] }));
      };
      const d = engine.diff(after.id, before.id, { ...q, by: 'file', limit: 0 });
      const t = d.valueTypes.findIndex((v) => v.name === q.value);
      expect(d.total.valueDiffs[t], section.args.join(' ')).toBe(section.shown);
      expect(engine.top(before.id, { ...q, by: 'file', limit: 0 }).profileTotal.values[t]).toBe(section.total);
      counts.totals++;
      const ours = await ourRows(fetch, section.granularity, mappings);
      expect(ours, section.args.join(' ')).toEqual(theirRows(section));
      counts.diffRows += ours.length;
    }
  });
});

// --- the CLI ---------------------------------------------------------------------------------

// A few CLI processes at a time: the machine is shared.
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 3) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function heaplens(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return slot(() => run(args));
}
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
async function json(args: string[]) {
  const r = await heaplens([...args, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

interface CliRow {
  frames: FrameOut[];
  size: number;
  count: number;
  values: Record<string, number>;
  valueDiffs?: Record<string, number>;
}

describe('pprof through the CLI (JSON) equals go tool pprof', () => {
  it('heaplens top --value X --by function [--inclusive] --limit 0 --json, every fixture and sample type', async () => {
    const jobs: Promise<void>[] = [];
    for (const name of fixtures) {
      const mappings = mappingFiles(name);
      for (const section of readExpected(join(dir, name.replace(/\.pb\.gz$/, '.expected.txt')))) {
        if (section.kind !== 'top' || section.granularity !== 'functions' || name === 'gperf-heap.pb.gz') continue;
        jobs.push(
          (async () => {
            const file = join(dir, name);
            const args = ['top', file, '--value', section.sampleIndex, '--by', 'function', '--limit', '0'];
            const [self, inclusive] = await Promise.all([json(args), json([...args, '--inclusive'])]);
            for (const out of [self, inclusive]) {
              expect(out.format).toBe('pprof');
              expect(out.value).toBe(section.sampleIndex);
              expect(out.valueTypes.map((v: { name: string }) => v.name).sort()).toEqual(Object.keys(out.total.values).sort());
              expect(out.total.values[section.sampleIndex]).toBe(section.shown);
            }
            const fetch: Fetch = async (_by, mode) => ((mode === 'self' ? self : inclusive).rows as CliRow[]).map((r) => ({ frames: r.frames, value: r.values[section.sampleIndex] }));
            const ours = await ourRows(fetch, 'functions', mappings);
            expect(ours, section.args.join(' ')).toEqual(theirRows(section));
            counts.cliRows += ours.length;
          })(),
        );
      }
    }
    await Promise.all(jobs);
  });

  it('heaplens diff BEFORE AFTER --value X --by function --json equals -diff_base, with values and valueDiffs on every row', async () => {
    const mappings = mappingFiles('go-heap-after.pb.gz');
    const sections = readExpected(join(dir, 'go-heap-before-after.expected.txt')).filter((s): s is TopSection => s.kind === 'top' && s.granularity === 'functions');
    expect(sections.length).toBe(4);
    await Promise.all(
      sections.map(async (section) => {
        const args = ['diff', join(dir, 'go-heap-before.pb.gz'), join(dir, 'go-heap-after.pb.gz'), '--value', section.sampleIndex, '--by', 'function', '--limit', '0'];
        const [self, inclusive] = await Promise.all([json(args), json([...args, '--inclusive'])]);
        for (const row of self.rows as CliRow[]) {
          expect(Object.keys(row.values).sort()).toEqual(['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);
          expect(Object.keys(row.valueDiffs!).sort()).toEqual(['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);
        }
        expect(self.total.valueDiffs[section.sampleIndex]).toBe(section.shown);
        const fetch: Fetch = async (_by, mode) => ((mode === 'self' ? self : inclusive).rows as CliRow[]).map((r) => ({ frames: r.frames, value: r.valueDiffs![section.sampleIndex] }));
        const ours = await ourRows(fetch, 'functions', mappings);
        expect(ours, section.args.join(' ')).toEqual(theirRows(section));
        counts.cliDiffRows += ours.length;
      }),
    );
  });
});
