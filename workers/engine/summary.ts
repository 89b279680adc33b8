// What the engine says about an open profile when it opens: its totals and metadata, and its
// capabilities — the views, groupings, modes and value types it offers — so callers never
// switch on the format.

import type { Capabilities, GroupBy, HeapSummary, ProfileFormat, ProfileSummary, ViewId } from '../api/types.ts';
import type { Profile } from '../model/profile.ts';
import { defaultValue } from '../model/values.ts';
import { AllocationDocument } from './allocation-document.ts';
import type { HeapDocument } from './heap-document.ts';

export type OpenDocument = AllocationDocument | HeapDocument;

/** The allocation profile of a document, if it has one. */
export function allocationsOf(doc: OpenDocument): AllocationDocument | null {
  return doc instanceof AllocationDocument ? doc : doc.allocations;
}

function capabilities(profile: Profile | null, heap: HeapSummary | null): Capabilities {
  // The dominator flame graph needs the dominator tree, which a summary-only open leaves out.
  const heapViews: ViewId[] = heap ? (heap.hasRetainedSizes ? ['heap', 'dominators'] : ['heap']) : [];
  // A timeline needs its samples; DevTools' Allocation view its trace tree (timelines and --track-heap-objects snapshots).
  if (heap?.hasTimeline) heapViews.push('timeline');
  if (heap?.hasAllocationView) heapViews.push('allocation');
  const views: ViewId[] = [...heapViews, ...(profile ? (['top', 'flame'] as const) : [])];
  // DevTools' other perspectives of a snapshot (after the ones above, so the default view stays the Summary).
  if (heap) views.push('comparison', 'containment', 'statistics');
  const groupings: GroupBy[] = profile && !profile.meta.hasFunctionNames ? ['file', 'line', 'traceback'] : ['file', 'line', 'function', 'traceback'];
  return {
    views,
    defaultView: views[0],
    groupings,
    defaultGrouping: profile?.meta.defaultGrouping && groupings.includes(profile.meta.defaultGrouping) ? profile.meta.defaultGrouping : 'line',
    modes: ['self', 'inclusive', 'cumulative'],
    valueTypes: profile ? profile.valueTypes.map(({ name, unit, kind }) => ({ name, unit, kind })) : [],
    defaultValue: profile ? defaultValue(profile) : null,
    labelKeys: profile ? labelKeys(profile) : [],
  };
}

function labelKeys(profile: Profile): string[] {
  const labels = profile.samples.labels;
  if (!labels) return [];
  const keys = new Set<number>();
  for (let i = 0; i < labels.length; i++) keys.add(labels.key[i]);
  return [...keys].map((k) => profile.strings[k]).sort();
}

export function summarize(id: number, doc: OpenDocument): ProfileSummary {
  const heap = doc instanceof AllocationDocument ? null : doc;
  const profile = allocationsOf(doc)?.profile ?? null;
  const domains = new Set<number>();
  const domain = profile?.samples.domain;
  if (domain) {
    let last = NaN;
    for (let i = 0; i < domain.length; i++) if (domain[i] !== last) domains.add((last = domain[i]));
  }
  const heapSummary = heap ? heap.summary() : null;
  let total = { size: 0, count: 0 };
  let totalValues: number[] = [];
  if (heapSummary) total = { size: heapSummary.totalSize, count: heapSummary.nodeCount };
  else if (profile) {
    const t = (doc as AllocationDocument).totals();
    total = { size: t.size, count: t.count };
    totalValues = t.values;
  }
  const format: ProfileFormat = heap ? 'heapsnapshot' : profile!.meta.format;
  return {
    id,
    name: doc.name,
    format,
    producer: heap ? heap.graph.meta.producer : profile!.meta.producer,
    producerDetails: (heap ? heap.graph.meta.producerDetails : profile!.meta.producerDetails) ?? '',
    sampleCount: profile ? profile.samples.length : 0,
    stackCount: profile ? profile.stacks.length : 0,
    frameCount: profile ? profile.frames.length : 0,
    total,
    totalValues,
    hasFunctionNames: profile ? profile.meta.hasFunctionNames : true,
    sampled: profile ? profile.meta.sampled : false,
    tracebackLimit: profile ? profile.meta.tracebackLimit : null,
    truncatedSamples: profile ? profile.meta.truncatedSamples : 0,
    captureTime: profile ? profile.meta.captureTime : null,
    domains: [...domains].sort((a, b) => a - b),
    droppedSamples: profile?.meta.droppedSamples ?? { count: 0, size: 0 },
    linesAreFunctionStarts: profile?.meta.linesAreFunctionStarts ?? false,
    heap: heapSummary,
    hasAllocations: profile !== null,
    capabilities: capabilities(profile, heapSummary),
    notices: profile?.meta.notices ?? [],
    comments: profile?.meta.comments ?? [],
    docUrl: profile?.meta.docUrl ?? null,
    period: profile?.meta.period ?? null,
    durationNanos: profile?.meta.durationNanos ?? null,
  };
}
