// heaplens' own compact form of an allocation profile (.heaplens.json, and the data in a
// "link with data"): the model's tables with samples summed per (stack, domain), as JSON, gzipped.
// It reopens with the same numbers for every grouping, filter and diff.

import { HeaplensError } from '../../api/errors.ts';
import type { LabelTable, Profile, ProfileFormat, ValueType } from '../../model/profile.ts';
import { parseJson } from '../json.ts';

interface Compact {
  heaplens: 1;
  meta: Profile['meta'];
  valueTypes: Profile['valueTypes'];
  strings: string[];
  frames: { func: number[]; file: number[]; line: number[]; column: number[] };
  stacks: { frame: number[]; parent: number[] };
  samples: { stack: number[]; values: number[][]; domain?: number[]; labelSet?: number[] };
  /** Sample labels: each set a list of [key, str (-1 numeric), num, unit (-1 none)]; samples name a set, -1 none. */
  labelSets?: [number, number, number, number][][];
}

/** Each sample's labels as one set id (-1 for none), and the sets. */
function labelSetsOf(p: Profile): { ofSample: Int32Array; sets: [number, number, number, number][][] } | null {
  const l = p.samples.labels;
  if (!l) return null;
  const ofSample = new Int32Array(p.samples.length).fill(-1);
  const ids = new Map<string, number>();
  const sets: [number, number, number, number][][] = [];
  for (let i = 0; i < p.samples.length; i++) {
    if (l.start[i] === l.start[i + 1]) continue;
    const set: [number, number, number, number][] = [];
    for (let j = l.start[i]; j < l.start[i + 1]; j++) set.push([l.key[j], l.str[j], l.num[j], l.unit[j]]);
    const k = JSON.stringify(set);
    let id = ids.get(k);
    if (id === undefined) {
      id = sets.length;
      ids.set(k, id);
      sets.push(set);
    }
    ofSample[i] = id;
  }
  return { ofSample, sets };
}

export function toCompact(p: Profile): Compact {
  // One sample per (stack, domain, labels): counts and sizes add, so every grouping stays exact.
  const key = new Map<number | string, number>();
  const stack: number[] = [];
  const domain: number[] = [];
  const labelSet: number[] = [];
  const values: number[][] = p.valueTypes.map(() => []);
  const d = p.samples.domain;
  const labels = labelSetsOf(p);
  for (let i = 0; i < p.samples.length; i++) {
    const sd = p.samples.stack[i] * 65536 + (d ? d[i] & 0xffff : 0);
    const k = labels ? `${sd},${labels.ofSample[i]}` : sd;
    let j = key.get(k);
    if (j === undefined) {
      j = stack.length;
      key.set(k, j);
      stack.push(p.samples.stack[i]);
      domain.push(d ? d[i] : 0);
      if (labels) labelSet.push(labels.ofSample[i]);
      for (const v of values) v.push(0);
    }
    for (let t = 0; t < values.length; t++) values[t][j] += p.samples.values[t][i];
  }
  return {
    heaplens: 1,
    meta: p.meta,
    valueTypes: p.valueTypes,
    strings: p.strings,
    frames: { func: Array.from(p.frames.func), file: Array.from(p.frames.file), line: Array.from(p.frames.line), column: Array.from(p.frames.column) },
    stacks: { frame: Array.from(p.stacks.frame), parent: Array.from(p.stacks.parent) },
    samples: { stack, values, ...(d ? { domain } : {}), ...(labels ? { labelSet } : {}) },
    ...(labels ? { labelSets: labels.sets } : {}),
  };
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const FORMATS: ProfileFormat[] = ['tracemalloc', 'heapprofile', 'heapsnapshot', 'pprof'];

export function parseCompact(bytes: Uint8Array): Profile {
  const c = parseJson(bytes, 'This .heaplens.json file', 'Download it or copy the link again.') as Compact;
  const bad = (what: string): never => {
    throw new HeaplensError('corrupt', `This .heaplens.json file is damaged: ${what}.`);
  };
  if (c?.heaplens !== 1) bad('it has no "heaplens": 1 marker');
  if (!c.meta || !FORMATS.includes(c.meta.format)) bad('its format is unknown');
  // Every table must be the arrays the form writes, before anything reads them.
  const numbers = (x: unknown, what: string, length?: number): void => {
    if (!Array.isArray(x) || (length !== undefined && x.length !== length) || !x.every((v) => typeof v === 'number')) bad(`${what} is not a list of numbers${length !== undefined ? ` of ${length}` : ''}`);
  };
  if (!Array.isArray(c.strings) || !c.strings.every((v) => typeof v === 'string')) bad('its strings are not a list of strings');
  numbers(c.frames?.file, 'frames.file');
  for (const k of ['func', 'line', 'column'] as const) numbers(c.frames[k], `frames.${k}`, c.frames.file.length);
  numbers(c.stacks?.frame, 'stacks.frame');
  numbers(c.stacks.parent, 'stacks.parent', c.stacks.frame.length);
  numbers(c.samples?.stack, 'samples.stack');
  if (!Array.isArray(c.valueTypes) || !c.valueTypes.every((t) => t !== null && typeof t === 'object')) bad('its value types are not a list');
  if (!Array.isArray(c.samples.values)) bad('samples.values is not a list');
  c.samples.values.forEach((v, t) => numbers(v, `samples.values[${t}]`, c.samples.stack.length));
  if (c.samples.domain !== undefined) numbers(c.samples.domain, 'samples.domain', c.samples.stack.length);
  const nStrings = c.strings.length;
  const nFrames = c.frames.file.length;
  const nStacks = c.stacks.frame.length;
  for (const f of c.frames.file) if (!(f >= 0 && f < nStrings)) bad('a frame names a missing file');
  for (const f of c.frames.func) if (!(f >= -1 && f < nStrings)) bad('a frame names a missing function');
  c.stacks.frame.forEach((f, i) => {
    if (!(f >= 0 && f < nFrames)) bad('a stack names a missing frame');
    const p = c.stacks.parent[i];
    if (!(p >= -1 && p < i)) bad('a stack has a parent that does not come before it');
  });
  const nSamples = c.samples.stack.length;
  for (const s of c.samples.stack) if (!(s >= 0 && s < nStacks)) bad('a sample names a missing stack');
  if (c.samples.values?.length !== c.valueTypes?.length) bad('values do not match the value types');
  const labels = c.samples.labelSet ? labelTableOf(c, nStrings, bad) : undefined;
  return {
    meta: c.meta,
    valueTypes: c.valueTypes.map(upgradeValueType),
    strings: c.strings,
    frames: { func: Int32Array.from(c.frames.func), file: Int32Array.from(c.frames.file), line: Int32Array.from(c.frames.line), column: Int32Array.from(c.frames.column), length: nFrames },
    stacks: { frame: Int32Array.from(c.stacks.frame), parent: Int32Array.from(c.stacks.parent), length: nStacks },
    samples: {
      stack: Int32Array.from(c.samples.stack),
      values: c.samples.values.map((v) => Float64Array.from(v)),
      ...(c.samples.domain ? { domain: Int32Array.from(c.samples.domain) } : {}),
      ...(labels ? { labels } : {}),
      length: nSamples,
    },
  };
}

function labelTableOf(c: Compact, nStrings: number, bad: (what: string) => never): LabelTable {
  const sets = c.labelSets ?? bad('samples name label sets, and there are none');
  const ofSample = c.samples.labelSet!;
  if (ofSample.length !== c.samples.stack.length) bad('label sets do not match the samples');
  const start = new Uint32Array(ofSample.length + 1);
  let n = 0;
  for (let i = 0; i < ofSample.length; i++) {
    start[i] = n;
    const s = ofSample[i];
    if (s === -1) continue;
    if (!(Number.isInteger(s) && s >= 0 && s < sets.length)) bad('a sample names a missing label set');
    n += sets[s].length;
  }
  start[ofSample.length] = n;
  const t: LabelTable = { start, key: new Int32Array(n), str: new Int32Array(n), num: new Float64Array(n), unit: new Int32Array(n), length: n };
  let j = 0;
  const str = (x: number, none: boolean) => (Number.isInteger(x) && ((none && x === -1) || (x >= 0 && x < nStrings)) ? x : bad('a label names a missing string'));
  for (const s of ofSample) {
    if (s === -1) continue;
    for (const [key, value, num, unit] of sets[s]) {
      t.key[j] = str(key, false);
      t.str[j] = str(value, true);
      t.num[j] = typeof num === 'number' ? num : bad('a label has no number');
      t.unit[j] = str(unit, true);
      j++;
    }
  }
  return t;
}

/** Files written before value types had a kind (heaplens 0.1) name only size and count. */
function upgradeValueType(t: ValueType, _index: number, all: ValueType[]): ValueType {
  if (t.kind) return t;
  const kind = t.name === 'size' || t.unit === 'bytes' ? 'size' : t.name === 'count' ? 'count' : 'other';
  const pair = kind === 'size' && all.some((x) => x.name === 'count') ? { pair: 'count' } : {};
  return { ...t, kind, ...pair };
}
