// heaplens top FILE: where memory went, grouped like tracemalloc's snapshot.statistics() (and
// like go tool pprof -top for pprof files: self = flat, --inclusive = cum).
import type { TopResult, TopRow } from '../../workers/api/types.ts';
import type { Command } from '../command.ts';
import { count, countWord, formatSize, formatValue, GROUP_WORDS, sourceLine, valuesByName } from '../text.ts';

export const top: Command = {
  name: 'top',
  usage: `heaplens top FILE [--by file|line|function|traceback] [--inclusive | --cumulative] [--value TYPE]
                    [--include PATTERN]... [--exclude PATTERN]... [--tag KEY=VALUE]... [--group-label KEY]
                    [--limit N] [--json]`,
  files: 1,
  filesWanted: 'exactly one FILE',
  run({ engine, files: [file], options }) {
    const { by, mode, value, groupLabel } = options;
    const result = engine.top(file.id, { by, mode, value, groupLabel, filters: options.filters, limit: options.limit });
    const named = (values: number[]) => valuesByName(result.valueTypes, values);
    return {
      json: {
        format: result.format,
        value: result.value,
        valueTypes: result.valueTypes.map(({ name, unit }) => ({ name, unit })),
        by,
        mode,
        groupLabel,
        total: { size: result.total.size, count: result.total.count, values: named(result.total.values) },
        groupCount: result.groupCount,
        rows: result.groups.rows.map((r) => ({ frames: r.frames, size: r.size, count: r.count, values: named(r.values) })),
        // Samples the file holds that no stack could take (V8 prunes their call tree nodes).
        droppedSamples: file.droppedSamples,
      },
      text: () => topText(result, options.by, options.mode, file.name, file.droppedSamples),
    };
  },
};

/** The ranked value and its pair, as the row's headline. */
function amount(result: TopResult, row: { size: number; count: number; values: number[] }, pct: string): string {
  const t = result.valueTypes.findIndex((v) => v.name === result.value);
  const type = result.valueTypes[t];
  // Sizes read as tracemalloc prints them; every other sample type in its own unit.
  if (type.kind === 'size') return `${formatSize(row.size)} (count=${count(row.count)}, ${pct})`;
  const pair = type.kind === 'count' && row.size !== 0 ? `size=${formatSize(row.size)}, ` : '';
  return `${formatValue(row.values[t], type.unit)} ${type.name} (${pair}${pct})`;
}

async function topText(result: TopResult, by: string, mode: string, name: string, dropped: { count: number; size: number }): Promise<string> {
  const rows = result.groups.rows;
  const t = result.valueTypes.findIndex((v) => v.name === result.value);
  const ranked = (r: { values: number[] }) => r.values[t];
  const whole = ranked(result.total);
  const pct = (n: number) => (whole !== 0 ? `${((100 * n) / whole).toFixed(1)}%` : '-');
  const out: string[] = [`[ Top ${rows.length} ${GROUP_WORDS[by]}${mode === 'self' ? '' : ` (${mode})`} of ${result.groupCount} in ${name}${result.format === 'pprof' ? ` by ${result.value}` : ''} ]`];
  for (const [i, row] of rows.entries()) {
    const inner = row.frames[row.frames.length - 1];
    const where = by === 'traceback' ? `${row.frames.length} frames` : `${inner.file}${inner.line !== null && inner.line >= 0 ? `:${inner.line}` : ''}${inner.function ? ` (${inner.function})` : ''}`;
    out.push(`#${i + 1}: ${where}: ${amount(result, row, pct(ranked(row)))}`);
    if (by === 'traceback') {
      for (const f of row.frames) {
        out.push(`    File "${f.file}"${f.line !== null && f.line >= 0 ? `, line ${f.line}` : ''}${f.function ? `, in ${f.function}` : ''}`);
        const src = await sourceLine(f.file, f.line);
        if (src) out.push(`      ${src}`);
      }
    } else {
      const src = await sourceLine(inner.file, inner.line);
      if (src) out.push(`    ${src}`);
    }
  }
  if (mode === 'self' && result.groupCount > rows.length) {
    const rest = whole - rows.reduce((a, r: TopRow) => a + ranked(r), 0);
    out.push(`${count(result.groupCount - rows.length)} other: ${formatValue(rest, result.valueTypes[t].unit)}`);
  }
  const type = result.valueTypes[t];
  if (type.kind === 'size' && result.format !== 'pprof') out.push(`Total allocated size: ${formatSize(result.total.size)} in ${count(result.total.count)} ${result.countUnit}`);
  else out.push(`Total ${type.name}: ${formatValue(whole, type.unit)}${type.kind === 'size' && result.countUnit ? ` in ${count(result.total.count)} ${countWord(result.countUnit)}` : ''}`);
  if (dropped.count > 0) out.push(`(${count(dropped.count)} samples of ${formatSize(dropped.size)} are in the file but on no stack of its call tree, so they are not counted)`);
  return `${out.join('\n')}\n`;
}
