// `npm run bench` section "cli": the heaplens command as a user runs it, one whole process per
// call (start-up, reading the file, grouping, printing), against Python's own tracemalloc doing
// the same job in one /usr/bin/python3 process. Every contender is timed the same way: with
// hyperfine when it is installed (apt-get install -y hyperfine), else by this script's own
// spawn-to-exit clock; wall time best of N (the least disturbed run on a shared machine), and
// with hyperfine the mean CPU time (user + system), which other load disturbs less. Each
// command runs once beforehand, untimed, to check its answer and warm the page cache; that run
// also gives its peak RSS (GNU time, when /usr/bin/time is there).
//
// BENCH_CLI_BEFORE=<commit>[,<commit>…]: also times the CLI as it was at each commit (its cli/
// and workers/ extracted with git archive and bundled the same way), so that before and after
// come from the same run under the same load. docs/benchmarks.md uses 76d325e, the commit
// before issue 11's tracemalloc work, and the commits of that work for "what each change bought".

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** The command's stdout, and its peak RSS in bytes when GNU time can say. */
function once(argv) {
  const dir = gnuTime ? mkdtempSync(join(tmpdir(), 'heaplens-rss-')) : null;
  const timed = gnuTime ? [gnuTime, '-f', '%M', '-o', join(dir, 'rss'), ...argv] : argv;
  const r = spawnSync(timed[0], timed.slice(1), { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  let rss = null;
  if (dir) {
    rss = Number(readFileSync(join(dir, 'rss'), 'utf8').trim().split('\n').pop()) * 1024;
    rmSync(dir, { recursive: true });
  }
  return { stdout: r.stdout, rss };
}

/** { wall: best of n seconds, cpu: mean user+system seconds or null, stdout and peak RSS of an untimed run }. */
function measure(n, argv) {
  const { stdout, rss } = once(argv);
  if (hasHyperfine) {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-bench-'));
    const json = join(dir, 'h.json');
    const r = spawnSync('hyperfine', ['-N', '--style', 'none', '--runs', String(n), '--output', 'null', '--export-json', json, argv.join(' ')], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`hyperfine failed: ${r.stderr}`);
    const [res] = JSON.parse(readFileSync(json, 'utf8')).results;
    rmSync(dir, { recursive: true });
    return { wall: res.min, cpu: res.user + res.system, stdout, rss };
  }
  let wall = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: 'ignore' });
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  }
  return { wall, cpu: null, stdout, rss };
}

const mib = (bytes) => (bytes == null ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

/**
 * The CLI bundle as it was at `commit`, built in a temporary folder (its sources from git
 * archive, this checkout's node_modules); returns the runner script's path, or null with the reason.
 */
function bundleAt(commit) {
  const dir = mkdtempSync(join(tmpdir(), 'heaplens-before-'));
  try {
    const tar = execFileSync('git', ['archive', '--format=tar', commit, 'cli', 'workers', 'vite.cli.config.ts', 'package.json', 'tsconfig.json', 'tsconfig.node.json'], { cwd: root, maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const build = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(dir, 'vite.cli.config.ts')], { cwd: dir, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(build.stderr.trim().split('\n').pop());
    const runner = join(dir, 'run.mjs');
    writeFileSync(runner, "const { main } = await import('./dist-cli/heaplens.mjs');\nprocess.exitCode = await main(process.argv.slice(2));\n");
    return { runner, dir };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { error: `${commit}: ${e.message}` };
  }
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
  const befores = (process.env.BENCH_CLI_BEFORE ?? '').split(',').filter(Boolean).map((commit) => ({ commit, ...bundleAt(commit) }));
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  const pyVersion = spawnSync(python, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const cpu = cpus();
  console.log(`\n## cli: whole process; wall time best of ${n} (mean CPU user+system); timed by ${hasHyperfine ? 'hyperfine' : 'spawn-to-exit clock (no hyperfine installed)'}`);
  console.log(`machine: ${cpu[0]?.model ?? '?'} × ${cpu.length}, load average ${load()} (1, 5, 15 min) at the start; node ${process.version}; ${python}: ${pyVersion}`);
  console.log(`commands (in ${root}): env HEAPLENS_CLI=bundle ${node} ${cli} --help | … top FILE --by line  ("via tsx": HEAPLENS_CLI=source)  |  ${python} bench/python_top.py FILE`);
  for (const before of befores) {
    if (before.runner) console.log(`before: the CLI at ${before.commit}, bundled the same way: ${node} ${before.runner} top FILE --by line`);
    else console.log(`before: not measured (${before.error})`);
  }
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
    const olds = befores.filter((b) => b.runner).map((b) => ({ commit: b.commit, m: measure(n, command({}, [node, b.runner, 'top', file, '--by', 'line'])) }));
    const ratio = py.wall / ours.wall;
    const cpuRatio = ours.cpu && py.cpu / ours.cpu;
    const a = heaplensTop(ours.stdout);
    const b = pythonTop(py.stdout);
    const same = a && b && a.where === b.where && a.size === b.size && a.count === b.count;
    console.log(
      `${label.padEnd(26)} ${cell(ours)} ${cell(tsx)} ${cell(py)}   ${ratio.toFixed(2)}${cpuRatio ? ` (${cpuRatio.toFixed(2)})` : ''}; aim ≥ ${aim}: ${ratio >= aim ? 'met' : 'NOT met'}`,
    );
    console.log(`${''.padEnd(26)} top line: ${same ? `same in both (${a.where} ${a.size}, count ${a.count})` : `DIFFERENT: heaplens ${JSON.stringify(a)}, python ${JSON.stringify(b)}`}`);
    console.log(`${''.padEnd(26)} peak RSS: heaplens ${mib(ours.rss)}, python ${mib(py.rss)}`);
    for (const { commit, m: old } of olds) {
      const same = old.stdout === ours.stdout;
      console.log(
        `${''.padEnd(26)} before (${commit}): ${cell(old).trim()}, peak RSS ${mib(old.rss)}; python ÷ before ${(py.wall / old.wall).toFixed(2)}${old.cpu ? ` (${(py.cpu / old.cpu).toFixed(2)})` : ''}; ` +
          `now ${(old.wall / ours.wall).toFixed(2)}×${old.cpu ? ` (${(old.cpu / ours.cpu).toFixed(2)})` : ''} faster than before; output ${same ? 'identical' : 'DIFFERENT'}`,
      );
    }
  }
  console.log(`load average at the end: ${load()}`);
  for (const before of befores) if (before.dir) rmSync(before.dir, { recursive: true, force: true });
}
