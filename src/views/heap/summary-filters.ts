// DevTools' Summary filters as the selector offers them: all objects, the objects allocated
// before one open snapshot or between two (node-id ranges from their largest JavaScript ids;
// snapshots of one process number objects in allocation order), and the named filters.
import type { HeapNodeFilter, ProfileSummary } from '../../../workers/api/types.ts';

export interface FilterOption {
  value: string;
  label: string;
  filter: HeapNodeFilter;
  /** The other snapshots the range was made from (to check they are of this process). */
  from: ProfileSummary[];
}

export const NAMED_FILTERS: { kind: 'duplicated-strings' | 'retained-by-detached-dom' | 'retained-by-console'; label: string; none: string }[] = [
  { kind: 'duplicated-strings', label: 'Duplicated strings', none: 'No two strings of this snapshot have the same text.' },
  { kind: 'retained-by-detached-dom', label: 'Objects retained by detached DOM nodes', none: 'No object is retained by a detached DOM node.' },
  { kind: 'retained-by-console', label: 'Objects retained by the DevTools console', none: 'No object is retained by the DevTools console.' },
];

export function filterValue(f: HeapNodeFilter): string {
  if (f.kind === 'ids') return `ids:${f.minNodeId}:${f.maxNodeId ?? ''}`;
  if (f.kind === 'allocation') return `allocation:${f.path.join(',')}`;
  return f.kind;
}

/**
 * The options for `profile` among the open snapshots: ranges end at this snapshot's largest id
 * at most (later ones would select what this one cannot hold), earliest first.
 */
export function filterOptions(profile: ProfileSummary, others: ProfileSummary[], name: (p: ProfileSummary) => string): FilterOption[] {
  const own = profile.heap?.maxJsObjectId;
  const out: FilterOption[] = [{ value: 'all', label: 'All objects', filter: { kind: 'all' }, from: [] }];
  if (own !== undefined) {
    const snaps = [profile, ...others.filter((p) => p.heap?.maxJsObjectId !== undefined && p.id !== profile.id)]
      .filter((p) => p.heap!.maxJsObjectId! <= own)
      .sort((a, b) => a.heap!.maxJsObjectId! - b.heap!.maxJsObjectId!);
    if (snaps.length > 1) {
      for (const s of snaps) {
        if (s.id === profile.id) continue;
        const filter: HeapNodeFilter = { kind: 'ids', minNodeId: 0, maxNodeId: s.heap!.maxJsObjectId! };
        out.push({ value: filterValue(filter), label: `Objects allocated before ${name(s)}`, filter, from: [s] });
      }
      for (let i = 0; i < snaps.length; i++) {
        for (let j = i + 1; j < snaps.length; j++) {
          const [a, b] = [snaps[i], snaps[j]];
          if (a.heap!.maxJsObjectId === b.heap!.maxJsObjectId) continue;
          const filter: HeapNodeFilter = { kind: 'ids', minNodeId: a.heap!.maxJsObjectId!, maxNodeId: b.heap!.maxJsObjectId! };
          out.push({
            value: filterValue(filter),
            label: `Objects allocated between ${name(a)} and ${b.id === profile.id ? 'this snapshot' : name(b)}`,
            filter,
            from: [a, b].filter((p) => p.id !== profile.id),
          });
        }
      }
    }
  }
  for (const n of NAMED_FILTERS) out.push({ value: n.kind, label: n.label, filter: { kind: n.kind }, from: [] });
  return out;
}

/** The filter in words, for the empty state ("among objects retained by …"). */
export function describeFilter(f: HeapNodeFilter, label: string): string {
  const named = NAMED_FILTERS.find((n) => n.kind === f.kind);
  if (named) return named.label;
  if (label) return label;
  if (f.kind === 'ids') return `Objects with ids above ${f.minNodeId}${f.maxNodeId === null ? '' : ` up to ${f.maxNodeId}`}`;
  if (f.kind === 'allocation') return 'Objects allocated at the chosen site';
  return 'All objects';
}

/** What an empty Summary under the filter (and no class filter) means. */
export function noneText(f: HeapNodeFilter, label: string): string {
  const named = NAMED_FILTERS.find((n) => n.kind === f.kind);
  if (named) return named.none;
  if (f.kind === 'all') return 'This snapshot has no object of nonzero size.';
  return `No object of this snapshot is among: ${describeFilter(f, label).toLowerCase()}.`;
}
