// View settings of the open profile, shared by its views and mirrored in the URL hash
// (url-state.ts), so a link reopens the same view and back/forward step through views.
import type { GroupBy, Mode, ViewId } from '../../workers/api/types.ts';

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
});
