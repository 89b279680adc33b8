// heaplens summary SNAPSHOT: a heap snapshot's classes with shallow and retained sizes, like
// DevTools' Summary.
import { HeaplensError } from '../../workers/api/errors.ts';
import type { Command } from '../command.ts';
import { clipName, count, formatSize } from '../text.ts';

export const summary: Command = {
  name: 'summary',
  usage: '       heaplens summary FILE.heapsnapshot [--limit N] [--json]',
  files: 1,
  filesWanted: 'exactly one FILE',
  run({ engine, files: [file], options }) {
    const heap = file.heap;
    if (!heap) throw new HeaplensError('wrong-kind', `${file.name} is not a heap snapshot; use heaplens top for ${file.format} files.`);
    const classes = engine.heapClasses(file.id, { limit: options.limit });
    const json = {
      nodeCount: heap.nodeCount,
      edgeCount: heap.edgeCount,
      totalSize: heap.totalSize,
      classCount: classes.total,
      detachedCount: heap.detachedCount,
      classes: classes.rows.map((r) => ({ name: r.name, count: r.count, shallowSize: r.shallowSize, retainedSize: r.retainedSize })),
    };
    return {
      json,
      text() {
        const out = [
          `[ ${file.name}: ${count(json.nodeCount)} objects, ${count(json.edgeCount)} references, ${formatSize(json.totalSize)}${json.detachedCount ? `, ${json.detachedCount} detached DOM objects` : ''} ]`,
          `${'class'.padEnd(40)} ${'count'.padStart(10)} ${'shallow'.padStart(11)} ${'retained'.padStart(11)} ${'%'.padStart(6)}`,
        ];
        for (const c of json.classes) {
          out.push(
            `${clipName(c.name).padEnd(40)} ${count(c.count).padStart(10)} ${formatSize(c.shallowSize).padStart(11)} ${formatSize(c.retainedSize).padStart(11)} ${((100 * c.retainedSize) / json.totalSize).toFixed(1).padStart(5)}%`,
          );
        }
        if (json.classCount > json.classes.length) out.push(`… ${json.classCount - json.classes.length} more classes (--limit 0 for all)`);
        return `${out.join('\n')}\n`;
      },
    };
  },
};
