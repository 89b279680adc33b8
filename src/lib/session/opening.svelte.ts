// Opening a file in the engine (with progress and Cancel), showing it, and closing it again —
// which frees it in the worker. A file whose content is already open is shown again rather
// than read a second time, so opening the same snapshot three times costs what once does.
import { HeaplensError } from '../../../workers/api/errors.ts';
import type { HeapOpenMode, ProfileSummary } from '../../../workers/api/types.ts';
import { getEngine, onEngineCrash, openProfile, type EngineCrash, type OpenJob } from '../engine-client.ts';
import { contentFingerprint } from '../library-content.ts';
import { addToLibrary, blobOf, StorageFullError } from '../library.svelte.ts';
import { viewState } from '../view-state.svelte.ts';
import { valueHeadline } from './naming.svelte.ts';
import { session } from './state.svelte.ts';

export interface OpenOptions {
  libraryId?: string | null;
  url?: string | null;
  /** Open as the base of the next profile instead of showing it. */
  asBase?: boolean;
  /** Keep the view the URL asked for (a link), instead of the format's first view. */
  keepView?: boolean;
  /** Keep it in the library (default); a data link's profile is not kept. */
  keep?: boolean;
  /** A heap snapshot opened without retained sizes ('summary-only'): what the too-big banner offers. */
  heap?: HeapOpenMode;
}

let job: OpenJob | null = null;
/** Content fingerprints of the open profiles, by engine id. */
const fingerprints = new Map<number, string>();

export async function open(blob: Blob, name: string, options: OpenOptions = {}): Promise<ProfileSummary | null> {
  job?.cancel();
  session.error = null;
  session.retry = null;
  const fingerprint = await contentFingerprint(blob).catch(() => null);
  const already = fingerprint ? session.opened.find((p) => fingerprints.get(p.id) === fingerprint) : undefined;
  if (already) {
    show(already, options);
    keep(blob, name, already, options);
    return already;
  }
  session.progress = { phase: 'reading', done: 0, total: blob.size, name };
  const current = openProfile(
    blob,
    name,
    (p) => {
      if (job === current) session.progress = { ...p, name };
    },
    { heap: options.heap ?? 'full' },
  );
  job = current;
  try {
    const summary = await current.promise;
    if (job !== current) {
      void getEngine().close(summary.id);
      return null;
    }
    if (fingerprint) fingerprints.set(summary.id, fingerprint);
    session.about[summary.id] = { libraryId: options.libraryId ?? null, savedAt: blob instanceof File ? blob.lastModified : null };
    session.opened = [...session.opened, summary];
    show(summary, options);
    keep(blob, name, summary, options);
    return summary;
  } catch (e) {
    if (job !== current) return null;
    // A crash is reported by recoverFromCrash, which also brings the other profiles back.
    if (!(e instanceof HeaplensError && (e.code === 'cancelled' || e.code === 'crashed'))) session.error = `${name}: ${(e as Error)?.message ?? String(e)}`;
    // Too big in full, but it fits without retained sizes: the banner offers that (openReduced).
    if (e instanceof HeaplensError && e.hint?.heap === 'summary-only' && session.error) session.retry = { error: session.error, blob, name, heap: 'summary-only', options: { ...options } };
    return null;
  } finally {
    if (job === current) {
      session.progress = null;
      job = null;
    }
  }
}

function show(summary: ProfileSummary, options: OpenOptions): void {
  if (options.asBase) return;
  session.profile = summary;
  session.source = { url: options.url ?? null, base: null, data: null, libraryId: options.libraryId ?? null };
  if (!options.keepView || !summary.capabilities.views.includes(viewState.view)) {
    viewState.view = summary.capabilities.defaultView;
    viewState.by = summary.capabilities.defaultGrouping;
    viewState.zoom = -1;
  }
  if (viewState.baseId === summary.id) viewState.baseId = null;
}

function keep(blob: Blob, name: string, summary: ProfileSummary, options: OpenOptions): void {
  if (options.keep === false || options.libraryId) return;
  // Plain values: an open profile's summary lives in $state (a proxy IndexedDB cannot clone).
  const total = { size: summary.total.size, count: summary.total.count };
  addToLibrary(blob, { name, format: summary.format, captureTime: summary.captureTime, total, totalText: valueHeadline(summary) ?? undefined }).then(
    (entry) => {
      if (session.about[summary.id]) session.about[summary.id].libraryId = entry.id;
      if (session.profile?.id === summary.id) session.source = { ...session.source, libraryId: entry.id };
    },
    (e) => (session.notice = e instanceof StorageFullError ? e.message : `The library could not keep ${name}: ${(e as Error).message}`),
  );
}

/** The banner's offer: the file the last open refused, opened again as its error's hint says. */
export function openRetry(): Promise<ProfileSummary | null> {
  const r = session.retry;
  if (!r) return Promise.resolve(null);
  return open(r.blob, r.name, { ...(r.options as OpenOptions), heap: r.heap });
}

/** Another open profile comes back on screen. */
export function showOpened(id: number): void {
  const p = session.opened.find((x) => x.id === id);
  if (p) show(p, { keepView: true });
}

/** Closes a profile and frees it in the worker; the most recently opened other one is shown. */
export function closeProfile(id: number): void {
  void getEngine().close(id);
  fingerprints.delete(id);
  delete session.about[id];
  session.opened = session.opened.filter((p) => p.id !== id);
  if (viewState.baseId === id) viewState.baseId = null;
  if (session.profile?.id === id) {
    const next = session.opened.at(-1) ?? null;
    if (next) show(next, { keepView: true });
    else {
      session.profile = null;
      session.source = { url: null, base: null, data: null, libraryId: null };
    }
  }
}

export function cancelOpening(): void {
  job?.cancel();
  reopening?.cancel();
}

// ——— Crash recovery: the engine worker died (engine-client.ts failed its pending calls); the
// other open profiles come back from the library into a fresh worker. ———

let reopening: OpenJob | null = null;
let recovery = 0;

onEngineCrash((crash) => void recoverFromCrash(crash));

async function recoverFromCrash(crash: EngineCrash): Promise<void> {
  const mine = ++recovery;
  const before = session.opened;
  const shownId = session.profile?.id ?? null;
  const shownSource = session.source;
  const baseId = viewState.baseId;
  // The library entry each open profile came from or was kept as (session.about), by engine id.
  const about = new Map(Object.entries(session.about).map(([id, a]) => [Number(id), { ...a }]));
  const prints = new Map(fingerprints);
  session.about = {};
  fingerprints.clear();
  session.opened = [];
  session.profile = null;
  session.source = { url: null, base: null, data: null, libraryId: null };
  viewState.baseId = null;
  if (crash.forCancel) session.notice = crash.message;
  else session.error = crash.message;
  const back: string[] = [];
  const lost: string[] = [];
  for (const p of before) {
    const entryId = about.get(p.id)?.libraryId;
    if (crash.busyWith.includes(p.id)) lost.push(`${p.name} (in use when the engine stopped)`);
    else if (!entryId) lost.push(`${p.name} (not in the library)`);
    else {
      // As it was opened: a snapshot opened without retained sizes would not fit in full now either.
      const summary = await reopen(entryId, p.name, p.heap?.openMode ?? 'full');
      if (mine !== recovery) return; // another crash: its recovery takes over
      if (!summary) {
        lost.push(p.name);
        continue;
      }
      back.push(p.name);
      session.about[summary.id] = { libraryId: entryId, savedAt: about.get(p.id)?.savedAt ?? null };
      const print = prints.get(p.id);
      if (print) fingerprints.set(summary.id, print);
      session.opened = [...session.opened, summary];
      if (p.id === shownId) {
        show(summary, { keepView: true, libraryId: entryId });
        session.source = { ...shownSource, libraryId: entryId };
      }
      if (p.id === baseId) viewState.baseId = summary.id;
    }
  }
  if (!session.profile && session.opened.length > 0) show(session.opened.at(-1)!, { keepView: true });
  const parts = [];
  if (back.length > 0) parts.push(`Reopened from the library: ${back.join(', ')}.`);
  if (lost.length > 0) parts.push(`Not reopened: ${lost.join(', ')}; open ${lost.length === 1 ? 'it' : 'them'} again when you need ${lost.length === 1 ? 'it' : 'them'}.`);
  if (parts.length > 0) session.notice = [crash.forCancel ? crash.message : '', ...parts].join(' ').trim();
}

/** One profile back from its library entry, with progress; null when it cannot be. */
async function reopen(entryId: string, name: string, heap: HeapOpenMode): Promise<ProfileSummary | null> {
  const blob = await blobOf(entryId).catch(() => null);
  if (!blob) return null;
  const label = `${name} (reopening)`;
  const current = openProfile(
    blob,
    name,
    (p) => {
      if (reopening === current && !job) session.progress = { ...p, name: label };
    },
    { heap },
  );
  reopening = current;
  try {
    return await current.promise;
  } catch {
    return null;
  } finally {
    if (reopening === current) {
      reopening = null;
      if (!job) session.progress = null;
    }
  }
}
