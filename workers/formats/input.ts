// One input for every importer: a file's bytes as a stream (for readers that stream, like the
// heap snapshot scanner) or whole (for readers that need them all, like the pickle interpreter),
// read with progress and cancellation, and never more of them than the importer's limit.
//
// gzip is unwrapped here as the bytes flow (DecompressionStream), never expanded whole first:
// a few MB can expand to many GB. While expanding, the bytes that come out are counted and
// stopped at the importer's maxBytes; readers that need whole bytes get them in one buffer of
// the exact size, measured first (gzip-measure.ts) when the file expands past what is cheap to
// hold twice. A failure of the decompressor is told apart by measuring: cut short ('truncated')
// or damaged ('corrupt').

import { HeaplensError } from '../api/errors.ts';
import type { HeapOpenMode, Progress } from '../api/types.ts';
import type { JobControl } from '../model/job.ts';
import { measureGzip } from './gzip-measure.ts';
import type { EdgeRangeHelper, SnapshotSplit } from './heapsnapshot/edge-range-types.ts';

export interface ImportInput {
  /** The file's own size in bytes (for gzip, the compressed size). */
  readonly size: number;
  /** Whether the file is gzip, expanded by stream() and bytes(). */
  readonly gzip: boolean;
  /** Exactly the bytes stream() and bytes() yield, when known before reading: null for gzip. */
  readonly length: number | null;
  /** At most the bytes stream() yields: `length`, or for gzip the importer's limit and deflate's own. */
  readonly maxLength: number;
  /** Bytes of memory the reader may plan for (checked by readers that can estimate theirs). */
  readonly memoryBudget: number;
  /** How a heap snapshot will be indexed (OpenOptions.heap; readers of other formats ignore it). */
  readonly heapMode?: HeapOpenMode;
  /** A plain file (no gzip) the host can also read on a second thread (heap snapshots: edge-range.ts). */
  readonly split?: SnapshotSplit;
  stream(): ReadableStream<Uint8Array>;
  /** The whole input, read with 'reading' progress; no copy when it is in memory already. */
  bytes(job: JobControl): Promise<Uint8Array>;
  /** The first bytes, for sniffing. */
  head(n: number): Promise<Uint8Array>;
  /** Reports `consumed` bytes of stream() read, in the file's own bytes (and the expanded ones). */
  progress(job: JobControl, phase: Progress['phase'], consumed: number): void;
}

export type Source = Blob | ArrayBuffer | Uint8Array;

/**
 * The memory a reader may plan for, unless the engine is told otherwise. A dedicated worker's
 * JavaScript heap stops near 4 GiB, and running out there kills the whole tab (measured in
 * Chromium: the page crashed with its worker); typed arrays live outside that heap and fail
 * one call when the machine has no room. 8 GiB is what a 16 GB machine can give one tab; the
 * engine's callers pass more or less (createEngine's memoryBudget).
 */
export const DEFAULT_MEMORY_BUDGET = 8 * 1024 ** 3;

/** deflate expands a byte to at most 1032 (RFC 1951: a 258-byte match costs at least 2 bits). */
export const DEFLATE_MAX_RATIO = 1032;

/** `edgeHelper`: the host's second thread for heap snapshots, offered with a Blob (the file it can read again). */
export function inputOf(source: Source, memoryBudget = DEFAULT_MEMORY_BUDGET, edgeHelper?: EdgeRangeHelper): ImportInput {
  const progress = (job: JobControl, phase: Progress['phase'], consumed: number) => job.progress(phase, consumed, size);
  let size: number;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    size = bytes.length;
    return {
      size,
      gzip: false,
      length: size,
      maxLength: size,
      memoryBudget,
      stream: () => new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
      bytes: async () => bytes,
      head: async (n) => bytes.subarray(0, n),
      progress,
    };
  }
  const blob = source;
  size = blob.size;
  return {
    size,
    gzip: false,
    length: size,
    maxLength: size,
    memoryBudget,
    stream: () => blob.stream(),
    bytes: (job) => readBlob(blob, job),
    head: async (n) => new Uint8Array(await blob.slice(0, n).arrayBuffer()),
    progress,
    ...(edgeHelper ? { split: { blob, helper: edgeHelper } } : {}),
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

/** Whole bytes of a gzip up to this much are kept as they come; past it the size is measured first. */
const KEEP_BEFORE_MEASURING = 64 * 1024 * 1024;

/** The most bytes one piece of input may expand to at once (see Expansion), and the least piece. */
const BURST = 64 * 1024 * 1024;
const MIN_PIECE = 16 * 1024;
/** Even after a run of ordinary data, one piece stays under 128 MiB expanded (1032-fold). */
const MAX_PIECE = 128 * 1024;

/** One pass of DecompressionStream over the file, counting bytes in and out. */
class Expansion {
  /** Compressed bytes the decompressor has taken, and bytes it has given out. */
  taken = 0;
  produced = 0;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private cancelled = false;

  constructor(private readonly file: ImportInput) {
    // Chromium's DecompressionStream expands each input chunk whole before it hands out any
    // output, and a Blob streams in chunks of 2 MB: a 2 MB gzip bomb chunk is 2 GB at once
    // (measured: 3.6 s to the first output). So input is cut into pieces that expand to at
    // most BURST, judged by the ratio seen so far (deflate's worst, 1032, before any is seen),
    // and never over MAX_PIECE, so ordinary data first cannot open the door for a bomb after
    // it. Pieces are not cut smaller than needed: cutting every chunk into 8 KiB pieces was
    // measured 1.5× slower on a 27 MB .heapsnapshot.gz in Chromium.
    const pieces = file.stream().pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, c) => {
          const ratio = this.taken > 0 ? Math.max(1, this.produced / this.taken) : DEFLATE_MAX_RATIO;
          const piece = Math.min(MAX_PIECE, Math.max(MIN_PIECE, Math.floor(BURST / Math.min(ratio, DEFLATE_MAX_RATIO))));
          if (chunk.length <= piece) c.enqueue(chunk);
          else for (let at = 0; at < chunk.length; at += piece) c.enqueue(chunk.subarray(at, at + piece));
        },
      }),
    );
    // Counted as the decompressor takes them, not as the file is read ahead.
    const counted = pieces.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, c) => {
          this.taken += chunk.length;
          c.enqueue(chunk);
        },
      }),
    );
    this.reader = counted.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
  }

  /** The next expanded chunk, or null at the end; a decompressor failure becomes a coded error. */
  async next(job: JobControl): Promise<Uint8Array | null> {
    let r: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;
    try {
      r = await this.reader.read();
    } catch (e) {
      if (this.cancelled) throw e;
      throw await explainFailure(this.file, e, job);
    }
    if (r.done) return null;
    this.produced += r.value.length;
    return r.value;
  }

  cancel(): void {
    this.cancelled = true;
    void this.reader.cancel().catch(() => {});
  }
}

/** Why DecompressionStream failed, found by measuring the file (its messages differ by engine). */
async function explainFailure(file: ImportInput, cause: unknown, job: JobControl): Promise<HeaplensError> {
  if (cause instanceof HeaplensError) return cause;
  try {
    const m = await measureGzip(file.stream(), Number.POSITIVE_INFINITY, job);
    if (m.members > 1) {
      return new HeaplensError(
        'unsupported-version',
        `This file is ${m.members} gzip files one after another (concatenated .gz); this browser unpacks only one. Unpack it with gunzip and open the result.`,
      );
    }
  } catch (e) {
    if (e instanceof HeaplensError) return e;
    return new HeaplensError('io', `The file could not be read: ${(e as Error)?.message ?? String(e)}`);
  }
  return new HeaplensError('corrupt', 'This gzip file is damaged: its data does not match its checksum (CRC-32).');
}

export interface GzipFile {
  /** The first `n` expanded bytes (n ≤ a few KiB), for sniffing. */
  head(n: number): Promise<Uint8Array>;
  /** The expanded input, stopped past `limit` bytes with the 'too-big' error `tooBig` words. */
  bounded(limit: number, tooBig: (expandedPast: number) => string, memoryBudget: number): ImportInput;
}

/** A gzip file, expanded as it is read. `job` serves head(), which runs before any importer. */
export function gunzipped(file: ImportInput, job: JobControl): GzipFile {
  // The pass that reads the head goes on to feed the first stream(), so small and streamed
  // files are expanded once.
  let primed: Expansion | null = null;
  const headChunks: Uint8Array[] = [];
  let headBytes = 0;
  let headEnded = false;
  return {
    async head(n) {
      primed ??= new Expansion(file);
      while (headBytes < n && !headEnded) {
        const chunk = await primed.next(job);
        if (!chunk) headEnded = true;
        else {
          headChunks.push(chunk);
          headBytes += chunk.length;
        }
      }
      return concat(headChunks, Math.min(n, headBytes));
    },
    bounded(limit, tooBig, memoryBudget) {
      const maxLength = Math.min(limit, file.size * DEFLATE_MAX_RATIO + 1024);
      let current: Expansion | null = null;
      const stream = (job: JobControl): ReadableStream<Uint8Array> => {
        const reuse = primed;
        primed = null;
        const expansion = reuse ?? new Expansion(file);
        current = expansion;
        const replay = reuse ? [...headChunks] : [];
        return new ReadableStream<Uint8Array>(
          {
            async pull(c) {
              const chunk = replay.shift() ?? (await expansion.next(job));
              if (!chunk) return c.close();
              if (expansion.produced > limit) {
                expansion.cancel();
                throw new HeaplensError('too-big', tooBig(limit));
              }
              c.enqueue(chunk);
            },
            cancel: () => expansion.cancel(),
          },
          { highWaterMark: 0 },
        );
      };
      const input: ImportInput = {
        size: file.size,
        gzip: true,
        length: null,
        maxLength,
        memoryBudget,
        stream: () => stream(job),
        bytes: (job) => expandWhole(file, stream(job), () => current?.taken ?? 0, limit, tooBig, job),
        async head(n) {
          return concat(headChunks, Math.min(n, headBytes));
        },
        progress(job, phase, _consumed) {
          if (current) job.progress(phase, current.taken, file.size, current.produced);
        },
      };
      return input;
    },
  };
}

/** All of a gzip's bytes in one buffer of their exact size. */
async function expandWhole(
  file: ImportInput,
  stream: ReadableStream<Uint8Array>,
  read: () => number,
  limit: number,
  tooBig: (n: number) => string,
  job: JobControl,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let have = 0;
  const report = (expanded: number) => job.progress('reading', read(), file.size, expanded);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return concat(chunks, have);
      chunks.push(value);
      have += value.length;
      report(have);
      job.checkCancelled();
      if (have > KEEP_BEFORE_MEASURING) break;
    }
    // Big (or a bomb): measure before holding it all, then fill one buffer of that size.
    const m = await measureGzip(file.stream(), limit, job, (r, expanded) => job.progress('reading', r, file.size, expanded));
    if (m.exceeded) throw new HeaplensError('too-big', tooBig(limit));
    const out = new Uint8Array(m.expanded);
    let at = 0;
    for (const c of chunks.splice(0)) {
      out.set(c, at);
      at += c.length;
    }
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (at + value.length > out.length) throw new HeaplensError('corrupt', 'This gzip file is damaged: it expands to more than its own structure says.');
      out.set(value, at);
      at += value.length;
      report(at);
      job.checkCancelled();
    }
    if (at !== out.length) throw new HeaplensError('corrupt', 'This gzip file is damaged: it expands to less than its own structure says.');
    return out;
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
}

function concat(chunks: Uint8Array[], n: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].length === n) return chunks[0];
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    if (at >= n) break;
    const take = Math.min(c.length, n - at);
    out.set(take === c.length ? c : c.subarray(0, take), at);
    at += take;
  }
  return out;
}

export function formatBytes(n: number): string {
  const MIB = 1024 * 1024;
  if (n < 1024) return `${n} B`;
  if (n < MIB) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * MIB) return `${(n / MIB).toFixed(1)} MiB`;
  return `${(n / (1024 * MIB)).toFixed(2)} GiB`;
}
