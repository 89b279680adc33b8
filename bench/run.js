#!/usr/bin/env node
// npm run bench: heaplens against named baselines, measured in the same run, printed as ratios.
// Section 1 — tracemalloc: load a real ~2 M-trace dump and group it by line, against Python's own
// pickle.load + statistics('lineno') (Debian's /usr/bin/python3) and the `pickleparser` package.
// Section 2 — heap snapshots (bench/heap-section.js): ~50, 200, 600 and 1300 MB made by Node's
// v8.writeHeapSnapshot(), our full load against DevTools' own worker code (heap-snapshot-toolkit),
// memlab's loader, JSON.parse and a single scan; at 200 MB `heaplens summary` against the commit
// before issue 9, and the file in Chromium (time, the tab's memory after opening it 1× and 3×);
// BENCH_HEAP_HUGE_MB=4096 adds a tiled snapshot of that size in the CLI and in Chromium.
// Section 3 — flame graphs: layout of a generated 100 k-node profile in Node against d3's
// hierarchy + partition, and first paint / frame times of a scripted zoom in Chromium.
// Section 4 — cli: the `heaplens` command as a user runs it, whole process, best of N, against
// Python's own tracemalloc (Snapshot.load + statistics('lineno') printing the top 10) in one
// /usr/bin/python3 process, on the built-in example and the ~2 M-trace dump; the same commands
// through tsx's loader (HEAPLENS_CLI=source) show what the bundle saves.
// Section 5 — pprof: a generated Go-like heap profile (bench/gen_pprof.go, 220 k samples, ~17 MB
// before gzip): our decode + frames, and the engine's open + grouping by function (flat and
// cum), against npm pprof-format's decode alone; and a whole `heaplens top --by function --value
// alloc_space --limit 0 --json` process (the CLI bundle) against `go tool pprof -top` on the same
// file, with the top row compared.
// Environment: BENCH_SECTIONS=tracemalloc,heap,flame,cli,pprof  BENCH_HEAP_MB=50,200,600,1300  BENCH_HEAP_HUGE_MB  BENCH_RUNS=3
// BENCH_PPROF_SAMPLES=220000  BENCH_PPROF_GO_RUNS=1

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliSection } from './cli-section.js';
import { heapSection } from './heap-section.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'out');
mkdirSync(out, { recursive: true });
const python = '/usr/bin/python3';
const runs = Number(process.env.BENCH_RUNS ?? 3);
const traces = Number(process.env.BENCH_TRACES ?? 2_000_000);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (n) => `${(n / 2 ** 20).toFixed(0)} MB`;
const sec = (s) => `${(s * 1000).toFixed(0)} ms`;

function bigDump() {
  const dump = join(out, `tracemalloc-${traces}.pickle`);
  if (!existsSync(dump)) {
    console.log(`generating ${dump} with ${python} bench/gen_tracemalloc.py (once; cached in bench/out/)…`);
    execFileSync(python, [join(here, 'gen_tracemalloc.py'), dump, String(traces)], { stdio: 'inherit' });
  }
  return dump;
}

function tracemallocSection() {
  const dump = bigDump();
  console.log(`\n## tracemalloc: load + group by line — ${dump} (${mb(statSync(dump).size)}), ${runs} runs, median`);
  const rows = [];
  const py = [];
  for (let r = 0; r < runs; r++) {
    py.push(JSON.parse(execFileSync(python, [join(here, 'python_baseline.py'), dump], { encoding: 'utf8' })));
  }
  rows.push({ name: 'python pickle.load + statistics', load: median(py.map((p) => p.load)), group: median(py.map((p) => p.statistics)), rss: Math.max(...py.map((p) => p.peakRss)), top: py[0].top });
  for (const who of ['pickleparser', 'heaplens']) {
    const res = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', join(here, 'tracemalloc-contender.ts'), who, dump, String(runs)], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      }),
    );
    rows.push({ name: who, load: median(res.load), group: median(res.group), rss: res.peakRss, top: res.top });
  }
  const ours = rows.find((r) => r.name === 'heaplens');
  const oursTotal = ours.load + ours.group;
  console.log('contender                         load      group     total     peak RSS   heaplens is');
  for (const r of rows) {
    const total = r.load + r.group;
    const ratio = r === ours ? '—' : `${(total / oursTotal).toFixed(1)}× faster`;
    console.log(
      `${r.name.padEnd(32)} ${sec(r.load).padStart(8)} ${sec(r.group).padStart(9)} ${sec(total).padStart(9)} ${(r.rss ? mb(r.rss) : 'n/a').padStart(10)}   ${ratio}`,
    );
  }
  const pyTop = rows[0].top;
  const ourTop = ours.top;
  const same = ourTop.size === pyTop.size && ourTop.count === pyTop.count && ourTop.frames[0].line === pyTop.line;
  console.log(`top row: python ${pyTop.file}:${pyTop.line} ${pyTop.size} B / ${pyTop.count}; heaplens ${ourTop.frames[0].file}:${ourTop.frames[0].line} ${ourTop.size} B / ${ourTop.count} — ${same ? 'same' : 'DIFFERENT'}`);
}

function flameSection() {
  const nodes = Number(process.env.BENCH_FLAME_NODES ?? 100_000);
  console.log(`\n## flame graphs: ${nodes.toLocaleString('en-US')} call-tree nodes`);
  const layout = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(here, 'flame-bench.ts'), String(nodes)], { encoding: 'utf8' }).trim().split('\n').pop());
  console.log(`layout in Node (median of 7): heaplens ${layout.heaplensMs.toFixed(1)} ms, d3 hierarchy+partition ${layout.d3PartitionMs.toFixed(1)} ms — ${(layout.d3PartitionMs / layout.heaplensMs).toFixed(1)}× faster (aim: < 50 ms)`);
  const browser = JSON.parse(execFileSync(process.execPath, [join(here, 'flame-browser.js'), String(nodes)], { encoding: 'utf8' }).trim().split('\n').pop());
  console.log(`Chromium: first paint ${browser.firstPaintMs.toFixed(0)} ms (aim: < 100 ms; worker layout + transfer + first draw)`);
  console.log(
    `Chromium: frame interval while zooming median ${browser.zoomFrameMs.median.toFixed(1)} ms, p95 ${browser.zoomFrameMs.p95.toFixed(1)} ms, max ${browser.zoomFrameMs.max.toFixed(1)} ms; ` +
      `idle page ${browser.idleFrameMs.median.toFixed(1)} ms — p95 is ${(browser.zoomFrameMs.p95 / browser.idleFrameMs.median).toFixed(2)}× the idle frame (aim: < 16.7 ms)`,
  );
}

function pprofSection() {
  const samples = Number(process.env.BENCH_PPROF_SAMPLES ?? 220_000);
  const goRuns = Number(process.env.BENCH_PPROF_GO_RUNS ?? 1);
  const file = join(out, `pprof-${samples}.pb.gz`);
  const goEnv = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local' };
  if (!existsSync(file)) {
    console.log(`generating ${file} with go run bench/gen_pprof.go (once; cached in bench/out/)…`);
    execFileSync('go', ['run', join(here, 'gen_pprof.go'), file, String(samples)], { stdio: 'inherit', env: goEnv });
  }
  const contender = (who, n) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(here, 'pprof-bench.ts'), who, file, String(n)], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').pop());
  console.log(`\n## pprof: ${file} (${mb(statSync(file).size)} gzipped, ${samples.toLocaleString('en-US')} samples), ${runs} runs, median`);
  // One run per process, the two contenders alternating, so a neighbour's load on the shared
  // cores falls on both alike.
  const merge = (list) => ({ ...list[0], gunzip: list.flatMap((x) => x.gunzip), decode: list.flatMap((x) => x.decode), frames: list.flatMap((x) => x.frames), peakRss: Math.max(...list.map((x) => x.peakRss)) });
  const oursRuns = [];
  const theirRuns = [];
  for (let r = 0; r < runs; r++) {
    oursRuns.push(contender('heaplens', 1));
    theirRuns.push(contender('pprof-format', 1));
  }
  const ours = merge(oursRuns);
  const theirs = merge(theirRuns);
  const decode = median(ours.decode);
  const frames = median(ours.frames);
  console.log('contender                         gunzip    decode    frames    peak RSS   heaplens is');
  console.log(`${'heaplens decodePprof+pprofFrames'.padEnd(32)} ${sec(median(ours.gunzip)).padStart(8)} ${sec(decode).padStart(9)} ${sec(frames).padStart(9)} ${mb(ours.peakRss).padStart(10)}   —`);
  console.log(
    `${'pprof-format Profile.decode'.padEnd(32)} ${sec(median(theirs.gunzip)).padStart(8)} ${sec(median(theirs.decode)).padStart(9)} ${'—'.padStart(9)} ${mb(theirs.peakRss).padStart(10)}   ` +
      `${(median(theirs.decode) / (decode + frames)).toFixed(1)}× faster (decode + frames against its decode alone)`,
  );
  console.log(`inuse_space total: heaplens ${ours.inuseSpace}, pprof-format ${theirs.inuseSpace} — ${ours.inuseSpace === theirs.inuseSpace ? 'same' : 'DIFFERENT'}`);

  // The engine, as the app and the CLI use it: open (gunzip, decode, frames, model), then every
  // row by function of alloc_space, self and inclusive. Alternating with pprof-format's decode.
  const engineRuns = [];
  const theirRuns2 = [];
  for (let r = 0; r < runs; r++) {
    engineRuns.push(contender('engine', 1));
    theirRuns2.push(contender('pprof-format', 1));
  }
  const eng = { open: median(engineRuns.flatMap((x) => x.open)), self: median(engineRuns.flatMap((x) => x.self)), inclusive: median(engineRuns.flatMap((x) => x.inclusive)) };
  const theirDecode = median([...theirs.decode, ...theirRuns2.flatMap((x) => x.decode)]);
  const engineRss = Math.max(...engineRuns.map((x) => x.peakRss));
  console.log(
    `heaplens engine: open ${sec(eng.open)} (gunzip, decode, frames, model; ${engineRuns[0].samples.toLocaleString('en-US')} samples after merging equal ones) + ` +
      `by function, flat ${sec(eng.self)}, cum ${sec(eng.inclusive)} = ${sec(eng.open + eng.self + eng.inclusive)}, peak RSS ${mb(engineRss)} — ` +
      `${(theirDecode / (eng.open + eng.self + eng.inclusive)).toFixed(2)}× pprof-format's decode alone (${sec(theirDecode)}; > 1 is faster)`,
  );
  console.log(`inuse_space total: engine ${engineRuns[0].inuseSpace}, pprof-format ${theirs.inuseSpace} — ${engineRuns[0].inuseSpace === theirs.inuseSpace ? 'same' : 'DIFFERENT'}`);

  // Whole processes, as a user runs them: the CLI bundle (npm run build:cli) against go tool pprof.
  const wall = (cmd, args, env) => {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, env });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    return { seconds: (performance.now() - t0) / 1000, stdout: r.stdout };
  };
  const cli = join(here, '../cli/heaplens.js');
  const cliArgs = [cli, 'top', file, '--by', 'function', '--value', 'alloc_space', '--limit', '0', '--json'];
  const tops = [];
  for (let r = 0; r < runs; r++) tops.push(wall(process.execPath, cliArgs, { ...process.env, HEAPLENS_CLI: 'bundle' }));
  const goArgs = ['tool', 'pprof', '-top', '-nodecount=100000', '-nodefraction=0', '-edgefraction=0', '-symbolize=none', '-sample_index=alloc_space', '-unit=byte', file];
  const gos = [];
  for (let r = 0; r < goRuns; r++) gos.push(wall('go', goArgs, goEnv));
  const oursTop = median(tops.map((t) => t.seconds));
  const goTop = median(gos.map((t) => t.seconds));
  console.log(`whole process, every row by function of alloc_space: heaplens top ${sec(oursTop)} (${runs} runs), go tool pprof -top ${sec(goTop)} (${goRuns} run${goRuns === 1 ? '' : 's'}) — ${(goTop / oursTop).toFixed(1)}× faster`);
  const json = JSON.parse(tops[0].stdout);
  const goRows = gos[0].stdout.split('\n').filter((l) => /^\s*-?\d+B? /.test(l));
  const goFlat = new Map(goRows.map((l) => l.replace(/ \((partial-)?inline\)$/, '').trim().split(/\s+/)).map(([flat, , , , , ...name]) => [name.join(' '), Number(flat.replace(/B$/, ''))]));
  const ourFlat = json.rows.map((r) => [r.frames[0].function, r.values.alloc_space]);
  const same = ourFlat.every(([name, v]) => goFlat.get(name) === v) && ourFlat.length === [...goFlat.values()].filter((v) => v !== 0).length;
  console.log(`flat per function: ${ourFlat.length} heaplens rows against go's ${goFlat.size} (${[...goFlat.values()].filter((v) => v !== 0).length} with flat ≠ 0) — ${same ? 'same' : 'DIFFERENT'}`);
}

const sections = (process.env.BENCH_SECTIONS ?? 'tracemalloc,heap,flame,cli,pprof').split(',');
if (sections.includes('tracemalloc')) tracemallocSection();
if (sections.includes('heap')) heapSection({ runs });
if (sections.includes('flame')) flameSection();
if (sections.includes('cli')) cliSection({ python, runs, bigDump });
if (sections.includes('pprof')) pprofSection();
