// The engine as the worker exposes it: progress while reading, cancel, paging and search.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';

const EXAMPLE = join(__dirname, '../../public/examples/tornado-server.pickle');
const bytes = readFileSync(EXAMPLE);

describe('opening files', () => {
  it('reports reading and parsing progress up to the whole file', async () => {
    const engine = createEngine();
    const seen: Progress[] = [];
    const s = await engine.open(new Blob([bytes]), 'tornado-server.pickle', 1, (p) => seen.push(p));
    expect(s.sampleCount).toBeGreaterThan(1_000_000);
    const reading = seen.filter((p) => p.phase === 'reading');
    const parsing = seen.filter((p) => p.phase === 'parsing');
    expect(reading.length).toBeGreaterThanOrEqual(1);
    expect(parsing.length).toBeGreaterThan(1); // the parser reports every few MB
    expect(reading.at(-1)).toEqual({ phase: 'reading', done: bytes.length, total: bytes.length });
    expect(parsing.at(-1)?.done).toBe(bytes.length);
    for (let i = 1; i < seen.length; i++) if (seen[i].phase === seen[i - 1].phase) expect(seen[i].done).toBeGreaterThanOrEqual(seen[i - 1].done);
  });

  it('cancel stops an open in progress with a "cancelled" error, and the engine stays usable', async () => {
    const engine = createEngine();
    let cancelled = false;
    const opening = engine.open(new Blob([bytes]), 'big', 7, (p) => {
      if (!cancelled && p.done > 0) {
        cancelled = true;
        engine.cancel(7);
      }
    });
    await expect(opening).rejects.toThrow(/cancelled/);
    const s = await engine.open(new Blob([bytes]), 'again', 8);
    expect(engine.top(s.id, { by: 'line', limit: 1 }).groups.rows[0].frames[0].file).toMatch(/server\.py$/);
  });
});

describe('indexing and closing', () => {
  const SNAPSHOT = readFileSync(join(__dirname, '../fixtures/heapsnapshot/node-plain.heapsnapshot'));

  it('a heap snapshot reports its indexing steps, and Cancel stops it there too', async () => {
    const engine = createEngine();
    const seen: Progress[] = [];
    await engine.open(new Uint8Array(SNAPSHOT), 'node-plain.heapsnapshot', 1, (p) => seen.push(p));
    const indexing = seen.filter((p) => p.phase === 'indexing');
    expect(indexing.length).toBeGreaterThan(3);
    expect(indexing.at(-1)!.done).toBe(indexing.at(-1)!.total);
    // Cancelled once indexing has begun: parsing is over, the dominator steps stop.
    const opening = engine.open(new Uint8Array(SNAPSHOT), 'again', 2, (p) => {
      if (p.phase === 'indexing' && p.done >= 2) engine.cancel(2);
    });
    await expect(opening).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('a closed profile is gone: asking about it says so', async () => {
    const engine = createEngine();
    const s = await engine.open(new Uint8Array(bytes), 'tornado-server.pickle');
    engine.close(s.id);
    expect(() => engine.top(s.id, { by: 'line' })).toThrow(expect.objectContaining({ code: 'not-open' }));
  });
});

describe('pages of rows', () => {
  it('offset and limit page through the same order; search narrows rows', async () => {
    const engine = createEngine();
    const s = await engine.open(new Uint8Array(bytes), 'tornado-server.pickle');
    const all = engine.top(s.id, { by: 'line', limit: 30 });
    const second = engine.top(s.id, { by: 'line', offset: 10, limit: 10 });
    expect(second.groups.rows).toEqual(all.groups.rows.slice(10, 20));
    expect(second.groupCount).toBe(all.groupCount);
    const found = engine.top(s.id, { by: 'line', search: 'TORNADO/web.py', limit: 5 });
    expect(found.groups.total).toBeGreaterThan(0);
    expect(found.groups.total).toBeLessThan(all.groupCount);
    for (const r of found.groups.rows) expect(r.frames[0].file.toLowerCase()).toContain('tornado/web.py');
    // /regex/ searches: as many rows as the two plain searches it joins.
    const web = engine.top(s.id, { by: 'line', search: 'tornado/web.py' }).groups.total;
    const routing = engine.top(s.id, { by: 'line', search: 'tornado/routing.py' }).groups.total;
    const either = engine.top(s.id, { by: 'line', search: '/tornado\\/(web|routing)\\.py$/' });
    expect(either.groups.total).toBe(web + routing);
    expect(() => engine.top(s.id, { by: 'line', search: '/(unclosed/' })).toThrow(expect.objectContaining({ code: 'unsupported-query' }));
  });

  it('the tracebacks of a line add up to that line', async () => {
    const engine = createEngine();
    const s = await engine.open(new Uint8Array(bytes), 'tornado-server.pickle');
    const top = engine.top(s.id, { by: 'line', limit: 3 });
    for (const row of top.groups.rows) {
      const tbs = engine.tracebacksOf(s.id, { by: 'line' }, row.key, 1_000_000);
      expect(tbs.groups.rows.reduce((a, r) => a + r.size, 0)).toBe(row.size);
      expect(tbs.groups.rows.reduce((a, r) => a + r.count, 0)).toBe(row.count);
      for (const tb of tbs.groups.rows) expect(tb.frames.at(-1)).toEqual(row.frames[0]);
    }
  });
});

describe('compact form and gzip', () => {
  it('a profile exported in compact form reopens with the same rows for every grouping and filter', async () => {
    const engine = createEngine();
    const s = await engine.open(new Uint8Array(bytes), 'tornado-server.pickle');
    const packed = await engine.exportCompact(s.id);
    expect(packed[0]).toBe(0x1f); // gzip
    expect(packed.length).toBeLessThan(bytes.length / 5);
    const back = await engine.open(packed, 'shared.heaplens.json.gz');
    expect(back.format).toBe('tracemalloc');
    expect(back.name).toBe('tornado-server.pickle'); // a data link keeps the profile's own name
    expect(back.total).toEqual(s.total);
    for (const by of ['file', 'line', 'traceback'] as const) {
      const q = { by, limit: 50, filters: [{ inclusive: false, pattern: '<frozen*' }, { inclusive: true, domain: 0 }] };
      expect(engine.top(back.id, q).groups.rows.map(({ frames, size, count }) => ({ frames, size, count }))).toEqual(
        engine.top(s.id, q).groups.rows.map(({ frames, size, count }) => ({ frames, size, count })),
      );
    }
  });

  it('a gzipped heap snapshot opens like the plain one', async () => {
    const { gzipSync } = await import('node:zlib');
    const plain = readFileSync(join(__dirname, '../fixtures/heapsnapshot/node-plain.heapsnapshot'));
    const engine = createEngine();
    const a = await engine.open(new Uint8Array(plain), 'plain');
    const b = await engine.open(new Uint8Array(gzipSync(plain)), 'plain.heapsnapshot.gz');
    expect(b.heap).toEqual(a.heap);
  });

  it('a damaged .heaplens.json is refused with a specific message', async () => {
    const engine = createEngine();
    const text = JSON.stringify({ heaplens: 1, meta: { format: 'tracemalloc' }, strings: ['a'], frames: { func: [-1], file: [5], line: [1], column: [-1] }, stacks: { frame: [0], parent: [-1] }, samples: { stack: [0], values: [[1], [1]] }, valueTypes: [{}, {}] });
    await expect(engine.open(new TextEncoder().encode(text), 'x.heaplens.json')).rejects.toThrow(/damaged: a frame names a missing file/);
  });
});
