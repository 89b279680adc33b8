// heaplens top FILE: where memory went, grouped like tracemalloc's snapshot.statistics().
import type { TopResult } from '../../workers/api/types.ts';
import type { Command } from '../command.ts';
import { count, formatSize, GROUP_WORDS, sourceLine } from '../text.ts';

export const top: Command = {
  name: 'top',
  usage: `heaplens top FILE [--by file|line|function|traceback] [--inclusive | --cumulative]
                    [--include PATTERN]... [--exclude PATTERN]... [--limit N] [--json]`,
  files: 1,
  filesWanted: 'exactly one FILE',
  run({ engine, files: [file], options }) {
    const { by, mode } = options;
    const result = engine.top(file.id, { by, mode, filters: options.filters, limit: options.limit });
    return {
      json: {
        format: result.format,
        value: result.value,
        by,
        mode,
        total: { size: result.total.size, count: result.total.count },
        groupCount: result.groupCount,
        rows: result.groups.rows.map((r) => ({ frames: r.frames, size: r.size, count: r.count })),
        // Samples the file holds that no stack could take (V8 prunes their call tree nodes).
        droppedSamples: file.droppedSamples,
      },
      text: () => topText(result, options.by, options.mode, file.name, file.droppedSamples),
    };
  },
};

async function topText(result: TopResult, by: string, mode: string, name: string, dropped: { count: number; size: number }): Promise<string> {
  const rows = result.groups.rows;
  const pct = (n: number) => (result.total.size > 0 ? `${((100 * n) / result.total.size).toFixed(1)}%` : '-');
  const out: string[] = [`[ Top ${rows.length} ${GROUP_WORDS[by]}${mode === 'self' ? '' : ` (${mode})`} of ${result.groupCount} in ${name} ]`];
  for (const [i, row] of rows.entries()) {
    const inner = row.frames[row.frames.length - 1];
    const where = by === 'traceback' ? `${row.frames.length} frames` : `${inner.file}${inner.line !== null ? `:${inner.line}` : ''}${inner.function ? ` (${inner.function})` : ''}`;
    out.push(`#${i + 1}: ${where}: ${formatSize(row.size)} (count=${count(row.count)}, ${pct(row.size)})`);
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
  if (mode === 'self' && result.groupCount > rows.length) {
    const rest = result.total.size - rows.reduce((a, r) => a + r.size, 0);
    out.push(`${count(result.groupCount - rows.length)} other: ${formatSize(rest)}`);
  }
  out.push(`Total allocated size: ${formatSize(result.total.size)} in ${count(result.total.count)} ${result.countUnit}`);
  if (dropped.count > 0) out.push(`(${count(dropped.count)} samples of ${formatSize(dropped.size)} are in the file but on no stack of its call tree, so they are not counted)`);
  return `${out.join('\n')}\n`;
}
