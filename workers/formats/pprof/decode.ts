// profile.proto (google/pprof, already gunzipped) → flat tables, every field a heap profile uses.
//
// Why a hand-written decoder rather than npm `pprof-format`: on a generated Go-like heap profile
// of 220 k samples (17 MB before gzip; bench/gen_pprof.go), `BENCH_SECTIONS=pprof BENCH_RUNS=5
// npm run bench` measured decodePprof + pprofFrames at 267 + 120 ms against pprof-format's
// decode alone at 1691 ms (4.4×; medians, one run per process, alternating, 2 shared cores;
// under heavier load the ratio fell to 1.9–2.3×), peak RSS 198 MB against 316 MB.
// pprof-format builds an object per sample, label and line and goes through BigInt for
// multi-byte varints; it also returns negative int64 as huge unsigned numbers and drops
// `doc_url` and `is_folded`, which this decoder keeps.
//
// Layout: struct-of-arrays tables (samples, locations, functions) indexed from 0, with ids
// resolved to indices; variable-length lists (a sample's locations, values, labels; a
// location's lines) as CSR offsets into one typed array. String fields stay indices into
// `strings` in the tables and are resolved to text on the profile itself.
//
// Numbers: varints are exact up to 2^53. Sample values, label numbers, line numbers and times
// past ±2^53 are rounded to the nearest double (no heap or CPU profile gets there). Ids past
// 2^53 are refused with 'too-big', because rounding could merge two locations into one.
// Addresses are kept exact as two 32-bit halves; mapping bounds are bigints.

import { HeaplensError } from '../../api/errors.ts';
import { grow, Ranges, Reader, wrongWire } from './wire.ts';

export { sniff } from './sniff.ts';

export interface ValueType {
  type: string;
  unit: string;
}

export interface Mapping {
  id: number;
  memoryStart: bigint;
  memoryLimit: bigint;
  fileOffset: bigint;
  filename: string;
  buildId: string;
  hasFunctions: boolean;
  hasFilenames: boolean;
  hasLineNumbers: boolean;
  hasInlineFrames: boolean;
}

export interface SampleTable {
  length: number;
  /** Sample i's locations are location[locationStart[i] .. locationStart[i+1]), leaf first. */
  locationStart: Uint32Array;
  /** Location indices (into LocationTable), not ids. */
  location: Int32Array;
  /** Row-major: sample i's value for sample type t is values[i * sampleTypes.length + t]. */
  values: Float64Array;
  /** Sample i's labels are [labelStart[i] .. labelStart[i+1]) in the label columns. */
  labelStart: Uint32Array;
  labelKey: Int32Array;
  /** String index of a string label's value; 0 ("") for a numeric label. */
  labelStr: Int32Array;
  labelNum: Float64Array;
  /** String index of a numeric label's unit; 0 when none was written. */
  labelNumUnit: Int32Array;
}

export interface LocationTable {
  length: number;
  id: Float64Array;
  /** Index into `mappings`, -1 for none. */
  mapping: Int32Array;
  addressHi: Uint32Array;
  addressLo: Uint32Array;
  isFolded: Uint8Array;
  /** Location i's lines are [lineStart[i] .. lineStart[i+1]): inlined callee first, caller last. */
  lineStart: Uint32Array;
  /** Index into FunctionTable, -1 when the line names no function. */
  lineFunction: Int32Array;
  lineNumber: Float64Array;
  lineColumn: Float64Array;
}

export interface FunctionTable {
  length: number;
  id: Float64Array;
  name: Int32Array;
  systemName: Int32Array;
  filename: Int32Array;
  startLine: Float64Array;
}

export interface PprofProfile {
  strings: string[];
  sampleTypes: ValueType[];
  /** '' when the file does not name one (pprof then shows the last sample type). */
  defaultSampleType: string;
  samples: SampleTable;
  locations: LocationTable;
  functions: FunctionTable;
  mappings: Mapping[];
  dropFrames: string;
  keepFrames: string;
  timeNanos: number;
  durationNanos: number;
  periodType: ValueType | null;
  period: number;
  comments: string[];
  docUrl: string;
}

const utf8 = new TextDecoder();

function decodeStrings(buf: Uint8Array, ranges: Ranges): string[] {
  const out = new Array<string>(ranges.length);
  for (let i = 0; i < ranges.length; i++) {
    const s = ranges.starts[i];
    const e = ranges.ends[i];
    // Most names are short ASCII; TextDecoder's call cost dominates for those.
    let ascii = e - s <= 64;
    for (let p = s; ascii && p < e; p++) if (buf[p] >= 0x80) ascii = false;
    out[i] = ascii ? String.fromCharCode.apply(null, buf.subarray(s, e) as unknown as number[]) : utf8.decode(buf.subarray(s, e));
  }
  return out;
}

/** Id → index, dense when the ids are small (producers number from 1). */
class IdIndex {
  private dense: Int32Array | null = null;
  private map: Map<number, number> | null = null;
  constructor(ids: Float64Array, n: number, what: string) {
    let max = 0;
    for (let i = 0; i < n; i++) if (ids[i] > max) max = ids[i];
    if (max <= 4 * n + 1024) {
      const d = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        if (id === 0) throw new HeaplensError('corrupt', `This pprof profile is damaged: a ${what} has id 0.`);
        if (d[id] !== -1) throw new HeaplensError('corrupt', `This pprof profile is damaged: two ${what}s have id ${id}.`);
        d[id] = i;
      }
      this.dense = d;
    } else {
      const m = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        if (id === 0) throw new HeaplensError('corrupt', `This pprof profile is damaged: a ${what} has id 0.`);
        if (m.has(id)) throw new HeaplensError('corrupt', `This pprof profile is damaged: two ${what}s have id ${id}.`);
        m.set(id, i);
      }
      this.map = m;
    }
  }
  denseTable(): Int32Array | null {
    return this.dense;
  }
  get(id: number): number {
    if (this.dense) return id < this.dense.length ? this.dense[id] : -1;
    return this.map!.get(id) ?? -1;
  }
}

/**
 * Errors of references past the end of a table (the table's field number: 3 mappings,
 * 4 locations, 5 functions, 6 strings): damage, or a file cut between two fields.
 */
const DANGLING = new WeakMap<HeaplensError, number>();
function dangling(table: number, message: string): HeaplensError {
  const e = new HeaplensError('corrupt', message);
  DANGLING.set(e, table);
  return e;
}

export function decodePprof(buf: Uint8Array): PprofProfile {
  if (buf.length === 0) throw new HeaplensError('empty', 'This file is empty (0 bytes).');
  const r = new Reader(buf, 0, buf.length);
  const sampleTypeR = new Ranges();
  const sampleR = new Ranges();
  const mappingR = new Ranges();
  const locationR = new Ranges();
  const functionR = new Ranges();
  const stringR = new Ranges();
  let periodTypeRange: [number, number] | null = null;
  let dropFramesX = 0;
  let keepFramesX = 0;
  let timeNanos = 0;
  let durationNanos = 0;
  let period = 0;
  let defaultSampleTypeX = 0;
  let docUrlX = 0;
  const commentX: number[] = [];
  let fieldsSeen = 0;
  let lastField = 0;

  while (r.pos < r.end) {
    const at = r.pos;
    const tag = r.uint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) throw new HeaplensError(fieldsSeen === 0 ? 'not-a-profile' : 'corrupt', fieldsSeen === 0 ? 'This file is not a pprof profile (profile.proto): it does not start with a protobuf field.' : `This pprof profile is damaged: field number 0 at byte ${at}.`);
    fieldsSeen++;
    lastField = field;
    if (field <= 6) {
      if (wire !== 2) {
        if (field === 6 || fieldsSeen > 1) wrongWire(field, wire, 'the profile', at);
        throw new HeaplensError('not-a-profile', 'This file is not a pprof profile (profile.proto): its first field is not one a profile starts with.');
      }
      const end = r.lengthEnd(['', 'a sample type', 'a sample', 'a mapping', 'a location', 'a function', 'the string table'][field]);
      const start = r.pos;
      [sampleTypeR, sampleR, mappingR, locationR, functionR, stringR][field - 1].push(start, end);
      r.pos = end;
      continue;
    }
    switch (field) {
      case 11: {
        if (wire !== 2) wrongWire(field, wire, 'the profile', at);
        const end = r.lengthEnd('the period type');
        periodTypeRange = [r.pos, end];
        r.pos = end;
        break;
      }
      case 13:
        if (wire === 2) {
          const end = r.lengthEnd('the comments');
          while (r.pos < end) commentX.push(r.int());
        } else if (wire === 0) commentX.push(r.int());
        else wrongWire(field, wire, 'the profile', at);
        break;
      case 7:
      case 8:
      case 9:
      case 10:
      case 12:
      case 14:
      case 15: {
        if (wire !== 0) wrongWire(field, wire, 'the profile', at);
        const v = r.int();
        if (field === 7) dropFramesX = v;
        else if (field === 8) keepFramesX = v;
        else if (field === 9) timeNanos = v;
        else if (field === 10) durationNanos = v;
        else if (field === 12) period = v;
        else if (field === 14) defaultSampleTypeX = v;
        else docUrlX = v;
        break;
      }
      default:
        // Fields newer than this reader: skipped, as protobuf readers do.
        r.skip(wire, field);
    }
  }

  if (stringR.length === 0) {
    if (sampleTypeR.length || sampleR.length || locationR.length || periodTypeRange) {
      throw new HeaplensError('truncated', 'This pprof profile is truncated: it has no string table (producers write the string table after the samples), so it was probably cut off while being written or copied.');
    }
    throw new HeaplensError('not-a-profile', 'This file is not a pprof profile (profile.proto): it has no string table, sample types or samples.');
  }
  try {
    return resolve();
  } catch (e) {
    // A file cut between two fields reads as whole messages, and only its references break: to
    // an entry past the end of the table the file stopped in, or in a table producers write
    // after it (profile.proto's order: samples, mappings, locations, functions, strings) of
    // which nothing arrived. A complete profile never refers past its tables.
    const table = e instanceof HeaplensError ? DANGLING.get(e) : undefined;
    const tables = [null, sampleTypeR, sampleR, mappingR, locationR, functionR, stringR];
    if (table !== undefined && lastField >= 1 && lastField <= 6 && (table === lastField || (table > lastField && tables[table]!.length === 0))) {
      throw new HeaplensError('truncated', `This pprof profile is truncated: it ends inside its ${['', 'sample types', 'samples', 'mappings', 'locations', 'functions', 'string table'][lastField]} while other parts refer to entries past that point (${(e as Error).message.replace(/^This pprof profile is damaged: /, '').replace(/\.$/, '')}). It was probably cut off while being written or copied; collect or download it again.`);
    }
    throw e;
  }

  function resolve(): PprofProfile {
    const strings = decodeStrings(buf, stringR);
    if (strings[0] !== '') {
      throw new HeaplensError('corrupt', `This pprof profile is damaged: its string table must start with an empty string, and it starts with ${JSON.stringify(strings[0].slice(0, 40))}.`);
    }
    const str = (x: number, what: string): string => {
      if (x >= 0 && x < strings.length && Number.isInteger(x)) return strings[x];
      throw dangling(6, `This pprof profile is damaged: ${what} points at string ${x}, and the string table has ${strings.length}.`);
    };
    const strIndex = (x: number, what: string): number => {
      str(x, what);
      return x;
    };

    const valueType = (start: number, end: number, what: string): ValueType => {
      const m = new Reader(buf, start, end);
      let type = 0;
      let unit = 0;
      while (m.pos < m.end) {
        const at = m.pos;
        const tag = m.uint();
        const f = Math.floor(tag / 8);
        const w = tag & 7;
        if (f === 1 || f === 2) {
          if (w !== 0) wrongWire(f, w, what, at);
          if (f === 1) type = m.int();
          else unit = m.int();
        } else m.skip(w, f);
      }
      return { type: str(type, what), unit: str(unit, what) };
    };
    const sampleTypes: ValueType[] = [];
    for (let i = 0; i < sampleTypeR.length; i++) sampleTypes.push(valueType(sampleTypeR.starts[i], sampleTypeR.ends[i], 'a sample type'));
    const periodType = periodTypeRange ? valueType(periodTypeRange[0], periodTypeRange[1], 'the period type') : null;

    const functions = decodeFunctions(buf, functionR, strIndex);
    const mappings = decodeMappings(buf, mappingR, str);
    const mappingIndex = new Map(mappings.map((m, i) => [m.id, i]));
    const locations = decodeLocations(buf, locationR, new IdIndex(functions.id, functions.length, 'function'), mappingIndex);
    const samples = decodeSamples(buf, sampleR, sampleTypes.length, new IdIndex(locations.id, locations.length, 'location'), strIndex);

    return {
      strings,
      sampleTypes,
      defaultSampleType: str(defaultSampleTypeX, 'default_sample_type'),
      samples,
      locations,
      functions,
      mappings,
      dropFrames: str(dropFramesX, 'drop_frames'),
      keepFrames: str(keepFramesX, 'keep_frames'),
      timeNanos,
      durationNanos,
      periodType,
      period,
      comments: commentX.map((x) => str(x, 'a comment')),
      docUrl: str(docUrlX, 'doc_url'),
    };
  }
}

function decodeFunctions(buf: Uint8Array, ranges: Ranges, strIndex: (x: number, what: string) => number): FunctionTable {
  const n = ranges.length;
  const t: FunctionTable = {
    length: n,
    id: new Float64Array(n),
    name: new Int32Array(n),
    systemName: new Int32Array(n),
    filename: new Int32Array(n),
    startLine: new Float64Array(n),
  };
  const r = new Reader(buf, 0, 0);
  for (let i = 0; i < n; i++) {
    r.pos = ranges.starts[i];
    r.end = ranges.ends[i];
    while (r.pos < r.end) {
      const at = r.pos;
      const tag = r.uint();
      const f = Math.floor(tag / 8);
      const w = tag & 7;
      if (f >= 1 && f <= 5) {
        if (w !== 0) wrongWire(f, w, 'a function', at);
        if (f === 1) t.id[i] = r.id('function');
        else if (f === 2) t.name[i] = strIndex(r.int(), 'a function name');
        else if (f === 3) t.systemName[i] = strIndex(r.int(), 'a function system name');
        else if (f === 4) t.filename[i] = strIndex(r.int(), 'a function file name');
        else t.startLine[i] = r.int();
      } else r.skip(w, f);
    }
  }
  return t;
}

function decodeMappings(buf: Uint8Array, ranges: Ranges, str: (x: number, what: string) => string): Mapping[] {
  const out: Mapping[] = [];
  const r = new Reader(buf, 0, 0);
  const big = () => {
    r.varint64();
    return (BigInt(r.hi) << 32n) | BigInt(r.lo);
  };
  for (let i = 0; i < ranges.length; i++) {
    r.pos = ranges.starts[i];
    r.end = ranges.ends[i];
    const m: Mapping = { id: 0, memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filename: '', buildId: '', hasFunctions: false, hasFilenames: false, hasLineNumbers: false, hasInlineFrames: false };
    while (r.pos < r.end) {
      const at = r.pos;
      const tag = r.uint();
      const f = Math.floor(tag / 8);
      const w = tag & 7;
      if (f >= 1 && f <= 10) {
        if (w !== 0) wrongWire(f, w, 'a mapping', at);
        if (f === 1) m.id = r.id('mapping');
        else if (f === 2) m.memoryStart = big();
        else if (f === 3) m.memoryLimit = big();
        else if (f === 4) m.fileOffset = big();
        else if (f === 5) m.filename = str(r.int(), 'a mapping file name');
        else if (f === 6) m.buildId = str(r.int(), 'a mapping build id');
        else {
          const v = r.uint() !== 0;
          if (f === 7) m.hasFunctions = v;
          else if (f === 8) m.hasFilenames = v;
          else if (f === 9) m.hasLineNumbers = v;
          else m.hasInlineFrames = v;
        }
      } else r.skip(w, f);
    }
    if (m.id === 0) throw new HeaplensError('corrupt', 'This pprof profile is damaged: a mapping has id 0.');
    out.push(m);
  }
  if (new Set(out.map((m) => m.id)).size !== out.length) throw new HeaplensError('corrupt', 'This pprof profile is damaged: two mappings have the same id.');
  return out;
}

function decodeLocations(buf: Uint8Array, ranges: Ranges, functionIndex: IdIndex, mappingIndex: Map<number, number>): LocationTable {
  const n = ranges.length;
  const id = new Float64Array(n);
  const mapping = new Int32Array(n).fill(-1);
  const addressHi = new Uint32Array(n);
  const addressLo = new Uint32Array(n);
  const isFolded = new Uint8Array(n);
  const lineStart = new Uint32Array(n + 1);
  let lineFunction = new Int32Array(Math.max(16, n * 2));
  let lineNumber = new Float64Array(lineFunction.length);
  let lineColumn = new Float64Array(lineFunction.length);
  let lines = 0;
  const r = new Reader(buf, 0, 0);
  const lr = new Reader(buf, 0, 0);
  for (let i = 0; i < n; i++) {
    r.pos = ranges.starts[i];
    r.end = ranges.ends[i];
    lineStart[i] = lines;
    while (r.pos < r.end) {
      const at = r.pos;
      const tag = r.uint();
      const f = Math.floor(tag / 8);
      const w = tag & 7;
      if (f === 4) {
        if (w !== 2) wrongWire(f, w, 'a location', at);
        lr.end = r.lengthEnd('a line');
        lr.pos = r.pos;
        r.pos = lr.end;
        if (lines === lineFunction.length) {
          lineFunction = grow(lineFunction, lines + 1);
          lineNumber = grow(lineNumber, lines + 1);
          lineColumn = grow(lineColumn, lines + 1);
        }
        let fn = -1;
        let line = 0;
        let column = 0;
        while (lr.pos < lr.end) {
          const lat = lr.pos;
          const ltag = lr.uint();
          const lf = Math.floor(ltag / 8);
          const lw = ltag & 7;
          if (lf >= 1 && lf <= 3) {
            if (lw !== 0) wrongWire(lf, lw, 'a line', lat);
            if (lf === 1) {
              const fid = lr.id('function');
              if (fid !== 0) {
                fn = functionIndex.get(fid);
                if (fn < 0) throw dangling(5, `This pprof profile is damaged: a line names function ${fid}, which the profile does not define.`);
              }
            } else if (lf === 2) line = lr.int();
            else column = lr.int();
          } else lr.skip(lw, lf);
        }
        lineFunction[lines] = fn;
        lineNumber[lines] = line;
        lineColumn[lines] = column;
        lines++;
      } else if (f >= 1 && f <= 5) {
        if (w !== 0) wrongWire(f, w, 'a location', at);
        if (f === 1) id[i] = r.id('location');
        else if (f === 2) {
          const mid = r.id('mapping');
          if (mid !== 0) {
            const m = mappingIndex.get(mid);
            if (m === undefined) throw dangling(3, `This pprof profile is damaged: a location names mapping ${mid}, which the profile does not define.`);
            mapping[i] = m;
          }
        } else if (f === 3) {
          r.varint64();
          addressHi[i] = r.hi;
          addressLo[i] = r.lo;
        } else isFolded[i] = r.uint() !== 0 ? 1 : 0;
      } else r.skip(w, f);
    }
  }
  lineStart[n] = lines;
  return { length: n, id, mapping, addressHi, addressLo, isFolded, lineStart, lineFunction, lineNumber, lineColumn };
}

function decodeSamples(buf: Uint8Array, ranges: Ranges, types: number, locationIndex: IdIndex, strIndex: (x: number, what: string) => number): SampleTable {
  const n = ranges.length;
  const locationStart = new Uint32Array(n + 1);
  const labelStart = new Uint32Array(n + 1);
  const values = new Float64Array(n * types);
  let location = new Int32Array(Math.max(16, n * 8));
  let locs = 0;
  let labelKey = new Int32Array(16);
  let labelStr = new Int32Array(16);
  let labelNum = new Float64Array(16);
  let labelNumUnit = new Int32Array(16);
  let labels = 0;
  const r = new Reader(buf, 0, 0);
  const dense = locationIndex.denseTable();
  const addLocation = (id: number) => {
    const li = locationIndex.get(id);
    if (li < 0) throw dangling(4, `This pprof profile is damaged: a sample names location ${id}, which the profile does not define.`);
    if (locs === location.length) location = grow(location, locs + 1);
    location[locs++] = li;
  };
  for (let i = 0; i < n; i++) {
    r.pos = ranges.starts[i];
    r.end = ranges.ends[i];
    locationStart[i] = locs;
    labelStart[i] = labels;
    const row = i * types;
    let nv = 0;
    while (r.pos < r.end) {
      const at = r.pos;
      const tag = r.uint();
      const f = Math.floor(tag / 8);
      const w = tag & 7;
      if (f === 1) {
        if (w === 2) {
          const end = r.lengthEnd('the locations of a sample');
          if (location.length < locs + (end - r.pos)) location = grow(location, locs + (end - r.pos));
          // Inlined rather than addLocation: this loop runs once per frame of every sample.
          while (r.pos < end) {
            const id = r.uint();
            const li = dense !== null && id < dense.length ? dense[id] : locationIndex.get(id);
            if (li < 0) addLocation(id);
            else location[locs++] = li;
          }
        } else if (w === 0) addLocation(r.uint());
        else wrongWire(f, w, 'a sample', at);
      } else if (f === 2) {
        if (w === 2) {
          const end = r.lengthEnd('the values of a sample');
          while (r.pos < end) {
            const v = r.int();
            if (nv < types) values[row + nv] = v;
            nv++;
          }
        } else if (w === 0) {
          const v = r.int();
          if (nv < types) values[row + nv] = v;
          nv++;
        } else wrongWire(f, w, 'a sample', at);
      } else if (f === 3) {
        if (w !== 2) wrongWire(f, w, 'a sample', at);
        const end = r.lengthEnd('a label');
        const outer = r.end;
        r.end = end;
        let key = 0;
        let s = 0;
        let num = 0;
        let unit = 0;
        while (r.pos < end) {
          const lat = r.pos;
          const ltag = r.uint();
          const lf = Math.floor(ltag / 8);
          const lw = ltag & 7;
          if (lf >= 1 && lf <= 4) {
            if (lw !== 0) wrongWire(lf, lw, 'a label', lat);
            if (lf === 1) key = strIndex(r.int(), 'a label key');
            else if (lf === 2) s = strIndex(r.int(), 'a label value');
            else if (lf === 3) num = r.int();
            else unit = strIndex(r.int(), 'a label unit');
          } else r.skip(lw, lf);
        }
        r.end = outer;
        if (labels === labelKey.length) {
          labelKey = grow(labelKey, labels + 1);
          labelStr = grow(labelStr, labels + 1);
          labelNum = grow(labelNum, labels + 1);
          labelNumUnit = grow(labelNumUnit, labels + 1);
        }
        labelKey[labels] = key;
        labelStr[labels] = s;
        labelNum[labels] = num;
        labelNumUnit[labels] = unit;
        labels++;
      } else r.skip(w, f);
    }
    if (nv !== types) {
      throw new HeaplensError('corrupt', `This pprof profile is damaged: sample ${i} has ${nv} values, and the profile declares ${types} sample types.`);
    }
  }
  locationStart[n] = locs;
  labelStart[n] = labels;
  return {
    length: n,
    locationStart,
    location: location.subarray(0, locs),
    values,
    labelStart,
    labelKey: labelKey.subarray(0, labels),
    labelStr: labelStr.subarray(0, labels),
    labelNum: labelNum.subarray(0, labels),
    labelNumUnit: labelNumUnit.subarray(0, labels),
  };
}
