// gzip bombs for the hostile-input tests and bench/hostile.js: a few MB that expand to more than
// 2 GB of a valid-looking profile — a V8 heap snapshot (a real Node header, then nodes with
// consistent counts) and a tracemalloc dump (the pickle Snapshot.dump() writes, with the same
// trace repeated). The expanded bytes are never held: they stream through zlib in 1 MB blocks.
// The same builders at a small size make files that open (test/unit/hostile.test.ts checks
// that), so what makes a bomb is its size alone.
//
// usage: node test/hostile/bombs.mjs DIR   (writes DIR/bomb.heapsnapshot.gz, DIR/bomb.pickle.gz)

import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '../fixtures');

/** The header fields of a real Node 20 snapshot (test/fixtures/heapsnapshot/node-plain). */
function nodeMeta() {
  const text = readFileSync(join(FIXTURES, 'heapsnapshot/node-plain.heapsnapshot'), 'latin1');
  const start = text.indexOf('"meta":');
  const end = text.indexOf(',"node_count"');
  return text.slice(start + 7, end);
}

/**
 * A heap snapshot of `nodes` nodes without edges, as parts: head, the repeated unit, its count,
 * tail. Every node is (hidden, "", id 0, size 0, 0 edges, trace 0, detachedness 0).
 */
export function heapSnapshotParts(nodes) {
  const fields = 7;
  const unit = '0,'.repeat(fields);
  const head = `{"snapshot":{"meta":${nodeMeta()},"node_count":${nodes},"edge_count":0,"trace_function_count":0},\n"nodes":[`;
  const tail = `${'0,'.repeat(fields - 1)}0],\n"edges":[],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n"strings":[""]}`;
  return { head: Buffer.from(head), unit: Buffer.from(unit), count: nodes - 1, tail: Buffer.from(tail) };
}

/** Nodes for a snapshot of about `bytes` bytes. */
export const nodesFor = (bytes) => Math.ceil(bytes / 14);

/**
 * A tracemalloc dump (protocol 4, as Snapshot.dump() writes it, without frames) of `traces`
 * traces of 64 bytes allocated at bomb.py:1, as parts. The first trace memoizes its traceback
 * (LONG_BINPUT 1000); every other is the same 16 bytes: ( K0 J<64> j<1000> K1 t.
 */
export function tracemallocParts(traces) {
  const u32 = (n) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
  const empty = readFileSync(join(FIXTURES, 'tracemalloc/empty_p5.pickle'));
  // empty_p5: PROTO 5, FRAME, … EMPTY_LIST MEMOIZE | SETITEM BUILD 'traceback_limit' … STOP
  const listEnd = empty.indexOf(Buffer.from([0x5d, 0x94])) + 2;
  const name = Buffer.from('bomb.py');
  const first = [0x28, 0x4b, 0, 0x4a, ...u32(64), 0x28, 0x8c, name.length, ...name, 0x4b, 1, 0x86, 0x74, 0x72, ...u32(1000), 0x4b, 1, 0x74];
  const head = Buffer.concat([Buffer.from([0x80, 0x04]), empty.subarray(11, listEnd), Buffer.from([0x28, ...first])]);
  const unit = Buffer.from([0x28, 0x4b, 0, 0x4a, ...u32(64), 0x6a, ...u32(1000), 0x4b, 1, 0x74]);
  const tail = Buffer.concat([Buffer.from([0x65]), empty.subarray(listEnd)]); // APPENDS, then the rest
  return { head, unit, count: traces - 1, tail };
}

export const tracesFor = (bytes) => Math.ceil(bytes / 16);

/** The parts' bytes in memory (small sizes only). */
export function whole({ head, unit, count, tail }) {
  return Buffer.concat([head, Buffer.alloc(unit.length * count).fill(unit), tail]);
}

/** Streams the parts through gzip into `path`; resolves to {compressed, expanded}. */
export async function writeGzip(path, { head, unit, count, tail }) {
  const perBlock = Math.max(1, Math.floor((1 << 20) / unit.length));
  const block = Buffer.alloc(unit.length * perBlock).fill(unit);
  const tmp = `${path}.part`;
  const gz = createGzip({ level: 6 });
  const out = createWriteStream(tmp);
  const finished = new Promise((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    gz.on('error', reject);
  });
  gz.pipe(out);
  const write = async (b) => {
    if (!gz.write(b)) await new Promise((r) => gz.once('drain', r));
  };
  await write(head);
  let left = count;
  while (left >= perBlock) {
    await write(block);
    left -= perBlock;
  }
  if (left > 0) await write(block.subarray(0, left * unit.length));
  await write(tail);
  gz.end();
  await finished;
  renameSync(tmp, path);
  return { compressed: statSync(path).size, expanded: head.length + unit.length * count + tail.length };
}

export const BOMB_BYTES = 2.2e9;

/**
 * The two bombs in `dir` (made once and kept: making them takes ~15 s). The snapshot expands
 * to 2.2 GB, the pickle to 2.2 GB (past tracemalloc's 2 GiB limit).
 */
export async function bombs(dir = join(tmpdir(), 'heaplens-bombs-v1')) {
  mkdirSync(dir, { recursive: true });
  const heap = join(dir, 'bomb.heapsnapshot.gz');
  const pickle = join(dir, 'bomb.pickle.gz');
  if (!existsSync(heap)) await writeGzip(heap, heapSnapshotParts(nodesFor(BOMB_BYTES)));
  if (!existsSync(pickle)) await writeGzip(pickle, tracemallocParts(tracesFor(BOMB_BYTES)));
  return { heap, pickle };
}

/** Small gzips of the same builders, for checking they are valid profiles. */
export const smallHeapSnapshotGz = (nodes) => gzipSync(whole(heapSnapshotParts(nodes)));
export const smallTracemallocGz = (traces) => gzipSync(whole(tracemallocParts(traces)));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const made = await bombs(process.argv[2]);
  for (const f of Object.values(made)) console.log(`${f}: ${statSync(f).size} bytes`);
}
