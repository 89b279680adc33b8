// The session: the open profile and the others opened in this tab, where each came from, and
// everything that opens one (a file, the library, a hosted URL, a data link) or shares it. The
// URL hash is kept in step with the view here. Components read `session` and call these.
import { HeaplensError } from '../../workers/api/errors.ts';
import type { Progress, ProfileSummary } from '../../workers/api/types.ts';
import { getEngine, openProfile, type OpenJob } from './engine-client.ts';
import { formatSize } from './format.ts';
import { addToLibrary, blobOf, loadLibrary, StorageFullError, type LibraryEntry } from './library.svelte.ts';
import { formatHash, parseHash, type HashState } from './url-state.ts';
import { viewState, type View } from './view-state.svelte.ts';

const EXAMPLE_URL = new URL('./examples/tornado-server.pickle', document.baseURI).href;
/** A link with data stops here: past this the URL is too long to share reliably. */
const MAX_DATA_LINK = 1_500_000;

export const session = $state({
  profile: null as ProfileSummary | null,
  /** Every profile opened in this tab, so one can be the base of a diff. */
  opened: [] as ProfileSummary[],
  /** Where the open profile came from: a hosted URL or data link, and its library entry. */
  source: { url: null, base: null, data: null, libraryId: null } as { url: string | null; base: string | null; data: string | null; libraryId: string | null },
  error: null as string | null,
  notice: null as string | null,
  progress: null as (Progress & { name: string }) | null,
});
let job: OpenJob | null = null;

interface OpenOptions {
  libraryId?: string | null;
  url?: string | null;
  /** Open as the base of the next profile instead of showing it. */
  asBase?: boolean;
  /** Keep the view the URL asked for (a link), instead of the format's first view. */
  keepView?: boolean;
  keep?: boolean;
}

export async function open(blob: Blob, name: string, options: OpenOptions = {}): Promise<ProfileSummary | null> {
  job?.cancel();
  session.error = null;
  session.progress = { phase: 'reading', done: 0, total: blob.size, name };
  const current = openProfile(blob, name, (p) => {
    if (job === current) session.progress = { ...p, name };
  });
  job = current;
  try {
    const summary = await current.promise;
    if (job !== current) return null;
    session.opened = [...session.opened, summary];
    if (!options.asBase) {
      session.profile = summary;
      session.source = { url: options.url ?? null, base: null, data: null, libraryId: options.libraryId ?? null };
      if (!options.keepView || !viewOk(summary, viewState.view)) {
        viewState.view = summary.heap ? 'heap' : 'top';
        viewState.zoom = -1;
      }
    }
    if (options.keep !== false && !options.libraryId) {
      addToLibrary(blob, { name, format: summary.format, captureTime: summary.captureTime, total: summary.total }).then(
        (entry) => {
          if (session.profile?.id === summary.id) session.source = { ...session.source, libraryId: entry.id };
        },
        (e) => (session.notice = e instanceof StorageFullError ? e.message : `The library could not keep ${name}: ${(e as Error).message}`),
      );
    }
    return summary;
  } catch (e) {
    if (job !== current) return null;
    if (!(e instanceof HeaplensError && e.code === 'cancelled')) session.error = `${name}: ${(e as Error)?.message ?? String(e)}`;
    return null;
  } finally {
    if (job === current) {
      session.progress = null;
      job = null;
    }
  }
}

function viewOk(p: ProfileSummary, v: View): boolean {
  return v === 'heap' || v === 'dominators' ? !!p.heap : p.hasAllocations;
}

let download: AbortController | null = null;

/** Fetches a hosted profile with streaming progress; Cancel aborts the download. */
async function fetchProfile(url: string, name: string): Promise<Blob | null> {
  download?.abort();
  const controller = new AbortController();
  download = controller;
  session.error = null;
  session.progress = { phase: 'reading', done: 0, total: 0, name };
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (e) {
      if (controller.signal.aborted) throw e;
      throw new Error(
        'the browser could not read it. Either the server does not allow other sites to read the file (CORS: it must send ' +
          `"Access-Control-Allow-Origin: ${location.origin}" or "*"), or it cannot be reached from here. ` +
          'Ask its owner to allow this origin, or download the file and drop it on this page.',
      );
    }
    if (!response.ok) throw new Error(`the server answered HTTP ${response.status} ${response.statusText}`.trim());
    const total = Number(response.headers.get('Content-Length') ?? 0);
    const chunks: Uint8Array[] = [];
    let done = 0;
    const reader = response.body!.getReader();
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      chunks.push(value);
      done += value.length;
      session.progress = { phase: 'reading', done, total, name };
    }
    download = null;
    return new Blob(chunks as BlobPart[]);
  } catch (e) {
    if (download === controller) download = null;
    session.progress = null;
    if (!controller.signal.aborted) session.error = `${url}: ${(e as Error).message}`;
    return null;
  }
}

function nameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() || url);
  } catch {
    return url;
  }
}

async function openUrl(url: string, base: string | null = null, keepView = false) {
  let baseSummary: ProfileSummary | null = null;
  if (base) {
    const b = await fetchProfile(base, nameOf(base));
    if (!b) return;
    baseSummary = await open(b, nameOf(base), { asBase: true, url: base });
    if (!baseSummary) return;
  }
  const blob = await fetchProfile(url, nameOf(url));
  if (!blob) return;
  const summary = await open(blob, nameOf(url), { url, keepView });
  if (summary) {
    session.source = { ...session.source, url, base };
    if (baseSummary) viewState.baseId = baseSummary.id;
  }
}

export async function openFromLibrary(entry: LibraryEntry) {
  const blob = await blobOf(entry.id);
  if (!blob) {
    session.error = `${entry.label}: its file is missing from the browser's storage.`;
    return;
  }
  await open(blob, entry.name, { libraryId: entry.id });
}

/** A profile packed into the link: base64url of the gzip of its compact JSON form. */
async function openData(data: string, keepView = false) {
  try {
    const bytes = Uint8Array.from(atob(data.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const summary = await open(new Blob([bytes]), 'shared-profile.heaplens.json', { keep: false, keepView });
    if (summary) session.source = { ...session.source, data };
  } catch {
    session.error = 'The link carries profile data that cannot be decoded: it may have been cut short when it was copied.';
  }
}

// The hash mirrors the view; changes of view or grouping are history steps, the rest replace.
let applying = false;
/** The hash is written only after the one the page was opened with has been read. */
let hashReady = $state(false);
function currentHash(): HashState {
  return {
    url: session.source.url,
    base: session.source.base,
    data: session.source.data,
    view: session.profile ? viewState.view : null,
    by: viewState.by,
    mode: viewState.mode,
    filter: viewState.filterText,
    search: viewState.search,
    inverted: viewState.inverted,
    zoom: viewState.zoom,
    flameSearch: viewState.flameSearch,
  };
}
let lastKey = '';
function syncHash() {
  const h = currentHash();
  if (applying || !hashReady) return;
  const hash = formatHash(h);
  if (hash === location.hash) return;
  const key = `${h.url}|${h.view}|${h.by}|${h.mode}|${h.inverted}|${h.zoom}`;
  if (key !== lastKey && lastKey !== '') history.pushState(null, '', hash);
  else history.replaceState(null, '', hash);
  lastKey = key;
}

async function applyHash(initial: boolean) {
  const h = parseHash(location.hash);
  applying = true;
  if (h.view) viewState.view = h.view;
  if (h.by) viewState.by = h.by;
  viewState.mode = h.mode ?? 'self';
  viewState.filterText = h.filter;
  viewState.search = h.search;
  viewState.inverted = h.inverted;
  viewState.zoom = h.zoom;
  viewState.flameSearch = h.flameSearch;
  applying = false;
  if (h.data && (initial || h.data !== session.source.data)) await openData(h.data, true);
  else if (h.url && (initial || h.url !== session.source.url)) await openUrl(h.url, h.base, true);
}

export function startSession(): () => void {
  void loadLibrary();
  const onPop = () => void applyHash(false);
  window.addEventListener('popstate', onPop);
  if (location.hash.length > 1) {
    // The settings apply at once; the file may take a while to arrive.
    const loading = applyHash(true);
    hashReady = true;
    void loading;
  } else hashReady = true;
  const stopHashSync = $effect.root(() => {
    $effect(syncHash);
  });
  return () => {
    window.removeEventListener('popstate', onPop);
    stopHashSync();
  };
}

export async function copyLink() {
  await navigator.clipboard.writeText(location.href).catch(() => {});
  session.notice = session.source.url
    ? 'Link copied: it reopens this view of the hosted file.'
    : 'Link copied. It holds the view only: this profile is not hosted anywhere. Use "Copy link with data" to include the profile itself.';
}

export async function copyDataLink() {
  if (!session.profile) return;
  const packed = await getEngine().exportCompact(session.profile.id);
  const base64 = btoa(Array.from(packed, (b) => String.fromCharCode(b)).join('')).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  if (base64.length > MAX_DATA_LINK) {
    session.notice = `This profile packs to ${formatSize(base64.length)}, more than a link can carry (${formatSize(MAX_DATA_LINK)}). Use "Download .heaplens.json" and share the file instead.`;
    return;
  }
  session.source = { ...session.source, data: base64, url: null, base: null };
  await Promise.resolve();
  await navigator.clipboard.writeText(location.href).catch(() => {});
  session.notice = `Link with data copied (${formatSize(base64.length)}). The profile travels in the part after "#", which browsers never send to a server.`;
}

export async function downloadCompact() {
  if (!session.profile) return;
  const packed = await getEngine().exportCompact(session.profile.id);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([packed as BlobPart], { type: 'application/gzip' }));
  a.download = `${session.profile.name.replace(/\.[^.]*$/, '')}.heaplens.json.gz`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export async function openExample() {
  const blob = await fetchProfile(EXAMPLE_URL, 'tornado-server.pickle');
  if (blob) await open(blob, 'tornado-server.pickle');
}

export function cancel() {
  download?.abort();
  job?.cancel();
}

