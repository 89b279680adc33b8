// One contender of the heap snapshot benchmark, in its own process so its peak RSS is its own.
// usage: node --import tsx bench/heap-contender.ts heaplens|heaplens-one-thread|heaplens-summary-only|heaplens-parse|heaplens-flame|devtools|memlab|json-parse|scan FILE
// Prints JSON: {seconds, peakRss, nodes, edges, totalSize} or {error}.
// heaplens: what opening a snapshot costs (HeapDocument.open: parse, DOM states, distances, shallow
// sizes, dominators, retained sizes, classes and shapes, the Summary, Statistics) and the Summary's
// first page; heaplens-parse: parse + dominators + retained sizes only (this contender's meaning
// before issue 9); heaplens-flame: the load, then the dominator flame graph, timed on its own, with
// how much of each parent its drawn children cover.

import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileBlob } from '../cli/file-source.ts';
import { nodeEdgeHelper } from '../cli/edge-helper.ts';
import { analyzeHeap } from '../workers/analysis/dominators.ts';
import { flameCoverage } from '../workers/analysis/flame/dominators.ts';
import { HeapDocument } from '../workers/engine/heap-document.ts';
import { parseHeapSnapshot } from '../workers/formats/heapsnapshot/scanner.ts';
import { NO_JOB } from '../workers/model/job.ts';

const [who, file] = process.argv.slice(2);
const size = statSync(file).size;
const stream = () => Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>;
// As `heaplens` reads a file (cli/main.ts): the edges on a second thread, the bundle's worker
// (dist-cli/edge-worker.mjs, built by npm install); heaplens-one-thread reads on one, as a tab does.
const split = { blob: fileBlob(file, size), helper: nodeEdgeHelper(new URL('../dist-cli/edge-worker.mjs', import.meta.url)) };
const parse = (twoThreads = true) => parseHeapSnapshot(stream(), size, NO_JOB, undefined, twoThreads ? split : undefined);
const t0 = performance.now();
let result: Record<string, unknown> = {};
try {
  if (who === 'heaplens' || who === 'heaplens-one-thread') {
    const graph = await parse(who === 'heaplens');
    const doc = await HeapDocument.open(file, graph, NO_JOB);
    const classes = doc.classRows({ limit: 20 }).total;
    result = { nodes: graph.nodeCount, edges: graph.edgeCount, totalSize: doc.totalSize, classes };
  } else if (who === 'heaplens-summary-only') {
    // The open a file too big for a full one is offered: no dominator pass, no retained sizes.
    const graph = await parse();
    const doc = await HeapDocument.open(file, graph, NO_JOB, { mode: 'summary-only' });
    const classes = doc.classRows({ limit: 20 }).total;
    result = { nodes: graph.nodeCount, edges: graph.edgeCount, totalSize: doc.totalSize, classes };
  } else if (who === 'heaplens-parse') {
    const graph = await parse();
    const analysis = await analyzeHeap(graph);
    result = { nodes: graph.nodeCount, edges: graph.edgeCount, totalSize: analysis.totalSize };
  } else if (who === 'heaplens-flame') {
    const graph = await parse();
    const doc = await HeapDocument.open(file, graph, NO_JOB);
    const t = performance.now();
    const layout = doc.flame();
    const flameMs = performance.now() - t;
    const coverage = flameCoverage(layout);
    const kinds = [0, 0, 0];
    for (const k of layout.heap!.kind) kinds[k]++;
    result = { nodes: graph.nodeCount, edges: graph.edgeCount, totalSize: doc.totalSize, flameMs, rectangles: layout.length, objects: kinds[0], groups: kinds[1], rests: kinds[2], coverage };
  } else if (who === 'devtools') {
    // DevTools' own worker code (heap-snapshot-toolkit): its load (edge indexes, retainers, DOM
    // state, shallow sizes, dominators and retained sizes, distances, class names and shapes,
    // statistics), then the Summary as the panel asks for it.
    const { parse } = await import('heap-snapshot-toolkit');
    const snapshot = await parse(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }));
    const classes = Object.keys(snapshot.aggregatesWithFilter({} as Parameters<typeof snapshot.aggregatesWithFilter>[0])).length;
    result = { nodes: snapshot.nodeCount, edges: snapshot.containmentEdges.length / snapshot.edgeFieldsCount, totalSize: snapshot.totalSize, classes };
  } else if (who === 'memlab') {
    const require = createRequire(import.meta.url);
    const dist = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../node_modules/@memlab/core/dist');
    const HeapParser = require(join(dist, 'lib/HeapParser.js')).default;
    const TraceFinder = require(join(dist, 'paths/TraceFinder.js')).default;
    const heap = await HeapParser.parse(file);
    new TraceFinder().calculateAllNodesRetainedSizes(heap);
    result = { nodes: heap.nodes.length, edges: heap.edges.length };
  } else if (who === 'json-parse') {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    result = { nodes: json.snapshot.node_count, edges: json.snapshot.edge_count };
  } else if (who === 'scan') {
    // Reading every byte once and looking at it: the floor for any loader.
    let commas = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      const b = chunk as Buffer;
      for (let i = 0; i < b.length; i++) if (b[i] === 0x2c) commas++;
    }
    result = { commas };
  } else throw new Error(`unknown contender ${who}`);
} catch (e) {
  result = { error: String((e as Error).message ?? e).slice(0, 160) };
}
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({ seconds, peakRss: process.resourceUsage().maxRSS * 1024, ...result })}\n`);
