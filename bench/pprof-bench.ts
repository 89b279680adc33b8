// One contender of the pprof benchmark, in its own process so its peak RSS is its own.
// usage: node --import tsx bench/pprof-bench.ts heaplens|pprof-format|heaplens-top FILE [RUNS]
//   heaplens      gunzip, then decodePprof + pprofFrames, RUNS times
//   pprof-format  gunzip, then pprof-format's Profile.decode alone, RUNS times
//   heaplens-top  once, what a CLI run does end to end: read, gunzip, decode, frames, and flat/cum
//                 per function for one sample type (a plain loop here, the engine's grouping
//                 comes later) — timed whole process by bench/run.js against `go tool pprof -top`
// Prints JSON: {gunzip: [s…], decode: [s…], frames: [s…], peakRss, samples, inuseSpace}.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { decodePprof } from '../workers/formats/pprof/decode.ts';
import { pprofFrames } from '../workers/formats/pprof/frames.ts';

const [who, file, runsArg] = process.argv.slice(2);
const runs = who === 'heaplens-top' ? 1 : Number(runsArg ?? 3);
const gz = readFileSync(file);
const gunzip: number[] = [];
const decode: number[] = [];
const frames: number[] = [];
let samples = 0;
let inuseSpace = 0;
let top: { name: string; flat: number; cum: number } | null = null;

for (let r = 0; r < runs; r++) {
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
    if (who === 'heaplens-top') {
      // Flat and cum per function name (string index), each function once per sample in cum.
      const a = p.sampleTypes.findIndex((t) => t.type === 'alloc_space');
      const flat = new Float64Array(p.strings.length);
      const cum = new Float64Array(p.strings.length);
      const stamp = new Int32Array(p.strings.length).fill(-1);
      const { locationStart, location, values } = p.samples;
      const { locationFrameStart, locationFrame, leafCut } = f;
      const name = f.frames.name;
      for (let s = 0; s < samples; s++) {
        const v = values[s * nt + a];
        if (v === 0) continue;
        const start = locationStart[s] + leafCut[s];
        for (let j = start; j < locationStart[s + 1]; j++) {
          const loc = location[j];
          for (let q = locationFrameStart[loc]; q < locationFrameStart[loc + 1]; q++) {
            const n = name[locationFrame[q]];
            if (stamp[n] !== s) {
              stamp[n] = s;
              cum[n] += v;
            }
          }
        }
        if (start < locationStart[s + 1]) flat[name[locationFrame[locationFrameStart[location[start] + 1] - 1]]] += v;
      }
      let best = 0;
      for (let n = 1; n < flat.length; n++) if (flat[n] > flat[best]) best = n;
      top = { name: p.strings[best], flat: flat[best], cum: cum[best] };
    }
  }
}
process.stdout.write(JSON.stringify({ gunzip, decode, frames, peakRss: process.resourceUsage().maxRSS * 1024, samples, inuseSpace, top }) + '\n');
