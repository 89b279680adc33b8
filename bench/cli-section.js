// `npm run bench` section "cli": the heaplens command as a user runs it, one whole process per
// call (start-up, reading the file, grouping, printing), against Python's own tracemalloc doing
// the same job in one /usr/bin/python3 process. Every contender is timed the same way: wall
// time from spawn to exit, stdout to /dev/null, best of N (the least disturbed run on a shared
// machine); each is run once beforehand, untimed, to check its answer and warm the page cache.

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const cli = join(root, 'cli/heaplens.js');
const example = join(root, 'public/examples/tornado-server.pickle');

function run(cmd, args, env, stdout) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

/** Best of `n` whole-process wall times, after one untimed run whose stdout is returned. */
function best(n, cmd, args, env = {}) {
  const { stdout } = run(cmd, args, env, 'pipe');
  let min = Infinity;
  for (let i = 0; i < n; i++) min = Math.min(min, run(cmd, args, env, 'ignore').seconds);
  return { seconds: min, stdout };
}

const ms = (s) => `${(s * 1000).toFixed(0)} ms`.padStart(8);

// "#1: FILE:LINE: 38.6 MiB (count=999,745, …)" and "FILE:LINE: size=38.6 MiB, count=999745, …"
function heaplensTop(stdout) {
  const m = /^#1: (.+:\d+): (\S+ \S+) \(count=([\d,]+)/m.exec(stdout);
  return m && { where: m[1], size: m[2], count: Number(m[3].replaceAll(',', '')) };
}
function pythonTop(stdout) {
  const m = /^(.+:\d+): size=(\S+ \S+), count=(\d+)/m.exec(stdout.split('\n')[1] ?? '');
  return m && { where: m[1], size: m[2], count: Number(m[3]) };
}

export function cliSection({ python, runs, bigDump }) {
  const n = Math.max(runs, 5);
  // Tests and users run the bundle; build it from the current sources so the figures are too.
  const build = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'vite.cli.config.ts')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:cli failed');
  const bundle = { HEAPLENS_CLI: 'bundle' };
  const source = { HEAPLENS_CLI: 'source' };

  const pyVersion = spawnSync(python, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const cpu = cpus();
  console.log(`\n## cli: whole process, wall time, best of ${n}`);
  console.log(`machine: ${cpu[0]?.model ?? '?'} × ${cpu.length}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}; ${python} = ${pyVersion}`);
  console.log(`commands: node cli/heaplens.js --help | node cli/heaplens.js top FILE --by line (HEAPLENS_CLI=bundle, and =source for "via tsx") | ${python} bench/python_top.py FILE`);
  const nodeFloor = best(n, process.execPath, ['-e', '0']).seconds;
  const help = best(2 * n, process.execPath, [cli, '--help'], bundle).seconds;
  const helpTsx = best(n, process.execPath, [cli, '--help'], source).seconds;
  console.log(`heaplens --help            ${ms(help)}   (aim: < 100 ms; node -e 0 alone ${ms(nodeFloor).trim()}; through tsx ${ms(helpTsx).trim()}, ${(helpTsx / help).toFixed(1)}× slower)`);

  const files = [
    ['built-in example', example, 1],
    ['~2 M-trace dump', bigDump(), 3],
  ];
  for (const [label, file] of files) console.log(`${label}: ${relative(root, file)} (${(statSync(file).size / 2 ** 20).toFixed(1)} MiB)`);
  console.log('top --by line on            heaplens   via tsx    python   heaplens is (aim)');
  for (const [label, file, aim] of files) {
    const ours = best(n, process.execPath, [cli, 'top', file, '--by', 'line'], bundle);
    const tsx = best(n, process.execPath, [cli, 'top', file, '--by', 'line'], source);
    const py = best(n, python, [join(here, 'python_top.py'), file]);
    const ratio = py.seconds / ours.seconds;
    const a = heaplensTop(ours.stdout);
    const b = pythonTop(py.stdout);
    const same = a && b && a.where === b.where && a.size === b.size && a.count === b.count;
    console.log(
      `${label.padEnd(26)} ${ms(ours.seconds)} ${ms(tsx.seconds)} ${ms(py.seconds)}   ${ratio.toFixed(2)}× Python's speed (≥ ${aim}×: ${ratio >= aim ? 'met' : 'NOT met'})`,
    );
    console.log(`${''.padEnd(26)} top line: ${same ? `same in both (${a.where} ${a.size}, count ${a.count})` : `DIFFERENT: heaplens ${JSON.stringify(a)}, python ${JSON.stringify(b)}`}`);
  }
}
