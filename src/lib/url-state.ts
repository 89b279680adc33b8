// The URL is the state: everything needed to reopen a view lives in the hash, parsed and written
// here only. Versioned: `v` names the layout a link was written in; links of older layouts go
// through UPGRADERS (one step per version) before they are read, so old links keep working.
//   #v=1&url=<hosted profile>&base=<hosted base>&view=flame&by=line&mode=self&value=alloc_space&filter=…&q=…&inv=1&zoom=12
//   #…&view=timeline&tr=248.5,745.2                (a heap timeline's brushed range, ms)
//   #v=1&data=<gzipped, base64url profile>   (a profile packed into the link itself)
//   #v=1&lib=<library entry id>&view=…        (a profile kept in this browser's library: a reload
//                                            reopens it; elsewhere the link explains it is not there)
//   …&view=heap&hf=Leaky&hsort=distance.asc&hobj=duplicated-strings   (the heap Summary: class filter,
//                                            sorted column, a named object filter)
import type { GroupBy, HeapClassSortKey, HeapSort, Mode } from '../../workers/api/types.ts';
import type { View } from './view-state.svelte.ts';

export interface HashState {
  url: string | null;
  base: string | null;
  data: string | null;
  /** A library entry of this browser. */
  lib: string | null;
  view: View | null;
  by: GroupBy | null;
  mode: Mode | null;
  /** The value type ranked by (a pprof sample type); null: the profile's default. */
  value: string | null;
  filter: string;
  search: string;
  inverted: boolean;
  zoom: number;
  flameSearch: string;
  /** Heap timeline: the brushed range in ms (`tr=from,to`); null for all of it. */
  timelineRange: [number, number] | null;
  /** Heap Summary: class filter, sorted column (null: the default), named object filter (null: all objects). */
  heapFilter: string;
  heapSort: HeapSort<HeapClassSortKey> | null;
  heapObjects: NamedHeapFilter | null;
}

/** The Summary filters a link can carry: those that mean the same in any snapshot (id ranges name other open files). */
export type NamedHeapFilter = 'retained-by-detached-dom' | 'retained-by-console' | 'duplicated-strings';
const NAMED_HEAP_FILTERS: readonly string[] = ['retained-by-detached-dom', 'retained-by-console', 'duplicated-strings'];
const HEAP_SORTS: readonly string[] = ['name', 'count', 'shallowSize', 'retainedSize', 'distance'];

function parseHeapSort(text: string | null): HeapSort<HeapClassSortKey> | null {
  const [by, dir] = (text ?? '').split('.');
  return HEAP_SORTS.includes(by) ? { by: by as HeapClassSortKey, ascending: dir === 'asc' } : null;
}

export const CURRENT_VERSION = 1;

/**
 * Upgraders: UPGRADERS[n] rewrites the parameters of a version-n link into version n + 1. Version
 * 1 is the first layout heaplens wrote (every link it ever made says v=1), so none is needed yet;
 * the next change of layout adds UPGRADERS[1].
 */
const UPGRADERS: Record<number, (p: URLSearchParams) => void> = {};

const BYS = ['file', 'line', 'function', 'traceback'];
const MODES = ['self', 'inclusive', 'cumulative'];

export interface ParsedHash {
  state: HashState;
  /** The link's version, and whether it is newer than this heaplens reads. */
  version: number;
  fromNewerVersion: boolean;
}

/** Reads a hash; `views` are the view ids the registry knows. */
export function parseHash(hash: string, views: readonly string[]): ParsedHash {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const raw = Number(p.get('v') ?? CURRENT_VERSION);
  const version = Number.isInteger(raw) && raw >= 1 ? raw : CURRENT_VERSION;
  for (let v = version; v < CURRENT_VERSION; v++) UPGRADERS[v]?.(p);
  const pick = <T extends string>(key: string, allowed: readonly string[]) => (allowed.includes(p.get(key) ?? '') ? (p.get(key) as T) : null);
  const zoom = p.get('zoom');
  return {
    version,
    fromNewerVersion: version > CURRENT_VERSION,
    state: {
      url: p.get('url'),
      base: p.get('base'),
      data: p.get('data'),
      lib: p.get('lib'),
      view: pick<View>('view', views),
      by: pick<GroupBy>('by', BYS),
      mode: pick<Mode>('mode', MODES),
      value: p.get('value') || null,
      filter: p.get('filter') ?? '',
      search: p.get('q') ?? '',
      inverted: p.get('inv') === '1',
      zoom: zoom !== null && Number.isInteger(Number(zoom)) ? Number(zoom) : -1,
      flameSearch: p.get('fq') ?? '',
      timelineRange: parseRange(p.get('tr')),
      heapFilter: p.get('hf') ?? '',
      heapSort: parseHeapSort(p.get('hsort')),
      heapObjects: pick<NamedHeapFilter>('hobj', NAMED_HEAP_FILTERS),
    },
  };
}

/** `from,to` in ms, from ≤ to, both finite; anything else is no range. */
function parseRange(text: string | null): [number, number] | null {
  const m = /^(-?[\d.]+),(-?[\d.]+)$/.exec(text ?? '');
  if (!m) return null;
  const [from, to] = [Number(m[1]), Number(m[2])];
  return Number.isFinite(from) && Number.isFinite(to) && from <= to ? [from, to] : null;
}

export function formatHash(s: HashState): string {
  const p = new URLSearchParams();
  p.set('v', String(CURRENT_VERSION));
  if (s.data) p.set('data', s.data);
  if (s.url) p.set('url', s.url);
  if (s.base) p.set('base', s.base);
  if (s.lib && !s.url && !s.data) p.set('lib', s.lib);
  if (s.view) p.set('view', s.view);
  if (s.by) p.set('by', s.by);
  if (s.mode && s.mode !== 'self') p.set('mode', s.mode);
  if (s.value) p.set('value', s.value);
  if (s.filter) p.set('filter', s.filter);
  if (s.search) p.set('q', s.search);
  if (s.inverted) p.set('inv', '1');
  if (s.zoom >= 0) p.set('zoom', String(s.zoom));
  if (s.flameSearch) p.set('fq', s.flameSearch);
  if (s.timelineRange) p.set('tr', s.timelineRange.map((ms) => String(Math.round(ms * 1000) / 1000)).join(','));
  if (s.heapFilter) p.set('hf', s.heapFilter);
  if (s.heapSort) p.set('hsort', `${s.heapSort.by}.${s.heapSort.ascending ? 'asc' : 'desc'}`);
  if (s.heapObjects) p.set('hobj', s.heapObjects);
  return `#${p.toString()}`;
}
