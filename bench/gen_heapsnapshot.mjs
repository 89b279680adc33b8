// Writes a real V8 heap snapshot of about SIZE_MB megabytes for `npm run bench`: builds a heap of
// linked records (objects, arrays, strings, closures, a Map) in a child Node process and calls
// v8.writeHeapSnapshot() on it.
// usage: node bench/gen_heapsnapshot.mjs OUT.heapsnapshot SIZE_MB
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const [out, sizeArg] = process.argv.slice(2);
const sizeMb = Number(sizeArg ?? 200);
// About 400 bytes of snapshot per record (its nodes, edges and strings), measured on Node 20.
const records = Math.max(1000, Math.round((sizeMb * 1024 * 1024) / 400));
const program = `
const v8 = require('node:v8');
class Record {
  constructor(i, prev) {
    this.id = i;
    this.name = 'record-' + i;
    this.prev = prev;
    this.tags = [i & 7, i & 15];
    this.meta = { created: i, kind: i % 3 === 0 ? 'a' : 'b' };
    if (i % 5 === 0) this.handler = () => this.id;
  }
}
const index = new Map();
let prev = null;
for (let i = 0; i < ${records}; i++) {
  prev = new Record(i, i % 100 === 0 ? null : prev);
  if (i % 10 === 0) index.set(i, prev);
}
globalThis.index = index;
globalThis.last = prev;
v8.writeHeapSnapshot(${JSON.stringify(out)});
`;
const heapMb = Math.max(4096, Math.ceil(sizeMb * 6));
execFileSync(process.execPath, [`--max-old-space-size=${heapMb}`, '-e', program], { stdio: 'inherit' });
console.log(`${out}: ${(statSync(out).size / 2 ** 20).toFixed(0)} MB, ${records} records`);
