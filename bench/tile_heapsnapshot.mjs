// Writes a heap snapshot of about SIZE_MB megabytes by tiling a real one (SOURCE, made by
// gen_heapsnapshot.mjs): the source's graph K times, copy j's nodes with their ids moved up by j ×
// a stride (ids renumbered densely first; even strides, so odd ids stay JS objects) and its edges
// pointing into copy j, and the root of copy 0 given one element edge to the root of every other
// copy. Strings are shared (the strings section is copied as it is), and so are the trace
// sections; locations are repeated per copy. A real 4 GB snapshot cannot be made here:
// v8.writeHeapSnapshot() of a heap that big passed 20 GB of memory on this 23 GB machine before
// it wrote a byte (measured), so the bench tiles.
//
// usage: node bench/tile_heapsnapshot.mjs SOURCE.heapsnapshot OUT.heapsnapshot SIZE_MB
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';

const [source, out, sizeArg] = process.argv.slice(2);
const bytes = readFileSync(source);
const copies = Math.max(1, Math.round((Number(sizeArg) * 2 ** 20) / bytes.length));

/** Offset just after `"key":[` (or `"key":`), searched from `from`. */
function after(key, from = 0) {
  const at = bytes.indexOf(`"${key}":`, from);
  if (at < 0) throw new Error(`${source} has no "${key}" section`);
  let i = at + key.length + 3;
  while (bytes[i] === 0x20 || bytes[i] === 0x0a) i++;
  return i;
}

/** The numbers of the array starting at `start` ('['), and the offset after its ']'. */
function numbers(start) {
  const list = [];
  let v = -1;
  let i = start + 1;
  for (; bytes[i] !== 0x5d; i++) {
    const d = bytes[i] - 0x30;
    if (d >= 0 && d <= 9) v = v < 0 ? d : v * 10 + d;
    else if (v >= 0) {
      list.push(v);
      v = -1;
    }
  }
  if (v >= 0) list.push(v);
  return { values: Float64Array.from(list), end: i + 1 };
}

const headerStart = after('snapshot');
const nodesAt = after('nodes');
const header = JSON.parse(bytes.subarray(headerStart, bytes.lastIndexOf(',', nodesAt)).toString('utf8'));
const meta = header.meta;
const nf = meta.node_fields.length;
const ef = meta.edge_fields.length;
const [idField, edgeCountField] = [meta.node_fields.indexOf('id'), meta.node_fields.indexOf('edge_count')];
const toField = meta.edge_fields.indexOf('to_node');
const element = meta.edge_types[0].indexOf('element');
const nodes = numbers(nodesAt);
const edges = numbers(after('edges', nodes.end));
const n = header.node_count;
const m = header.edge_count;
// Ids renumbered densely first (2 × rank, plus 1 for odd ones: order and parity kept), so that
// K copies' ids stay 32-bit: a process's ids run far higher than its count of objects.
const sortedIds = new Float64Array(n);
for (let k = 0; k < n; k++) sortedIds[k] = nodes.values[k * nf + idField];
sortedIds.sort();
for (let k = 0; k < n; k++) {
  const id = nodes.values[k * nf + idField];
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedIds[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  nodes.values[k * nf + idField] = 2 * lo + (id % 2);
}
const idStride = 2 * n + 2;
if (idStride * copies > 0xffffffff) throw new Error('too many copies for 32-bit ids');
const rootEdges = nodes.values[edgeCountField];
const locations = bytes.indexOf('"locations":') >= 0 ? numbers(after('locations')) : null;

const fd = openSync(out, 'w');
let pending = [];
let pendingLength = 0;
const write = (text) => {
  pending.push(text);
  pendingLength += text.length;
  if (pendingLength > 1 << 22) flush();
};
const flush = () => {
  writeSync(fd, pending.join(''));
  pending = [];
  pendingLength = 0;
};
/** Rows of `width` numbers, `row(k)` giving row k's text, "," between rows. */
const rows = (count, row, first) => {
  for (let k = 0; k < count; k++) write(`${first && k === 0 ? '' : ',\n'}${row(k)}`);
};

write(`{"snapshot":${JSON.stringify({ ...header, node_count: n * copies, edge_count: m * copies + copies - 1 })},\n"nodes":[`);
for (let j = 0; j < copies; j++) {
  rows(
    n,
    (k) => {
      const base = k * nf;
      const f = [];
      for (let x = 0; x < nf; x++) {
        let v = nodes.values[base + x];
        if (x === idField) v += j * idStride;
        if (x === edgeCountField && j === 0 && k === 0) v += copies - 1;
        f.push(v);
      }
      return f.join(',');
    },
    j === 0,
  );
}
write('],\n"edges":[');
const edgeRow = (j) => (k) => {
  const base = k * ef;
  const f = [];
  for (let x = 0; x < ef; x++) f.push(x === toField ? edges.values[base + x] + j * n * nf : edges.values[base + x]);
  return f.join(',');
};
rows(rootEdges, edgeRow(0), true);
for (let j = 1; j < copies; j++) write(`,\n${meta.edge_fields.map((f) => (f === 'type' ? element : f === 'name_or_index' ? 1_000_000 + j : j * n * nf)).join(',')}`);
const rest = edgeRow(0);
for (let k = rootEdges; k < m; k++) write(`,\n${rest(k)}`);
for (let j = 1; j < copies; j++) rows(m, edgeRow(j), false);
write(']');
// Every other section as it is (trace sections, samples, strings), but locations per copy.
const tailStart = edges.end;
const tail = bytes.subarray(tailStart).toString('latin1');
if (locations) {
  const lf = meta.location_fields?.length ?? 4;
  const at = tail.indexOf('"locations":');
  write(tail.slice(0, at));
  write('"locations":[');
  const count = locations.values.length / lf;
  for (let j = 0; j < copies; j++) {
    rows(
      count,
      (k) => {
        const f = Array.from(locations.values.subarray(k * lf, (k + 1) * lf));
        f[0] += j * n * nf;
        return f.join(',');
      },
      j === 0,
    );
  }
  write(']');
  const close = tail.indexOf(']', at);
  flush();
  writeSync(fd, bytes.subarray(tailStart + close + 1));
} else {
  flush();
  writeSync(fd, bytes.subarray(tailStart));
}
flush();
closeSync(fd);
console.log(`${out}: ${(statSync(out).size / 2 ** 20).toFixed(0)} MB, ${copies} copies of ${source}: ${(n * copies).toLocaleString('en-US')} nodes, ${(m * copies + copies - 1).toLocaleString('en-US')} edges`);
