// Opening a file in the engine (with progress and Cancel), showing it, and closing it again —
// which frees it in the worker. A file whose content is already open is shown again rather
// than read a second time, so opening the same snapshot three times costs what once does.
import { HeaplensError } from '../../../workers/api/errors.ts';
import type { ProfileSummary } from '../../../workers/api/types.ts';
import { getEngine, openProfile, type OpenJob } from '../engine-client.ts';
import { contentFingerprint } from '../library-content.ts';
import { addToLibrary, StorageFullError } from '../library.svelte.ts';
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
}

let job: OpenJob | null = null;
/** Content fingerprints of the open profiles, by engine id. */
const fingerprints = new Map<number, string>();

export async function open(blob: Blob, name: string, options: OpenOptions = {}): Promise<ProfileSummary | null> {
  job?.cancel();
  session.error = null;
  const fingerprint = await contentFingerprint(blob).catch(() => null);
  const already = fingerprint ? session.opened.find((p) => fingerprints.get(p.id) === fingerprint) : undefined;
  if (already) {
    show(already, options);
    keep(blob, name, already, options);
    return already;
  }
  session.progress = { phase: 'reading', done: 0, total: blob.size, name };
  const current = openProfile(blob, name, (p) => {
    if (job === current) session.progress = { ...p, name };
  });
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
    if (!(e instanceof HeaplensError && e.code === 'cancelled')) session.error = `${name}: ${(e as Error)?.message ?? String(e)}`;
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
}
