// View settings shared by the Top table and the flame graph of the open profile, so a filter set
// in one applies in the other (and, later, can live in the URL).
export const viewState = $state({
  /** The filter box's text (tracemalloc.Filter syntax, see filter-syntax.ts). */
  filterText: '',
});
