// An open heap snapshot: the graph, its dominator analysis and class index, the indexes built
// on first use (class members, retainers), and the pages of rows the engine hands out about it.

import type { ClassComparison, FlameLayout, HeapClassQuery, HeapClassRow, HeapObjectRow, HeapSummary, LeakClassRow, Page, Range, RetainerStep } from '../api/types.ts';
import { allocationProfile } from '../analysis/allocations.ts';
import { classSummary, dominatorTree, type ClassIndex, type DominatorTree } from '../analysis/classes.ts';
import { compareHeaps, leakCandidates, leaksByClass } from '../analysis/compare-heaps.ts';
import { analyzeHeap, type HeapAnalysis } from '../analysis/dominators.ts';
import { dominatorFlame } from '../analysis/flame/dominators.ts';
import { classMembers, classOrder, detachedElements, detachedKind, dominatedBy, membersOf, slice, type ClassMembers } from '../analysis/heap-pages.ts';
import { buildRetainers, retainerPaths, type Retainers } from '../analysis/retainers.ts';
import type { HeapGraph } from '../model/heap-graph.ts';
import type { JobControl } from '../model/job.ts';
import { AllocationDocument } from './allocation-document.ts';

export class HeapDocument {
  private order: number[] | null = null;
  private members: ClassMembers | null = null;
  private retainerIndex: Retainers | null = null;
  private detachedList: Uint32Array | null = null;

  private constructor(
    readonly name: string,
    readonly graph: HeapGraph,
    readonly analysis: HeapAnalysis,
    private readonly tree: DominatorTree,
    readonly classes: ClassIndex,
    /** The live objects with allocation stacks, as an allocation profile; null without traces. */
    readonly allocations: AllocationDocument | null,
  ) {}

  /** Indexes a parsed graph: dominators, retained sizes, classes (the "indexing" phase). */
  static async open(name: string, graph: HeapGraph, job: JobControl): Promise<HeapDocument> {
    const analysis = await analyzeHeap(graph, { job });
    const tree = dominatorTree(graph, analysis);
    const classes = classSummary(graph, analysis, tree);
    await job.yield();
    const profile = allocationProfile(graph);
    return new HeapDocument(name, graph, analysis, tree, classes, profile ? new AllocationDocument(name, profile) : null);
  }

  summary(): HeapSummary {
    const g = this.graph;
    let detached = 0;
    let detachedText = 0;
    // Blink names DOM elements "<tag …>" and text nodes "Text"; Node marks some of its own
    // bindings detached too, which are no DOM and not what the user means by detached nodes.
    const domState = this.classes.domState;
    if (domState) {
      for (let i = 0; i < g.nodeCount; i++) {
        if (domState[i] !== 2) continue;
        const kind = detachedKind(g, i);
        if (kind === 'element') detached++;
        else if (kind === 'text') detachedText++;
      }
    }
    return {
      nodeCount: g.nodeCount,
      edgeCount: g.edgeCount,
      totalSize: this.analysis.totalSize,
      classCount: this.classes.rows.length,
      detachedCount: detached,
      detachedTextCount: detachedText,
      hasAllocationTraces: this.allocations !== null,
    };
  }

  classRows(query: HeapClassQuery): Page<HeapClassRow> {
    this.order ??= classOrder(this.classes);
    const filter = query.filter?.trim().toLowerCase() ?? '';
    const { rows } = this.classes;
    const ids = filter ? this.order.filter((id) => rows[id].name.toLowerCase().includes(filter)) : this.order;
    const offset = Math.max(0, query.offset ?? 0);
    const shown = ids.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
    return { total: ids.length, rows: shown.map((classId) => ({ classId, ...rows[classId] })) };
  }

  /** A class's objects, largest retained size first. */
  objects(classId: number, range: Range = {}): Page<HeapObjectRow> {
    this.members ??= classMembers(this.classes, this.graph.nodeCount);
    const list = membersOf(this.members, classId, this.analysis.retainedSize);
    return this.page(list, range.offset, range.limit ?? 100);
  }

  /** What an object dominates (keeps alive alone), largest first. */
  dominated(node: number, range: Range = {}): Page<HeapObjectRow> {
    return this.page(dominatedBy(this.tree, node, this.analysis.retainedSize), range.offset, range.limit ?? 100);
  }

  /** Detached DOM elements, largest retained size first. */
  detached(range: Range = {}): Page<HeapObjectRow> {
    this.detachedList ??= detachedElements(this.graph, this.classes, this.analysis.retainedSize);
    return this.page(this.detachedList, range.offset, range.limit ?? 100);
  }

  retainers(node: number, maxPaths = 5): RetainerStep[][] {
    this.retainerIndex ??= buildRetainers(this.graph);
    return retainerPaths(this.graph, this.analysis, this.retainerIndex, node, maxPaths).map((path) =>
      path.map((step) => ({ object: this.row(step.node), edge: step.edge, edgeType: step.edgeType })),
    );
  }

  /** DevTools' Comparison with `base`, another snapshot of the same process. */
  compare(base: HeapDocument, range: Range = {}): Page<ClassComparison> {
    const all = compareHeaps(this.graph, this.classes, base.graph, base.classes);
    const offset = Math.max(0, range.offset ?? 0);
    return { total: all.length, rows: all.slice(offset, range.limit === undefined ? undefined : offset + range.limit) };
  }

  /** memlab's leak candidates: allocated between `first` and `second`, alive in this one. */
  leaks(first: HeapDocument, second: HeapDocument, range: Range = {}): Page<LeakClassRow> {
    const candidates = leakCandidates(first.graph, second.graph, this.graph);
    const all = leaksByClass(this.graph, this.classes, this.analysis.retainedSize, this.analysis.distance, candidates);
    const offset = Math.max(0, range.offset ?? 0);
    const shown = all.slice(offset, range.limit === undefined ? undefined : offset + range.limit);
    return {
      total: all.length,
      rows: shown.map((c) => ({
        name: this.classes.names[c.classId],
        count: c.nodes.length,
        shallowSize: c.shallowSize,
        retainedSize: c.retainedSize,
        objects: c.nodes.slice(0, 10).map((n) => this.row(n)),
      })),
    };
  }

  flame(): FlameLayout {
    return dominatorFlame(this.graph, this.analysis, this.classes);
  }

  private page(list: Uint32Array, offset = 0, limit = 100): Page<HeapObjectRow> {
    return { total: list.length, rows: Array.from(slice(list, offset, limit), (n) => this.row(n)) };
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
