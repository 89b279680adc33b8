// Fuzzing every importer through the registry: random bytes, truncations at every section
// boundary, byte flips, absurd header counts (near 2^32, products that overflow), deep nesting and
// huge strings (test/hostile/fuzz-cases.mjs), for every input class heaplens reads. Every case
// must end in a profile or a coded HeaplensError — never another exception, never one that only
// the registry's last net coded (a check the reader should make), never a runaway. Cases run in
// a worker thread (test/hostile/fuzz-worker.mjs) with a cut-off: a case past it is stopped,
// reported as a failure, and the next case gets a fresh worker. Times are printed, not asserted.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../workers/engine/engine.ts';
import { IMPORTERS } from '../../workers/formats/registry.ts';
import { eachFuzzCase } from '../hostile/fuzz-cases.mjs';

const FIXTURES = join(__dirname, '../fixtures');
/** A case still running after this long has run away (the slowest measured case takes ~2 s). */
const CUT_OFF_MS = 60_000;

const file = (dir: string, name: string) => ({ name, bytes: unwrap(new Uint8Array(readFileSync(join(FIXTURES, dir, name)))) });
const unwrap = (b: Uint8Array) => (b[0] === 0x1f && b[1] === 0x8b ? new Uint8Array(gunzipSync(b)) : b);

/** Real files of each input class, made by the producing tools. */
async function seedsOf(cls: string): Promise<{ name: string; bytes: Uint8Array }[]> {
  switch (cls) {
    case 'tracemalloc':
      return ['before_p5.pickle', 'after_p5.pickle', 'big_sizes_p5.pickle'].map((f) => file('tracemalloc', f));
    case 'heapsnapshot':
      return [file('heapsnapshot', 'node-plain.heapsnapshot'), file('heapsnapshot', 'chromium-shapes.heapsnapshot')];
    case 'heaptimeline':
      return [file('heapsnapshot', 'chromium.heaptimeline')];
    case 'heapprofile':
      return [file('heapprofile', 'workload.heapprofile')];
    case 'pprof':
      return ['go-heap-after.pb.gz', 'node-heap.pb.gz', 'gperf-heap.pb.gz'].map((f) => file('pprof', f));
    case 'compact': {
      // heaplens' own export of real dumps.
      const engine = createEngine();
      const out = [];
      for (const f of ['after_p5.pickle', 'big_sizes_p5.pickle']) {
        const s = await engine.open(readFileSync(join(FIXTURES, 'tracemalloc', f)), f);
        out.push({ name: `${f}.heaplens.json`, bytes: unwrap(await engine.exportCompact(s.id)) });
      }
      return out;
    }
  }
  throw new Error(`no seeds for ${cls}`);
}

/** The input classes each registered importer reads. */
const CLASSES: Record<string, string[]> = {
  tracemalloc: ['tracemalloc'],
  heapsnapshot: ['heapsnapshot', 'heaptimeline'],
  heapprofile: ['heapprofile'],
  compact: ['compact'],
  pprof: ['pprof'],
};

interface Reply {
  id: number;
  ms: number;
  outcome: 'opened' | 'coded' | 'netted' | 'uncoded';
  code?: string;
  message?: string;
  stack?: string;
}

/** One worker thread at a time; replaced after a runaway. */
class Runner {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;

  private start(): Promise<void> {
    this.worker = new Worker(new URL('../hostile/fuzz-worker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
    this.worker.unref();
    const w = this.worker;
    return new Promise((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
  }

  async run(mode: string, bytes: Uint8Array, cutOff = CUT_OFF_MS): Promise<Reply | 'runaway'> {
    this.ready ??= this.start();
    await this.ready;
    const w = this.worker!;
    const id = this.nextId++;
    const copy = Uint8Array.from(bytes); // transferred: the case's own buffer
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        w.off('message', onMessage);
        void w.terminate();
        this.worker = null;
        this.ready = null;
        resolve('runaway');
      }, cutOff);
      const onMessage = (m: Reply) => {
        if (m.id !== id) return;
        clearTimeout(timer);
        w.off('message', onMessage);
        resolve(m);
      };
      w.on('message', onMessage);
      w.postMessage({ id, mode, bytes: copy }, [copy.buffer]);
    });
  }

  stop(): void {
    void this.worker?.terminate();
  }
}

const runner = new Runner();
const report: string[] = [];
afterAll(() => {
  runner.stop();
  console.log(['fuzz: class (importer, path)         cases  opened  coded  failures  longest case', ...report].join('\n'));
});

async function fuzz(cls: string, importer: string, mode: 'engine' | 'pprof-decoder') {
  const failures: string[] = [];
  let cases = 0;
  const codes = new Map<string, number>();
  let opened = 0;
  let longest = { ms: 0, name: '' };
  for (const c of eachFuzzCase(cls, await seedsOf(cls))) {
    cases++;
    const r = await runner.run(mode, c.bytes);
    if (r === 'runaway') {
      failures.push(`${c.name}: still running after ${CUT_OFF_MS / 1000} s (stopped)`);
      continue;
    }
    if (r.ms > longest.ms) longest = { ms: r.ms, name: c.name };
    if (r.outcome === 'opened') opened++;
    else if (r.outcome === 'coded') codes.set(r.code!, (codes.get(r.code!) ?? 0) + 1);
    else failures.push(`${c.name}: ${r.outcome === 'netted' ? `coded only by the registry's net (${r.code})` : 'not a HeaplensError'}: ${r.stack}`);
  }
  const coded = [...codes.values()].reduce((a, b) => a + b, 0);
  const path = mode === 'engine' ? 'registry' : 'decoder';
  report.push(
    `fuzz: ${`${cls} (${importer}, ${path})`.padEnd(32)} ${String(cases).padStart(6)}  ${String(opened).padStart(6)}  ${String(coded).padStart(5)}  ${String(failures.length).padStart(8)}  ${longest.ms.toFixed(0)} ms (${longest.name.slice(0, 60)})` +
      `\n        codes: ${[...codes].map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );
  expect(failures, failures.slice(0, 5).join('\n\n')).toEqual([]);
  expect(opened + coded).toBe(cases);
}

describe('fuzzing every importer through the registry', () => {
  it('the harness stops a case that runs away, and the next case gets a fresh worker', async () => {
    expect(await runner.run('spin', new Uint8Array(1), 2000)).toBe('runaway');
    const next = await runner.run('engine', new Uint8Array([1, 2, 3]));
    expect(next).toMatchObject({ outcome: 'coded', code: 'not-a-profile' });
  });

  it('every registered importer has fuzz cases', () => {
    for (const importer of IMPORTERS) expect(CLASSES[importer.format], importer.format).toBeDefined();
  });

  for (const importer of IMPORTERS) {
    for (const cls of CLASSES[importer.format] ?? []) {
      it(`${cls}: every case ends in a profile or a coded HeaplensError`, () => fuzz(cls, importer.format, 'engine'), 900_000);
    }
  }

  // Until the pprof importer is registered (branch pprof-import), its decoder is fuzzed directly.
  if (!IMPORTERS.some((i) => i.format === 'pprof')) {
    it('pprof (decoder): every case ends in a profile or a coded HeaplensError', () => fuzz('pprof', 'pprof', 'pprof-decoder'), 900_000);
  }
});
