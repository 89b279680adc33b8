// An opened heap snapshot: the graph, its dominator analysis and class index, and the pages of
// rows the engine hands out about them.

import type { HeapClassResult, HeapObjectPage, HeapObjectRow, HeapSummary, RetainerStep } from './api.ts';
import { allocationProfile } from './analysis/allocations.ts';
import { classSummary, dominatorChildren, type ClassIndex } from './analysis/classes.ts';
import { analyzeHeap, type HeapAnalysis } from './analysis/dominators.ts';
import { retainerPaths } from './analysis/retainers.ts';
import type { HeapGraph } from './model/heap-graph.ts';
import type { Profile } from './model/profile.ts';

export class HeapSession {
  readonly analysis: HeapAnalysis;
  readonly classes: ClassIndex;
  readonly allocations: Profile | null;
  private objectsByClass: Uint32Array[] | null = null;
  private sortedClasses: Uint8Array | null = null;
  private domChildren: { first: Uint32Array; list: Uint32Array } | null = null;

  constructor(readonly graph: HeapGraph) {
    this.analysis = analyzeHeap(graph);
    this.classes = classSummary(graph, this.analysis);
    this.allocations = allocationProfile(graph);
  }

  summary(): HeapSummary {
    const g = this.graph;
    let detached = 0;
    // Blink names DOM nodes "<tag …>"; Node marks some of its own bindings detached too, which
    // are no DOM and not what the user means by detached elements.
    if (g.detachedness) {
      for (let i = 0; i < g.nodeCount; i++) if (g.detachedness[i] === 2 && g.strings[g.nodeName[i]].startsWith('<')) detached++;
    }
    return {
      nodeCount: g.nodeCount,
      edgeCount: g.edgeCount,
      totalSize: this.analysis.totalSize,
      classCount: this.classes.rows.length,
      detachedCount: detached,
      hasAllocationTraces: this.allocations !== null,
    };
  }

  classRows(query: { filter?: string; offset?: number; limit?: number }): HeapClassResult {
    const filter = query.filter?.trim().toLowerCase() ?? '';
    const rows = this.classes.rows
      .map((r, classId) => ({ classId, ...r }))
      .filter((r) => r.count > 0 && (!filter || r.name.toLowerCase().includes(filter)))
      .sort((a, b) => b.retainedSize - a.retainedSize || b.shallowSize - a.shallowSize || b.count - a.count);
    const offset = query.offset ?? 0;
    return {
      totalSize: this.analysis.totalSize,
      classCount: rows.length,
      rows: rows.slice(offset, query.limit === undefined ? undefined : offset + query.limit),
    };
  }

  objects(classId: number, offset = 0, limit = 100): HeapObjectPage {
    if (!this.objectsByClass) {
      // Nodes grouped by class in one counting pass; each class is sorted when first asked for.
      const { classOf, rows } = this.classes;
      const first = new Uint32Array(rows.length + 1);
      for (let i = 0; i < this.graph.nodeCount; i++) first[classOf[i] + 1]++;
      for (let c = 0; c < rows.length; c++) first[c + 1] += first[c];
      const fill = first.slice(0, rows.length);
      const all = new Uint32Array(this.graph.nodeCount);
      for (let i = 0; i < this.graph.nodeCount; i++) all[fill[classOf[i]]++] = i;
      this.objectsByClass = rows.map((_, c) => all.subarray(first[c], first[c + 1]));
      this.sortedClasses = new Uint8Array(rows.length);
    }
    const list = this.objectsByClass[classId] ?? new Uint32Array(0);
    if (this.sortedClasses && classId < this.sortedClasses.length && !this.sortedClasses[classId]) {
      const r = this.analysis.retainedSize;
      list.sort((a, b) => r[b] - r[a] || a - b);
      this.sortedClasses[classId] = 1;
    }
    return { total: list.length, rows: Array.from(list.subarray(offset, offset + limit), (n) => this.row(n)) };
  }

  dominated(node: number, offset = 0, limit = 100): HeapObjectPage {
    this.domChildren ??= dominatorChildren(this.graph, this.analysis);
    const { first, list } = this.domChildren;
    const r = this.analysis.retainedSize;
    const children = Array.from(list.subarray(first[node], first[node + 1])).sort((a, b) => r[b] - r[a] || a - b);
    return { total: children.length, rows: children.slice(offset, offset + limit).map((n) => this.row(n)) };
  }

  retainers(node: number, maxPaths = 5): RetainerStep[][] {
    return retainerPaths(this.graph, this.analysis, node, maxPaths).map((path) =>
      path.map((step) => ({ object: this.row(step.node), edge: step.edge, edgeType: step.edgeType })),
    );
  }

  row(node: number): HeapObjectRow {
    const g = this.graph;
    return {
      node,
      id: g.nodeId[node],
      name: clip(g.strings[g.nodeName[node]]),
      className: this.classes.names[this.classes.classOf[node]],
      type: g.nodeTypes[g.nodeType[node]],
      selfSize: g.selfSize[node],
      retainedSize: this.analysis.retainedSize[node],
      distance: this.analysis.distance[node],
      detached: g.detachedness ? g.detachedness[node] === 2 : false,
    };
  }
}

/** String objects are named by their contents, which can be megabytes: rows carry a prefix. */
function clip(name: string): string {
  return name.length > 300 ? `${name.slice(0, 300)}…` : name;
}
