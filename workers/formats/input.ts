// One input for every importer: a file's size, its bytes as a stream (for readers that stream,
// like the heap snapshot scanner) or whole (for readers that need them all, like the pickle
// interpreter), read with progress and cancellation.

import { HeaplensError } from '../api/errors.ts';
import type { JobControl } from '../model/job.ts';

export interface ImportInput {
  /** Bytes the importer will read. */
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
  /** The whole input, read with 'reading' progress; no copy when it is in memory already. */
  bytes(job: JobControl): Promise<Uint8Array>;
  /** The first bytes, for sniffing. */
  head(n: number): Promise<Uint8Array>;
}

export type Source = Blob | ArrayBuffer | Uint8Array;

export function inputOf(source: Source): ImportInput {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    return {
      size: bytes.length,
      stream: () => new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
      bytes: async () => bytes,
      head: async (n) => bytes.subarray(0, n),
    };
  }
  const blob = source;
  return {
    size: blob.size,
    stream: () => blob.stream(),
    bytes: (job) => readBlob(blob, job),
    head: async (n) => new Uint8Array(await blob.slice(0, n).arrayBuffer()),
  };
}

/**
 * Up to this size a file is read in one call: no chunk to allocate and copy per read (in the
 * CLI that was a third of reading a 26 MB dump), and it is over too soon for progress or a
 * Cancel to matter. Bigger files go through the stream, with both.
 */
const WHOLE_READ_BYTES = 64 << 20;

async function readBlob(blob: Blob, job: JobControl): Promise<Uint8Array> {
  const total = blob.size;
  if (total <= WHOLE_READ_BYTES) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    if (bytes.length !== total) throw new HeaplensError('io', `The file changed while it was being read (${bytes.length} bytes instead of ${total}).`);
    job.progress('reading', total, total);
    job.checkCancelled();
    return bytes;
  }
  const out = new Uint8Array(total);
  let done = 0;
  const reader = blob.stream().getReader();
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    if (done + value.length > total) {
      await reader.cancel();
      throw new HeaplensError('io', 'The file grew while it was being read.');
    }
    out.set(value, done);
    done += value.length;
    job.progress('reading', done, total);
    try {
      job.checkCancelled();
    } catch (e) {
      await reader.cancel();
      throw e;
    }
  }
  if (done !== total) throw new HeaplensError('io', `The file could only be read in part (${done} of ${total} bytes).`);
  return out;
}

export function formatBytes(n: number): string {
  const MIB = 1024 * 1024;
  if (n < 1024) return `${n} B`;
  if (n < MIB) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * MIB) return `${(n / MIB).toFixed(1)} MiB`;
  return `${(n / (1024 * MIB)).toFixed(2)} GiB`;
}
