// V8 sampling heap profiles (.heapprofile: DevTools "Allocation sampling", `node --heap-prof`).
import { formatBytes } from '../input.ts';
import type { Importer } from '../importer.ts';
import { parseHeapProfile } from './parse.ts';

/** Parsed with one JSON.parse: V8 strings stop near 512 MB. */
const MAX_JSON_BYTES = 0x1fffffe8;

export const heapProfileImporter: Importer = {
  format: 'heapprofile',
  describe: 'V8 sampling heap profiles (.heapprofile)',
  sniff(_head, text) {
    const json = text.replace(/^\uFEFF?\s*/, '');
    return json.startsWith('{') && !/^\{\s*"heaplens"\s*:/.test(json) && /"head"\s*:/.test(json) && /"callFrame"/.test(json);
  },
  maxBytes: MAX_JSON_BYTES,
  tooBig: (size, expands) => `${expands ? `This gzip file expands past ${formatBytes(size)}` : `This sampling heap profile is ${formatBytes(size)}`}; heaplens reads .heapprofile files up to ${formatBytes(MAX_JSON_BYTES)} (one JSON text).`,
  async open(input, job) {
    const bytes = await input.bytes(job);
    job.progress('parsing', 0, bytes.length);
    return { kind: 'allocations', profile: parseHeapProfile(bytes) };
  },
};
