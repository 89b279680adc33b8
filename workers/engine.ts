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
import { compareHeaps, leakCandidates } from './analysis/compare-heaps.ts';
import { compareGroups } from './analysis/diff.ts';
import { allocationFlame, differentialFlame, dominatorFlame, sandwichFlame } from './analysis/flame.ts';
import { groupBy, groupFrames, stacksInGroup, sumByStack, type Groups, type StackSums } from './analysis/group.ts';
import { detectFormat, formatBytes } from './formats/detect.ts';
import { gzip, parseCompact, toCompact } from './formats/compact.ts';
import { parseHeapProfile } from './formats/heapprofile.ts';
import { parseHeapSnapshot } from './formats/heapsnapshot.ts';
import { HeapSession } from './heap-session.ts';
import { parseTracemalloc } from './formats/tracemalloc.ts';
import type { Profile } from './model/profile.ts';

/** tracemalloc dumps are read whole; past this a browser tab would run out of memory. */
export const MAX_PICKLE_BYTES = 2 * 1024 ** 3;

interface OpenProfile {
  name: string;
  /** The allocation profile; null for a heap snapshot without allocation traces. */
  profile: Profile | null;
  heap: HeapSession | null;
  cache: Map<string, StackSums | Groups>;
}

class Cancelled extends HeaplensError {
  constructor() {
    super('Opening the file was cancelled.');
    this.name = 'Cancelled';
  }
}

const yieldToEvents = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function blobOf(source: Blob | ArrayBuffer | Uint8Array): Blob {
  return source instanceof Blob ? source : new Blob([source as Uint8Array<ArrayBuffer>]);
}

async function readAll(source: Blob | ArrayBuffer | Uint8Array, report: (p: Progress) => void, checkCancelled: () => void): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const blob = source;
  const total = blob.size;
  const out = new Uint8Array(total);
  let done = 0;
  const reader = blob.stream().getReader();
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

  /** The allocation profile of an open file, or an error saying how to record one. */
  const allocations = (p: OpenProfile): OpenProfile & { profile: Profile } => {
    if (!p.profile) {
      throw new HeaplensError(
        `${p.name} is a heap snapshot without allocation stacks, so it cannot be grouped by file, line or function. ` +
          'Record one with `node --track-heap-objects`, or with DevTools\' "Allocation instrumentation on timeline"; ' +
          'the class summary (heaplens summary) works on every snapshot.',
      );
    }
    return p as OpenProfile & { profile: Profile };
  };

  const heapOf = (id: number): HeapSession => {
    const p = get(id);
    if (!p.heap) throw new HeaplensError(`${p.name} is not a heap snapshot.`);
    return p.heap;
  };

  const sumsFor = (p: OpenProfile & { profile: Profile }, query: TopQuery): StackSums => {
    const key = `sums:${JSON.stringify(query.filters ?? [])}`;
    let sums = p.cache.get(key) as StackSums | undefined;
    if (!sums) {
      sums = sumByStack(p.profile, query);
      p.cache.set(key, sums);
    }
    return sums;
  };

  const groupsFor = (p: OpenProfile & { profile: Profile }, query: TopQuery): Groups => {
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

  const page = (p: OpenProfile & { profile: Profile }, groups: Groups, query: TopQuery, order: ArrayLike<number>): TopResult => {
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
      let blob = blobOf(source);
      let format = detectFormat(new Uint8Array(await blob.slice(0, 4096).arrayBuffer()), blob.size);
      if (format === 'gzip') {
        // Compressed profiles (.heapsnapshot.gz, .heaplens.json.gz): unpack, then look again.
        try {
          blob = await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).blob();
        } catch {
          throw new HeaplensError('This gzip file is damaged or cut short: it could not be decompressed.');
        }
        source = blob;
        format = detectFormat(new Uint8Array(await blob.slice(0, 4096).arrayBuffer()), blob.size);
        if (format === 'gzip') throw new HeaplensError('This file is gzip inside gzip; heaplens unpacks one level.');
      }
      let profile: Profile | null = null;
      let heap: HeapSession | null = null;
      if (format === 'heapsnapshot') {
        // Streamed: snapshots can be far larger than one ArrayBuffer or string may be.
        const graph = await parseHeapSnapshot(blob.stream(), blob.size, {
          onProgress: (done, total) => report({ phase: 'parsing', done, total }),
          checkCancelled,
        });
        report({ phase: 'indexing', done: blob.size, total: blob.size });
        await yieldToEvents();
        checkCancelled();
        heap = new HeapSession(graph);
        profile = heap.allocations;
      } else if (format === 'tracemalloc') {
        if (blob.size > MAX_PICKLE_BYTES) {
          throw new HeaplensError(
            `This tracemalloc snapshot is ${formatBytes(blob.size)}; heaplens reads dumps up to ${formatBytes(MAX_PICKLE_BYTES)}. ` +
              'Filter it in Python first (snapshot.filter_traces(...)) or take it with a smaller traceback limit.',
          );
        }
        const bytes = await readAll(source, report, checkCancelled);
        profile = await parseTracemalloc(bytes, {
          onProgress: (done, total) => report({ phase: 'parsing', done, total }),
          checkCancelled,
          yieldToEvents,
        });
      } else if (format === 'heapprofile') {
        const bytes = await readAll(source, report, checkCancelled);
        report({ phase: 'parsing', done: 0, total: bytes.length });
        profile = parseHeapProfile(bytes);
      } else {
        const bytes = await readAll(source, report, checkCancelled);
        profile = parseCompact(bytes);
      }
      const id = nextId++;
      profiles.set(id, { name, profile, heap, cache: new Map() });
      return summarize(id, name, format === 'compact' ? profile!.meta.format : format, profile, heap);
    },

    cancel(jobId) {
      cancelled.add(jobId);
    },

    top(id, query) {
      const p = allocations(get(id));
      const groups = groupsFor(p, query);
      return page(p, groups, query, groups.order);
    },

    tracebacksOf(id, query, key, limit = 20) {
      const p = allocations(get(id));
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
      const head = allocations(get(headId));
      const base = allocations(get(baseId));
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

    flame(id, query) {
      if (query.kind === 'dominators') {
        const heap = heapOf(id);
        return dominatorFlame(heap.graph, heap.analysis, heap.classes);
      }
      const p = allocations(get(id));
      if (query.sandwich) return sandwichFlame(p.profile, query, query.sandwich.frame, query.sandwich.side);
      if (query.baseId !== undefined && query.baseId !== null) {
        return differentialFlame(p.profile, allocations(get(query.baseId)).profile, query, !!query.inverted);
      }
      return allocationFlame(p.profile, query, !!query.inverted);
    },

    async exportCompact(id) {
      return gzip(JSON.stringify(toCompact(allocations(get(id)).profile)));
    },

    heapCompare(headId, baseId) {
      const head = heapOf(headId);
      const base = heapOf(baseId);
      return compareHeaps(head.graph, head.classes, base.graph, base.classes);
    },

    heapLeaks(firstId, secondId, thirdId) {
      const third = heapOf(thirdId);
      const nodes = leakCandidates(heapOf(firstId).graph, heapOf(secondId).graph, third.graph);
      const byClass = new Map<number, number[]>();
      for (const n of nodes) {
        if (third.analysis.distance[n] < 0) continue; // unreachable: about to be collected
        // V8's synthetic roots get new ids in every snapshot: not objects of the program.
        if (third.graph.nodeTypes[third.graph.nodeType[n]] === 'synthetic') continue;
        const c = third.classes.classOf[n];
        let list = byClass.get(c);
        if (!list) byClass.set(c, (list = []));
        list.push(n);
      }
      const r = third.analysis.retainedSize;
      return [...byClass.entries()]
        .map(([c, list]) => {
          list.sort((a, b) => r[b] - r[a]);
          return {
            name: third.classes.names[c],
            count: list.length,
            shallowSize: list.reduce((a, n) => a + third.graph.selfSize[n], 0),
            retainedSize: list.reduce((a, n) => a + r[n], 0),
            objects: list.slice(0, 10).map((n) => third.row(n)),
          };
        })
        .sort((a, b) => b.retainedSize - a.retainedSize || b.count - a.count);
    },

    heapClasses(id, query) {
      return heapOf(id).classRows(query);
    },

    heapObjects(id, classId, offset, limit) {
      return heapOf(id).objects(classId, offset, limit);
    },

    heapRetainers(id, node, maxPaths) {
      return heapOf(id).retainers(node, maxPaths);
    },

    heapDominated(id, node, offset, limit) {
      return heapOf(id).dominated(node, offset, limit);
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

function summarize(id: number, name: string, format: ProfileSummary['format'], profile: Profile | null, heap: HeapSession | null): ProfileSummary {
  const seen = new Set<number>();
  const domain = profile?.samples.domain;
  if (domain) {
    let last = NaN;
    for (let i = 0; i < domain.length; i++) {
      if (domain[i] !== last) seen.add((last = domain[i]));
    }
  }
  const heapSummary = heap ? heap.summary() : null;
  return {
    id,
    name,
    format,
    producer: heap ? heap.graph.meta.producer : profile!.meta.producer,
    sampleCount: profile ? profile.samples.length : 0,
    stackCount: profile ? profile.stacks.length : 0,
    frameCount: profile ? profile.frames.length : 0,
    total: heapSummary ? { size: heapSummary.totalSize, count: heapSummary.nodeCount } : totals(profile!),
    hasFunctionNames: profile ? profile.meta.hasFunctionNames : true,
    sampled: profile ? profile.meta.sampled : false,
    tracebackLimit: profile ? profile.meta.tracebackLimit : null,
    truncatedSamples: profile ? profile.meta.truncatedSamples : 0,
    captureTime: profile ? profile.meta.captureTime : null,
    domains: [...seen].sort((a, b) => a - b),
    heap: heapSummary,
    hasAllocations: profile !== null,
  };
}
