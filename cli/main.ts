// heaplens CLI: the same engine as the web app, for terminals and CI.
// JSON output is a public contract (DESIGN.md, "CLI contract"): add fields, never rename or drop.
// A command is a file in cli/commands/ and a line in COMMANDS.

import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { HeaplensError, type ErrorCode } from '../workers/api/errors.ts';
import { parseFilterWord } from '../workers/api/filter-syntax.ts';
import type { GroupBy, Mode, TraceFilter } from '../workers/api/types.ts';
import { createEngine } from '../workers/engine/engine.ts';
import { DEFAULT_MEMORY_BUDGET } from '../workers/formats/input.ts';
import type { Command, Options } from './command.ts';
import { diff } from './commands/diff.ts';
import { leaks } from './commands/leaks.ts';
import { allocations } from './commands/allocations.ts';
import { summary } from './commands/summary.ts';
import { timeline } from './commands/timeline.ts';
import { top } from './commands/top.ts';
import { fileBlob } from './file-source.ts';
import { edgeHelperFromEnv } from './edge-helper.ts';
import { progressFor } from './progress.ts';
import { parseBytes } from './text.ts';

const COMMANDS: Command[] = [top, diff, summary, leaks, timeline, allocations];

const USAGE = `usage: ${COMMANDS.map((c) => c.usage).join('\n')}

Reads a memory profile (Python tracemalloc Snapshot.dump() files, V8 .heapprofile files, V8
.heapsnapshot files, pprof profiles from Go, Node and gperftools, gzipped or not) and prints
where memory went, like tracemalloc's snapshot.statistics() and go tool pprof -top.
"summary" prints a heap snapshot's classes with shallow and retained sizes, like DevTools;
"diff" of two heap snapshots of one process compares them by object id, class by class;
"leaks" lists objects allocated between the first two snapshots and still alive in the third;
"timeline" prints an allocation timeline's bars (.heaptimeline), "allocations" DevTools'
Allocation view of a snapshot recorded with allocation traces.

  --by KEY        group by file, line (default), function or traceback
  --inclusive     count each allocation for every group on its stack (once per group)
  --cumulative    tracemalloc's cumulative=True (a frame counts once per occurrence)
  --include PAT   keep traces whose innermost frame's file matches PAT (fnmatch; FILE:LINE for a line;
                  all:PAT for any frame; domain:N); the same words as the web app's filter box
  --exclude PAT   drop traces whose innermost frame's file matches PAT
  --value TYPE    the sample type to rank by (pprof: inuse_space, alloc_objects, …; default: the
                  file's default_sample_type, else its last, as go tool pprof)
  --tag K=V       keep samples with label K of value V (fnmatch; V1,V2 for either; K alone for
                  any value; a range 1kb:64kb for numbers; !K=V drops them), like pprof -tagfocus
  --group-label K put each sample under its value of label K, at the root of its stack (pprof's
                  -tagroot): rows, tracebacks and diffs split by it
  --limit N       print N rows (default 10; 0 for all)
  --json          machine-readable output (frames outermost first)
  --fail-over B   (diff) exit with status 3 when the total grew by more than B bytes
                  (suffixes K, M, G = KiB, MiB, GiB), to guard CI against memory regressions
  --filter F      (summary) DevTools' Summary filters: retained-by-detached-dom, retained-by-console,
                  duplicated-strings, allocated-between:FROM_ID:TO_ID (ids FROM < id ≤ TO)`;

/**
 * Exit status by error code (the contract: 1 = a file heaplens cannot read, or cannot answer this
 * about). Usage mistakes the command line itself shows (unknown options, a bad --by) exit 2
 * before any file is read; every engine error concerns the files given.
 */
const EXIT_STATUS: Record<ErrorCode, 1> = {
  'not-a-profile': 1,
  'unsupported-version': 1,
  truncated: 1,
  corrupt: 1,
  'too-big': 1,
  unsafe: 1,
  empty: 1,
  'no-allocation-stacks': 1,
  'unsupported-query': 1,
  'wrong-kind': 1,
  'not-open': 1,
  cancelled: 1,
  network: 1,
  io: 1,
  crashed: 1,
};
const exitStatusOf = (code: ErrorCode): number => EXIT_STATUS[code];

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`heaplens: ${e.message}\n`);
      return 2;
    }
    if (e instanceof HeaplensError) {
      process.stderr.write(`heaplens: ${e.message}\n`);
      return exitStatusOf(e.code);
    }
    throw e;
  }
}

async function run(argv: string[]): Promise<number> {
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
        value: { type: 'string' },
        tag: { type: 'string', multiple: true, default: [] },
        'group-label': { type: 'string' },
        limit: { type: 'string', default: '10' },
        json: { type: 'boolean', default: false },
        'fail-over': { type: 'string' },
        filter: { type: 'string' },
        'no-retained': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  const [name, ...paths] = args.positionals;
  if (args.values.help || !name) {
    process.stdout.write(`${USAGE}\n`);
    return name || args.values.help ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"\n${USAGE}`);
  if (paths.length !== command.files) throw new UsageError(`${name} needs ${command.filesWanted}\n${USAGE}`);
  const options = parseOptions(args.values, command);

  const engine = createEngine({ memoryBudget: budgetFromEnv(process.env.HEAPLENS_MEMORY_BUDGET), edgeHelper: edgeHelperFromEnv(process.env) });
  const files = [];
  for (const path of paths) {
    const name = basename(path);
    const progress = progressFor(process.stderr, name); // null unless stderr is a terminal
    try {
      files.push(await engine.open(await readBlob(path), name, undefined, progress ? (p) => progress.update(p) : undefined, { heap: options.noRetained ? 'summary-only' : 'full' }));
    } catch (e) {
      // Too big in full but not without retained sizes: name the command that opens it.
      if (e instanceof HeaplensError && e.hint?.heap === 'summary-only') {
        throw new HeaplensError(e.code, `${e.message}\nheaplens: to open it so, run: heaplens summary ${shellWord(path)} --no-retained`, e.hint);
      }
      throw e;
    } finally {
      progress?.clear();
    }
  }
  const result = await command.run({ engine, files, options });
  process.stdout.write(options.json ? `${JSON.stringify(result.json)}\n` : await result.text());
  if (result.stderr) process.stderr.write(result.stderr);
  return result.exitCode ?? 0;
}

function parseOptions(v: Record<string, string | boolean | string[] | undefined>, command: Command): Options {
  let failOver: number | null = null;
  if (v['fail-over'] !== undefined) {
    if (!command.ownOptions?.includes('fail-over')) throw new UsageError('--fail-over goes with diff');
    failOver = parseBytes(v['fail-over'] as string);
    if (failOver === null) throw new UsageError(`--fail-over takes a size in bytes (e.g. 1048576 or 1M), not "${v['fail-over']}"`);
  }
  if (v.filter !== undefined && !command.ownOptions?.includes('filter')) throw new UsageError('--filter goes with summary');
  if (v['no-retained'] && !command.ownOptions?.includes('no-retained')) throw new UsageError('--no-retained goes with summary');
  const by = v.by as GroupBy;
  if (!['file', 'line', 'function', 'traceback'].includes(by)) throw new UsageError(`--by must be file, line, function or traceback, not "${by}"`);
  const limit = Number(v.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number ≥ 0, not "${v.limit}"`);
  if (v.inclusive && v.cumulative) throw new UsageError('choose one of --inclusive and --cumulative');
  const mode: Mode = v.inclusive ? 'inclusive' : v.cumulative ? 'cumulative' : 'self';
  const filters: TraceFilter[] = [];
  for (const [words, inclusive] of [[v.include as string[], true], [v.exclude as string[], false]] as const) {
    for (const word of words) {
      const f = parseFilterWord(word, inclusive);
      if (typeof f === 'string') throw new UsageError(`--${inclusive ? 'include' : 'exclude'}: ${f}`);
      filters.push(f);
    }
  }
  for (const word of v.tag as string[]) {
    // "!k=v" / "-k=v" drop, as in the filter box.
    const negated = /^[!-]/.test(word);
    const f = parseFilterWord(`${negated ? '!' : ''}tag:${negated ? word.slice(1) : word}`);
    if (typeof f === 'string') throw new UsageError(`--tag: ${f}`);
    filters.push(f);
  }
  const value = v.value as string | undefined;
  if (value === '') throw new UsageError('--value needs a sample type name, e.g. --value alloc_space');
  const groupLabel = (v['group-label'] as string | undefined) ?? null;
  if (groupLabel === '') throw new UsageError('--group-label needs a label key, e.g. --group-label worker');
  return { by, mode, filters, value, groupLabel, limit: limit === 0 ? undefined : limit, json: !!v.json, failOver, filter: v.filter as string | undefined, noRetained: !!v['no-retained'] };
}

/**
 * HEAPLENS_MEMORY_BUDGET (bytes, or 512M / 2G): a smaller memory budget than the default, for
 * tests and for machines with less to give. It can only lower the budget: a larger value is the
 * default, so it cannot talk heaplens into planning more than it allows itself.
 */
export function budgetFromEnv(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_MEMORY_BUDGET;
  const n = parseBytes(text);
  if (n === null || n <= 0) throw new UsageError(`HEAPLENS_MEMORY_BUDGET takes a size in bytes (e.g. 1048576 or 512M), not "${text}"`);
  return Math.min(n, DEFAULT_MEMORY_BUDGET);
}

/** A path as one shell word, for a command line the user copies. */
const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

async function readBlob(file: string): Promise<Blob> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new HeaplensError('io', `cannot open ${file}: it is a directory`);
    await (await open(file, 'r')).close(); // the blob opens it again to read: fail here, clearly
    return fileBlob(file, info.size);
  } catch (e) {
    if (e instanceof HeaplensError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new HeaplensError('io', `cannot open ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}
