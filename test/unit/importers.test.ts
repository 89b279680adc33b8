// Every registered importer, over the fixtures of its format (made by the real tools): it claims
// its own files and no other format's, a file cut short is refused with code 'truncated', and an
// allocation profile exported in heaplens' compact form reopens with the same rows. A new
// importer without fixtures here fails the first test.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api/errors.ts';
import type { GroupBy } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { IMPORTERS, sniff } from '../../workers/formats/registry.ts';

const DIR = join(__dirname, '../fixtures');
const filesIn = (dir: string, pattern: RegExp) =>
  readdirSync(join(DIR, dir))
    .filter((f) => pattern.test(f))
    .map((f) => join(DIR, dir, f));

/** The fixtures of each format, as the registry sees them (gzip already unwrapped). */
const FIXTURES: Record<string, string[]> = {
  tracemalloc: filesIn('tracemalloc', /\.pickle$/),
  heapsnapshot: filesIn('heapsnapshot', /\.(heapsnapshot|heaptimeline)$/).filter((f) => !f.endsWith('node-tracked.heapsnapshot')),
  heapprofile: filesIn('heapprofile', /\.heapprofile$/),
  pprof: filesIn('pprof', /\.pb\.gz$/),
};
const ALLOCATION_FORMATS = ['tracemalloc', 'heapprofile', 'pprof'];

const unwrapped = (bytes: Uint8Array) => (bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes);
const cache = new Map<string, Uint8Array>();
const bytesOf = (file: string) => {
  if (!cache.has(file)) cache.set(file, unwrapped(new Uint8Array(readFileSync(file))));
  return cache.get(file)!;
};
const textOf = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));

/** The compact form of every allocation fixture, made by the engine's export. */
async function compactFixtures(): Promise<{ from: string; bytes: Uint8Array }[]> {
  const engine = createEngine();
  const out = [];
  for (const format of ALLOCATION_FORMATS.filter((f) => IMPORTERS.some((i) => i.format === f))) {
    for (const file of FIXTURES[format]) {
      const s = await engine.open(bytesOf(file), file);
      if (!s.hasAllocations || s.sampleCount === 0) continue;
      out.push({ from: file, bytes: unwrapped(await engine.exportCompact(s.id)) });
      engine.close(s.id);
    }
  }
  return out;
}
const compacts = compactFixtures();

async function ownFiles(format: string): Promise<{ name: string; bytes: Uint8Array }[]> {
  if (format === 'compact') return (await compacts).map((c) => ({ name: `${c.from}.heaplens.json`, bytes: c.bytes }));
  return FIXTURES[format].map((f) => ({ name: f, bytes: bytesOf(f) }));
}

describe('every importer over its fixtures', () => {
  it('each registered format has fixtures from its producing tool', async () => {
    for (const importer of IMPORTERS) expect((await ownFiles(importer.format)).length, importer.format).toBeGreaterThan(0);
  });

  for (const importer of IMPORTERS) {
    describe(importer.format, () => {
      it('claims each of its own files', async () => {
        for (const { name, bytes } of await ownFiles(importer.format)) expect(sniff(bytes.subarray(0, 4096), bytes.length).format, name).toBe(importer.format);
      });

      it("claims none of the other formats' files", async () => {
        let others = 0;
        for (const other of IMPORTERS) {
          if (other === importer) continue;
          for (const { name, bytes } of await ownFiles(other.format)) {
            others++;
            const head = bytes.subarray(0, 4096);
            let claimed: boolean;
            try {
              claimed = importer.sniff(head, textOf(head));
            } catch (e) {
              // A specific refusal ("a pickle of protocol 0") is also not claiming the file.
              expect(e, name).toBeInstanceOf(HeaplensError);
              claimed = false;
            }
            expect(claimed, `${importer.format} claims ${name}`).toBe(false);
          }
        }
        expect(others).toBeGreaterThan(0);
      });

      it("a file cut short gives the code 'truncated'", async () => {
        const engine = createEngine();
        let cuts = 0;
        for (const { name, bytes } of await ownFiles(importer.format)) {
          if (bytes.length < 64) continue;
          for (const fraction of [0.3, 0.6, 0.9]) {
            const cut = bytes.slice(0, Math.floor(bytes.length * fraction));
            const err = await engine.open(cut, name).then(
              () => null,
              (e) => e,
            );
            expect(err, `${name} cut at ${cut.length}`).toBeInstanceOf(HeaplensError);
            expect((err as HeaplensError).code, `${name} cut at ${cut.length}: ${(err as Error).message}`).toBe('truncated');
            cuts++;
          }
        }
        expect(cuts).toBeGreaterThan(0);
      });
    });
  }

  it('an allocation profile exported in compact form reopens with the same rows', async () => {
    const engine = createEngine();
    let compared = 0;
    for (const { from, bytes } of await compacts) {
      const original = await engine.open(bytesOf(from), from);
      const again = await engine.open(bytes, `${from}.heaplens.json`);
      expect(again.format).toBe(original.format);
      expect(again.total).toEqual(original.total);
      const groupings: GroupBy[] = original.capabilities.groupings;
      for (const by of groupings) {
        const q = { by, limit: 50 };
        const rows = (id: number) => engine.top(id, q).groups.rows.map(({ frames, size, count, values }) => ({ frames, size, count, values }));
        expect(rows(again.id), `${from} by ${by}`).toEqual(rows(original.id));
        compared++;
      }
      engine.close(original.id);
      engine.close(again.id);
    }
    expect(compared).toBeGreaterThan(0);
    console.info(`compact round trip: ${compared} groupings compared over ${(await compacts).length} profiles`);
  });
});
