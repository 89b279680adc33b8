// Where profiles come from besides a dropped file: a hosted URL (streamed, with progress and
// Cancel), a profile packed into the link (#data=), the library, the built-in example; and the
// ways to share one (links, the compact download).
import { getEngine } from '../engine-client.ts';
import { formatSize } from '../format.ts';
import { blobOf, type LibraryEntry } from '../library.svelte.ts';
import { viewState } from '../view-state.svelte.ts';
import { cancelOpening, open } from './opening.svelte.ts';
import { session } from './state.svelte.ts';

const EXAMPLE_URL = new URL('./examples/tornado-server.pickle', document.baseURI).href;
/** A link with data stops here: past this the URL is too long to share reliably. */
const MAX_DATA_LINK = 1_500_000;

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

/** A hosted profile, and with `base` a second one to compare it with. */
export async function openUrl(url: string, base: string | null = null, keepView = false): Promise<void> {
  let baseId: number | null = null;
  if (base) {
    const b = await fetchProfile(base, nameOf(base));
    if (!b) return;
    const summary = await open(b, nameOf(base), { asBase: true, url: base });
    if (!summary) return;
    baseId = summary.id;
  }
  const blob = await fetchProfile(url, nameOf(url));
  if (!blob) return;
  const summary = await open(blob, nameOf(url), { url, keepView });
  if (summary) {
    session.source = { ...session.source, url, base };
    if (baseId !== null) viewState.baseId = baseId;
  }
}

export async function openFromLibrary(entry: LibraryEntry, keepView = false): Promise<void> {
  const blob = await blobOf(entry.id);
  if (!blob) {
    session.error = `${entry.label}: its file is missing from the browser's storage.`;
    return;
  }
  await open(blob, entry.name, { libraryId: entry.id, keepView });
}

/** A profile packed into the link: base64url of the gzip of its compact JSON form. */
export async function openData(data: string, keepView = false): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(data.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  } catch {
    session.error = 'The link carries profile data that cannot be decoded: it may have been cut short when it was copied.';
    return;
  }
  const summary = await open(new Blob([bytes as Uint8Array<ArrayBuffer>]), 'shared-profile.heaplens.json', { keep: false, keepView });
  if (summary) session.source = { ...session.source, data };
}

export async function openExample(): Promise<void> {
  const blob = await fetchProfile(EXAMPLE_URL, 'tornado-server.pickle');
  if (blob) await open(blob, 'tornado-server.pickle');
}

export function cancel(): void {
  download?.abort();
  cancelOpening();
}

export async function copyLink(): Promise<void> {
  await navigator.clipboard.writeText(location.href).catch(() => {});
  session.notice = session.source.url
    ? 'Link copied: it reopens this view of the hosted file.'
    : 'Link copied. It holds the view only: this profile is not hosted anywhere. Use "Copy link with data" to include the profile itself.';
}

export async function copyDataLink(): Promise<void> {
  if (!session.profile) return;
  const packed = await getEngine().exportCompact(session.profile.id);
  const base64 = btoa(Array.from(packed, (b) => String.fromCharCode(b)).join('')).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  if (base64.length > MAX_DATA_LINK) {
    session.notice = `This profile packs to ${formatSize(base64.length)}, more than a link can carry (${formatSize(MAX_DATA_LINK)}). Use "Download .heaplens.json.gz" and share the file instead.`;
    return;
  }
  session.source = { ...session.source, data: base64, url: null, base: null };
  await Promise.resolve();
  await navigator.clipboard.writeText(location.href).catch(() => {});
  session.notice = `Link with data copied (${formatSize(base64.length)}). The profile travels in the part after "#", which browsers never send to a server.`;
}

export async function downloadCompact(): Promise<void> {
  if (!session.profile) return;
  const packed = await getEngine().exportCompact(session.profile.id);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([packed as BlobPart], { type: 'application/gzip' }));
  a.download = `${session.profile.name.replace(/\.[^.]*$/, '')}.heaplens.json.gz`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
