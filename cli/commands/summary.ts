// heaplens summary SNAPSHOT: a heap snapshot's classes with shallow and retained sizes and
// distances, DevTools' Summary row for row, with its Statistics; --filter for DevTools' Summary
// filters. --no-retained opens it without the dominator pass (about half the memory): the same
// rows and Statistics, with retainedSize null.
import { HeaplensError } from '../../workers/api/errors.ts';
import type { HeapNodeFilter } from '../../workers/api/types.ts';
import type { Command } from '../command.ts';
import { clipName, count, formatSize } from '../text.ts';

const NAMED = ['retained-by-detached-dom', 'retained-by-console', 'duplicated-strings'] as const;

/** --filter's words: the named filters, and allocated-between:FROM_ID:TO_ID (ids FROM < id ≤ TO). */
export function parseHeapFilter(text: string): HeapNodeFilter {
  if ((NAMED as readonly string[]).includes(text)) return { kind: text as (typeof NAMED)[number] };
  const m = /^allocated-between:(\d+):(\d+)$/.exec(text);
  if (m) return { kind: 'ids', minNodeId: Number(m[1]), maxNodeId: Number(m[2]) };
  throw new HeaplensError(
    'unsupported-query',
    `--filter takes ${NAMED.join(', ')} or allocated-between:FROM_ID:TO_ID (two object ids, e.g. the largest id of an earlier snapshot and of this one), not "${text}".`,
  );
}

/** DevTools prints a distance while it counts hops from a user root; else "−". */
const shownDistance = (d: number) => (d >= 0 && d < 100_000_000 ? String(d) : '−');

export const summary: Command = {
  name: 'summary',
  usage: '       heaplens summary FILE.heapsnapshot [--filter F] [--limit N] [--no-retained] [--json]',
  files: 1,
  filesWanted: 'exactly one FILE',
  ownOptions: ['filter', 'no-retained'],
  run({ engine, files: [file], options }) {
    const heap = file.heap;
    if (!heap) throw new HeaplensError('wrong-kind', `${file.name} is not a heap snapshot; use heaplens top for ${file.format} files.`);
    const objects = options.filter === undefined ? undefined : parseHeapFilter(options.filter);
    const classes = engine.heapClasses(file.id, { limit: options.limit, objects });
    const statistics = engine.heapStatistics(file.id);
    const duplicates = objects?.kind === 'duplicated-strings' ? engine.heapDuplicateStrings(file.id) : undefined;
    const json = {
      nodeCount: heap.nodeCount,
      edgeCount: heap.edgeCount,
      totalSize: heap.totalSize,
      classCount: classes.total,
      detachedCount: heap.detachedCount,
      detachedTextCount: heap.detachedTextCount,
      maxJsObjectId: heap.maxJsObjectId ?? null,
      // false with --no-retained: every row's retainedSize is then null (not computed, not 0).
      hasRetainedSizes: heap.hasRetainedSizes,
      openMode: heap.openMode,
      ...(objects ? { filter: objects } : {}),
      ...(duplicates ? { duplicates } : {}),
      statistics,
      // distance: DevTools' own number (≥ 100000000: reached only through system roots; -5: not
      // reached), which DevTools prints as "−"; distanceText is what it prints.
      classes: classes.rows.map((r) => ({
        name: r.name,
        count: r.count,
        shallowSize: r.shallowSize,
        retainedSize: r.retainedSize,
        distance: r.distance,
        distanceText: r.distanceText,
        key: r.key,
        location: r.location ?? null,
      })),
    };
    return {
      json,
      text() {
        const s = statistics;
        const otherJs = s.v8heap.total - s.v8heap.code - s.v8heap.strings - s.v8heap.jsArrays - s.v8heap.system;
        const out = [
          `[ ${file.name}: ${count(json.nodeCount)} objects, ${count(json.edgeCount)} references, ${formatSize(json.totalSize)}${detachedText(json.detachedCount, json.detachedTextCount)} ]`,
          `  code ${formatSize(s.v8heap.code)} · strings ${formatSize(s.v8heap.strings)} · JS arrays ${formatSize(s.v8heap.jsArrays)} · typed arrays ${formatSize(s.native.typedArrays)} · ` +
            `system ${formatSize(s.v8heap.system)} · other JS ${formatSize(otherJs)} · other native ${formatSize(s.native.total - s.native.typedArrays)}`,
        ];
        if (objects) out.push(`  filter: ${options.filter}${duplicates ? ` — ${count(duplicates.strings)} strings with ${count(duplicates.groups)} texts, ${formatSize(duplicates.wasted)} wasted` : ''}`);
        out.push(`${'class'.padEnd(40)} ${'distance'.padStart(8)} ${'count'.padStart(10)} ${'shallow'.padStart(11)} ${'retained'.padStart(11)} ${'%'.padStart(6)}`);
        for (const c of json.classes) {
          const where = c.location ? ` (${c.location.scriptName ?? `script ${c.location.scriptId}`}:${c.location.line + 1})` : '';
          out.push(
            `${clipName(c.name + where).padEnd(40)} ${shownDistance(c.distance).padStart(8)} ${count(c.count).padStart(10)} ${formatSize(c.shallowSize).padStart(11)} ` +
              (c.retainedSize === null ? `${'—'.padStart(11)} ${'—'.padStart(6)}` : `${formatSize(c.retainedSize).padStart(11)} ${((100 * c.retainedSize) / json.totalSize).toFixed(1).padStart(5)}%`),
          );
        }
        if (!json.hasRetainedSizes) out.push('(opened with --no-retained: retained sizes were not computed; rows are ordered by shallow size)');
        if (json.classCount > json.classes.length) out.push(`… ${json.classCount - json.classes.length} more classes (--limit 0 for all)`);
        return `${out.join('\n')}\n`;
      },
    };
  },
};

/** As the Summary's header says it: elements and text nodes apart, after DevTools' propagation. */
function detachedText(elements: number, texts: number): string {
  if (!elements && !texts) return '';
  const parts = [elements ? `${count(elements)} detached DOM ${elements === 1 ? 'element' : 'elements'}` : '', texts ? `${count(texts)} detached text ${texts === 1 ? 'node' : 'nodes'}` : ''];
  return `, ${parts.filter(Boolean).join(' and ')}`;
}
