// One contender of the pprof benchmark, in its own process so its peak RSS is its own.
// usage: node --import tsx bench/pprof-bench.ts heaplens|pprof-format|engine FILE [RUNS]
//   heaplens      gunzip, then decodePprof + pprofFrames, RUNS times
//   pprof-format  gunzip, then pprof-format's Profile.decode alone, RUNS times
//   engine        RUNS times what the app and the CLI do: engine.open (gunzip, decode, frames, the
//                 model), then top by function of alloc_space, self (pprof's flat) and inclusive
//                 (cum), every row
// Prints JSON: {gunzip: [s…], decode: [s…], frames: [s…], open, self, inclusive, peakRss, samples,
// inuseSpace, top}.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { decodePprof } from '../workers/formats/pprof/decode.ts';
import { pprofFrames } from '../workers/formats/pprof/frames.ts';
import { createEngine } from '../workers/engine/engine.ts';

const [who, file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const gz = readFileSync(file);
const gunzip: number[] = [];
const decode: number[] = [];
const frames: number[] = [];
let samples = 0;
let inuseSpace = 0;
let top: { name: string; flat: number; cum: number } | null = null;
const open: number[] = [];
const self: number[] = [];
const inclusive: number[] = [];

if (who === 'engine') {
  for (let r = 0; r < runs; r++) {
    const engine = createEngine();
    const t0 = performance.now();
    const s = await engine.open(new Uint8Array(gz), file);
    const t1 = performance.now();
    const flat = engine.top(s.id, { by: 'function', value: 'alloc_space' });
    const t2 = performance.now();
    const cum = engine.top(s.id, { by: 'function', value: 'alloc_space', mode: 'inclusive' });
    const t3 = performance.now();
    open.push((t1 - t0) / 1000);
    self.push((t2 - t1) / 1000);
    inclusive.push((t3 - t2) / 1000);
    samples = s.sampleCount;
    const t = flat.valueTypes.findIndex((v) => v.name === 'alloc_space');
    const first = flat.groups.rows[0];
    const name = first.frames[0].function!;
    top = { name, flat: first.values[t], cum: cum.groups.rows.find((x) => x.frames[0].function === name)!.values[t] };
    inuseSpace = engine.top(s.id, { by: 'file', value: 'inuse_space', limit: 0 }).total.values[flat.valueTypes.findIndex((v) => v.name === 'inuse_space')];
  }
}

for (let r = 0; r < (who === 'engine' ? 0 : runs); r++) {
  const t0 = performance.now();
  const bytes = new Uint8Array(gunzipSync(gz));
  const t1 = performance.now();
  gunzip.push((t1 - t0) / 1000);
  if (who === 'pprof-format') {
    const p = Profile.decode(bytes);
    const t2 = performance.now();
    decode.push((t2 - t1) / 1000);
    samples = p.sample.length;
    const k = p.sampleType.findIndex((t) => p.stringTable.strings[Number(t.type)] === 'inuse_space');
    inuseSpace = 0;
    for (const s of p.sample) inuseSpace += Number(s.value[k]);
  } else {
    const p = decodePprof(bytes);
    const t2 = performance.now();
    const f = pprofFrames(p);
    const t3 = performance.now();
    decode.push((t2 - t1) / 1000);
    frames.push((t3 - t2) / 1000);
    samples = p.samples.length;
    const nt = p.sampleTypes.length;
    const k = p.sampleTypes.findIndex((t) => t.type === 'inuse_space');
    inuseSpace = 0;
    for (let s = 0; s < samples; s++) inuseSpace += p.samples.values[s * nt + k];
  }
}
process.stdout.write(JSON.stringify({ gunzip, decode, frames, open, self, inclusive, peakRss: process.resourceUsage().maxRSS * 1024, samples, inuseSpace, top }) + '\n');
