// The query the Top table and the flame graph share: the filter box and the row search, typed in
// either view, settled a moment after the last keystroke, parsed once. A filter that does not
// parse shows its error in both views and changes neither.
import { parseFilters } from '../../workers/api/filter-syntax.ts';
import type { TraceFilter } from '../../workers/api/types.ts';
import { viewState } from './view-state.svelte.ts';

const SETTLE_MS = 150;

class SharedQuery {
  /** The texts the engine was last asked with. */
  filterText = $state('');
  search = $state('');
  private readonly parsed = $derived(parseFilters(this.filterText));
  /** The last filters that parsed (kept while the box holds a broken one). */
  private lastGood: TraceFilter[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  get filters(): TraceFilter[] {
    if (!this.parsed.error) this.lastGood = this.parsed.filters;
    return this.lastGood;
  }

  get error(): string | null {
    return this.parsed.error;
  }

  /** The user typed in the filter box or the search box. */
  edit(change: { filterText?: string; search?: string }): void {
    if (change.filterText !== undefined) viewState.filterText = change.filterText;
    if (change.search !== undefined) viewState.search = change.search;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.settle(), SETTLE_MS);
  }

  /** Takes the view state's texts at once (a link or back/forward changed them). */
  settle(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.filterText = viewState.filterText;
    this.search = viewState.search;
  }
}

export const sharedQuery = new SharedQuery();
