// The heap snapshot fixtures, each file once: node-tracked is a link to node-before, and a test
// that opened both would count the same snapshot twice.

import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export const HEAP_FIXTURE_DIR = join(import.meta.dirname, '../fixtures/heapsnapshot');

/** Every .heapsnapshot and .heaptimeline in test/fixtures/heapsnapshot, by name, links left out. */
export function heapFixtures(): string[] {
  const seen = new Set<string>();
  return readdirSync(HEAP_FIXTURE_DIR)
    .sort()
    .filter((f) => /\.(heapsnapshot|heaptimeline)$/.test(f))
    .filter((f) => {
      const real = realpathSync(join(HEAP_FIXTURE_DIR, f));
      if (seen.has(real)) return false;
      seen.add(real);
      return true;
    });
}
