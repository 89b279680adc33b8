// heaplens allocations FILE: DevTools' Allocation view of a snapshot recorded with allocation
// traces (.heaptimeline, node --track-heap-objects): per function, what it allocated since
// tracking began and what of that is still alive, largest first.
import { HeaplensError } from '../../workers/api/errors.ts';
import type { Command } from '../command.ts';
import { clipName, count, formatSize } from '../text.ts';

export const allocations: Command = {
  name: 'allocations',
  usage: '       heaplens allocations FILE.heaptimeline [--limit N] [--json]',
  files: 1,
  filesWanted: 'exactly one FILE',
  run({ engine, files: [file], options }) {
    if (!file.heap) throw new HeaplensError('wrong-kind', `${file.name} is not a heap snapshot; use heaplens top for ${file.format} files.`);
    const page = engine.heapAllocations(file.id, { limit: options.limit });
    // line and column as V8 writes them in trace_function_infos (1-based, 0 when unknown).
    const rows = page.rows.map((r) => ({
      function: r.function,
      script: r.script,
      line: r.line,
      column: r.column,
      count: r.count,
      size: r.size,
      liveCount: r.liveCount,
      liveSize: r.liveSize,
      scriptId: r.scriptId,
    }));
    return {
      json: { total: page.total, rows },
      text() {
        const out = [
          `[ ${file.name}: ${page.total} allocating functions, largest first ]`,
          `${'live count'.padStart(10)} ${'count'.padStart(10)} ${'live size'.padStart(10)} ${'size'.padStart(10)}  function`,
        ];
        for (const r of rows) {
          const where = r.script ? ` ${r.script}${r.line > 0 ? `:${r.line}` : ''}` : '';
          out.push(`${count(r.liveCount).padStart(10)} ${count(r.count).padStart(10)} ${formatSize(r.liveSize).padStart(10)} ${formatSize(r.size).padStart(10)}  ${clipName(r.function || '(anonymous)', 50)}${where}`);
        }
        if (page.total > rows.length) out.push(`… ${page.total - rows.length} more (--limit 0 for all)`);
        return `${out.join('\n')}\n`;
      },
    };
  },
};
