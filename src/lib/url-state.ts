// The URL is the state: everything needed to reopen a view lives in the hash, parsed and written
// here only. Versioned (v=1) so later layouts can read old links.
//   #url=<hosted profile>&base=<hosted base>&view=flame&by=line&mode=self&filter=…&q=…&inv=1&zoom=12
//   #data=<deflated, base64url profile>   (a profile packed into the link itself)
import type { GroupBy, Mode } from '../../workers/api/types.ts';
import type { View } from './view-state.svelte.ts';

export interface HashState {
  url: string | null;
  base: string | null;
  data: string | null;
  view: View | null;
  by: GroupBy | null;
  mode: Mode | null;
  filter: string;
  search: string;
  inverted: boolean;
  zoom: number;
  flameSearch: string;
}

const VIEWS = ['top', 'flame', 'heap', 'dominators'];
const BYS = ['file', 'line', 'function', 'traceback'];
const MODES = ['self', 'inclusive', 'cumulative'];

export function parseHash(hash: string): HashState {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const pick = <T extends string>(key: string, allowed: string[]) => (allowed.includes(p.get(key) ?? '') ? (p.get(key) as T) : null);
  return {
    url: p.get('url'),
    base: p.get('base'),
    data: p.get('data'),
    view: pick<View>('view', VIEWS),
    by: pick<GroupBy>('by', BYS),
    mode: pick<Mode>('mode', MODES),
    filter: p.get('filter') ?? '',
    search: p.get('q') ?? '',
    inverted: p.get('inv') === '1',
    zoom: Number.isInteger(Number(p.get('zoom'))) && p.get('zoom') !== null ? Number(p.get('zoom')) : -1,
    flameSearch: p.get('fq') ?? '',
  };
}

export function formatHash(s: HashState): string {
  const p = new URLSearchParams();
  p.set('v', '1');
  if (s.data) p.set('data', s.data);
  if (s.url) p.set('url', s.url);
  if (s.base) p.set('base', s.base);
  if (s.view) p.set('view', s.view);
  if (s.by) p.set('by', s.by);
  if (s.mode && s.mode !== 'self') p.set('mode', s.mode);
  if (s.filter) p.set('filter', s.filter);
  if (s.search) p.set('q', s.search);
  if (s.inverted) p.set('inv', '1');
  if (s.zoom >= 0) p.set('zoom', String(s.zoom));
  if (s.flameSearch) p.set('fq', s.flameSearch);
  return `#${p.toString()}`;
}
