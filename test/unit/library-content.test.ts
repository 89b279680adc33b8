// The library's content fingerprint and first-bytes sniff (src/lib/library-content.ts): which
// bytes decide "same file", and what a file found without its record is called.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentFingerprint, sniffKind, storageFullMessage } from '../../src/lib/library-content.ts';

const MiB = 1 << 20;
const fixture = (p: string) => readFileSync(new URL(`../fixtures/${p}`, import.meta.url));

/** Deterministic bytes that differ everywhere, so every changed byte is a real change. */
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function flipped(src: Uint8Array, at: number): Blob {
  const copy = src.slice();
  copy[at] ^= 0xff;
  return new Blob([copy]);
}

describe('content fingerprint', () => {
  it('a small file is hashed whole: SHA-256 of its length (float64, big-endian) and its bytes', async () => {
    const data = fixture('tracemalloc/limit25_p5.pickle');
    const length = Buffer.alloc(8);
    length.writeDoubleBE(data.length);
    const want = createHash('sha256').update(length).update(data).digest('hex');
    expect(await contentFingerprint(new Blob([data]))).toBe(`sha256:${want}`);
  });

  it('the same bytes under another name are the same; one changed byte of a small file is not', async () => {
    const p5 = fixture('tracemalloc/limit25_p5.pickle');
    const dump = fixture('tracemalloc/limit25_dump.pickle'); // byte-identical copy
    const p4 = fixture('tracemalloc/limit25_p4.pickle'); // same length, protocol byte differs
    expect(p4.length).toBe(p5.length);
    const [a, b, c] = await Promise.all([p5, dump, p4].map((d) => contentFingerprint(new Blob([d]))));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('a large file: head, tail, samples and length decide; a byte between samples does not', async () => {
    const size = 40 * MiB + 123;
    const data = bytes(size);
    const base = await contentFingerprint(new Blob([data]));
    expect(await contentFingerprint(new Blob([data.slice()]))).toBe(base);
    // The first and last MiB, and the first byte of the first spread sample (just after the head).
    for (const at of [0, MiB - 1, size - MiB, size - 1, MiB]) expect(await contentFingerprint(flipped(data, at)), `byte ${at}`).not.toBe(base);
    expect(await contentFingerprint(new Blob([data.subarray(0, size - 1)]))).not.toBe(base);
    // The documented blind spot: a byte outside every sampled block (samples are 64 KiB, spread
    // over 38 MiB, so the middle of the gap after the first one is not read).
    expect(await contentFingerprint(flipped(data, MiB + 64 * 1024 + 512 * 1024))).toBe(base);
  });
});

describe('first-bytes sniff', () => {
  it('names the formats heaplens reads, from real files', async () => {
    expect((await sniffKind(new Blob([fixture('tracemalloc/limit25_p5.pickle')]))).format).toBe('tracemalloc');
    expect((await sniffKind(new Blob([fixture('heapsnapshot/node-before.heapsnapshot')]))).format).toBe('heapsnapshot');
    expect((await sniffKind(new Blob([fixture('heapprofile/workload.heapprofile')]))).format).toBe('heapprofile');
    expect((await sniffKind(new Blob([new Uint8Array([0x1f, 0x8b, 8, 0])]))).format).toBe('gzip');
    expect((await sniffKind(new Blob(['{"a": 1}']))).format).toBe('json');
    expect((await sniffKind(new Blob(['hello']))).format).toBe('unknown');
  });
});

describe('the message when the browser will not keep a file', () => {
  it('a full quota: no room left, with the figures, and what to do', () => {
    const text = storageFullMessage(300 * MiB, 9.9 * 1024 * MiB, 10 * 1024 * MiB);
    expect(text).toBe(
      'The browser has no room left for this file (300 MiB) in its storage (9.90 GiB of 10.0 GiB used), so it was opened but not kept in the library. Delete some entries from the library and open it again to keep it.',
    );
  });

  it('a quota with room (Chromium refuses one big write all the same): not "no room left", which would send the user to delete entries for nothing', () => {
    const text = storageFullMessage(4571561337, 72 * 1024, 10 * 1024 * MiB);
    expect(text).toBe(
      "The browser would not keep this file (4.26 GiB) in its storage although this page's quota has room for it (72.0 KiB of 10.0 GiB used): browsers also limit how large one stored file may be, so it was opened but not kept in the library.",
    );
    expect(text).not.toMatch(/no room left|Delete some entries/);
  });

  it('no estimate (a browser without navigator.storage.estimate): the quota is assumed full, without figures', () => {
    expect(storageFullMessage(5 * MiB, null, null)).toBe(
      'The browser has no room left for this file (5.00 MiB) in its storage, so it was opened but not kept in the library. Delete some entries from the library and open it again to keep it.',
    );
  });
});
