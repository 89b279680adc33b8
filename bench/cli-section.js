// `npm run bench` section "cli": the heaplens command as a user runs it, one whole process per
// call (start-up, reading the file, grouping, printing), against Python's own tracemalloc doing
// the same job in one /usr/bin/python3 process. Every contender is timed the same way: with
// hyperfine when it is installed (apt-get install -y hyperfine), else by this script's own
// spawn-to-exit clock; wall time best of N (the least disturbed run on a shared machine), and
// with hyperfine the mean CPU time (user + system), which other load disturbs less. Each
// command runs once beforehand, untimed, to check its answer and warm the page cache.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const cli = relative(root, join(root, 'cli/heaplens.js'));
const example = join(root, 'public/examples/tornado-server.pickle');
const hasHyperfine = (process.env.PATH ?? '').split(delimiter).some((d) => {
  try {
    return statSync(join(d, 'hyperfine')).isFile();
  } catch {
    return false;
  }
});

/** [program, ...args] with env prefixed through env(1), so hyperfine runs them without a shell. */
const command = (env, argv) => ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];

function once(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

/** { wall: best of n seconds, cpu: mean user+system seconds or null, stdout of an untimed run }. */
function measure(n, argv) {
  const stdout = once(argv);
  if (hasHyperfine) {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-bench-'));
    const json = join(dir, 'h.json');
    const r = spawnSync('hyperfine', ['-N', '--style', 'none', '--runs', String(n), '--output', 'null', '--export-json', json, argv.join(' ')], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`hyperfine failed: ${r.stderr}`);
    const [res] = JSON.parse(readFileSync(json, 'utf8')).results;
    rmSync(dir, { recursive: true });
    return { wall: res.min, cpu: res.user + res.system, stdout };
  }
  let wall = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: 'ignore' });
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  }
  return { wall, cpu: null, stdout };
}

const ms = (s) => (s == null ? 'n/a' : `${(s * 1000).toFixed(0)} ms`);
const cell = (m) => `${ms(m.wall).padStart(7)} ${`(${ms(m.cpu)})`.padStart(10)}`;

// "#1: FILE:LINE: 38.6 MiB (count=999,745, …)" and "FILE:LINE: size=38.6 MiB, count=999745, …"
function heaplensTop(stdout) {
  const m = /^#1: (.+:\d+): (\S+ \S+) \(count=([\d,]+)/m.exec(stdout);
  return m && { where: m[1], size: m[2], count: Number(m[3].replaceAll(',', '')) };
}
function pythonTop(stdout) {
  const m = /^(.+:\d+): size=(\S+ \S+), count=(\d+)/.exec(stdout.split('\n')[1] ?? '');
  return m && { where: m[1], size: m[2], count: Number(m[3]) };
}

export function cliSection({ python, runs, bigDump }) {
  const n = Math.max(runs, 5);
  // Tests and users run the bundle; build it from the current sources so the figures are too.
  const build = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'vite.cli.config.ts')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:cli failed');
  const bundle = { HEAPLENS_CLI: 'bundle' };
  const source = { HEAPLENS_CLI: 'source' };
  const node = process.execPath;

  const files = [
    ['built-in example', example, 1],
    ['~2 M-trace dump', bigDump(), 3],
  ];
  const pyVersion = spawnSync(python, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const cpu = cpus();
  console.log(`\n## cli: whole process; wall time best of ${n} (mean CPU user+system); timed by ${hasHyperfine ? 'hyperfine' : 'spawn-to-exit clock (no hyperfine installed)'}`);
  console.log(`machine: ${cpu[0]?.model ?? '?'} × ${cpu.length}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}; ${python}: ${pyVersion}`);
  console.log(`commands (in ${root}): env HEAPLENS_CLI=bundle ${node} ${cli} --help | … top FILE --by line  ("via tsx": HEAPLENS_CLI=source)  |  ${python} bench/python_top.py FILE`);
  for (const [label, file] of files) console.log(`${label}: ${relative(root, file)} (${(statSync(file).size / 2 ** 20).toFixed(1)} MiB)`);

  const floor = measure(n, command({}, [node, '-e', '0']));
  const help = measure(2 * n, command(bundle, [node, cli, '--help']));
  const helpTsx = measure(n, command(source, [node, cli, '--help']));
  console.log(`heaplens --help            ${cell(help)}   aim < 100 ms: ${help.wall < 0.1 ? 'met' : 'NOT met'}; node -e 0 alone ${ms(floor.wall)}; through tsx ${ms(helpTsx.wall)} (${(helpTsx.wall / help.wall).toFixed(1)}× slower)`);

  console.log(`top --by line on                     heaplens            via tsx             python   python ÷ heaplens, wall (CPU)`);
  for (const [label, file, aim] of files) {
    const ours = measure(n, command(bundle, [node, cli, 'top', file, '--by', 'line']));
    const tsx = measure(n, command(source, [node, cli, 'top', file, '--by', 'line']));
    const py = measure(n, command({}, [python, join(here, 'python_top.py'), file]));
    const ratio = py.wall / ours.wall;
    const cpuRatio = ours.cpu && py.cpu / ours.cpu;
    const a = heaplensTop(ours.stdout);
    const b = pythonTop(py.stdout);
    const same = a && b && a.where === b.where && a.size === b.size && a.count === b.count;
    console.log(
      `${label.padEnd(26)} ${cell(ours)} ${cell(tsx)} ${cell(py)}   ${ratio.toFixed(2)}${cpuRatio ? ` (${cpuRatio.toFixed(2)})` : ''}; aim ≥ ${aim}: ${ratio >= aim ? 'met' : 'NOT met'}`,
    );
    console.log(`${''.padEnd(26)} top line: ${same ? `same in both (${a.where} ${a.size}, count ${a.count})` : `DIFFERENT: heaplens ${JSON.stringify(a)}, python ${JSON.stringify(b)}`}`);
  }
}
