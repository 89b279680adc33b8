// The session's state: the profile on screen, the others open in this tab (each can be the base
// of a diff), where the one on screen came from, and what the page tells the user. The modules
// beside this one change it: opening.svelte.ts (opening and closing), sources.svelte.ts (files,
// hosted URLs, data links, the library), url-sync.svelte.ts (the hash).
import type { HeapOpenMode, Progress, ProfileSummary } from '../../../workers/api/types.ts';

export interface Source {
  url: string | null;
  base: string | null;
  data: string | null;
  libraryId: string | null;
}

export const session = $state({
  profile: null as ProfileSummary | null,
  /** Every profile open in this tab, in the order opened. */
  opened: [] as ProfileSummary[],
  source: { url: null, base: null, data: null, libraryId: null } as Source,
  /** Per open profile (by engine id): its library entry and when its file was saved. */
  about: {} as Record<number, { libraryId: string | null; savedAt: number | null }>,
  error: null as string | null,
  /**
   * With `error`: the file that was too big to open in full but fits without retained sizes
   * (the error's hint), so the banner can offer to open it so.
   */
  retry: null as { error: string; blob: Blob; name: string; heap: HeapOpenMode; options: Record<string, unknown> } | null,
  notice: null as string | null,
  progress: null as (Progress & { name: string }) | null,
});
