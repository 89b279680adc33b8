#!/usr/bin/env node
// Hostile inputs in the CLI, measured (issue 13's "Must show"): the two gzip bombs (a few MB that
// expand past 2 GB of a valid-looking heap snapshot and tracemalloc dump, test/hostile/bombs.mjs)
// refused — wall time and peak RSS of the whole `heaplens summary` process, best of N — against
// what merely expanding them takes (`gzip -dc | wc -c`, same run), and the process baseline
// (`heaplens summary` of a 109-byte dump). The targets (under 3 s, under 300 MB) are printed
// beside the figures, not asserted.
// usage: node bench/hostile.js   (BENCH_RUNS=3; uses the CLI as `npm test` does: the bundle)

import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bombs } from '../test/hostile/bombs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const cli = join(root, 'cli/heaplens.js');
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) {
  console.error('bench/hostile.js needs /usr/bin/time (Debian: apt-get install time) for peak RSS');
  process.exit(2);
}

/** Best wall time and the peak RSS (of the same run) of `argv`, over `runs` runs. */
function measure(argv, env = {}) {
  let best = null;
  for (let r = 0; r < runs; r++) {
    const p = spawnSync(TIME, ['-f', '%e %M', ...argv], { encoding: 'utf8', env: { ...process.env, ...env } });
    const last = p.stderr.trim().split('\n').at(-1);
    const [secs, kb] = last.split(' ').map(Number);
    const stderr = p.stderr.trim().split('\n').slice(0, -1).join('\n');
    if (!best || secs < best.secs) best = { secs, mb: kb / 1024, status: p.status, stderr };
  }
  return best;
}

const made = await bombs();
const baseline = measure([process.execPath, cli, 'summary', join(root, 'test/fixtures/tracemalloc/empty_p5.pickle')], { HEAPLENS_CLI: 'bundle' });
console.log(`## hostile inputs: gzip bombs in the CLI, best of ${runs} (whole process; /usr/bin/time)`);
console.log(`process baseline (summary of a 109-byte dump): ${baseline.secs.toFixed(2)} s, ${baseline.mb.toFixed(0)} MB peak RSS\n`);
console.log('| file | size | heaplens refuses in | peak RSS | target | `gzip -dc` to `wc -c` takes | exit | message |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |'.replace('|', '| --- |'));
for (const file of [made.heap, made.pickle]) {
  const h = measure([process.execPath, cli, 'summary', file], { HEAPLENS_CLI: 'bundle' });
  const gunzip = measure(['sh', '-c', `gzip -dc "${file}" | wc -c`]);
  const ok = h.secs < 3 && h.mb < 300 ? 'met' : 'MISSED';
  const size = `${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `| ${file.split('/').pop()} | ${size} | ${h.secs.toFixed(2)} s | ${h.mb.toFixed(0)} MB | < 3 s, < 300 MB: ${ok} | ${gunzip.secs.toFixed(2)} s (${(gunzip.secs / h.secs).toFixed(1)}×) | ${h.status} | ${h.stderr.slice(0, 90)}… |`,
  );
}
