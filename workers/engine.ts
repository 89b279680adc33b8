// The one engine object: the web worker exposes it through comlink, the CLI and the tests call it
// directly. It holds the parsed profiles; callers get small answers (pages of rows).

import {
  HeaplensError,
  type EngineApi,
  type Progress,
  type ProfileSummary,
  type TopQuery,
  type TopResult,
} from './api.ts';
import { compareGroups } from './analysis/diff.ts';
import { groupBy, groupFrames, stacksInGroup, sumByStack, type Groups, type StackSums } from './analysis/group.ts';
import { detectFormat, formatBytes } from './formats/detect.ts';
import { parseHeapProfile } from './formats/heapprofile.ts';
import { parseTracemalloc } from './formats/tracemalloc.ts';
import type { Profile } from './model/profile.ts';

/** tracemalloc dumps are read whole; past this a browser tab would run out of memory. */
export const MAX_PICKLE_BYTES = 2 * 1024 ** 3;

interface OpenProfile {
  name: string;
  profile: Profile;
  cache: Map<string, StackSums | Groups>;
}

class Cancelled extends HeaplensError {
  constructor() {
    super('Opening the file was cancelled.');
    this.name = 'Cancelled';
  }
}

const yieldToEvents = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function readAll(source: Blob | ArrayBuffer | Uint8Array, report: (p: Progress) => void, checkCancelled: () => void): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const total = source.size;
  const head = new Uint8Array(await source.slice(0, 4096).arrayBuffer());
  const format = detectFormat(head, total);
  if (format === 'tracemalloc' && total > MAX_PICKLE_BYTES) {
    throw new HeaplensError(
      `This tracemalloc snapshot is ${formatBytes(total)}; heaplens reads dumps up to ${formatBytes(MAX_PICKLE_BYTES)}. ` +
        'Filter it in Python first (snapshot.filter_traces(...)) or take it with a smaller traceback limit.',
    );
  }
  const out = new Uint8Array(total);
  let done = 0;
  const reader = source.stream().getReader();
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    if (done + value.length > total) throw new HeaplensError('The file grew while it was being read.');
    out.set(value, done);
    done += value.length;
    report({ phase: 'reading', done, total });
    try {
      checkCancelled();
    } catch (e) {
      await reader.cancel();
      throw e;
    }
  }
  if (done !== total) throw new HeaplensError(`The file could only be read in part (${done} of ${total} bytes).`);
  return out;
}

export function createEngine(): EngineApi {
  const profiles = new Map<number, OpenProfile>();
  const cancelled = new Set<number>();
  let nextId = 1;

  const get = (id: number): OpenProfile => {
    const p = profiles.get(id);
    if (!p) throw new HeaplensError(`No open profile has id ${id}.`);
    return p;
  };

  const sumsFor = (p: OpenProfile, query: TopQuery): StackSums => {
    const key = `sums:${JSON.stringify(query.filters ?? [])}`;
    let sums = p.cache.get(key) as StackSums | undefined;
    if (!sums) {
      sums = sumByStack(p.profile, query);
      p.cache.set(key, sums);
    }
    return sums;
  };

  const groupsFor = (p: OpenProfile, query: TopQuery): Groups => {
    const key = `groups:${query.by}:${query.mode ?? 'self'}:${JSON.stringify(query.filters ?? [])}`;
    let groups = p.cache.get(key) as Groups | undefined;
    if (!groups) {
      groups = groupBy(p.profile, sumsFor(p, query), query.by, query.mode ?? 'self');
      // Keep a handful of groupings: switching back and forth is instant, memory stays bounded.
      if (p.cache.size > 16) p.cache.clear();
      p.cache.set(key, groups);
    }
    return groups;
  };

  const page = (p: OpenProfile, groups: Groups, query: TopQuery, order: ArrayLike<number>): TopResult => {
    const search = query.search?.trim().toLowerCase() ?? '';
    const offset = Math.max(0, query.offset ?? 0);
    const limit = query.limit ?? Infinity;
    const rows: TopResult['rows'] = [];
    let matchCount = 0;
    for (let i = 0; i < order.length; i++) {
      const g = order[i];
      let frames: ReturnType<typeof groupFrames> | null = null;
      if (search) {
        frames = groupFrames(p.profile, groups, g);
        if (!frames.some((f) => f.file.toLowerCase().includes(search) || (f.function ?? '').toLowerCase().includes(search))) continue;
      }
      if (matchCount >= offset && rows.length < limit) {
        rows.push({ key: g, frames: frames ?? groupFrames(p.profile, groups, g), size: groups.size[g], count: groups.count[g] });
      }
      matchCount++;
      if (!search && rows.length >= limit) {
        matchCount = order.length;
        break;
      }
    }
    return {
      format: p.profile.meta.format,
      value: 'size',
      total: { size: groups.totalSize, count: groups.totalCount },
      profileTotal: totals(p.profile),
      groupCount: order.length,
      matchCount,
      rows,
    };
  };

  return {
    async open(source, name, jobId, onProgress): Promise<ProfileSummary> {
      const checkCancelled = (): void => {
        if (jobId !== undefined && cancelled.has(jobId)) {
          cancelled.delete(jobId);
          throw new Cancelled();
        }
      };
      const report = (p: Progress): void => onProgress?.(p);
      const bytes = await readAll(source, report, checkCancelled);
      const format = detectFormat(bytes.subarray(0, 4096), bytes.length);
      let profile: Profile;
      if (format === 'tracemalloc') {
        if (bytes.length > MAX_PICKLE_BYTES) throw new HeaplensError(`This tracemalloc snapshot is ${formatBytes(bytes.length)}; heaplens reads dumps up to ${formatBytes(MAX_PICKLE_BYTES)}.`);
        profile = await parseTracemalloc(bytes, {
          onProgress: (done, total) => report({ phase: 'parsing', done, total }),
          checkCancelled,
          yieldToEvents,
        });
      } else if (format === 'heapprofile') {
        report({ phase: 'parsing', done: 0, total: bytes.length });
        profile = parseHeapProfile(bytes);
      } else {
        throw new HeaplensError(
          `This is a ${format === 'heapsnapshot' ? 'V8 heap snapshot' : 'pprof profile'}; ` +
            'heaplens does not read that format yet. It reads Python tracemalloc snapshot dumps.',
        );
      }
      const id = nextId++;
      profiles.set(id, { name, profile, cache: new Map() });
      return summarize(id, name, profile);
    },

    cancel(jobId) {
      cancelled.add(jobId);
    },

    top(id, query) {
      const p = get(id);
      const groups = groupsFor(p, query);
      return page(p, groups, query, groups.order);
    },

    tracebacksOf(id, query, key, limit = 20) {
      const p = get(id);
      const groups = groupsFor(p, query);
      const inGroup = stacksInGroup(p.profile, groups, key, query.mode ?? 'self');
      const sums = sumsFor(p, query);
      const n = p.profile.stacks.length;
      const size = new Float64Array(n);
      const count = new Float64Array(n);
      let totalSize = 0;
      let totalCount = 0;
      for (let s = 0; s < n; s++) {
        if (inGroup[s] === 0) continue;
        size[s] = sums.size[s];
        count[s] = sums.count[s];
        totalSize += size[s];
        totalCount += count[s];
      }
      const tracebacks = groupBy(p.profile, { size, count, totalSize, totalCount }, 'traceback', 'self');
      return page(p, tracebacks, { by: 'traceback', limit }, tracebacks.order);
    },

    diff(headId, baseId, query) {
      const head = get(headId);
      const base = get(baseId);
      const headGroups = groupsFor(head, query);
      const baseGroups = groupsFor(base, query);
      const all = compareGroups({ profile: base.profile, groups: baseGroups }, { profile: head.profile, groups: headGroups });
      const search = query.search?.trim().toLowerCase() ?? '';
      const matching = search
        ? all.filter((r) => r.frames.some((f) => f.file.toLowerCase().includes(search) || (f.function ?? '').toLowerCase().includes(search)))
        : all;
      const offset = Math.max(0, query.offset ?? 0);
      return {
        format: head.profile.meta.format,
        value: 'size',
        total: {
          size: headGroups.totalSize,
          count: headGroups.totalCount,
          sizeDiff: headGroups.totalSize - baseGroups.totalSize,
          countDiff: headGroups.totalCount - baseGroups.totalCount,
        },
        groupCount: all.length,
        matchCount: matching.length,
        rows: matching.slice(offset, query.limit === undefined ? undefined : offset + query.limit),
      };
    },

    close(id) {
      profiles.delete(id);
    },
  };
}

function totals(profile: Profile): { size: number; count: number } {
  let size = 0;
  let count = 0;
  const [sv, cv] = profile.samples.values;
  for (let i = 0; i < profile.samples.length; i++) {
    size += sv[i];
    count += cv[i];
  }
  return { size, count };
}

function summarize(id: number, name: string, profile: Profile): ProfileSummary {
  const seen = new Set<number>();
  const domain = profile.samples.domain;
  if (domain) {
    let last = NaN;
    for (let i = 0; i < domain.length; i++) {
      if (domain[i] !== last) seen.add((last = domain[i]));
    }
  }
  const domains = [...seen].sort((a, b) => a - b);
  return {
    id,
    name,
    format: profile.meta.format,
    producer: profile.meta.producer,
    sampleCount: profile.samples.length,
    stackCount: profile.stacks.length,
    frameCount: profile.frames.length,
    total: totals(profile),
    hasFunctionNames: profile.meta.hasFunctionNames,
    sampled: profile.meta.sampled,
    tracebackLimit: profile.meta.tracebackLimit,
    truncatedSamples: profile.meta.truncatedSamples,
    captureTime: profile.meta.captureTime,
    domains,
  };
}
