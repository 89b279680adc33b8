// Bad input gets a specific, user-facing error — never a crash, a hang or a generic exception:
// random bytes, pickles of other classes, REDUCE, truncations and flipped bytes of real dumps.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaplensError } from '../../workers/api/errors.ts';
import { createEngine } from '../../workers/engine/engine.ts';

const FIXTURES = join(__dirname, '../fixtures/tracemalloc');
const realDump = readFileSync(join(FIXTURES, 'limit25_p5.pickle'));

async function openError(bytes: Uint8Array): Promise<HeaplensError> {
  const engine = createEngine();
  try {
    await engine.open(bytes, 'bad');
  } catch (e) {
    expect(e, `not a HeaplensError: ${(e as Error)?.stack}`).toBeInstanceOf(HeaplensError);
    return e as HeaplensError;
  }
  throw new Error('the engine accepted bad input');
}

function cutPoints(length: number, n = 50): number[] {
  const points = new Set<number>();
  for (let i = 0; i < n; i++) points.add(Math.max(1, Math.floor(((i + 0.5) * length) / n)));
  return [...points];
}

const CLI = join(__dirname, '../../cli/heaplens.js');
function cli(file: string) {
  return spawnSync(process.execPath, [CLI, 'top', file], { encoding: 'utf8' });
}

describe('files that are not tracemalloc snapshots', () => {
  it('random bytes are refused as an unrecognised profile', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2000 }), async (bytes) => {
        await openError(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('random opcodes after a pickle header give a pickle error, not a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(2, 3, 4, 5), fc.uint8Array({ minLength: 0, maxLength: 400 }), async (proto, body) => {
        const e = await openError(Uint8Array.from([0x80, proto, ...body]));
        expect(e.message).toMatch(/pickle|tracemalloc/i);
      }),
      { numRuns: 500 },
    );
  });

  it('a text file says it is not a recognised profile', async () => {
    const e = await openError(new TextEncoder().encode('hello, this is a text file\n'));
    expect(e.message).toMatch(/not a recognised memory profile/);
  });

  it('an empty file says it is empty', async () => {
    expect((await openError(new Uint8Array(0))).message).toMatch(/empty/);
  });

  it.each([
    ['other-class', /not a tracemalloc snapshot: it contains/],
    ['reduce', /REDUCE|not a tracemalloc snapshot: it contains/],
    ['plain-list', /not a tracemalloc snapshot/],
    ['protocol0', /protocol 0 or 1/],
  ])('bad/%s.pickle is refused with a specific message', async (name, message) => {
    const file = readdirSync(join(FIXTURES, 'bad')).find((f) => f.startsWith(name));
    expect(file, `fixture bad/${name}*`).toBeDefined();
    const e = await openError(readFileSync(join(FIXTURES, 'bad', file!)));
    expect(e.message).toMatch(message);
  });

  it('REDUCE is refused even behind an allowed class', async () => {
    // Snapshot's class followed by REDUCE: what a crafted file calling tracemalloc.Snapshot(...) would do.
    const head = realDump.subarray(0, realDump.indexOf(0x93) + 1); // …STACK_GLOBAL
    const crafted = Uint8Array.from([...head, 0x29, 0x52, 0x2e]); // EMPTY_TUPLE REDUCE STOP
    expect((await openError(crafted)).message).toMatch(/REDUCE/);
  });
});

describe('damaged real dumps', () => {
  it('every one of 50 truncations says the file is truncated', async () => {
    for (const cut of cutPoints(realDump.length)) {
      const e = await openError(realDump.subarray(0, cut));
      expect(e.message, `cut at ${cut}`).toMatch(/truncated/);
    }
  });

  it('flipped bytes give a HeaplensError or a readable profile, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(realDump.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }), async (flips) => {
        const bytes = Uint8Array.from(realDump);
        for (const [at, x] of flips) bytes[at] ^= x;
        const engine = createEngine();
        try {
          const s = await engine.open(bytes, 'flipped');
          engine.top(s.id, { by: 'line', limit: 5 });
        } catch (e) {
          expect(e, (e as Error)?.stack).toBeInstanceOf(HeaplensError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the CLI reports each truncation on stderr with exit code 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-trunc-'));
    for (const cut of cutPoints(realDump.length)) {
      const file = join(dir, `cut-${cut}.pickle`);
      writeFileSync(file, realDump.subarray(0, cut));
      const r = cli(file);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^heaplens: This tracemalloc snapshot is truncated/);
    }
  });

  it('the CLI reports a text file and a missing file clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-bad-'));
    writeFileSync(join(dir, 'notes.txt'), 'just some notes\n');
    const r = cli(join(dir, 'notes.txt'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a recognised memory profile/);
    const missing = cli(join(dir, 'nope.pickle'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  });
});

describe('files too big to read', () => {
  it('a 3 GB tracemalloc-looking file is refused at once, before it is read', async () => {
    const { openAsBlob } = await import('node:fs');
    const { openSync, writeSync, ftruncateSync, closeSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-big-'));
    const file = join(dir, 'huge.pickle');
    const fd = openSync(file, 'w');
    writeSync(fd, Uint8Array.from([0x80, 0x05, 0x95]));
    ftruncateSync(fd, 3 * 1024 ** 3); // sparse: costs no disk
    closeSync(fd);
    const engine = createEngine();
    await expect(engine.open(await openAsBlob(file), 'huge.pickle')).rejects.toThrow(/3\.00 GiB; heaplens reads tracemalloc dumps up to 2\.00 GiB/);
    const r = cli(file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/3\.00 GiB/);
  });
});
