// Every format heaplens reads, and how a file finds its importer: by its bytes, never its name.
// Adding a format = one importer (formats/<format>/index.ts) + one line in IMPORTERS; the
// messages that list what heaplens reads are built from this list.

import { HeaplensError } from '../api/errors.ts';
import type { HeapOpenMode } from '../api/types.ts';
import type { JobControl } from '../model/job.ts';
import { compactImporter } from './compact/index.ts';
import { heapProfileImporter } from './heapprofile/index.ts';
import { heapSnapshotImporter } from './heapsnapshot/index.ts';
import { pprofImporter } from './pprof/index.ts';
import type { Imported, Importer } from './importer.ts';
import { DEFAULT_MEMORY_BUDGET, formatBytes, gunzipped, type ImportInput } from './input.ts';
import { tracemallocImporter } from './tracemalloc/index.ts';

export type { Imported, Importer };

export const IMPORTERS: readonly Importer[] = [tracemallocImporter, heapSnapshotImporter, heapProfileImporter, pprofImporter, compactImporter];

const HEAD_BYTES = 4096;

/** "a, b and c" of every importer's description. */
export function formatsWeRead(): string {
  const all = IMPORTERS.map((i) => i.describe);
  return all.length > 1 ? `${all.slice(0, -1).join(', ')} and ${all.at(-1)}` : all.join('');
}

/** The importer whose format `head` starts; throws a specific HeaplensError when there is none. */
/** `size` is the file's own size, as given (for a gzip file: compressed; `gzipped` says so). */
export function sniff(head: Uint8Array, size: number, gzipped = false): Importer {
  if (size === 0) throw new HeaplensError('empty', 'The file is empty (0 bytes).');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, HEAD_BYTES));
  for (const importer of IMPORTERS) if (importer.sniff(head, text)) return importer;
  if (text.replace(/^\uFEFF?\s*/, '').startsWith('{')) {
    throw new HeaplensError('not-a-profile', `This is a JSON file, but not a profile heaplens knows (heaplens reads ${formatsWeRead()}).`);
  }
  const what = gzipped ? `This gzip file (${formatBytes(size)}) does not hold` : `This file (${formatBytes(size)}) is not`;
  throw new HeaplensError('not-a-profile', `${what} a recognised memory profile. heaplens reads ${formatsWeRead()}.`);
}

const isGzip = (head: Uint8Array) => head[0] === 0x1f && head[1] === 0x8b;

export interface ImportOptions {
  /** Bytes of memory a reader may plan for (see DEFAULT_MEMORY_BUDGET). */
  memoryBudget?: number;
  /** How a heap snapshot will be indexed (its budget check depends on it). */
  heapMode?: HeapOpenMode;
}

/**
 * Reads a file with the importer its bytes name. gzip (a .heapsnapshot.gz, a .pb.gz) is
 * unwrapped as it is read, one level, and stopped once it expands past the importer's limit.
 */
export async function importFile(file: ImportInput, job: JobControl, options: ImportOptions = {}): Promise<{ importer: Importer; imported: Imported }> {
  const memoryBudget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
  const head = await file.head(HEAD_BYTES);
  let importer: Importer;
  let input: ImportInput;
  if (file.size > 0 && isGzip(head)) {
    const gz = gunzipped(file, job);
    const inner = await gz.head(HEAD_BYTES);
    if (inner.length === 0) throw new HeaplensError('empty', `This gzip file (${formatBytes(file.size)}) unpacks to nothing (0 bytes).`);
    if (isGzip(inner)) throw new HeaplensError('unsupported-version', 'This file is gzip inside gzip; heaplens unpacks one level.');
    importer = sniff(inner, file.size, true);
    const tooBig = (past: number) =>
      importer.tooBig?.(past, true) ??
      `This gzip file (${formatBytes(file.size)}) expands past ${formatBytes(past)}; heaplens reads such files up to ${formatBytes(importer.maxBytes)}.`;
    input = gz.bounded(importer.maxBytes, tooBig, memoryBudget);
    if (options.heapMode) input = { ...input, heapMode: options.heapMode };
  } else {
    importer = sniff(head, file.size);
    if (file.size > importer.maxBytes) {
      throw new HeaplensError('too-big', importer.tooBig?.(file.size) ?? `This file is ${formatBytes(file.size)}; heaplens reads such files up to ${formatBytes(importer.maxBytes)}.`);
    }
    input = file.memoryBudget === memoryBudget && !options.heapMode ? file : { ...file, memoryBudget, heapMode: options.heapMode };
  }
  try {
    return { importer, imported: await importer.open(input, job) };
  } catch (e) {
    throw outOfRoom(e, file);
  }
}

/**
 * The last net: whatever a reader throws reaches the user as a coded HeaplensError. A RangeError
 * is a reader out of room (an ArrayBuffer the machine could not give, a string or array past
 * what JavaScript allows): 'too-big'. Anything else is a reader that met content it did not
 * expect: 'corrupt'. The original is kept as `cause` (the fuzz test counts those as failures:
 * each is a check a reader should make itself).
 */
function outOfRoom(e: unknown, file: ImportInput): unknown {
  if (e instanceof HeaplensError || (e instanceof Error && e.name === 'HeaplensError')) return e;
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const unreadable = typeof DOMException !== 'undefined' && e instanceof DOMException && /NotReadable|NotFound|Abort/.test(e.name);
  const coded = unreadable
    ? new HeaplensError('io', `The file could not be read (${detail}). It may have been moved or changed while it was read.`)
    : e instanceof RangeError
      ? new HeaplensError(
          'too-big',
          `Reading this ${formatBytes(file.size)} file ran out of room (${detail}). ` +
            'The command line (npx heaplens) has more memory than a browser tab; or open a smaller file.',
        )
      : new HeaplensError('corrupt', `This file could not be read: its content is not what its format allows (${detail}).`);
  return Object.assign(coded, { cause: e });
}
