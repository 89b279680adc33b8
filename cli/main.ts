// heaplens CLI: the same engine as the web app, for terminals and CI.
// JSON output is a public contract (DESIGN.md, "CLI contract"): add fields, never rename or drop.

import { openAsBlob } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { HeaplensError, type DiffResult, type GroupBy, type Mode, type TopResult } from '../workers/api.ts';
import { createEngine } from '../workers/engine.ts';

const USAGE = `usage: heaplens top FILE [--by file|line|function|traceback] [--inclusive | --cumulative]
                    [--include PATTERN]... [--exclude PATTERN]... [--limit N] [--json]
       heaplens diff BASE HEAD [same options] [--fail-over BYTES]
       heaplens summary FILE.heapsnapshot [--limit N] [--json]
       heaplens leaks FIRST SECOND THIRD (.heapsnapshot) [--limit N] [--json]

Reads a memory profile (Python tracemalloc Snapshot.dump() files, V8 .heapprofile files, V8
.heapsnapshot files) and prints where memory went, like tracemalloc's snapshot.statistics().
"summary" prints a heap snapshot's classes with shallow and retained sizes, like DevTools;
"diff" of two heap snapshots of one process compares them by object id, class by class;
"leaks" lists objects allocated between the first two snapshots and still alive in the third.

  --by KEY        group by file, line (default), function or traceback
  --inclusive     count each allocation for every group on its stack (once per group)
  --cumulative    tracemalloc's cumulative=True (a frame counts once per occurrence)
  --include PAT   keep traces whose innermost frame's file matches PAT (fnmatch; FILE:LINE for a line)
  --exclude PAT   drop traces whose innermost frame's file matches PAT
  --limit N       print N rows (default 10; 0 for all)
  --json          machine-readable output (frames outermost first)
  --fail-over B   (diff) exit with status 3 when the total grew by more than B bytes
                  (suffixes K, M, G = KiB, MiB, GiB), to guard CI against memory regressions`;

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        by: { type: 'string', default: 'line' },
        inclusive: { type: 'boolean', default: false },
        cumulative: { type: 'boolean', default: false },
        include: { type: 'string', multiple: true, default: [] },
        exclude: { type: 'string', multiple: true, default: [] },
        limit: { type: 'string', default: '10' },
        json: { type: 'boolean', default: false },
        'fail-over': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`heaplens: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...files] = args.positionals;
  if (args.values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || args.values.help ? 0 : 2;
  }
  if (!['top', 'diff', 'summary', 'leaks'].includes(command)) {
    process.stderr.write(`heaplens: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const wanted = command === 'diff' ? 2 : command === 'leaks' ? 3 : 1;
  if (files.length !== wanted) {
    const what = command === 'diff' ? 'BASE and HEAD files' : command === 'leaks' ? 'three snapshots of one process' : 'exactly one FILE';
    process.stderr.write(`heaplens: ${command} needs ${what}\n${USAGE}\n`);
    return 2;
  }
  let failOver: number | null = null;
  if (args.values['fail-over'] !== undefined) {
    if (command !== 'diff') {
      process.stderr.write('heaplens: --fail-over goes with diff\n');
      return 2;
    }
    failOver = parseBytes(args.values['fail-over']);
    if (failOver === null) {
      process.stderr.write(`heaplens: --fail-over takes a size in bytes (e.g. 1048576 or 1M), not "${args.values['fail-over']}"\n`);
      return 2;
    }
  }
  const by = args.values.by as GroupBy;
  if (!['file', 'line', 'function', 'traceback'].includes(by)) {
    process.stderr.write(`heaplens: --by must be file, line, function or traceback, not "${by}"\n`);
    return 2;
  }
  const limit = Number(args.values.limit);
  if (!Number.isInteger(limit) || limit < 0) {
    process.stderr.write(`heaplens: --limit must be a whole number ≥ 0, not "${args.values.limit}"\n`);
    return 2;
  }
  if (args.values.inclusive && args.values.cumulative) {
    process.stderr.write('heaplens: choose one of --inclusive and --cumulative\n');
    return 2;
  }
  const mode: Mode = args.values.inclusive ? 'inclusive' : args.values.cumulative ? 'cumulative' : 'self';
  const filters = [
    ...args.values.include.map((p) => ({ inclusive: true, ...patternAndLine(p) })),
    ...args.values.exclude.map((p) => ({ inclusive: false, ...patternAndLine(p) })),
  ];

  const engine = createEngine();
  try {
    const opened = [];
    for (const file of files) opened.push(await engine.open(await readBlob(file), basename(file)));
    const query = { by, mode, filters, limit: limit === 0 ? undefined : limit };
    if (command === 'summary') {
      const summary = opened[0];
      if (!summary.heap) throw new HeaplensError(`${summary.name} is not a heap snapshot; use heaplens top for ${summary.format} files.`);
      const classes = engine.heapClasses(summary.id, { limit: query.limit });
      const json = {
        nodeCount: summary.heap.nodeCount,
        edgeCount: summary.heap.edgeCount,
        totalSize: summary.heap.totalSize,
        classCount: classes.classCount,
        detachedCount: summary.heap.detachedCount,
        classes: classes.rows.map((r) => ({ name: r.name, count: r.count, shallowSize: r.shallowSize, retainedSize: r.retainedSize })),
      };
      if (args.values.json) process.stdout.write(`${JSON.stringify(json)}\n`);
      else process.stdout.write(summaryText(json, summary.name));
      return 0;
    }
    if (command === 'top') {
      const summary = opened[0];
      const result = engine.top(summary.id, query);
      if (args.values.json) process.stdout.write(`${JSON.stringify(toJson(result, by, mode))}\n`);
      else process.stdout.write(await toText(result, by, mode, summary.name, unitsOf(summary.format)));
      return 0;
    }
    if (command === 'leaks') {
      if (opened.some((o) => !o.heap)) throw new HeaplensError('leaks needs three .heapsnapshot files of one process.');
      const rows = engine.heapLeaks(opened[0].id, opened[1].id, opened[2].id).slice(0, query.limit);
      if (args.values.json) {
        process.stdout.write(`${JSON.stringify({ format: 'heapsnapshot', rows: rows.map((r) => ({ name: r.name, count: r.count, shallowSize: r.shallowSize, retainedSize: r.retainedSize, ids: r.objects.map((o) => o.id) })) })}\n`);
      } else {
        const out = [`[ Leak candidates: allocated between ${opened[0].name} and ${opened[1].name}, still alive in ${opened[2].name} ]`];
        for (const r of rows) out.push(`${r.name.padEnd(40)} ${r.count.toLocaleString('en-US').padStart(8)} objects ${formatSize(r.shallowSize).padStart(10)} shallow  e.g. ${r.objects.slice(0, 3).map((o) => `@${o.id}`).join(' ')}`);
        process.stdout.write(`${out.join('\n')}\n`);
      }
      return 0;
    }
    const [base, head] = opened;
    if (base.heap || head.heap) {
      if (!base.heap || !head.heap) throw new HeaplensError('diff compares two files of the same kind: both heap snapshots, or two allocation profiles.');
      const rows = engine.heapCompare(head.id, base.id);
      const sizeDiff = rows.reduce((a, r) => a + r.sizeDelta, 0);
      const shown = query.limit === undefined ? rows : rows.slice(0, query.limit);
      if (args.values.json) {
        const json = {
          format: 'heapsnapshot',
          value: 'size',
          by: 'class',
          base: base.name,
          head: head.name,
          total: { size: head.heap.totalSize, count: head.heap.nodeCount, sizeDiff: head.heap.totalSize - base.heap.totalSize, countDiff: head.heap.nodeCount - base.heap.nodeCount },
          groupCount: rows.length,
          rows: shown.map((r) => ({ ...r, sizeDiff: r.sizeDelta, countDiff: r.countDelta })),
        };
        process.stdout.write(`${JSON.stringify(json)}\n`);
      } else {
        const out = [`[ ${head.name} compared to ${base.name} by object id: ${rows.length} classes changed ]`, `${'class'.padEnd(40)} ${'# new'.padStart(8)} ${'# deleted'.padStart(10)} ${'# delta'.padStart(8)} ${'alloc'.padStart(10)} ${'freed'.padStart(10)} ${'size delta'.padStart(11)}`];
        for (const r of shown) {
          out.push(`${(r.name.length > 40 ? `${r.name.slice(0, 39)}…` : r.name).padEnd(40)} ${String(r.newCount).padStart(8)} ${String(r.deletedCount).padStart(10)} ${signed(r.countDelta, String).padStart(8)} ${formatSize(r.allocSize).padStart(10)} ${formatSize(r.freedSize).padStart(10)} ${signed(r.sizeDelta, formatSize).padStart(11)}`);
        }
        process.stdout.write(`${out.join('\n')}\n`);
      }
      if (failOver !== null && sizeDiff > failOver) {
        process.stderr.write(`heaplens: memory grew by ${formatSize(sizeDiff)} (${sizeDiff} B), over the --fail-over bound of ${formatSize(failOver)}\n`);
        return 3;
      }
      return 0;
    }
    const result = engine.diff(head.id, base.id, query);
    if (args.values.json) {
      process.stdout.write(`${JSON.stringify({ format: result.format, value: result.value, by, mode, base: base.name, head: head.name, total: result.total, groupCount: result.groupCount, rows: result.rows })}\n`);
    } else {
      process.stdout.write(diffText(result, by, base.name, head.name, unitsOf(head.format)));
    }
    if (failOver !== null && result.total.sizeDiff > failOver) {
      process.stderr.write(`heaplens: memory grew by ${formatSize(result.total.sizeDiff)} (${result.total.sizeDiff} B), over the --fail-over bound of ${formatSize(failOver)}\n`);
      return 3;
    }
    return 0;
  } catch (e) {
    if (e instanceof HeaplensError) {
      process.stderr.write(`heaplens: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

async function readBlob(file: string): Promise<Blob> {
  try {
    // openAsBlob's own error says only "Unable to open file as blob"; stat says why.
    const info = await stat(file);
    if (info.isDirectory()) throw new HeaplensError(`cannot open ${file}: it is a directory`);
    return await openAsBlob(file);
  } catch (e) {
    if (e instanceof HeaplensError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new HeaplensError(`cannot open ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

function summaryText(
  s: { nodeCount: number; edgeCount: number; totalSize: number; classCount: number; detachedCount: number; classes: { name: string; count: number; shallowSize: number; retainedSize: number }[] },
  name: string,
): string {
  const out = [
    `[ ${name}: ${s.nodeCount.toLocaleString('en-US')} objects, ${s.edgeCount.toLocaleString('en-US')} references, ${formatSize(s.totalSize)}${s.detachedCount ? `, ${s.detachedCount} detached DOM objects` : ''} ]`,
    `${'class'.padEnd(40)} ${'count'.padStart(10)} ${'shallow'.padStart(11)} ${'retained'.padStart(11)} ${'%'.padStart(6)}`,
  ];
  for (const c of s.classes) {
    const label = c.name.length > 40 ? `${c.name.slice(0, 39)}…` : c.name;
    out.push(
      `${label.padEnd(40)} ${c.count.toLocaleString('en-US').padStart(10)} ${formatSize(c.shallowSize).padStart(11)} ${formatSize(c.retainedSize).padStart(11)} ${((100 * c.retainedSize) / s.totalSize).toFixed(1).padStart(5)}%`,
    );
  }
  if (s.classCount > s.classes.length) out.push(`… ${s.classCount - s.classes.length} more classes (--limit 0 for all)`);
  return `${out.join('\n')}\n`;
}

function unitsOf(format: string): string {
  return format === 'tracemalloc' ? 'blocks' : format === 'heapprofile' ? 'samples' : 'objects';
}

function parseBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) return null;
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return Math.round(Number(m[1]) * scale);
}

function signed(n: number, format: (x: number) => string): string {
  return `${n >= 0 ? '+' : '-'}${format(Math.abs(n))}`;
}

function diffText(result: DiffResult, by: GroupBy, baseName: string, headName: string, units: string): string {
  const what = { file: 'files', line: 'lines', function: 'functions', traceback: 'tracebacks' }[by];
  const out = [`[ Top ${result.rows.length} of ${result.groupCount} ${what} by growth: ${headName} compared to ${baseName} ]`];
  for (const [i, row] of result.rows.entries()) {
    const inner = row.frames[row.frames.length - 1];
    const where = by === 'traceback' ? `${row.frames.length} frames` : `${inner.file}${inner.line !== null ? `:${inner.line}` : ''}${inner.function ? ` (${inner.function})` : ''}`;
    const badge = row.status === 'new' ? ' [new]' : row.status === 'gone' ? ' [gone]' : '';
    out.push(
      `#${i + 1}: ${where}: size=${formatSize(row.size)} (${signed(row.sizeDiff, formatSize)}), count=${row.count.toLocaleString('en-US')} (${signed(row.countDiff, (x) => x.toLocaleString('en-US'))})${badge}`,
    );
    if (by === 'traceback') for (const f of row.frames) out.push(`    File "${f.file}", line ${f.line}${f.function ? `, in ${f.function}` : ''}`);
  }
  const t = result.total;
  out.push(`Total: ${formatSize(t.size)} (${signed(t.sizeDiff, formatSize)}) in ${t.count.toLocaleString('en-US')} ${units} (${signed(t.countDiff, (x) => x.toLocaleString('en-US'))})`);
  return `${out.join('\n')}\n`;
}

function patternAndLine(p: string): { pattern: string; line: number | null } {
  const m = /^(.*):(\d+)$/.exec(p);
  return m ? { pattern: m[1], line: Number(m[2]) } : { pattern: p, line: null };
}

function toJson(result: TopResult, by: GroupBy, mode: Mode) {
  return {
    format: result.format,
    value: result.value,
    by,
    mode,
    total: result.total,
    groupCount: result.groupCount,
    rows: result.rows.map((r) => ({ frames: r.frames, size: r.size, count: r.count })),
  };
}

/** Sizes as tracemalloc prints them (`_format_size`): 10 units and up without decimals. */
export function formatSize(size: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let s = size;
  for (const unit of units) {
    if (Math.abs(s) < 100 && unit !== 'B') return `${s.toFixed(1)} ${unit}`;
    if (Math.abs(s) < 10 * 1024 || unit === 'TiB') return `${Math.round(s)} ${unit}`;
    s /= 1024;
  }
  return `${size} B`;
}

const sourceCache = new Map<string, string[] | null>();
async function sourceLine(file: string, line: number | null): Promise<string | null> {
  if (line === null || line < 1) return null;
  if (!sourceCache.has(file)) {
    sourceCache.set(file, await readFile(file, 'utf8').then((t) => t.split('\n'), () => null));
  }
  return sourceCache.get(file)?.[line - 1]?.trim() || null;
}

async function toText(result: TopResult, by: GroupBy, mode: Mode, name: string, units: string): Promise<string> {
  const what = { file: 'files', line: 'lines', function: 'functions', traceback: 'tracebacks' }[by];
  const pct = (n: number) => (result.total.size > 0 ? `${((100 * n) / result.total.size).toFixed(1)}%` : '-');
  const out: string[] = [`[ Top ${result.rows.length} ${what}${mode === 'self' ? '' : ` (${mode})`} of ${result.groupCount} in ${name} ]`];
  for (const [i, row] of result.rows.entries()) {
    const inner = row.frames[row.frames.length - 1];
    const where = by === 'traceback' ? `${row.frames.length} frames` : `${inner.file}${inner.line !== null ? `:${inner.line}` : ''}${inner.function ? ` (${inner.function})` : ''}`;
    out.push(`#${i + 1}: ${where}: ${formatSize(row.size)} (count=${row.count.toLocaleString('en-US')}, ${pct(row.size)})`);
    if (by === 'traceback') {
      for (const f of row.frames) {
        out.push(`    File "${f.file}", line ${f.line}${f.function ? `, in ${f.function}` : ''}`);
        const src = await sourceLine(f.file, f.line);
        if (src) out.push(`      ${src}`);
      }
    } else {
      const src = await sourceLine(inner.file, inner.line);
      if (src) out.push(`    ${src}`);
    }
  }
  if (mode === 'self' && result.groupCount > result.rows.length) {
    const rest = result.total.size - result.rows.reduce((a, r) => a + r.size, 0);
    out.push(`${(result.groupCount - result.rows.length).toLocaleString('en-US')} other: ${formatSize(rest)}`);
  }
  out.push(`Total allocated size: ${formatSize(result.total.size)} in ${result.total.count.toLocaleString('en-US')} ${units}`);
  return `${out.join('\n')}\n`;
}
