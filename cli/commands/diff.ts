// heaplens diff BASE HEAD: what changed, as tracemalloc's Snapshot.compare_to() orders it; for two
// heap snapshots of one process, DevTools' Comparison by object id, class by class.
import type { DiffResult, GroupBy, ProfileSummary } from '../../workers/api/types.ts';
import { HeaplensError } from '../../workers/api/errors.ts';
import type { Command, CommandContext, CommandResult } from '../command.ts';
import { clipName, count, countWord, formatSize, formatValue, GROUP_WORDS, signed, valuesByName } from '../text.ts';

export const diff: Command = {
  name: 'diff',
  usage: '       heaplens diff BASE HEAD [same options] [--fail-over BYTES]   (pprof: like go tool pprof -diff_base=BASE HEAD)',
  files: 2,
  filesWanted: 'BASE and HEAD files',
  ownOptions: ['fail-over'],
  run(ctx) {
    const [base, head] = ctx.files;
    if (base.heap || head.heap) {
      if (!base.heap || !head.heap) throw new HeaplensError('wrong-kind', 'diff compares two files of the same kind: both heap snapshots, or two allocation profiles.');
      return heapDiff(ctx, base, head);
    }
    const { by, mode, filters, limit, failOver, value, groupLabel } = ctx.options;
    const result = ctx.engine.diff(head.id, base.id, { by, mode, filters, limit, value, groupLabel });
    const { size, count: n, sizeDiff, countDiff } = result.total;
    const named = (values: number[]) => valuesByName(result.valueTypes, values);
    return {
      json: {
        format: result.format,
        value: result.value,
        valueTypes: result.valueTypes.map(({ name, unit }) => ({ name, unit })),
        by,
        mode,
        groupLabel,
        base: base.name,
        head: head.name,
        total: { size, count: n, sizeDiff, countDiff, values: named(result.total.values), valueDiffs: named(result.total.valueDiffs) },
        groupCount: result.groupCount,
        rows: result.groups.rows.map((r) => ({
          frames: r.frames,
          size: r.size,
          sizeDiff: r.sizeDiff,
          count: r.count,
          countDiff: r.countDiff,
          status: r.status,
          values: named(r.values),
          valueDiffs: named(r.valueDiffs),
        })),
      },
      text: () => diffText(result, by, base.name, head.name),
      ...failedOver(sizeDiff, failOver),
    };
  },
};

function heapDiff({ engine, options }: CommandContext, base: ProfileSummary, head: ProfileSummary): CommandResult {
  const all = engine.heapCompare(head.id, base.id);
  // DevTools' Comparison matches objects by id; ids of two processes coincide by numbering only.
  const overlap = engine.heapIdOverlap(head.id, base.id);
  const warning = overlap.sameProcess
    ? ''
    : `heaplens: warning: ${base.name} and ${head.name} do not look like snapshots of one process (of the ids they share, ${(100 * overlap.sameObjectFraction).toFixed(0)} % name the same kind of object): the comparison by object id means little\n`;
  const rows = all.rows;
  const sizeDiff = rows.reduce((a, r) => a + r.sizeDelta, 0);
  const shown = options.limit === undefined ? rows : rows.slice(0, options.limit);
  const h = head.heap!;
  const b = base.heap!;
  return {
    json: {
      format: 'heapsnapshot',
      value: 'size',
      by: 'class',
      base: base.name,
      head: head.name,
      total: { size: h.totalSize, count: h.nodeCount, sizeDiff: h.totalSize - b.totalSize, countDiff: h.nodeCount - b.nodeCount },
      groupCount: all.total,
      rows: shown.map((r) => ({ ...r, sizeDiff: r.sizeDelta, countDiff: r.countDelta })),
      idOverlap: overlap,
    },
    text() {
      const out = [
        `[ ${head.name} compared to ${base.name} by object id: ${all.total} classes changed ]`,
        `${'class'.padEnd(40)} ${'# new'.padStart(8)} ${'# deleted'.padStart(10)} ${'# delta'.padStart(8)} ${'alloc'.padStart(10)} ${'freed'.padStart(10)} ${'size delta'.padStart(11)}`,
      ];
      for (const r of shown) {
        out.push(
          `${clipName(r.name).padEnd(40)} ${String(r.newCount).padStart(8)} ${String(r.deletedCount).padStart(10)} ${signed(r.countDelta, String).padStart(8)} ` +
            `${formatSize(r.allocSize).padStart(10)} ${formatSize(r.freedSize).padStart(10)} ${signed(r.sizeDelta, formatSize).padStart(11)}`,
        );
      }
      return `${out.join('\n')}\n`;
    },
    ...withWarning(failedOver(sizeDiff, options.failOver), warning),
  };
}

function withWarning(r: Pick<CommandResult, 'stderr' | 'exitCode'>, warning: string): Pick<CommandResult, 'stderr' | 'exitCode'> {
  return warning ? { ...r, stderr: `${warning}${r.stderr ?? ''}` } : r;
}

/** --fail-over: exit 3, saying by how much, when memory grew past the bound. */
function failedOver(grew: number, bound: number | null): Pick<CommandResult, 'stderr' | 'exitCode'> {
  if (bound === null || grew <= bound) return {};
  return {
    stderr: `heaplens: memory grew by ${formatSize(grew)} (${grew} B), over the --fail-over bound of ${formatSize(bound)}\n`,
    exitCode: 3,
  };
}

function diffText(result: DiffResult, by: GroupBy, baseName: string, headName: string): string {
  const rows = result.groups.rows;
  const t = result.valueTypes.findIndex((x) => x.name === result.value);
  const type = result.valueTypes[t];
  const out = [`[ Top ${rows.length} of ${result.groupCount} ${GROUP_WORDS[by]} by growth${result.format === 'pprof' ? ` of ${result.value}` : ''}: ${headName} compared to ${baseName} ]`];
  for (const [i, row] of rows.entries()) {
    const inner = row.frames[row.frames.length - 1];
    const where = by === 'traceback' ? `${row.frames.length} frames` : `${inner.file}${inner.line !== null ? `:${inner.line}` : ''}${inner.function ? ` (${inner.function})` : ''}`;
    const badge = row.status === 'new' ? ' [new]' : row.status === 'gone' ? ' [gone]' : '';
    if (type.kind === 'size' || type.kind === 'count') {
      out.push(`#${i + 1}: ${where}: size=${formatSize(row.size)} (${signed(row.sizeDiff, formatSize)}), count=${count(row.count)} (${signed(row.countDiff, count)})${badge}`);
    } else {
      // A sample type without a size and count pair (CPU time): in its own unit.
      const v = (x: number) => formatValue(x, type.unit);
      out.push(`#${i + 1}: ${where}: ${type.name}=${v(row.values[t])} (${signed(row.valueDiffs[t], v)})${badge}`);
    }
    if (by === 'traceback') for (const f of row.frames) out.push(`    File "${f.file}"${f.line !== null && f.line >= 0 ? `, line ${f.line}` : ''}${f.function ? `, in ${f.function}` : ''}`);
  }
  const total = result.total;
  if (type.kind === 'size' || type.kind === 'count') {
    out.push(`Total: ${formatSize(total.size)} (${signed(total.sizeDiff, formatSize)}) in ${count(total.count)} ${countWord(result.countUnit)} (${signed(total.countDiff, count)})`);
  } else {
    const v = (x: number) => formatValue(x, type.unit);
    out.push(`Total ${type.name}: ${v(total.values[t])} (${signed(total.valueDiffs[t], v)})`);
  }
  return `${out.join('\n')}\n`;
}
