// What the library can learn about a stored file without the engine: whether two files hold the
// same content (so opening a file twice reuses its entry), and a first guess at the format of a
// file found in storage without its record; and what to say when the browser will not keep one.
import { formatSize } from './format.ts';

/** Files up to this size are hashed whole; past it only the parts below are read. */
const EDGE = 1 << 20;
const SAMPLE = 64 << 10;
const SAMPLES = 16;
const WHOLE = 2 * EDGE + SAMPLES * SAMPLE;

/**
 * A content fingerprint: SHA-256 of the byte length, then (for files over 3 MiB) the first and
 * last MiB and 16 blocks of 64 KiB spread evenly between them; smaller files are hashed whole.
 *
 * Why sampled: a 4 GB heap snapshot must not be read whole (nor held in memory) to be recognised.
 * At most 3 MiB is read, through Blob slices, and the digest runs in the browser's crypto thread,
 * and the caller computes it after the profile is on screen, so nobody waits for it.
 *
 * The collision risk: hashing the samples makes an accidental SHA-256 collision irrelevant; the
 * real risk is two different files of exactly the same length whose sampled 3 MiB are
 * byte-identical and which differ only elsewhere. Profiles of a running program do not do that:
 * sizes, counts and object ids change from the first records on (a heap snapshot's node array
 * opens the file; a tracemalloc dump's traces do), and the length itself almost always differs.
 * A file crafted to collide would only share a library entry with its twin, nothing worse.
 */
export async function contentFingerprint(blob: Blob): Promise<string> {
  const length = new Uint8Array(8);
  new DataView(length.buffer).setFloat64(0, blob.size);
  const parts: Blob[] = [new Blob([length]), ...sampledParts(blob)];
  const bytes = await new Blob(parts).arrayBuffer();
  if (globalThis.crypto?.subtle) return `sha256:${hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))}`;
  // crypto.subtle exists only in secure contexts (https, localhost); a plain-http host still
  // deserves one entry per file, with a weaker (but still 64-bit, sampled) hash.
  return `fnv:${fnv64(new Uint8Array(bytes))}`;
}

function sampledParts(blob: Blob): Blob[] {
  const size = blob.size;
  if (size <= WHOLE) return [blob];
  const parts = [blob.slice(0, EDGE)];
  const span = size - 2 * EDGE - SAMPLE;
  for (let i = 0; i < SAMPLES; i++) {
    const at = EDGE + Math.floor((span * i) / (SAMPLES - 1));
    parts.push(blob.slice(at, at + SAMPLE));
  }
  parts.push(blob.slice(size - EDGE));
  return parts;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Two FNV-1a lanes with different seeds, so one 32-bit collision is not enough. */
function fnv64(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193);
    b = Math.imul(b ^ bytes[i], 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

export interface SniffedKind {
  /** The engine's format name when the first bytes point to one, else a word for what it is. */
  format: string;
  /** What to call it in the panel. */
  description: string;
  /** An extension for a name, so a download of it opens where it should. */
  extension: string;
}

/**
 * A first look at a file without its record. Deliberately shallow (the engine decides when the
 * file is opened): a pickle starts with PROTO (0x80), gzip with 1f 8b, a V8 heap snapshot is JSON
 * that opens with "snapshot", a V8 sampling heap profile JSON with "head".
 */
export async function sniffKind(blob: Blob): Promise<SniffedKind> {
  const head = new Uint8Array(await blob.slice(0, 256).arrayBuffer());
  if (head[0] === 0x1f && head[1] === 0x8b) return { format: 'gzip', description: 'gzip-compressed file', extension: '.gz' };
  if (head[0] === 0x80) return { format: 'tracemalloc', description: 'Python pickle (tracemalloc?)', extension: '.pickle' };
  const text = String.fromCharCode(...head).trimStart();
  if (text.startsWith('{')) {
    if (/"snapshot"\s*:/.test(text)) return { format: 'heapsnapshot', description: 'V8 heap snapshot', extension: '.heapsnapshot' };
    if (/"head"\s*:/.test(text)) return { format: 'heapprofile', description: 'V8 heap profile', extension: '.heapprofile' };
    return { format: 'json', description: 'JSON file', extension: '.json' };
  }
  return { format: 'unknown', description: 'unrecognised file', extension: '.bin' };
}

/**
 * Why a file could not be kept, from the browser's own estimate at the time. A full quota is the
 * usual cause; but Chromium 156 also refuses one big write with QuotaExceededError while the
 * quota has room (a 4.3 GB snapshot, 10 GiB free: measured), and then "no room left" would send
 * the user to delete entries for nothing.
 */
export function storageFullMessage(size: number, usage: number | null, quota: number | null): string {
  const kept = 'so it was opened but not kept in the library';
  const known = usage !== null && quota !== null;
  const used = known ? ` (${formatSize(usage)} of ${formatSize(quota)} used)` : '';
  if (known && quota - usage >= size) {
    return `The browser would not keep this file (${formatSize(size)}) in its storage although this page's quota has room for it${used}: browsers also limit how large one stored file may be, ${kept}.`;
  }
  return `The browser has no room left for this file (${formatSize(size)}) in its storage${used}, ${kept}. Delete some entries from the library and open it again to keep it.`;
}
