// Sniffs a file's first bytes to pick its importer; the name is never trusted.

import { HeaplensError } from '../api.ts';

export type DetectedFormat = 'tracemalloc' | 'heapsnapshot' | 'heapprofile' | 'compact' | 'gzip';

const MIB = 1024 * 1024;

export function detectFormat(head: Uint8Array, totalBytes: number): DetectedFormat {
  if (totalBytes === 0) throw new HeaplensError('The file is empty (0 bytes).');
  const b0 = head[0];
  if (b0 === 0x80) {
    const protocol = head[1];
    if (protocol === undefined) throw new HeaplensError('This file is truncated: it holds only the first byte of a Python pickle.');
    if (protocol < 2 || protocol > 5) {
      throw new HeaplensError(`This looks like a Python pickle of protocol ${protocol}, which heaplens does not read (tracemalloc writes protocols 2 to 5).`);
    }
    return 'tracemalloc';
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 4096));
  if (/^(c[\w.]+\n[\w.]+\n|\(dp0|\(lp0|\(i[\w.]+\n)/.test(text)) {
    throw new HeaplensError(
      'This is a Python pickle of protocol 0 or 1 (a text pickle). tracemalloc\'s Snapshot.dump() writes protocol 2 or higher; ' +
        'dump the snapshot with snapshot.dump(path) and open that file.',
    );
  }
  const trimmed = text.replace(/^\uFEFF?\s*/, '');
  if (trimmed.startsWith('{')) {
    if (/^\{\s*"heaplens"\s*:/.test(trimmed)) return 'compact';
    if (/"snapshot"\s*:/.test(trimmed) || /"meta"\s*:\s*\{\s*"node_fields"/.test(trimmed)) return 'heapsnapshot';
    if (/"head"\s*:/.test(trimmed) && /"callFrame"/.test(trimmed)) return 'heapprofile';
    throw new HeaplensError('This is a JSON file, but not a profile heaplens knows (a V8 .heapsnapshot or .heapprofile).');
  }
  // gzip: a .heapsnapshot.gz, a .heaplens.json.gz, or (later) pprof; the engine looks inside.
  if (b0 === 0x1f && head[1] === 0x8b) return 'gzip';
  throw new HeaplensError(
    `This file (${formatBytes(totalBytes)}) is not a recognised memory profile. heaplens reads Python tracemalloc snapshot dumps ` +
      '(made with tracemalloc.take_snapshot().dump("snap.pickle")), V8 heap snapshots (.heapsnapshot) and sampling heap profiles (.heapprofile).',
  );
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < MIB) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * MIB) return `${(n / MIB).toFixed(1)} MiB`;
  return `${(n / (1024 * MIB)).toFixed(2)} GiB`;
}
