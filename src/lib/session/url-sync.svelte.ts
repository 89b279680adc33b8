// The hash mirrors the view (url-state.ts): changes of view, grouping, orientation or zoom are
// history steps (back and forward walk them), typing replaces the current step. A hash that
// names a hosted file or carries data opens it.
import { library, loadLibrary } from '../library.svelte.ts';
import { sharedQuery } from '../query.svelte.ts';
import { applyHeapHash, heapHash } from '../heap-hash.ts';
import { formatHash, parseHash, type HashState } from '../url-state.ts';
import { viewState } from '../view-state.svelte.ts';
import { openData, openFromLibrary, openUrl } from './sources.svelte.ts';
import { session } from './state.svelte.ts';

let applying = false;
/** The hash is written only after the one the page was opened with has been read. */
let hashReady = $state(false);
let viewIds: readonly string[] = [];
let libraryLoaded: Promise<void> = Promise.resolve();
let lastKey = '';

function currentHash(): HashState {
  return {
    url: session.source.url,
    base: session.source.base,
    data: session.source.data,
    lib: session.source.libraryId,
    view: session.profile ? viewState.view : null,
    by: viewState.by,
    mode: viewState.mode,
    value: viewState.value,
    filter: viewState.filterText,
    search: viewState.search,
    inverted: viewState.inverted,
    zoom: viewState.zoom,
    flameSearch: viewState.flameSearch,
    timelineRange: viewState.timelineRange,
    ...heapHash(),
  };
}

function syncHash(): void {
  const h = currentHash();
  if (applying || !hashReady) return;
  const hash = formatHash(h);
  if (hash === location.hash) return;
  const key = `${h.url}|${h.view}|${h.by}|${h.mode}|${h.value}|${h.inverted}|${h.zoom}`;
  if (key !== lastKey && lastKey !== '') history.pushState(null, '', hash);
  else history.replaceState(null, '', hash);
  lastKey = key;
}

async function applyHash(initial: boolean): Promise<void> {
  const { state: h, fromNewerVersion } = parseHash(location.hash, viewIds);
  if (fromNewerVersion) session.notice = 'This link was made by a newer heaplens: the parts of the view it understands are shown.';
  applying = true;
  if (h.view) viewState.view = h.view;
  if (h.by) viewState.by = h.by;
  viewState.mode = h.mode ?? 'self';
  viewState.value = h.value;
  viewState.filterText = h.filter;
  viewState.search = h.search;
  viewState.inverted = h.inverted;
  viewState.zoom = h.zoom;
  viewState.flameSearch = h.flameSearch;
  viewState.timelineRange = h.timelineRange;
  applyHeapHash(h);
  sharedQuery.settle();
  applying = false;
  if (h.data && (initial || h.data !== session.source.data)) await openData(h.data, true);
  else if (h.url && (initial || h.url !== session.source.url)) await openUrl(h.url, h.base, true);
  else if (!h.data && !h.url && h.lib && (initial || h.lib !== session.source.libraryId)) await openKept(h.lib);
  else if (initial && !h.data && !h.url && !h.lib && h.view) {
    session.notice =
      'This link holds a view but no profile: the profile it was made from lives only in the browser of whoever made it. ' +
      'Ask for the file to drop here, for a link with data, or for a link to a hosted file (#url=).';
  }
}

/** A profile kept in this browser's library (a reload, a bookmark); elsewhere, say where it is. */
async function openKept(id: string): Promise<void> {
  await libraryLoaded;
  const entry = library.entries.find((e) => e.id === id);
  if (entry) await openFromLibrary(entry, true);
  else {
    session.notice =
      'This link names a profile kept in the library of another browser (or one deleted since), so it cannot open here. ' +
      'Ask for the file itself, for a link with data, or for a link to a hosted file.';
  }
}

/** Starts the session: the library, the hash the page was opened with, and keeping them in step. */
export function startSession(views: readonly string[]): () => void {
  viewIds = views;
  libraryLoaded = loadLibrary();
  const onPop = () => void applyHash(false);
  window.addEventListener('popstate', onPop);
  if (location.hash.length > 1) {
    // The settings apply at once; the file may take a while to arrive.
    void applyHash(true);
  }
  hashReady = true;
  const stopHashSync = $effect.root(() => {
    $effect(syncHash);
  });
  return () => {
    window.removeEventListener('popstate', onPop);
    stopHashSync();
  };
}
