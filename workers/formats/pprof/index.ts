// pprof profile.proto (gzipped or plain; the registry unwraps gzip): Go's runtime/pprof and
// net/http/pprof, @datadog/pprof for Node, gperftools, jemalloc, pprof-rs, the continuous
// profilers. Every sample type is a value column; CPU and other non-memory profiles open too,
// in their own units. decode.ts reads the bytes, frames.ts applies drop_frames/keep_frames,
// to-profile.ts maps it all to the model.
import { formatBytes } from '../input.ts';
import type { Importer } from '../importer.ts';
import { decodePprof, sniff } from './decode.ts';
import { pprofFrames } from './frames.ts';
import { toProfile } from './to-profile.ts';

/** The decoder holds the whole unpacked file and tables of about its size again. */
const MAX_PPROF_BYTES = 1024 ** 3;

export const pprofImporter: Importer = {
  format: 'pprof',
  describe: 'pprof profiles (profile.proto, gzipped or not: Go heap profiles, @datadog/pprof, gperftools)',
  sniff: (head) => sniff(head),
  maxBytes: MAX_PPROF_BYTES,
  tooBig: (size) => `This pprof profile is ${formatBytes(size)} unpacked; heaplens reads pprof profiles up to ${formatBytes(MAX_PPROF_BYTES)}.`,
  async open(input, job) {
    const bytes = await input.bytes(job);
    job.progress('parsing', 0, bytes.length);
    const decoded = decodePprof(bytes);
    await job.yield();
    const frames = pprofFrames(decoded);
    await job.yield();
    return { kind: 'allocations', profile: await toProfile(decoded, frames, job) };
  },
};
