// The frames of a decoded pprof profile, with its drop_frames/keep_frames applied as
// `go tool pprof` applies them (google/pprof profile/prune.go, run from
// internal/driver/fetch.go on every profile it reads): plain tables for the importer.
//
// - A location's lines are its inlined frames, callee first and the caller last; the tables
//   here list them outermost first.
// - A line without a function (or a location without lines) is an unsymbolized frame, named
//   `0x4a3f10 (file)` after the location's address and its mapping's file.
// - Pruning, as pprof does it: function names are cut at their first "(" (argument lists;
//   "(anonymous namespace)" and "operator()" excepted) and matched against ^(drop_frames)$;
//   names that also match ^(keep_frames)$ stay. In a location, the outermost matching line
//   and everything inlined into it go; a location whose outermost line matches goes whole.
//   In each sample, scanning from the root, nothing is cut before the first frame that does
//   not match; then the first matching location cuts the stack: a location that went whole
//   is cut with everything beneath it, a partly pruned one stays as the new leaf.

import type { PprofProfile } from './decode.ts';

export interface FrameTable {
  length: number;
  /** String indices (into profile.strings), canonical: equal strings get one index. 0 = "". */
  name: Int32Array;
  systemName: Int32Array;
  file: Int32Array;
  line: Float64Array;
  column: Float64Array;
  startLine: Float64Array;
  /** 1 for a frame with no function: then `mapping` and the address say where it is. */
  unsymbolized: Uint8Array;
  /** Mapping index of the frame's location, -1 for none. */
  mapping: Int32Array;
  addressHi: Uint32Array;
  addressLo: Uint32Array;
  /** What to show: the function name, or `0x4a3f10 (file)` for an unsymbolized frame. */
  label: string[];
}

export interface PprofFrames {
  frames: FrameTable;
  /** Location i's frames after pruning: locationFrame[locationFrameStart[i] .. [i+1]), outermost first. */
  locationFrameStart: Uint32Array;
  locationFrame: Int32Array;
  /** 1 where that frame is inlined into the frame before it (its caller in the same location). */
  locationFrameInlined: Uint8Array;
  /**
   * Sample i's stack after pruning is its locations from samples.locationStart[i] + leafCut[i]
   * to samples.locationStart[i + 1] (leaf first, as in the file).
   */
  leafCut: Uint32Array;
  /** Why drop_frames/keep_frames were not applied ('' when they were, or when there are none). */
  pruneWarning: string;
}

const RESERVED = /\(anonymous namespace\)|operator\(\)|\(/g;

/** pprof's simplifyFunc: the name without a leading "." (PPC64 ELFv1) and its argument list. */
export function simplifyFunctionName(name: string): string {
  const f = name.startsWith('.') ? name.slice(1) : name;
  RESERVED.lastIndex = 0;
  for (let m = RESERVED.exec(f); m; m = RESERVED.exec(f)) {
    if (m[0] === '(') return f.slice(0, m.index);
  }
  return f;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/**
 * A Go (RE2) pattern as a JavaScript RegExp matching whole names, or an error text. Covers what
 * drop_frames patterns use (alternations, classes, `\.`), plus RE2's `(?P<name>`, leading flag
 * groups, `\A`/`\z`, `\Q…\E`, `[[:alpha:]]` and `\pL`.
 */
export function wholeNameRegExp(pattern: string): RegExp | string {
  let flags = '';
  let src = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1].includes('U')) return `the flag (?U) in ${JSON.stringify(pattern)} has no JavaScript equivalent`;
    flags = [...new Set(lead[1])].join('');
    src = src.slice(lead[0].length);
  }
  src = src
    .replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, lit: string) => lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
    .replace(/\(\?P</g, '(?<')
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, neg: string, cls: string) => (POSIX_CLASSES[cls] && !neg ? POSIX_CLASSES[cls] : whole))
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$')
    .replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}');
  const anchored = `^(?:${src})$`;
  try {
    return new RegExp(anchored, `${flags}u`);
  } catch {
    try {
      return new RegExp(anchored, flags);
    } catch (e) {
      return `${JSON.stringify(pattern)} is not a pattern JavaScript can run (${(e as Error).message})`;
    }
  }
}

function hex(hi: number, lo: number): string {
  return hi ? hi.toString(16) + lo.toString(16).padStart(8, '0') : lo.toString(16);
}

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function pprofFrames(p: PprofProfile): PprofFrames {
  const { strings, locations: loc, functions: fn, samples } = p;

  // Equal strings share one index, so frames key on indices and names compare as numbers.
  const canon = new Int32Array(strings.length);
  {
    const first = new Map<string, number>();
    for (let i = 0; i < strings.length; i++) {
      const seen = first.get(strings[i]);
      if (seen === undefined) first.set(strings[i], i);
      canon[i] = seen ?? i;
    }
  }

  // --- drop_frames / keep_frames -----------------------------------------------------------
  let drop: RegExp | null = null;
  let keep: RegExp | null = null;
  let pruneWarning = '';
  if (p.dropFrames !== '') {
    const d = wholeNameRegExp(p.dropFrames);
    const k = p.keepFrames !== '' ? wholeNameRegExp(p.keepFrames) : null;
    // pprof ignores both when either fails to compile (RemoveUninteresting's error is dropped).
    if (typeof d === 'string') pruneWarning = `drop_frames not applied: ${d}`;
    else if (typeof k === 'string') pruneWarning = `drop_frames not applied: keep_frames ${k}`;
    else {
      drop = d;
      keep = k;
    }
  }
  const nLoc = loc.length;
  // Per location: the first line (callee side) that survives, and whether the location is
  // pruned whole (2) or from a line inside it (1).
  const firstLine = new Uint32Array(nLoc);
  const pruned = new Uint8Array(nLoc);
  for (let i = 0; i < nLoc; i++) firstLine[i] = loc.lineStart[i];
  if (drop) {
    const verdict = new Map<number, boolean>();
    const prunes = (nameX: number): boolean => {
      let v = verdict.get(nameX);
      if (v === undefined) {
        const name = simplifyFunctionName(strings[nameX]);
        v = drop.test(name) && !(keep && keep.test(name));
        verdict.set(nameX, v);
      }
      return v;
    };
    for (let i = 0; i < nLoc; i++) {
      const a = loc.lineStart[i];
      const b = loc.lineStart[i + 1];
      for (let l = b - 1; l >= a; l--) {
        const f = loc.lineFunction[l];
        if (f < 0) continue;
        const nameX = canon[fn.name[f]];
        if (nameX === 0 || !prunes(nameX)) continue;
        if (l === b - 1) pruned[i] = 2;
        else {
          pruned[i] = 1;
          firstLine[i] = l + 1;
        }
        break;
      }
    }
  }
  const leafCut = new Uint32Array(samples.length);
  if (drop) {
    const { locationStart, location } = samples;
    for (let s = 0; s < samples.length; s++) {
      const start = locationStart[s];
      let foundUser = false;
      for (let j = locationStart[s + 1] - 1; j >= start; j--) {
        const how = pruned[location[j]];
        if (how === 0) {
          foundUser = true;
          continue;
        }
        if (!foundUser) continue;
        leafCut[s] = (how === 2 ? j + 1 : j) - start;
        break;
      }
    }
  }

  // --- unique frames -------------------------------------------------------------------------
  let cap = Math.max(16, nLoc);
  let t = newFrameTable(cap);
  const label: string[] = [];
  let n = 0;
  const byKey = new Map<string, number>();
  const frameOf = (l: number, i: number): number => {
    const f = l < 0 ? -1 : loc.lineFunction[l];
    let key: string;
    if (f < 0) key = `@${loc.mapping[i]}:${loc.addressHi[i]}:${loc.addressLo[i]}`;
    else {
      key = `${canon[fn.name[f]]}:${canon[fn.systemName[f]]}:${canon[fn.filename[f]]}:${loc.lineNumber[l]}:${loc.lineColumn[l]}:${fn.startLine[f]}`;
    }
    const known = byKey.get(key);
    if (known !== undefined) return known;
    if (n === cap) {
      cap *= 2;
      t = growFrameTable(t, cap);
    }
    t.mapping[n] = loc.mapping[i];
    t.addressHi[n] = loc.addressHi[i];
    t.addressLo[n] = loc.addressLo[i];
    if (f < 0) {
      t.unsymbolized[n] = 1;
      const m = loc.mapping[i] >= 0 ? p.mappings[loc.mapping[i]] : null;
      const addr = loc.addressHi[i] || loc.addressLo[i] ? `0x${hex(loc.addressHi[i], loc.addressLo[i])}` : '<unknown>';
      label.push(m && m.filename ? `${addr} (${basename(m.filename)})` : addr);
    } else {
      t.name[n] = canon[fn.name[f]];
      t.systemName[n] = canon[fn.systemName[f]];
      t.file[n] = canon[fn.filename[f]];
      t.line[n] = loc.lineNumber[l];
      t.column[n] = loc.lineColumn[l];
      t.startLine[n] = fn.startLine[f];
      label.push(strings[t.name[n]]);
    }
    byKey.set(key, n);
    return n++;
  };

  const locationFrameStart = new Uint32Array(nLoc + 1);
  let total = 0;
  for (let i = 0; i < nLoc; i++) total += Math.max(1, loc.lineStart[i + 1] - firstLine[i]);
  const locationFrame = new Int32Array(total);
  const locationFrameInlined = new Uint8Array(total);
  let k = 0;
  for (let i = 0; i < nLoc; i++) {
    locationFrameStart[i] = k;
    const a = firstLine[i];
    const b = loc.lineStart[i + 1];
    if (a === b) {
      locationFrame[k++] = frameOf(-1, i);
      continue;
    }
    for (let l = b - 1; l >= a; l--) {
      locationFrameInlined[k] = l === b - 1 ? 0 : 1;
      locationFrame[k++] = frameOf(l, i);
    }
  }
  locationFrameStart[nLoc] = k;

  const frames = sliceFrameTable(t, n, label);
  return { frames, locationFrameStart, locationFrame, locationFrameInlined, leafCut, pruneWarning };
}

function newFrameTable(cap: number): FrameTable {
  return {
    length: 0,
    name: new Int32Array(cap),
    systemName: new Int32Array(cap),
    file: new Int32Array(cap),
    line: new Float64Array(cap),
    column: new Float64Array(cap),
    startLine: new Float64Array(cap),
    unsymbolized: new Uint8Array(cap),
    mapping: new Int32Array(cap),
    addressHi: new Uint32Array(cap),
    addressLo: new Uint32Array(cap),
    label: [],
  };
}

function growFrameTable(t: FrameTable, cap: number): FrameTable {
  const g = newFrameTable(cap);
  for (const key of ['name', 'systemName', 'file', 'line', 'column', 'startLine', 'unsymbolized', 'mapping', 'addressHi', 'addressLo'] as const) {
    (g[key] as { set(a: ArrayLike<number>): void }).set(t[key]);
  }
  return g;
}

function sliceFrameTable(t: FrameTable, n: number, label: string[]): FrameTable {
  return {
    length: n,
    name: t.name.slice(0, n),
    systemName: t.systemName.slice(0, n),
    file: t.file.slice(0, n),
    line: t.line.slice(0, n),
    column: t.column.slice(0, n),
    startLine: t.startLine.slice(0, n),
    unsymbolized: t.unsymbolized.slice(0, n),
    mapping: t.mapping.slice(0, n),
    addressHi: t.addressHi.slice(0, n),
    addressLo: t.addressLo.slice(0, n),
    label,
  };
}
