// Keyboard for tables of rows that open (ARIA tree-grid, row focus): the whole table is one Tab
// stop, and the focused row is the one that stop lands on (roving tabindex). Arrow keys move,
// Right/Left open and close a row or step to its first child / its parent, Enter activates,
// Home/End jump, PageUp/PageDown move by ten. The rows are whatever `rows` selects, in document
// order; a row's depth is its aria-level (1 when absent) and it opens when it has aria-expanded.
// The component keeps the data: the action only reads the DOM and calls back with the row's
// data-key, so the same action serves the Summary, the Comparison, the containment and retainer
// trees, and the Top table. Buttons in the header (sortable columns) are one more Tab stop, the
// sorted column's, with Left/Right between them.
import type { Action } from 'svelte/action';

export interface TreegridOptions {
  /** Which elements are rows (default: `[data-key]`). */
  rows?: string;
  /** Open (true) or close (false) a row that has aria-expanded. Default for Enter too, when `activate` is absent. */
  expand?: (key: string, open: boolean, row: HTMLElement) => void;
  /** Enter on a row; return false to fall back to toggling it. */
  activate?: (key: string, row: HTMLElement) => boolean | void;
  /** The focused row changed (by keyboard, click or programmatically). */
  focusrow?: (key: string, row: HTMLElement) => void;
  /** Any other key on a row; return true when handled (the event's default is then prevented). */
  key?: (event: KeyboardEvent, key: string, row: HTMLElement) => boolean | void;
}

const PAGE = 10;

export const treegrid: Action<HTMLElement, TreegridOptions> = (node, initial) => {
  let options = initial;
  let active: HTMLElement | null = null;
  /** The row had the focus when it was taken out of the page (a collapse, a new page of rows). */
  let focusInside = false;
  /** Right on an open row whose children are still coming from the worker: step into them when they render. */
  let awaitingChild: HTMLElement | null = null;
  /** A row has had the focus: from then on the Tab stop stays on the row last focused. */
  let chosen = false;

  const selector = () => options.rows ?? '[data-key]';
  const rows = () => [...node.querySelectorAll<HTMLElement>(selector())];
  const level = (row: HTMLElement) => Number(row.getAttribute('aria-level') ?? '1') || 1;
  const keyOf = (row: HTMLElement) => row.dataset.key ?? '';
  const rowOf = (target: EventTarget | null) => {
    const el = target instanceof Element ? target.closest<HTMLElement>(selector()) : null;
    return el && node.contains(el) ? el : null;
  };

  const headers = () => [...node.querySelectorAll<HTMLElement>('thead button')];

  /** One row has tabindex 0 (the active one, else the first), every other row and every control inside rows −1. */
  function sync(): void {
    const heads = headers();
    if (heads.length > 0) {
      const current = heads.find((h) => h.getAttribute('tabindex') === '0') ?? heads.find((h) => h.closest('[aria-sort]')) ?? heads[0];
      for (const h of heads) h.setAttribute('tabindex', h === current ? '0' : '-1');
    }
    const all = rows();
    // Until a row has had the focus, the Tab stop is the first row, whatever the rows re-sort to.
    if (!chosen && all.length > 0 && active !== all[0]) active = all[0];
    if (!active || !active.isConnected || !node.contains(active)) {
      const lost = active !== null && focusInside && (document.activeElement === document.body || document.activeElement === null);
      active = all[0] ?? null;
      if (lost && active) active.focus({ preventScroll: true });
    }
    for (const r of all) {
      const want = r === active ? '0' : '-1';
      if (r.getAttribute('tabindex') !== want) r.setAttribute('tabindex', want);
      for (const c of r.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea')) if (c.getAttribute('tabindex') !== '-1') c.setAttribute('tabindex', '-1');
    }
    if (awaitingChild) {
      const parent = awaitingChild;
      const next = all[all.indexOf(parent) + 1];
      if (!parent.isConnected || document.activeElement !== parent || parent.getAttribute('aria-expanded') !== 'true') awaitingChild = null;
      else if (next && level(next) > level(parent)) {
        awaitingChild = null;
        move(next);
      }
    }
  }

  function move(to: HTMLElement | undefined): void {
    if (!to) return;
    active = to;
    sync();
    to.focus();
    to.scrollIntoView({ block: 'nearest' });
  }

  function onHeaderKey(e: KeyboardEvent, head: HTMLElement): void {
    const heads = headers();
    const i = heads.indexOf(head);
    const to = e.key === 'ArrowRight' ? heads[i + 1] : e.key === 'ArrowLeft' ? heads[i - 1] : e.key === 'Home' ? heads[0] : e.key === 'End' ? heads[heads.length - 1] : undefined;
    if (!to) return;
    e.preventDefault();
    for (const h of heads) h.setAttribute('tabindex', h === to ? '0' : '-1');
    to.focus();
  }

  function onKeydown(e: KeyboardEvent): void {
    const head = e.target instanceof HTMLElement && e.target.matches('thead button') ? e.target : null;
    if (head) return onHeaderKey(e, head);
    const row = rowOf(e.target);
    // Keys typed into a control inside a row (none today) stay the control's.
    if (!row || (e.target !== row && e.target instanceof HTMLElement && /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName))) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const all = rows();
    const i = all.indexOf(row);
    const expanded = row.getAttribute('aria-expanded');
    let handled = true;
    awaitingChild = null;
    switch (e.key) {
      case 'ArrowDown':
        move(all[i + 1]);
        break;
      case 'ArrowUp':
        move(all[i - 1]);
        break;
      case 'Home':
        move(all[0]);
        break;
      case 'End':
        move(all[all.length - 1]);
        break;
      case 'PageDown':
        move(all[Math.min(all.length - 1, i + PAGE)]);
        break;
      case 'PageUp':
        move(all[Math.max(0, i - PAGE)]);
        break;
      case 'ArrowRight':
        if (expanded === 'false') options.expand?.(keyOf(row), true, row);
        else if (expanded === 'true') {
          if (all[i + 1] && level(all[i + 1]) > level(row)) move(all[i + 1]);
          else awaitingChild = row;
        }
        break;
      case 'ArrowLeft':
        if (expanded === 'true') options.expand?.(keyOf(row), false, row);
        else {
          const l = level(row);
          for (let k = i - 1; k >= 0; k--) {
            if (level(all[k]) < l) {
              move(all[k]);
              break;
            }
          }
        }
        break;
      case 'Enter': {
        const done = options.activate?.(keyOf(row), row);
        if (done === false || !options.activate) {
          if (expanded !== null) options.expand?.(keyOf(row), expanded === 'false', row);
        }
        break;
      }
      default:
        handled = !!options.key?.(e, keyOf(row), row);
    }
    if (handled) e.preventDefault();
  }

  function onFocusin(e: FocusEvent): void {
    focusInside = true;
    const row = rowOf(e.target);
    if (!row) return;
    chosen = true;
    if (row !== active) {
      active = row;
      sync();
    }
    if (e.target === row) options.focusrow?.(keyOf(row), row);
  }

  function onFocusout(e: FocusEvent): void {
    // Focus leaving for another part of the page, not a row being removed under it (then the
    // element that lost it is gone from the page, and the next sync gives it to a row again).
    if (e.relatedTarget instanceof Node) {
      if (!node.contains(e.relatedTarget)) focusInside = false;
      return;
    }
    const from = e.target;
    setTimeout(() => {
      if (from instanceof Node && from.isConnected && !node.contains(document.activeElement)) focusInside = false;
    });
  }

  const observer = new MutationObserver(sync);
  observer.observe(node, { childList: true, subtree: true });
  node.addEventListener('keydown', onKeydown);
  node.addEventListener('focusin', onFocusin);
  node.addEventListener('focusout', onFocusout);
  sync();

  return {
    update(next: TreegridOptions) {
      options = next;
      sync();
    },
    destroy() {
      observer.disconnect();
      node.removeEventListener('keydown', onKeydown);
      node.removeEventListener('focusin', onFocusin);
      node.removeEventListener('focusout', onFocusout);
    },
  };
};

/** Focuses the row with this data-key inside `grid` (after the rows it opened have rendered). */
export function focusRow(grid: HTMLElement | null | undefined, key: string): boolean {
  const row = grid?.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  if (!row) return false;
  row.focus();
  row.scrollIntoView({ block: 'nearest' });
  return true;
}
