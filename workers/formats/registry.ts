// Every format heaplens reads, and how a file finds its importer: by its bytes, never its name.
// Adding a format = one importer (formats/<format>/index.ts) + one line in IMPORTERS; the
// messages that list what heaplens reads are built from this list.

import { HeaplensError } from '../api/errors.ts';
import type { JobControl } from '../model/job.ts';
import { compactImporter } from './compact/index.ts';
import { heapProfileImporter } from './heapprofile/index.ts';
import { heapSnapshotImporter } from './heapsnapshot/index.ts';
import { pprofImporter } from './pprof/index.ts';
import type { Imported, Importer } from './importer.ts';
import { formatBytes, inputOf, type ImportInput } from './input.ts';
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
export function sniff(head: Uint8Array, size: number, gzipped: number | null = null): Importer {
  if (size === 0) throw new HeaplensError('empty', 'The file is empty (0 bytes).');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, HEAD_BYTES));
  for (const importer of IMPORTERS) if (importer.sniff(head, text)) return importer;
  if (text.replace(/^\uFEFF?\s*/, '').startsWith('{')) {
    throw new HeaplensError('not-a-profile', `This is a JSON file, but not a profile heaplens knows (heaplens reads ${formatsWeRead()}).`);
  }
  const sizes = gzipped === null ? formatBytes(size) : `${formatBytes(gzipped)} gzipped, ${formatBytes(size)} unpacked`;
  throw new HeaplensError('not-a-profile', `This file (${sizes}) is not a recognised memory profile. heaplens reads ${formatsWeRead()}.`);
}

const isGzip = (head: Uint8Array) => head[0] === 0x1f && head[1] === 0x8b;

/**
 * Reads a file with the importer its bytes name. gzip (a .heapsnapshot.gz, a .heaplens.json.gz)
 * is unwrapped once before sniffing.
 */
export async function importFile(input: ImportInput, job: JobControl): Promise<{ importer: Importer; imported: Imported }> {
  let head = await input.head(HEAD_BYTES);
  let gzipped: number | null = null;
  if (input.size > 0 && isGzip(head)) {
    gzipped = input.size;
    let blob: Blob;
    try {
      blob = await new Response(input.stream().pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>)).blob();
    } catch {
      throw new HeaplensError('corrupt', 'This gzip file is damaged or cut short: it could not be decompressed.');
    }
    job.checkCancelled();
    input = inputOf(blob);
    head = await input.head(HEAD_BYTES);
    if (input.size > 0 && isGzip(head)) throw new HeaplensError('unsupported-version', 'This file is gzip inside gzip; heaplens unpacks one level.');
  }
  const importer = sniff(head, input.size, gzipped);
  if (input.size > importer.maxBytes) {
    throw new HeaplensError('too-big', importer.tooBig?.(input.size) ?? `This file is ${formatBytes(input.size)}; heaplens reads such files up to ${formatBytes(importer.maxBytes)}.`);
  }
  return { importer, imported: await importer.open(input, job) };
}
