// View settings of the open profile, shared by its views and mirrored in the URL hash
// (url-state.ts), so a link reopens the same view and back/forward step through views.
import type { GroupBy, HeapClassSortKey, HeapNodeFilter, HeapSort, Mode, ProfileSummary, ViewId } from '../../workers/api/types.ts';

export type View = ViewId;

export const viewState = $state({
  view: 'top' as View,
  by: 'line' as GroupBy,
  mode: 'self' as Mode,
  /** The filter box's text (tracemalloc.Filter syntax, workers/api/filter-syntax.ts). */
  filterText: '',
  /** The Top table's row search. */
  search: '',
  /** Flame graph: allocation sites on top. */
  inverted: false,
  /** Flame graph: the zoomed node (index in the layout), -1 for none. */
  zoom: -1,
  /** Flame graph search. */
  flameSearch: '',
  /** The open profile's base for diffs (an engine profile id), null for none. */
  baseId: null as number | null,
  /** The value type (sample type) Top and the flame graph rank by; null: the profile's default. */
  value: null as string | null,
  /** Heap timeline: the brushed time range [from, to] in ms since the recording began; null for all of it. */
  timelineRange: null as [number, number] | null,
  /** Heap Summary: the class filter (a name's part, `/regexp/`, `@id`). */
  heapClassFilter: '',
  /** Heap Summary: the sorted column; null for DevTools' default (retained size, largest first). */
  heapSort: null as HeapSort<HeapClassSortKey> | null,
  /**
   * Heap Summary: which objects count (DevTools' filter selector). Named filters hold for any
   * snapshot; an id range or an allocation site holds only for the profile `heapObjectsFor` (null:
   * any), and `heapObjectsLabel` names one set by another view (a timeline's selected range).
   */
  heapObjects: { kind: 'all' } as HeapNodeFilter,
  heapObjectsFor: null as number | null,
  heapObjectsLabel: '',
});

/**
 * The value type to ask `profile` for: the chosen one when this profile has it, else undefined
 * (the engine takes the profile's default). A link's `value=alloc_space` means nothing to a
 * tracemalloc dump, so it is ignored there rather than refused.
 */
export function valueFor(profile: ProfileSummary): string | undefined {
  const v = viewState.value;
  return v !== null && profile.capabilities.valueTypes.some((t) => t.name === v) ? v : undefined;
}
