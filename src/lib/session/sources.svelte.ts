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

/** A server that sends no answer, or no bytes, for this long is given up on (Cancel works before). */
export const FETCH_STALL_MS = 30_000;

let download: AbortController | null = null;

/** Why a link is refused before fetching it, or null when it can be fetched. */
function refusedLink(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url, location.href);
  } catch {
    return 'this is not a web address heaplens can open.';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `heaplens opens links to http:// and https:// files only, not ${parsed.protocol} addresses. Download the file and drop it on this page.`;
  }
  return null;
}

/** Whether the first bytes of an answer are an HTML page (a sign-in or error page) rather than a file. */
function htmlPage(head: Uint8Array): { title: string | null } | null {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 65536));
  if (!/^\uFEFF?\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|!--|meta\s|title[\s>])/i.test(text)) return null;
  const title = /<title[^>]*>([^<]{1,160})</i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim() || null;
  return { title };
}

const sizeOf = (n: number) => formatSize(n);

/**
 * Fetches a hosted profile with streaming progress; Cancel aborts the download. A server that
 * does not answer, or stops sending, for FETCH_STALL_MS is given up on with a message saying so;
 * an HTML page is reported as one; a redirect is followed and named in a notice.
 */
async function fetchProfile(url: string, name: string): Promise<Blob | null> {
  download?.abort();
  session.error = null;
  const refused = refusedLink(url);
  if (refused) {
    session.error = `${url}: ${refused}`;
    return null;
  }
  const controller = new AbortController();
  download = controller;
  session.progress = { phase: 'reading', done: 0, total: 0, name };
  let stalled: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expect = (what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = what;
      controller.abort();
    }, FETCH_STALL_MS);
  };
  const seconds = `${FETCH_STALL_MS / 1000} s`;
  let done = 0;
  let total = 0;
  try {
    let response: Response;
    expect(`the server did not answer within ${seconds}`);
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
    if (response.redirected && response.url && response.url !== new URL(url, location.href).href) {
      session.notice = `${url} redirected to ${response.url}; heaplens followed it.`;
    }
    total = Number(response.headers.get('Content-Length') ?? 0);
    const chunks: Uint8Array[] = [];
    const reader = response.body!.getReader();
    let looked = false;
    for (;;) {
      expect(`the server stopped sending: nothing arrived for ${seconds}`);
      const { value, done: end } = await reader.read();
      if (!end) {
        chunks.push(value);
        done += value.length;
        session.progress = { phase: 'reading', done, total, name };
      }
      // Once the first KiB is in (or all of a smaller answer): is it a web page?
      if (!looked && (end || done >= 1024)) {
        looked = true;
        const page = htmlPage(new Uint8Array(await new Blob(chunks as BlobPart[]).slice(0, 65536).arrayBuffer()));
        if (page) {
          if (!end) void reader.cancel().catch(() => {});
          throw new Error(
            `the server sent a web page (HTML${page.title ? `, titled “${page.title}”` : ''}), not a profile — ` +
              'most often a sign-in page or an error page. Open the link in a tab to see it; for a file behind a sign-in, download it and drop it here.',
          );
        }
      }
      if (end) break;
    }
    download = null;
    return new Blob(chunks as BlobPart[]);
  } catch (e) {
    if (download === controller) download = null;
    session.progress = null;
    if (stalled) {
      const got = done > 0 ? ` (after ${sizeOf(done)}${total > 0 ? ` of ${sizeOf(total)}` : ''})` : '';
      session.error = `${url}: ${stalled}${got}. Try again later, or download the file and drop it on this page.`;
    } else if (!controller.signal.aborted) session.error = `${url}: ${(e as Error).message}`;
    return null;
  } finally {
    clearTimeout(timer);
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
