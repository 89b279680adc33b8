// The heap Summary's part of the hash (url-state.ts): its class filter, sorted column and named
// object filter go into links; an id range does not (it names other open files by their ids).
import type { HashState, NamedHeapFilter } from './url-state.ts';
import { viewState } from './view-state.svelte.ts';

const NAMED: readonly string[] = ['retained-by-detached-dom', 'retained-by-console', 'duplicated-strings'];

export function heapHash(): Pick<HashState, 'heapFilter' | 'heapSort' | 'heapObjects'> {
  const kind = viewState.heapObjects.kind;
  return {
    heapFilter: viewState.heapClassFilter,
    heapSort: viewState.heapSort,
    heapObjects: NAMED.includes(kind) ? (kind as NamedHeapFilter) : null,
  };
}

export function applyHeapHash(h: Pick<HashState, 'heapFilter' | 'heapSort' | 'heapObjects'>): void {
  viewState.heapClassFilter = h.heapFilter;
  viewState.heapSort = h.heapSort;
  // A link without a named filter leaves an id range chosen in this page as it is.
  if (h.heapObjects) {
    viewState.heapObjects = { kind: h.heapObjects };
    viewState.heapObjectsFor = null;
    viewState.heapObjectsLabel = '';
  } else if (NAMED.includes(viewState.heapObjects.kind)) viewState.heapObjects = { kind: 'all' };
}
