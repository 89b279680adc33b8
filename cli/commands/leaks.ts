// heaplens leaks S1 S2 S3: memlab's leak candidates — allocated between the first two snapshots
// of one process, still alive in the third.
import { HeaplensError } from '../../workers/api/errors.ts';
import type { Command } from '../command.ts';
import { count, formatSize } from '../text.ts';

export const leaks: Command = {
  name: 'leaks',
  usage: '       heaplens leaks FIRST SECOND THIRD (.heapsnapshot) [--limit N] [--json]',
  files: 3,
  filesWanted: 'three snapshots of one process',
  run({ engine, files, options }) {
    if (files.some((f) => !f.heap)) throw new HeaplensError('wrong-kind', 'leaks needs three .heapsnapshot files of one process.');
    const [first, second, third] = files;
    const rows = engine.heapLeaks(first.id, second.id, third.id, { limit: options.limit }).rows;
    return {
      json: {
        format: 'heapsnapshot',
        rows: rows.map((r) => ({ name: r.name, count: r.count, shallowSize: r.shallowSize, retainedSize: r.retainedSize, ids: r.objects.map((o) => o.id) })),
      },
      text() {
        const out = [`[ Leak candidates: allocated between ${first.name} and ${second.name}, still alive in ${third.name} ]`];
        for (const r of rows) {
          out.push(`${r.name.padEnd(40)} ${count(r.count).padStart(8)} objects ${formatSize(r.shallowSize).padStart(10)} shallow  e.g. ${r.objects.slice(0, 3).map((o) => `@${o.id}`).join(' ')}`);
        }
        return `${out.join('\n')}\n`;
      },
    };
  },
};
