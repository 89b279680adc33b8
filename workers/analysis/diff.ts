// Two profiles compared group by group, as tracemalloc's Snapshot.compare_to() does: groups are
// matched by their frames (file, line… — not by ids, which differ between files), groups only in
// the base appear with size 0, and rows are ordered by
// (|sizeDiff|, size, |countDiff|, count, traceback), largest first.

import type { DiffRow, FrameOut } from '../api.ts';
import type { Profile } from '../model/profile.ts';
import { compareCodePoints, groupFrames, type Groups } from './group.ts';

function contentKey(frames: FrameOut[]): string {
  return frames.map((f) => `${f.file}\u0000${f.line ?? ''}\u0000${f.function ?? ''}`).join('\u0001');
}

/** Traceback order: frames outermost first, each compared by (file, line) then function. */
export function compareFrames(a: FrameOut[], b: FrameOut[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c =
      compareCodePoints(a[i].file, b[i].file) ||
      (a[i].line ?? 0) - (b[i].line ?? 0) ||
      compareCodePoints(a[i].function ?? '', b[i].function ?? '');
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function compareGroups(base: { profile: Profile; groups: Groups }, head: { profile: Profile; groups: Groups }): DiffRow[] {
  const old = new Map<string, { frames: FrameOut[]; size: number; count: number }>();
  for (const g of base.groups.order) {
    const frames = groupFrames(base.profile, base.groups, g);
    old.set(contentKey(frames), { frames, size: base.groups.size[g], count: base.groups.count[g] });
  }
  const rows: DiffRow[] = [];
  for (const g of head.groups.order) {
    const frames = groupFrames(head.profile, head.groups, g);
    const key = contentKey(frames);
    const size = head.groups.size[g];
    const count = head.groups.count[g];
    const prev = old.get(key);
    if (prev) {
      old.delete(key);
      const sizeDiff = size - prev.size;
      const countDiff = count - prev.count;
      rows.push({ frames, size, sizeDiff, count, countDiff, status: sizeDiff === 0 && countDiff === 0 ? 'same' : 'changed' });
    } else {
      rows.push({ frames, size, sizeDiff: size, count, countDiff: count, status: 'new' });
    }
  }
  for (const prev of old.values()) {
    rows.push({ frames: prev.frames, size: 0, sizeDiff: -prev.size, count: 0, countDiff: -prev.count, status: 'gone' });
  }
  rows.sort(
    (a, b) =>
      Math.abs(b.sizeDiff) - Math.abs(a.sizeDiff) ||
      b.size - a.size ||
      Math.abs(b.countDiff) - Math.abs(a.countDiff) ||
      b.count - a.count ||
      compareFrames(b.frames, a.frames),
  );
  return rows;
}
