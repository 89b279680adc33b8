// heaplens CLI: the same engine as the web app, for terminals and CI.
// JSON output is a public contract (DESIGN.md, "CLI contract"): add fields, never rename or drop.

import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { HeaplensError, type GroupBy, type Mode, type TopResult } from '../workers/api.ts';
import { createEngine } from '../workers/engine.ts';

const USAGE = `usage: heaplens top FILE [--by file|line|function|traceback] [--inclusive | --cumulative]
                    [--include PATTERN]... [--exclude PATTERN]... [--limit N] [--json]

Reads a memory profile (Python tracemalloc Snapshot.dump() files, V8 .heapprofile files) and
prints where memory went, like tracemalloc's snapshot.statistics().

  --by KEY        group by file, line (default), function or traceback
  --inclusive     count each allocation for every group on its stack (once per group)
  --cumulative    tracemalloc's cumulative=True (a frame counts once per occurrence)
  --include PAT   keep traces whose innermost frame's file matches PAT (fnmatch; FILE:LINE for a line)
  --exclude PAT   drop traces whose innermost frame's file matches PAT
  --limit N       print N rows (default 10; 0 for all)
  --json          machine-readable output (frames outermost first)`;

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
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`heaplens: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, file, ...rest] = args.positionals;
  if (args.values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || args.values.help ? 0 : 2;
  }
  if (command !== 'top') {
    process.stderr.write(`heaplens: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  if (!file || rest.length > 0) {
    process.stderr.write(`heaplens: top needs exactly one FILE\n${USAGE}\n`);
    return 2;
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
    let blob: Blob;
    try {
      blob = await openAsBlob(file);
    } catch (e) {
      throw new HeaplensError(`cannot open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    const summary = await engine.open(blob, basename(file));
    const result = engine.top(summary.id, { by, mode, filters, limit: limit === 0 ? undefined : limit });
    if (args.values.json) {
      process.stdout.write(`${JSON.stringify(toJson(result, by, mode))}\n`);
    } else {
      process.stdout.write(await toText(result, by, mode, summary.name, summary.format === 'tracemalloc' ? 'blocks' : summary.format === 'heapprofile' ? 'samples' : 'objects'));
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
