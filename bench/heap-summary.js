// `heaplens summary FILE --json` as a user runs it (a whole process, the bundle), now against
// before issue 9 (DevTools parity: shallow sizes moved to owners, DevTools' distances, shapes,
// statistics), measured in the same run: the commit before it is checked out once (git archive)
// into node_modules/.cache/ and its CLI bundle built there. Runs alternate (before, after, …) so
// a neighbour's load falls on both alike; best of N wall time and CPU time (user + system, from
// GNU time when /usr/bin/time exists), and each side's smallest peak RSS.
// usage: node bench/heap-summary.js FILE [RUNS]   (BENCH_BASELINE=<commit> to choose the "before")
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The last commit before issue 9's engine work (main when the branch started). */
export const BASELINE = process.env.BENCH_BASELINE ?? '76d325edec1eddedd44bb93b19b1aaf6212e6a46';
const hasTime = existsSync('/usr/bin/time');

function buildBundle(dir) {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(dir, 'vite.cli.config.ts')], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building the CLI bundle in ${dir} failed`);
}

/** The baseline's checkout with its bundle built (cached; node_modules resolve from the repo's). */
export function baselineCli() {
  const dir = join(root, 'node_modules/.cache', `heaplens-baseline-${BASELINE.slice(0, 7)}`);
  if (!existsSync(join(dir, 'dist-cli/heaplens.mjs'))) {
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', BASELINE], { cwd: root, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    buildBundle(dir);
  }
  return join(dir, 'cli/heaplens.js');
}

/** One `heaplens summary FILE --json` process: wall and CPU seconds, peak RSS, its output. */
export function once(cli, file) {
  const env = { ...process.env, HEAPLENS_CLI: 'bundle' };
  const args = [cli, 'summary', file, '--json'];
  const t0 = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [user, sys, peakKb] = hasTime ? r.stderr.trim().split('\n').pop().split(' ').map(Number) : [];
  return { wall, cpu: hasTime ? user + sys : null, peakRss: hasTime ? peakKb * 1024 : null, stdout: r.stdout };
}

/** Before and after, alternating, `runs` each: best wall and CPU seconds, and the two outputs' class counts. */
export function summaryBench(file, runs = 5) {
  const before = baselineCli();
  buildBundle(root);
  const after = join(root, 'cli/heaplens.js');
  const res = { before: [], after: [] };
  let outputs = {};
  for (let i = 0; i < runs; i++) {
    for (const [who, cli] of [['before', before], ['after', after]]) {
      const r = once(cli, file);
      res[who].push(r);
      outputs[who] = JSON.parse(r.stdout);
    }
  }
  const best = (list, k) => Math.min(...list.map((r) => r[k] ?? Infinity));
  const median = (list, k) => {
    const xs = list.map((r) => r[k] ?? Infinity).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)];
  };
  const side = (list) => ({
    wall: best(list, 'wall'),
    cpu: hasTime ? best(list, 'cpu') : null,
    peakRss: hasTime ? best(list, 'peakRss') : null,
    medianWall: median(list, 'wall'),
    medianCpu: hasTime ? median(list, 'cpu') : null,
  });
  return {
    baseline: BASELINE,
    runs,
    before: { ...side(res.before), classes: outputs.before.classCount },
    after: { ...side(res.after), classes: outputs.after.classCount, hasStatistics: 'statistics' in outputs.after },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, runs] = process.argv.slice(2);
  const r = summaryBench(file, Number(runs ?? 5));
  const ratio = (k) => (r.after[k] && r.before[k] ? (r.after[k] / r.before[k]).toFixed(3) : 'n/a');
  console.log(JSON.stringify(r));
  console.log(
    `summary whole process, best of ${r.runs}: before ${r.before.wall.toFixed(2)} s wall (${r.before.cpu?.toFixed(2)} s CPU), after ${r.after.wall.toFixed(2)} s (${r.after.cpu?.toFixed(2)} s CPU); ` +
      `after/before ${ratio('wall')} wall, ${ratio('cpu')} CPU; medians ${ratio('medianWall')} wall, ${ratio('medianCpu')} CPU`,
  );
}
