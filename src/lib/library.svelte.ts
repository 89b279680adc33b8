// The library: every profile the user opens is kept in IndexedDB (idb-keyval store
// heaplens/library) as its original Blob under `blob:<id>` plus a record in the `index` array, so
// it is there after a reload.
//
// Several tabs share the store. Every change of the index is one readwrite transaction that reads
// the index and writes it back (with the blob it adds or the blobs it deletes), so IndexedDB runs
// two tabs' changes one after the other and neither overwrites the other's. A failed write (quota)
// aborts the whole transaction and leaves the library as it was. Blobs without a record (left by
// earlier versions, which wrote the blob and the index in two steps) are listed as recovered;
// records whose blob is gone are marked missing.

import { createStore } from 'idb-keyval';
import { contentFingerprint, sniffKind, storageFullMessage } from './library-content.ts';

export interface LibraryEntry {
  id: string;
  name: string;
  label: string;
  /** The engine's format, or the sniffed kind of a recovered file. */
  format: string;
  size: number; // bytes of the file
  added: number; // ms since the epoch
  /** Last time this content was opened as a new file (a second drop of the same file). */
  opened: number;
  captureTime: number | null;
  /** null for a recovered file that has not been read by the engine. */
  total: { size: number; count: number } | null;
  /** The total as the header says it, when it is no size (a CPU profile's "850 ms cpu"). */
  totalText?: string;
  /** See contentFingerprint; null on records from before fingerprints. */
  fingerprint: string | null;
  recovered?: boolean;
}

/** A blob in storage that no record points to. */
export interface RecoveredFile {
  id: string;
  size: number;
  format: string;
  description: string;
  extension: string;
}

type NewEntry = Pick<LibraryEntry, 'name' | 'format' | 'captureTime' | 'totalText'> & { total: { size: number; count: number } };

const store = createStore('heaplens', 'library');
const INDEX = 'index';
const BLOB = 'blob:';
// Every key from 'blob:' up to, not including, 'blob;' (';' follows ':').
const ALL_BLOBS = IDBKeyRange.bound(BLOB, 'blob;', false, true);

export const library = $state({
  entries: [] as LibraryEntry[],
  /** Ids of records whose blob is no longer stored. */
  missing: [] as string[],
  recovered: [] as RecoveredFile[],
  usage: null as number | null,
  quota: null as number | null,
  persisted: false,
  loaded: false,
});

/** Counts committed changes, so a scan that read before one of them does not show stale entries. */
let changes = 0;

export class StorageFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageFullError';
  }
}

function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? '';
  return name === 'QuotaExceededError' || /quota/i.test(String((e as Error)?.message ?? e));
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Records from before `opened` and `fingerprint` existed read as if they had them. */
function normalise(raw: unknown): LibraryEntry[] {
  return Array.isArray(raw) ? raw.map((e: LibraryEntry) => ({ ...e, opened: e.opened ?? e.added, fingerprint: e.fingerprint ?? null, total: e.total ?? null })) : [];
}

function byAdded(entries: LibraryEntry[]): LibraryEntry[] {
  return [...entries].sort((a, b) => b.added - a.added);
}

/**
 * Reads the index and writes back what `change` makes of it, in one readwrite transaction.
 * `change` runs inside the transaction, so it must be synchronous; it may also put or delete
 * blobs through the store it is given. Resolves once the transaction has committed.
 */
function changeIndex<T>(change: (entries: LibraryEntry[], os: IDBObjectStore) => { entries: LibraryEntry[]; result: T }): Promise<T> {
  return store('readwrite', (os) => {
    const tx = os.transaction;
    return new Promise<T>((resolve, reject) => {
      let out: { entries: LibraryEntry[]; result: T } | null = null;
      let failure: unknown = null;
      const read = os.get(INDEX);
      read.onsuccess = () => {
        try {
          out = change(normalise(read.result), os);
          os.put(out.entries, INDEX);
        } catch (e) {
          failure = e;
          tx.abort();
        }
      };
      tx.oncomplete = () => {
        changes++;
        library.entries = byAdded(out!.entries);
        library.missing = library.missing.filter((id) => out!.entries.some((e) => e.id === id));
        announce();
        resolve(out!.result);
      };
      tx.onabort = () => reject(failure ?? tx.error ?? new Error('The library could not be updated.'));
    });
  });
}

// Tabs tell each other when they changed the library, so every open tab lists the same entries.
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('heaplens-library');
channel?.addEventListener('message', () => void scan());
function announce() {
  channel?.postMessage('changed');
}

async function refreshEstimate(): Promise<void> {
  if (navigator.storage?.estimate) {
    const { usage, quota } = await navigator.storage.estimate();
    library.usage = usage ?? null;
    library.quota = quota ?? null;
  }
}

/** Reads the index and the stored keys, and from them what is missing and what was left behind. */
async function scan(): Promise<void> {
  const before = changes;
  const [raw, keys] = await store('readonly', (os) => Promise.all([request(os.get(INDEX)), request(os.getAllKeys(ALL_BLOBS))]));
  const entries = normalise(raw);
  const stored = new Set(keys.map((k) => String(k).slice(BLOB.length)));
  const listed = new Set(entries.map((e) => e.id));
  const orphans = [...stored].filter((id) => !listed.has(id));
  const blobs = orphans.length ? await store('readonly', (os) => Promise.all(orphans.map((id) => request<Blob | undefined>(os.get(BLOB + id))))) : [];
  const recovered: RecoveredFile[] = [];
  for (const [i, id] of orphans.entries()) {
    const blob = blobs[i];
    if (blob instanceof Blob) recovered.push({ id, size: blob.size, ...(await sniffKind(blob)) });
  }
  if (changes !== before) return scan();
  library.entries = byAdded(entries);
  library.missing = entries.filter((e) => !stored.has(e.id)).map((e) => e.id);
  library.recovered = recovered;
  library.loaded = true;
}

export async function loadLibrary(): Promise<void> {
  await scan();
  library.persisted = (await navigator.storage?.persisted?.()) ?? false;
  await refreshEstimate();
}

/**
 * Keeps a file and its record, or, when the library already holds the same content (see
 * contentFingerprint), returns that entry with its `opened` time updated. Throws StorageFullError
 * (and changes nothing) when out of room.
 */
export async function addToLibrary(blob: Blob, meta: NewEntry): Promise<LibraryEntry> {
  const fingerprint = await contentFingerprint(blob);
  await fingerprintOlderEntries(blob.size);
  const now = Date.now();
  const fresh: LibraryEntry = { ...meta, id: crypto.randomUUID(), added: now, opened: now, label: meta.name, size: blob.size, fingerprint };
  let entry: LibraryEntry;
  try {
    entry = await changeIndex((entries, os) => {
      const same = entries.find((e) => e.fingerprint === fingerprint);
      if (same) {
        // The label stays; the numbers are the engine's latest reading of the file. A recovered
        // file also learns its real name the first time it is read.
        const numbers = { format: meta.format, captureTime: meta.captureTime ?? same.captureTime, total: meta.total, totalText: meta.totalText, opened: now };
        const seen: LibraryEntry = same.recovered
          ? { ...same, ...numbers, name: meta.name, label: same.label === same.name ? meta.name : same.label, recovered: false }
          : { ...same, ...numbers };
        return { entries: entries.map((e) => (e.id === same.id ? seen : e)), result: seen };
      }
      os.put(blob, BLOB + fresh.id);
      return { entries: [fresh, ...entries], result: fresh };
    });
  } catch (e) {
    if (isQuotaError(e)) {
      const estimate = await navigator.storage?.estimate?.().catch(() => null);
      throw new StorageFullError(storageFullMessage(blob.size, estimate?.usage ?? null, estimate?.quota ?? null));
    }
    throw e;
  }
  // Ask once for storage the browser will not evict under pressure.
  if (!library.persisted && navigator.storage?.persist) library.persisted = await navigator.storage.persist().catch(() => false);
  await refreshEstimate();
  return entry;
}

/** Records kept before fingerprints existed get one when a file of their size arrives. */
async function fingerprintOlderEntries(size: number): Promise<void> {
  const candidates = library.entries.filter((e) => e.fingerprint === null && e.size === size && !library.missing.includes(e.id));
  const found = new Map<string, string>();
  for (const e of candidates) {
    const blob = await blobOf(e.id);
    if (blob) found.set(e.id, await contentFingerprint(blob));
  }
  if (found.size) await changeIndex((entries) => ({ entries: entries.map((e) => (found.has(e.id) && !e.fingerprint ? { ...e, fingerprint: found.get(e.id)! } : e)), result: null }));
}

export async function blobOf(id: string): Promise<Blob | undefined> {
  return store('readonly', (os) => request<Blob | undefined>(os.get(BLOB + id)));
}

export async function renameEntry(id: string, label: string): Promise<void> {
  await changeIndex((entries) => ({ entries: entries.map((e) => (e.id === id ? { ...e, label: label.trim() || e.name } : e)), result: null }));
}

export async function removeEntry(id: string): Promise<void> {
  await changeIndex((entries, os) => {
    os.delete(BLOB + id);
    return { entries: entries.filter((e) => e.id !== id), result: null };
  });
  await refreshEstimate();
}

/** Deletes every record and every stored file, recovered ones included. */
export async function clearLibrary(): Promise<void> {
  await changeIndex((_, os) => {
    os.delete(ALL_BLOBS);
    return { entries: [], result: null };
  });
  library.recovered = [];
  await refreshEstimate();
}

/** Gives a recovered file a record again; its name and totals come when it is opened. */
export async function keepRecovered(id: string): Promise<LibraryEntry | null> {
  const file = library.recovered.find((r) => r.id === id);
  const blob = await blobOf(id);
  if (!file || !blob) {
    await scan();
    return null;
  }
  const fingerprint = await contentFingerprint(blob);
  const now = Date.now();
  const name = `recovered-${new Date(now).toISOString().slice(0, 10)}${file.extension}`;
  const entry = await changeIndex((entries, os) => {
    const already = entries.find((e) => e.id === id || e.fingerprint === fingerprint);
    if (already) {
      // Its content is in the library already (or another tab kept it first): one copy is enough.
      if (already.id !== id) os.delete(BLOB + id);
      return { entries, result: already };
    }
    const kept: LibraryEntry = { id, name, label: name, format: file.format, size: blob.size, added: now, opened: now, captureTime: null, total: null, fingerprint, recovered: true };
    return { entries: [kept, ...entries], result: kept };
  });
  library.recovered = library.recovered.filter((r) => r.id !== id);
  return entry;
}

/** Deletes a recovered file, unless another tab has given it a record meanwhile. */
export async function discardRecovered(id: string): Promise<void> {
  await changeIndex((entries, os) => {
    if (!entries.some((e) => e.id === id)) os.delete(BLOB + id);
    return { entries, result: null };
  });
  library.recovered = library.recovered.filter((r) => r.id !== id);
  await refreshEstimate();
}
