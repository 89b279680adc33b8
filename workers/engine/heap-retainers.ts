// The heap document's retainer tree and containment tree: the retainer index (built on the first
// question), the retainers view's "ignore this retainer" state, and the pages of edges the UI
// expands one level at a time.

import type { HeapEdgeQuery, HeapEdgeRow, Page, RetainerStep } from '../api/types.ts';
import { BASE_UNREACHABLE_DISTANCE, distanceText } from '../analysis/distances.ts';
import { ROOT } from '../analysis/dominators.ts';
import { buildRetainers, containmentEdges, retainerPaths, RetainersView, retainingEdges, sortRetainers, type Retainers } from '../analysis/retainers.ts';
import type { HeapObjectRow } from '../api/types.ts';
import { edgeText, type HeapGraph, type TypeCodes } from '../model/heap-graph.ts';

/** What the retainer state needs of its heap document (the document passes itself). */
export interface RetainerHost {
  readonly graph: HeapGraph;
  /** Retained sizes, or shallow sizes when opened without them: what the containment grid is ordered by. */
  readonly sizeForOrder: Uint32Array | Float64Array;
  readonly distance: Int32Array;
  readonly codes: TypeCodes;
  row(node: number): HeapObjectRow;
  displayName(node: number): string;
}

export class HeapRetainerState {
  private indexCache: Retainers | null = null;
  private viewCache: RetainersView | null = null;

  constructor(private readonly doc: RetainerHost) {}

  get index(): Retainers {
    return (this.indexCache ??= buildRetainers(this.doc.graph));
  }

  get view(): RetainersView {
    return (this.viewCache ??= new RetainersView(this.doc.graph, this.index, this.doc.distance));
  }

  /** Shortest retainer paths (the flat list the first Heap view showed). */
  paths(node: number, maxPaths = 5): RetainerStep[][] {
    const g = this.doc.graph;
    return retainerPaths(g, this.doc.distance, this.index, node, maxPaths).map((path) =>
      path.map((step) => ({
        object: this.doc.row(step.node),
        edge: step.edge,
        edgeType: step.edgeType,
        edgeText: step.edgeIndex >= 0 ? edgeText(g, step.edgeIndex, this.doc.codes) : '',
      })),
    );
  }

  private checkNode(node: number): void {
    if (!(Number.isInteger(node) && node >= 0 && node < this.doc.graph.nodeCount)) throw new RangeError(`no node ${node}`);
  }

  /** One level of the retainer tree: the retainers of `node`, closest first. */
  retainers(node: number, query: HeapEdgeQuery = {}): Page<HeapEdgeRow> {
    this.checkNode(node);
    const g = this.doc.graph;
    const index = this.index;
    const view = this.view;
    const edges = sortRetainers(retainingEdges(g, index, node, this.doc.codes), index, view, (n) => this.doc.displayName(n));
    const path = new Set([...(query.ancestors ?? []), node]);
    const rows = this.pageOf(edges, query).map((e) => {
      const from = index.edgeFrom[e];
      const cycle = path.has(from);
      const distance = view.edgeDistance(e);
      return {
        edge: edgeText(g, e, this.doc.codes),
        edgeType: g.edgeTypes[g.edgeType[e]],
        edgeIndex: e,
        object: { ...this.doc.row(from), distance, distanceText: distanceText(distance) },
        distance,
        cycle,
        ignored: view.ignored.has(from),
        hasChildren: !cycle && retainingEdges(g, index, from, this.doc.codes).length > 0,
      };
    });
    return { total: edges.length, rows };
  }

  /** One level of the containment tree: what `node` references (the root: its GC roots and globals). */
  containment(node: number = ROOT, query: HeapEdgeQuery = {}): Page<HeapEdgeRow> {
    this.checkNode(node);
    const g = this.doc.graph;
    const edges = containmentEdges(g, node, this.doc.sizeForOrder);
    const path = new Set([...(query.ancestors ?? []), node]);
    const rows = this.pageOf(edges, query).map((e) => {
      const to = g.edgeTo[e];
      const cycle = path.has(to);
      return {
        edge: edgeText(g, e, this.doc.codes),
        edgeType: g.edgeTypes[g.edgeType[e]],
        edgeIndex: e,
        object: this.doc.row(to),
        distance: this.doc.distance[to],
        cycle,
        ignored: false,
        hasChildren: !cycle && g.firstEdge[to + 1] > g.firstEdge[to],
      };
    });
    return { total: edges.length, rows };
  }

  private pageOf(edges: number[], range: HeapEdgeQuery): number[] {
    const offset = Math.max(0, range.offset ?? 0);
    return edges.slice(offset, offset + (range.limit ?? 100));
  }

  /**
   * The chain DevTools opens when an object is selected: the first retainer, its first retainer,
   * … while it is farther than a user root and reachable, at most `depth` levels.
   */
  firstChain(node: number, depth = 20): number[] {
    this.checkNode(node);
    const chain: number[] = [];
    const seen = new Set([node]);
    let at = node;
    for (let k = 0; k < depth; k++) {
      const first = this.retainers(at, { ancestors: chain, limit: 1 }).rows[0];
      if (!first || first.cycle || seen.has(first.object.node)) break;
      chain.push(first.object.node);
      seen.add(first.object.node);
      if (!(first.distance > 1 && first.distance < BASE_UNREACHABLE_DISTANCE)) break;
      at = first.object.node;
    }
    return chain;
  }

  ignore(node: number): number[] {
    this.checkNode(node);
    this.view.ignore(node);
    return [...this.view.ignored];
  }

  unignore(node: number): number[] {
    this.view.unignore(node);
    return [...this.view.ignored];
  }

  unignoreAll(): number[] {
    this.view.unignoreAll();
    return [];
  }
}
