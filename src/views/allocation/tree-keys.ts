// Keyboard use of a tree-grid (WAI-ARIA's treegrid pattern, row focus): one Tab stop for the
// whole grid, arrows move between visible rows, Right opens a row or steps into it, Left closes
// it or steps out to its parent, Enter and Space act on it. Pure, so the views only render rows
// and apply the answer. (Kept small here until the shared src/lib/treegrid.ts lands.)

export interface TreeRowShape {
  /** 0 for top-level rows. */
  level: number;
  expandable: boolean;
  expanded: boolean;
}

export type TreeAction =
  | { kind: 'focus'; index: number }
  | { kind: 'expand'; index: number }
  | { kind: 'collapse'; index: number }
  | { kind: 'activate'; index: number };

const PAGE = 10;

/** What key `key` does on row `index` of the visible `rows`; null: not a tree key (let it through). */
export function treeKey(key: string, rows: readonly TreeRowShape[], index: number): TreeAction | null {
  const last = rows.length - 1;
  if (last < 0) return null;
  const i = Math.max(0, Math.min(index, last));
  const row = rows[i];
  switch (key) {
    case 'ArrowDown':
      return { kind: 'focus', index: Math.min(last, i + 1) };
    case 'ArrowUp':
      return { kind: 'focus', index: Math.max(0, i - 1) };
    case 'PageDown':
      return { kind: 'focus', index: Math.min(last, i + PAGE) };
    case 'PageUp':
      return { kind: 'focus', index: Math.max(0, i - PAGE) };
    case 'Home':
      return { kind: 'focus', index: 0 };
    case 'End':
      return { kind: 'focus', index: last };
    case 'ArrowRight':
      if (row.expandable && !row.expanded) return { kind: 'expand', index: i };
      if (row.expanded && i < last && rows[i + 1].level > row.level) return { kind: 'focus', index: i + 1 };
      return { kind: 'focus', index: i };
    case 'ArrowLeft': {
      if (row.expanded) return { kind: 'collapse', index: i };
      for (let k = i - 1; k >= 0; k--) if (rows[k].level < row.level) return { kind: 'focus', index: k };
      return { kind: 'focus', index: i };
    }
    case 'Enter':
    case ' ':
      return { kind: 'activate', index: i };
    default:
      return null;
  }
}
