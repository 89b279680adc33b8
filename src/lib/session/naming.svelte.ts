// How an open profile is named wherever the page names it (header, "Compare with" lists):
// the label the user gave it in the library, else its file name; and when it was saved, so two
// files of one name can be told apart.
import type { ProfileSummary } from '../../../workers/api/types.ts';
import { formatTime, formatValue } from '../format.ts';
import { library } from '../library.svelte.ts';
import { session } from './state.svelte.ts';

export function labelOf(p: ProfileSummary): string {
  const id = session.about[p.id]?.libraryId;
  const entry = id ? library.entries.find((e) => e.id === id) : undefined;
  return entry?.label || p.name;
}

/** When the profile was taken or saved, as far as anything records it; null when unknown. */
export function timeOf(p: ProfileSummary): { at: number; what: 'captured' | 'saved' | 'added' } | null {
  if (p.captureTime) return { at: p.captureTime, what: 'captured' };
  const saved = session.about[p.id]?.savedAt;
  if (saved) return { at: saved, what: 'saved' };
  const id = session.about[p.id]?.libraryId;
  const entry = id ? library.entries.find((e) => e.id === id) : undefined;
  return entry ? { at: entry.added, what: 'added' } : null;
}

/** "label (file name) · saved 1 Dec 2026, 21:50" — for lists where profiles sit side by side. */
export function describe(p: ProfileSummary): string {
  const label = labelOf(p);
  const t = timeOf(p);
  return `${label}${label !== p.name ? ` (${p.name})` : ''}${t ? ` · ${t.what} ${formatTime(t.at)}` : ''}`;
}

/** The profile's total in its default value, when that is no size ("850 ms cpu"); null otherwise. */
export function valueHeadline(p: ProfileSummary): string | null {
  const c = p.capabilities;
  const i = c.valueTypes.findIndex((t) => t.name === c.defaultValue);
  if (p.heap || i < 0 || c.valueTypes[i].kind === 'size') return null;
  return `${formatValue(p.totalValues[i] ?? 0, c.valueTypes[i].unit)} ${c.valueTypes[i].name}`;
}
