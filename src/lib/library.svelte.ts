// The library: every profile the user opens is kept in IndexedDB (idb-keyval) as its original
// Blob plus a small record, so it is there after a reload. Records and blobs live under separate
// keys; a blob is written first and the index only after it, so a failed write (quota) never
// leaves a record without its file.

import { createStore, del, get, set } from 'idb-keyval';

export interface LibraryEntry {
  id: string;
  name: string;
  label: string;
  format: string;
  size: number; // bytes of the file
  added: number; // ms since the epoch
  captureTime: number | null;
  total: { size: number; count: number };
}

const store = createStore('heaplens', 'library');
const INDEX = 'index';

export const library = $state({
  entries: [] as LibraryEntry[],
  usage: null as number | null,
  quota: null as number | null,
  persisted: false,
  loaded: false,
});

export class StorageFullError extends Error {
  constructor() {
    super('The browser has no room left for this file in its storage, so it was opened but not kept in the library. Delete some entries from the library and open it again to keep it.');
    this.name = 'StorageFullError';
  }
}

function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? '';
  return name === 'QuotaExceededError' || /quota/i.test(String((e as Error)?.message ?? e));
}

async function refreshEstimate(): Promise<void> {
  if (navigator.storage?.estimate) {
    const { usage, quota } = await navigator.storage.estimate();
    library.usage = usage ?? null;
    library.quota = quota ?? null;
  }
}

export async function loadLibrary(): Promise<void> {
  library.entries = ((await get<LibraryEntry[]>(INDEX, store)) ?? []).sort((a, b) => b.added - a.added);
  library.loaded = true;
  library.persisted = (await navigator.storage?.persisted?.()) ?? false;
  await refreshEstimate();
}

/** Keeps a file and its record; throws StorageFullError (and keeps nothing) when out of room. */
export async function addToLibrary(blob: Blob, meta: Omit<LibraryEntry, 'id' | 'added' | 'label' | 'size'>): Promise<LibraryEntry> {
  const entry: LibraryEntry = { ...meta, id: crypto.randomUUID(), added: Date.now(), label: meta.name, size: blob.size };
  try {
    await set(`blob:${entry.id}`, blob, store);
  } catch (e) {
    await del(`blob:${entry.id}`, store).catch(() => {});
    if (isQuotaError(e)) throw new StorageFullError();
    throw e;
  }
  try {
    const entries = [entry, ...((await get<LibraryEntry[]>(INDEX, store)) ?? [])];
    await set(INDEX, entries, store);
    library.entries = entries.sort((a, b) => b.added - a.added);
  } catch (e) {
    await del(`blob:${entry.id}`, store).catch(() => {});
    if (isQuotaError(e)) throw new StorageFullError();
    throw e;
  }
  // Ask once for storage the browser will not evict under pressure.
  if (!library.persisted && navigator.storage?.persist) library.persisted = await navigator.storage.persist().catch(() => false);
  await refreshEstimate();
  return entry;
}

export async function blobOf(id: string): Promise<Blob | undefined> {
  return get<Blob>(`blob:${id}`, store);
}

async function writeIndex(entries: LibraryEntry[]): Promise<void> {
  await set(INDEX, entries, store);
  library.entries = [...entries].sort((a, b) => b.added - a.added);
}

export async function renameEntry(id: string, label: string): Promise<void> {
  const entries = (await get<LibraryEntry[]>(INDEX, store)) ?? [];
  await writeIndex(entries.map((e) => (e.id === id ? { ...e, label: label.trim() || e.name } : e)));
}

export async function removeEntry(id: string): Promise<void> {
  const entries = (await get<LibraryEntry[]>(INDEX, store)) ?? [];
  await writeIndex(entries.filter((e) => e.id !== id));
  await del(`blob:${id}`, store);
  await refreshEstimate();
}

export async function clearLibrary(): Promise<void> {
  const entries = (await get<LibraryEntry[]>(INDEX, store)) ?? [];
  await writeIndex([]);
  for (const e of entries) await del(`blob:${e.id}`, store);
  await refreshEstimate();
}
