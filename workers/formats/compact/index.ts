// heaplens' own compact form (.heaplens.json[.gz], and the data of a "link with data").
import { formatBytes } from '../input.ts';
import type { Importer } from '../importer.ts';
import { parseCompact } from './compact.ts';

const MAX_JSON_BYTES = 0x1fffffe8;

export const compactImporter: Importer = {
  format: 'compact',
  describe: "heaplens' own .heaplens.json files",
  sniff: (_head, text) => /^\{\s*"heaplens"\s*:/.test(text.replace(/^\uFEFF?\s*/, '')),
  maxBytes: MAX_JSON_BYTES,
  tooBig: (size, expands) => `${expands ? `This gzip file expands past ${formatBytes(size)}` : `This .heaplens.json file is ${formatBytes(size)}`}; heaplens reads them up to ${formatBytes(MAX_JSON_BYTES)}.`,
  async open(input, job) {
    return { kind: 'allocations', profile: parseCompact(await input.bytes(job)) };
  },
};
