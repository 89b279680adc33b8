// An open allocation profile (tracemalloc, .heapprofile, pprof, a traced snapshot's live
// objects): the profile and its lazy caches — sums per filter set, groupings per query — and
// the answers the engine hands out about it, each a small page.

import type { DiffResult, FlameLayout, FlameQuery, FrameOut, Totals, TopQuery, TopResult, TraceFilter, ValueTypeInfo } from '../api/types.ts';
import { compareGroups, findGroup } from '../analysis/diff.ts';
import { allocationFlame, differentialFlame, sandwichFlame } from '../analysis/flame/allocations.ts';
import { groupBy, pageOfGroups, restrictSums, rowMatcher, stacksInGroup, sumByStack, type Groups, type StackSums } from '../analysis/group.ts';
import { withLabelRoots } from '../analysis/labels.ts';
import { gzip, toCompact } from '../formats/compact/compact.ts';
import type { Profile } from '../model/profile.ts';
import { selectValues, valueOr0, type ValueSelection } from '../model/values.ts';

/** Switching back and forth between a handful of groupings is instant; memory stays bounded. */
const MAX_CACHED = 16;

export class AllocationDocument {
  private readonly sums = new Map<string, StackSums>();
  private readonly groupings = new Map<string, Groups>();
  private wholeTotals: number[] | null = null;
  /** The profile under label roots (query.groupLabel), one document per key. */
  private readonly labelled = new Map<string, AllocationDocument>();

  constructor(
    readonly name: string,
    readonly profile: Profile,
  ) {}

  get valueTypes(): ValueTypeInfo[] {
    return this.profile.valueTypes.map(({ name, unit, kind }) => ({ name, unit, kind }));
  }

  private countUnit(selection: ValueSelection): string {
    return selection.count >= 0 ? this.profile.valueTypes[selection.count].unit : '';
  }

  selection(value?: string | null): ValueSelection {
    return selectValues(this.profile, value);
  }

  private sumsFor(filters: TraceFilter[] | undefined): StackSums {
    const key = JSON.stringify(filters ?? []);
    let sums = this.sums.get(key);
    if (!sums) {
      sums = sumByStack(this.profile, filters);
      if (this.sums.size >= MAX_CACHED) this.sums.clear();
      this.sums.set(key, sums);
    }
    return sums;
  }

  private groupsFor(query: TopQuery, selection: ValueSelection): Groups {
    const mode = query.mode ?? 'self';
    const key = `${query.by}:${mode}:${selection.primary}:${JSON.stringify(query.filters ?? [])}`;
    let groups = this.groupings.get(key);
    if (!groups) {
      groups = groupBy(this.profile, this.sumsFor(query.filters), query.by, mode, selection);
      if (this.groupings.size >= MAX_CACHED) this.groupings.clear();
      this.groupings.set(key, groups);
    }
    return groups;
  }

  /** The whole profile's totals (filters ignored) for the default value. */
  totals(): Totals {
    return totalsOf(this.profileTotals(), this.selection());
  }

  /** Every value column's total over the whole profile, filters ignored. */
  private profileTotals(): number[] {
    // The unfiltered sums' totals: every query without filters needs those sums anyway, and
    // they add up every sample in order, as the whole profile's total does. (This was a reduce()
    // per column, a callback per sample: ~30 ms of a CLI run on a 2 M-trace dump.)
    this.wholeTotals ??= this.sumsFor(undefined).totals;
    return this.wholeTotals;
  }

  private result(groups: Groups, selection: ValueSelection, query: TopQuery): TopResult {
    const page = pageOfGroups(this.profile, groups, groups.order, query.search ?? '', Math.max(0, query.offset ?? 0), query.limit ?? Infinity);
    return {
      format: this.profile.meta.format,
      value: this.profile.valueTypes[selection.primary].name,
      valueTypes: this.valueTypes,
      countUnit: this.countUnit(selection),
      total: totalsOf(groups.totals, selection),
      profileTotal: totalsOf(this.profileTotals(), selection),
      groupCount: groups.order.length,
      groups: {
        total: page.total,
        rows: page.rows.map(({ key, frames }) => {
          const values = groups.values.map((column) => column[key]);
          return { key, frames, size: valueOr0(values, selection.size), count: valueOr0(values, selection.count), values };
        }),
      },
    };
  }

  /** The document to answer `query` from: this one, or this one under the query's label roots. */
  private under(groupLabel: string | null | undefined): AllocationDocument {
    if (!groupLabel) return this;
    let doc = this.labelled.get(groupLabel);
    if (!doc) {
      if (this.labelled.size >= 4) this.labelled.clear();
      this.labelled.set(groupLabel, (doc = new AllocationDocument(this.name, withLabelRoots(this.profile, groupLabel))));
    }
    return doc;
  }

  top(query: TopQuery): TopResult {
    if (query.groupLabel) return this.under(query.groupLabel).top({ ...query, groupLabel: null });
    const selection = this.selection(query.value);
    return this.result(this.groupsFor(query, selection), selection, query);
  }

  /** The tracebacks (whole stacks) of the samples in group `key` of `query`, largest first. */
  tracebacksOf(query: TopQuery, key: number, limit = 20): TopResult {
    if (query.groupLabel) return this.under(query.groupLabel).tracebacksOf({ ...query, groupLabel: null }, key, limit);
    const selection = this.selection(query.value);
    const groups = this.groupsFor(query, selection);
    const inGroup = stacksInGroup(this.profile, groups, key, query.mode ?? 'self');
    const tracebacks = groupBy(this.profile, restrictSums(this.sumsFor(query.filters), inGroup), 'traceback', 'self', selection);
    return this.result(tracebacks, selection, { by: 'traceback', limit });
  }

  /** This profile compared to `base` (Snapshot.compare_to order). */
  diff(base: AllocationDocument, query: TopQuery): DiffResult {
    if (query.groupLabel) return this.under(query.groupLabel).diff(base.under(query.groupLabel), { ...query, groupLabel: null });
    const selection = this.selection(query.value);
    const value = this.profile.valueTypes[selection.primary].name;
    const head = this.groupsFor(query, selection);
    const before = base.groupsFor(query, base.selection(value));
    return this.diffResult(base, before, head, selection, query);
  }

  /**
   * The tracebacks of one row of `diff(base, query)` (the group whose frames are `frames`, in
   * either profile), each compared with its own base: what changed under that line or file.
   */
  diffTracebacksOf(base: AllocationDocument, query: TopQuery, frames: FrameOut[], limit = 20): DiffResult {
    if (query.groupLabel) return this.under(query.groupLabel).diffTracebacksOf(base.under(query.groupLabel), { ...query, groupLabel: null }, frames, limit);
    const selection = this.selection(query.value);
    const baseSelection = base.selection(this.profile.valueTypes[selection.primary].name);
    const tracebacks = (doc: AllocationDocument, sel: ValueSelection) => {
      const groups = doc.groupsFor(query, sel);
      const g = findGroup({ profile: doc.profile, groups }, frames);
      const keep = g >= 0 ? stacksInGroup(doc.profile, groups, g, query.mode ?? 'self') : new Uint8Array(doc.profile.stacks.length);
      return groupBy(doc.profile, restrictSums(doc.sumsFor(query.filters), keep), 'traceback', 'self', sel);
    };
    return this.diffResult(base, tracebacks(base, baseSelection), tracebacks(this, selection), selection, { by: 'traceback', limit });
  }

  private diffResult(base: AllocationDocument, before: Groups, head: Groups, selection: ValueSelection, query: TopQuery): DiffResult {
    const value = this.profile.valueTypes[selection.primary].name;
    const all = compareGroups({ profile: base.profile, groups: before }, { profile: this.profile, groups: head }, selection);
    const matches = rowMatcher(query.search ?? '');
    const matching = matches ? all.filter((r) => matches(r.frames)) : all;
    const offset = Math.max(0, query.offset ?? 0);
    const baseTotals = this.profile.valueTypes.map((t) => {
      const c = base.profile.valueTypes.findIndex((b) => b.name === t.name);
      return c >= 0 ? before.totals[c] : 0;
    });
    const valueDiffs = head.totals.map((v, t) => v - baseTotals[t]);
    return {
      format: this.profile.meta.format,
      value,
      valueTypes: this.valueTypes,
      countUnit: this.countUnit(selection),
      total: {
        ...totalsOf(head.totals, selection),
        sizeDiff: valueOr0(valueDiffs, selection.size),
        countDiff: valueOr0(valueDiffs, selection.count),
        valueDiffs,
      },
      groupCount: all.length,
      groups: { total: matching.length, rows: matching.slice(offset, query.limit === undefined ? undefined : offset + query.limit) },
    };
  }

  flame(query: FlameQuery, base: AllocationDocument | null): FlameLayout {
    if (query.groupLabel) return this.under(query.groupLabel).flame({ ...query, groupLabel: null }, base && base.under(query.groupLabel));
    const selection = this.selection(query.value);
    if (query.sandwich) return sandwichFlame(this.profile, query.filters, selection, query.sandwich.frame, query.sandwich.side);
    if (base) return differentialFlame(this.profile, base.profile, query.filters, selection, !!query.inverted);
    return allocationFlame(this.profile, query.filters, selection, !!query.inverted);
  }

  /** heaplens' compact form, gzipped (.heaplens.json.gz, data links). */
  exportCompact(): Promise<Uint8Array> {
    // The profile's name travels with it, so a data link opens under its own name.
    return gzip(JSON.stringify(toCompact({ ...this.profile, meta: { ...this.profile.meta, name: this.name } })));
  }
}

function totalsOf(values: number[], selection: ValueSelection): Totals {
  return { size: valueOr0(values, selection.size), count: valueOr0(values, selection.count), values };
}
