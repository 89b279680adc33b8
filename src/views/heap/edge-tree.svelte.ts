// The state of an expandable tree of heap edges (the retainer tree, the containment tree): which
// rows are open, the pages of children loaded under each, and the rows as the table shows them
// (depth first). Children come one level at a time from the engine; a row's key is the path of
// edge indices from the tree's root, which names it uniquely even when one object appears at
// several places (a cycle, two retainers of one retainer).
import type { HeapEdgeQuery, HeapEdgeRow, Page } from '../../../workers/api/types.ts';

export type EdgeFetch = (node: number, query: HeapEdgeQuery) => Promise<Page<HeapEdgeRow>>;

interface Level {
  node: number;
  /** Nodes from the tree's root down to `node`, exclusive (the engine marks cycles with them). */
  ancestors: number[];
  rows: HeapEdgeRow[];
  total: number;
}

export type TreeRow =
  | { kind: 'edge'; key: string; level: number; row: HeapEdgeRow; open: boolean }
  | { kind: 'more'; key: string; level: number; parent: string; left: number }
  | { kind: 'loading'; key: string; level: number };

export const ROOT_KEY = 'r';
const PAGE = 50;

export class EdgeTree {
  /** Loaded levels by the key of the row they are the children of (ROOT_KEY: the root's). */
  levels = $state<Record<string, Level>>({});
  open = $state<Record<string, boolean>>({});
  /** Bumped on reset: answers to an older tree are dropped. */
  private generation = 0;

  constructor(
    private readonly fetch: EdgeFetch,
    readonly pageSize = PAGE,
  ) {}

  /** Starts over at `root` (an object's retainers, or the containment tree's root). */
  async reset(root: number): Promise<void> {
    this.generation++;
    this.levels = {};
    this.open = {};
    await this.load(ROOT_KEY, root, [], 0, this.pageSize);
  }

  private async load(key: string, node: number, ancestors: number[], offset: number, limit: number): Promise<void> {
    const gen = this.generation;
    // A plain copy: what is kept in $state is a proxy, which cannot cross to the worker.
    const page = await this.fetch(node, { ancestors: [...ancestors], offset, limit });
    if (gen !== this.generation) return;
    const old = this.levels[key];
    const rows = offset > 0 && old ? [...old.rows.slice(0, offset), ...page.rows] : page.rows;
    this.levels = { ...this.levels, [key]: { node, ancestors, rows, total: page.total } };
  }

  /** The level a row's key belongs to, and the row. */
  private find(key: string): { level: Level; row: HeapEdgeRow } | null {
    const cut = key.lastIndexOf('/');
    const level = this.levels[key.slice(0, cut)];
    const edge = Number(key.slice(cut + 1));
    const row = level?.rows.find((r) => r.edgeIndex === edge);
    return level && row ? { level, row } : null;
  }

  async toggle(key: string, open: boolean): Promise<void> {
    const found = this.find(key);
    if (!found || !found.row.hasChildren) return;
    this.open = { ...this.open, [key]: open };
    if (open && !this.levels[key]) {
      const { level, row } = found;
      await this.load(key, row.object.node, [...level.ancestors, level.node], 0, this.pageSize);
    }
  }

  /** The next page of a level ("Show more"). */
  async more(parent: string): Promise<void> {
    const level = this.levels[parent];
    if (!level || level.rows.length >= level.total) return;
    await this.load(parent, level.node, level.ancestors, level.rows.length, this.pageSize);
  }

  /** Opens the rows down a chain of objects (DevTools opens the first retainers of a selected object). */
  async openChain(nodes: number[]): Promise<void> {
    let key = ROOT_KEY;
    const gen = this.generation;
    for (const n of nodes) {
      const level = this.levels[key];
      const row = level?.rows.find((r) => r.object.node === n);
      if (!row || !row.hasChildren || gen !== this.generation) return;
      key = `${key}/${row.edgeIndex}`;
      await this.toggle(key, true);
    }
  }

  /** Asks again for every loaded level, as many rows as each shows (distances changed: a retainer ignored or restored). */
  async refresh(): Promise<void> {
    const gen = this.generation;
    const entries = Object.entries(this.levels);
    const pages = await Promise.all(entries.map(([, l]) => this.fetch(l.node, { ancestors: [...l.ancestors], offset: 0, limit: Math.max(this.pageSize, l.rows.length) })));
    if (gen !== this.generation) return;
    const next: Record<string, Level> = {};
    entries.forEach(([key, l], i) => (next[key] = { ...l, rows: pages[i].rows, total: pages[i].total }));
    this.levels = next;
  }

  /** The rows as shown, depth first: a level's rows, each open one followed by its children, then its "more" row. */
  rows(): TreeRow[] {
    const out: TreeRow[] = [];
    const walk = (key: string, depth: number) => {
      const level = this.levels[key];
      if (!level) {
        out.push({ kind: 'loading', key: `${key}/…`, level: depth });
        return;
      }
      for (const row of level.rows) {
        const k = `${key}/${row.edgeIndex}`;
        const open = !!this.open[k] && row.hasChildren;
        out.push({ kind: 'edge', key: k, level: depth, row, open });
        if (open) walk(k, depth + 1);
      }
      if (level.rows.length < level.total) out.push({ kind: 'more', key: `${key}/+`, level: depth, parent: key, left: level.total - level.rows.length });
    };
    walk(ROOT_KEY, 1);
    return out;
  }

  /** The root level has been answered and is empty. */
  get empty(): boolean {
    const root = this.levels[ROOT_KEY];
    return !!root && root.total === 0;
  }

  get loaded(): boolean {
    return !!this.levels[ROOT_KEY];
  }

  row(key: string): HeapEdgeRow | null {
    return this.find(key)?.row ?? null;
  }
}
