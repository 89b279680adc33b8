// Two profiles compared group by group, as tracemalloc's Snapshot.compare_to() does: groups are
// matched by their frames (file, line… — not by ids, which differ between files), groups only in
// the base appear with size 0, and rows are ordered by
// (|sizeDiff|, size, |countDiff|, count, traceback), largest first.

import type { DiffRow, FrameOut } from '../api/types.ts';
import type { Profile } from '../model/profile.ts';
import { valueOr0, type ValueSelection } from '../model/values.ts';
import { compareCodePoints, groupFrames, identityOf, type Groups } from './group.ts';

/** The group of `side` that is the group `frames` names (matched the way diffs match them), or -1. */
export function findGroup(side: DiffSide, frames: FrameOut[]): number {
  const by = side.groups.by;
  const byName = !!side.profile.meta.functionsByName;
  const key = identityOf(frames, by, byName);
  for (const g of side.groups.order) if (identityOf(groupFrames(side.profile, side.groups, g), by, byName) === key) return g;
  return -1;
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

/** One side of a comparison: a profile's groups under the same query. */
export interface DiffSide {
  profile: Profile;
  groups: Groups;
}

/**
 * The rows of `head` compared to `base`. Columns follow the head's value types (the base's are
 * matched by name; one the base lacks counts as 0); `selection` (in the head's columns) says
 * which are size and count and which rank the rows.
 */
export function compareGroups(base: DiffSide, head: DiffSide, selection: ValueSelection): DiffRow[] {
  const baseColumn = head.profile.valueTypes.map((t) => base.profile.valueTypes.findIndex((b) => b.name === t.name));
  const k = baseColumn.length;
  const by = head.groups.by;
  const byName = !!head.profile.meta.functionsByName;
  const contentKey = (frames: FrameOut[]) => identityOf(frames, by, byName);
  const old = new Map<string, { frames: FrameOut[]; values: number[] }>();
  for (const g of base.groups.order) {
    const frames = groupFrames(base.profile, base.groups, g);
    old.set(contentKey(frames), { frames, values: baseColumn.map((c) => (c >= 0 ? base.groups.values[c][g] : 0)) });
  }
  const row = (frames: FrameOut[], values: number[], before: number[] | null): DiffRow => {
    const valueDiffs = values.map((v, t) => v - (before ? before[t] : 0));
    const status = !before ? 'new' : valueDiffs.every((d) => d === 0) ? 'same' : 'changed';
    return {
      frames,
      size: valueOr0(values, selection.size),
      sizeDiff: valueOr0(valueDiffs, selection.size),
      count: valueOr0(values, selection.count),
      countDiff: valueOr0(valueDiffs, selection.count),
      status,
      values,
      valueDiffs,
    };
  };
  const rows: DiffRow[] = [];
  for (const g of head.groups.order) {
    const frames = groupFrames(head.profile, head.groups, g);
    const key = contentKey(frames);
    const values = head.groups.values.map((column) => column[g]);
    const prev = old.get(key);
    if (prev) old.delete(key);
    rows.push(row(frames, values, prev ? prev.values : null));
  }
  for (const prev of old.values()) {
    const gone = row(prev.frames, new Array(k).fill(0), prev.values);
    gone.status = 'gone';
    rows.push(gone);
  }
  const { primary: p, secondary: q } = selection;
  rows.sort(
    (a, b) =>
      Math.abs(b.valueDiffs[p]) - Math.abs(a.valueDiffs[p]) ||
      b.values[p] - a.values[p] ||
      Math.abs(b.valueDiffs[q]) - Math.abs(a.valueDiffs[q]) ||
      b.values[q] - a.values[q] ||
      compareFrames(b.frames, a.frames),
  );
  return rows;
}
