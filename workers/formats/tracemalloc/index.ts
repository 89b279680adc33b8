// Python tracemalloc snapshot dumps (`Snapshot.dump()`): pickles of protocol 2 to 5.
import { HeaplensError } from '../../api/errors.ts';
import { formatBytes } from '../input.ts';
import type { Importer } from '../importer.ts';
import { parseTracemalloc } from './snapshot.ts';

/** tracemalloc dumps are read whole; past this a browser tab would run out of memory. */
const MAX_PICKLE_BYTES = 2 * 1024 ** 3;

export const tracemallocImporter: Importer = {
  format: 'tracemalloc',
  describe: 'Python tracemalloc snapshot dumps (made with tracemalloc.take_snapshot().dump("snap.pickle"))',
  sniff(head, text) {
    if (head[0] === 0x80) {
      const protocol = head[1];
      if (protocol === undefined) throw new HeaplensError('truncated', 'This file is truncated: it holds only the first byte of a Python pickle.');
      if (protocol < 2 || protocol > 5) {
        throw new HeaplensError(
          'unsupported-version',
          `This looks like a Python pickle of protocol ${protocol}, which heaplens does not read (tracemalloc writes protocols 2 to 5).`,
        );
      }
      return true;
    }
    if (/^(c[\w.]+\n[\w.]+\n|\(dp0|\(lp0|\(i[\w.]+\n)/.test(text)) {
      throw new HeaplensError(
        'unsupported-version',
        'This is a Python pickle of protocol 0 or 1 (a text pickle). tracemalloc\'s Snapshot.dump() writes protocol 2 or higher; ' +
          'dump the snapshot with snapshot.dump(path) and open that file.',
      );
    }
    return false;
  },
  maxBytes: MAX_PICKLE_BYTES,
  tooBig: (size, expands) =>
    `${expands ? `This gzip file expands past ${formatBytes(size)}` : `This tracemalloc snapshot is ${formatBytes(size)}`}; ` +
    `heaplens reads tracemalloc dumps up to ${formatBytes(MAX_PICKLE_BYTES)}. ` +
    'Filter it in Python first (snapshot.filter_traces(...)) or take it with a smaller traceback limit.',
  async open(input, job) {
    const bytes = await input.bytes(job);
    return { kind: 'allocations', profile: await parseTracemalloc(bytes, job) };
  },
};
