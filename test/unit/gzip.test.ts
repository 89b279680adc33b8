// gzip as heaplens reads it: measured without expanding (gzip-measure.ts) to the byte count zlib
// expands to, streamed into the importers through DecompressionStream, and when it fails, cut
// short ('truncated') told apart from damaged ('corrupt').

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api/errors.ts';
import type { Progress } from '../../workers/api/types.ts';
import { createEngine } from '../../workers/engine/engine.ts';
import { measureGzip } from '../../workers/formats/gzip-measure.ts';
import { NO_JOB } from '../../workers/model/job.ts';

const FIXTURES = join(__dirname, '../fixtures');
const pickle = readFileSync(join(FIXTURES, 'tracemalloc/after_p5.pickle'));
const snapshot = readFileSync(join(FIXTURES, 'heapsnapshot/node-plain.heapsnapshot'));

function chunked(b: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= b.length) return c.close();
      c.enqueue(b.slice(at, at + size));
      at += size;
    },
  });
}

function seeded(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function crc32(bytes: ArrayLike<number>): number {
  let c = ~0;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i];
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A gzip member with the optional header parts zlib never writes (RFC 1952 §2.3). */
function withHeaderParts(data: Uint8Array): Uint8Array {
  const plain = gzipSync(data);
  const deflated = plain.subarray(10, plain.length - 8);
  const trailer = plain.subarray(plain.length - 8);
  const extra = [4, 0, 0x41, 0x42, 0, 0]; // XLEN 4, one subfield "AB" of 0 bytes
  const name = [...Buffer.from('profile.pickle'), 0];
  const comment = [...Buffer.from('a comment'), 0];
  const head = [0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 255, ...extra, ...name, ...comment];
  const hcrc = crc32(head);
  head.push(hcrc & 255, (hcrc >>> 8) & 255);
  return Uint8Array.from([...head, ...deflated, ...trailer]);
}

async function openError(bytes: Uint8Array): Promise<HeaplensError> {
  try {
    await createEngine().open(bytes, 'x.gz');
  } catch (e) {
    expect(e, (e as Error)?.stack).toBeInstanceOf(HeaplensError);
    return e as HeaplensError;
  }
  throw new Error('opened');
}

describe('measuring a gzip without expanding it', () => {
  const inputs: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['a pickle', pickle],
    ['a heap snapshot', snapshot],
    ['random bytes', seeded(200_000)],
    ['one byte repeated', new Uint8Array(3_000_000).fill(0x30)],
  ];
  const options: [string, object][] = [
    ['stored', { level: 0 }],
    ['level 1', { level: 1 }],
    ['level 9', { level: 9 }],
    ['fixed codes', { strategy: constants.Z_FIXED }],
    ['Huffman only', { strategy: constants.Z_HUFFMAN_ONLY }],
    ['run lengths', { strategy: constants.Z_RLE }],
  ];

  it('counts what zlib expands, for every block type, in chunks of any size', async () => {
    let cases = 0;
    for (const [what, data] of inputs) {
      for (const [how, opts] of options) {
        const gz = gzipSync(data, opts);
        for (const chunk of gz.length < 100_000 ? [1, 13, 4096, 1 << 20] : [13, 4096, 1 << 20]) {
          const m = await measureGzip(chunked(gz, chunk), Number.POSITIVE_INFINITY, NO_JOB);
          expect(m.expanded, `${what}, ${how}, chunks of ${chunk}`).toBe(gunzipSync(gz).length);
          expect(m.exceeded).toBe(false);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThanOrEqual(inputs.length * options.length * 3);
  });

  it('reads the optional header parts (extra field, name, comment, header CRC) and concatenated members', async () => {
    const gz = withHeaderParts(pickle);
    expect(gunzipSync(gz).length).toBe(pickle.length); // zlib reads it too
    expect((await measureGzip(chunked(gz, 3), Number.POSITIVE_INFINITY, NO_JOB)).expanded).toBe(pickle.length);
    const two = Buffer.concat([gzipSync(pickle), gzipSync(snapshot)]);
    const m = await measureGzip(chunked(two, 1000), Number.POSITIVE_INFINITY, NO_JOB);
    expect(m).toEqual({ expanded: pickle.length + snapshot.length, exceeded: false, members: 2 });
  });

  it('stops once past the limit', async () => {
    const gz = gzipSync(new Uint8Array(50_000_000), { level: 9 });
    const m = await measureGzip(chunked(gz, 65536), 1_000_000, NO_JOB);
    expect(m.exceeded).toBe(true);
    expect(m.expanded).toBeGreaterThan(1_000_000);
    expect(m.expanded).toBeLessThan(1_100_000);
  });

  it('a cut at every byte is "truncated", never "corrupt"', async () => {
    for (const gz of [gzipSync(pickle), withHeaderParts(pickle.subarray(0, 3000)), gzipSync(seeded(3000), { level: 0 })]) {
      for (let cut = 0; cut < gz.length; cut++) {
        const e = await measureGzip(chunked(gz.subarray(0, cut), 512), Number.POSITIVE_INFINITY, NO_JOB).then(
          () => null,
          (x) => x,
        );
        expect(e, `cut at ${cut} of ${gz.length}`).toBeInstanceOf(HeaplensError);
        expect(e.code, `cut at ${cut}: ${e.message}`).toBe('truncated');
        expect(e.message).toMatch(/^This gzip file is cut short: /);
      }
    }
  });

  it('damage is "corrupt" where it can be seen: junk after the end, a wrong length, broken codes', async () => {
    const gz = gzipSync(pickle);
    const codeOf = (b: Uint8Array) =>
      measureGzip(chunked(b, 700), Number.POSITIVE_INFINITY, NO_JOB).then(
        () => 'ok',
        (e: HeaplensError) => e.code,
      );
    expect(await codeOf(Buffer.concat([gz, Buffer.from([0, 0, 0])]))).toBe('corrupt');
    const badLength = Uint8Array.from(gz);
    badLength[gz.length - 3] ^= 1;
    expect(await codeOf(badLength)).toBe('corrupt');
    const badMethod = Uint8Array.from(gz);
    badMethod[2] = 7;
    expect(await codeOf(badMethod)).toBe('corrupt');
    // Flips inside the deflate data: some still decode (a literal changed; only the CRC tells),
    // none is called cut short unless it made a block look longer than the file.
    const seen = new Map<string, number>();
    for (let k = 0; k < 400; k++) {
      const b = Uint8Array.from(gz);
      b[10 + ((k * 7919) % (gz.length - 18))] ^= 1 + (k % 255);
      const code = await codeOf(b);
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    expect([...seen.keys()].every((c) => ['ok', 'corrupt', 'truncated'].includes(c))).toBe(true);
    expect(seen.get('corrupt')).toBeGreaterThan(100);
  });
});

describe('gzip through the registry', () => {
  it('a cut gzip is "truncated" and a damaged one "corrupt", with its own words', async () => {
    const gz = gzipSync(pickle);
    const cut = await openError(gz.subarray(0, gz.length >> 1));
    expect(cut.code).toBe('truncated');
    expect(cut.message).toMatch(/cut short/);
    const crc = Uint8Array.from(gz);
    crc[gz.length - 6] ^= 0x40; // the CRC-32: only expanding can see it
    const damaged = await openError(crc);
    expect(damaged.code).toBe('corrupt');
    expect(damaged.message).toMatch(/checksum/);
    const trailerCut = await openError(gz.subarray(0, gz.length - 3));
    expect(trailerCut.code).toBe('truncated');
  });

  it('a gzip heap snapshot whose header announces more than its bytes could expand to is refused at once', async () => {
    const text = snapshot.toString('latin1').replace(/"node_count":\d+/, '"node_count":400000000');
    const e = await openError(gzipSync(Buffer.from(text, 'latin1')));
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/400,000,000 nodes.*more than this [\d,]+-byte gzip file can hold even fully expanded/);
  });

  it('reports compressed bytes read and bytes unpacked while streaming a snapshot', async () => {
    const gz = gzipSync(snapshot);
    const seen: Progress[] = [];
    const s = await createEngine().open(new Blob([gz]), 'plain.heapsnapshot.gz', 1, (p) => seen.push(p));
    expect(s.heap?.nodeCount).toBeGreaterThan(0);
    const parsing = seen.filter((p) => p.phase === 'parsing');
    expect(parsing.length).toBeGreaterThan(0);
    const last = parsing.at(-1)!;
    expect(last.total).toBe(gz.length);
    expect(last.done).toBe(gz.length);
    expect(last.expanded).toBe(snapshot.length);
  });

  it('a gzip inside gzip, and a gzip of nothing, say so', async () => {
    expect((await openError(gzipSync(gzipSync(pickle)))).code).toBe('unsupported-version');
    const empty = await openError(gzipSync(new Uint8Array(0)));
    expect(empty.code).toBe('empty');
    expect(empty.message).toMatch(/unpacks to nothing/);
  });
});

describe('Cancel while a gzip is read', () => {
  const cancelAt = async (bytes: Uint8Array, when: (p: Progress) => boolean) => {
    const engine = createEngine();
    let sent = false;
    const open = engine.open(new Blob([bytes]), 'x.gz', 7, (p) => {
      if (!sent && when(p)) {
        sent = true;
        engine.cancel(7);
      }
    });
    const e = await open.then(
      () => null,
      (x) => x,
    );
    expect(sent).toBe(true);
    return e as HeaplensError | null;
  };

  it('stops a streamed snapshot while it unpacks', async () => {
    const e = await cancelAt(gzipSync(snapshot), (p) => p.phase === 'parsing' && (p.expanded ?? 0) > 0);
    expect(e?.code).toBe('cancelled');
  });

  it('stops a whole-bytes read while it unpacks, and while a big gzip is measured', async () => {
    const { whole, tracemallocParts } = await import('../hostile/bombs.mjs');
    // 80 MB of traces, one size byte in 16 varied so the gzip comes in many chunks.
    const parts = tracemallocParts(5_000_000);
    const raw = whole(parts);
    for (let k = 0, at = parts.head.length + 4; k < parts.count; k++, at += 16) raw[at] = (k * 2654435761) >>> 24;
    const big = gzipSync(raw, { level: 1 });
    expect((await cancelAt(big, (p) => (p.expanded ?? 0) > 1 << 20))?.code).toBe('cancelled');
    // Past 64 MiB kept, the file is measured from its start: the count unpacked starts again.
    let most = 0;
    const measuring = await cancelAt(big, (p) => {
      const again = most > 64 * 1024 * 1024 && (p.expanded ?? 0) < most;
      most = Math.max(most, p.expanded ?? 0);
      return again;
    });
    expect(measuring?.code).toBe('cancelled');
  }, 120_000);
});
