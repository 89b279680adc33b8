// heaplens timeline FILE.heaptimeline: an allocation timeline's bars, as DevTools draws them
// (per sampling interval, the bytes of the objects allocated in it that are still alive).
import { HeaplensError } from '../../workers/api/errors.ts';
import type { Command } from '../command.ts';
import { formatSize } from '../text.ts';

export const timeline: Command = {
  name: 'timeline',
  usage: '       heaplens timeline FILE.heaptimeline [--json]',
  files: 1,
  filesWanted: 'exactly one FILE',
  run({ engine, files: [file] }) {
    if (!file.heap) throw new HeaplensError('wrong-kind', `${file.name} is not a heap snapshot or allocation timeline.`);
    const t = engine.heapTimeline(file.id);
    if (!t) {
      throw new HeaplensError(
        'wrong-kind',
        `${file.name} has no timeline samples. Record one with DevTools' "Allocation instrumentation on timeline" (saved as .heaptimeline).`,
      );
    }
    const samples = t.samples.map((s) => ({ timestamp: s.timestamp, lastAssignedId: s.lastAssignedId, size: s.size }));
    return {
      json: { samples },
      text() {
        const max = Math.max(1, ...samples.map((s) => s.size));
        const out = [`[ ${file.name}: ${samples.length} samples; bytes still alive of what each interval allocated ]`, `${'time'.padStart(10)} ${'last id'.padStart(10)} ${'alive'.padStart(10)}`];
        for (const s of samples) {
          out.push(`${`${(s.timestamp / 1000).toFixed(3)} s`.padStart(10)} ${String(s.lastAssignedId).padStart(10)} ${formatSize(s.size).padStart(10)} ${'█'.repeat(Math.round((40 * s.size) / max))}`);
        }
        return `${out.join('\n')}\n`;
      },
    };
  },
};
