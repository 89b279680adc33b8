// tracemalloc.Filter / DomainFilter semantics, applied to the neutral profile.
//
// A trace passes when (there are no include filters or it matches one of them) and it matches
// every exclude filter's own test — exactly Snapshot._filter_trace in Lib/tracemalloc.py.
// Label filters (pprof's -tagfocus / -tagignore) are a further condition each sample must meet.

import { HeaplensError } from '../api/errors.ts';
import type { LabelFilter, TraceFilter } from '../api/types.ts';
import type { Profile } from '../model/profile.ts';

/** fnmatch.translate for POSIX: `*` crosses `/`, `[!x]` negates, everything else literal. */
export function fnmatchToRegExp(pattern: string): RegExp {
  let out = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i++];
    if (c === '*') {
      while (pattern[i] === '*') i++;
      out += '[\\s\\S]*';
    } else if (c === '?') {
      out += '[\\s\\S]';
    } else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) {
        out += '\\[';
      } else {
        let body = pattern.slice(i, j);
        i = j + 1;
        let negate = false;
        if (body.startsWith('!')) {
          negate = true;
          body = body.slice(1);
        }
        // Inside a class only `\`, `]` and a leading `^` are special in a JS RegExp.
        body = body.replace(/[\\\]]/g, '\\$&');
        if (!negate && body.startsWith('^')) body = '\\' + body;
        if (body === '' && !negate) out += '(?!)';
        else if (body === '' && negate) out += '[\\s\\S]';
        else out += negate ? `[^${body}]` : `[${body}]`;
      }
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`, 'u');
}

/** tracemalloc._normalize_filename on POSIX: a trailing `.pyc` names its `.py`. */
function normalizeFilename(name: string): string {
  return name.endsWith('.pyc') ? name.slice(0, -1) : name;
}

interface CompiledFilter {
  inclusive: boolean;
  domain: number | null;
  /** Per stack: does the filter's frame test (pattern + line) hold for the innermost frame / any frame? null for DomainFilter. */
  innermost: Uint8Array | null;
  anyFrame: Uint8Array | null;
  allFrames: boolean;
}

function compile(profile: Profile, f: TraceFilter): CompiledFilter {
  const domain = f.domain ?? null;
  if (f.pattern === undefined || f.pattern === null) {
    if (domain === null) throw new HeaplensError('unsupported-query', 'A filter needs a file pattern or a domain.');
    return { inclusive: f.inclusive, domain, innermost: null, anyFrame: null, allFrames: false };
  }
  const re = fnmatchToRegExp(normalizeFilename(f.pattern));
  const { frames, stacks, strings } = profile;
  const fileMatches = new Int8Array(strings.length).fill(-1);
  const frameMatch = new Uint8Array(frames.length);
  const line = f.line ?? null;
  for (let fr = 0; fr < frames.length; fr++) {
    const file = frames.file[fr];
    if (fileMatches[file] < 0) fileMatches[file] = re.test(normalizeFilename(strings[file])) ? 1 : 0;
    frameMatch[fr] = fileMatches[file] === 1 && (line === null || frames.line[fr] === line) ? 1 : 0;
  }
  const innermost = new Uint8Array(stacks.length);
  const anyFrame = new Uint8Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const m = frameMatch[stacks.frame[s]];
    innermost[s] = m;
    const p = stacks.parent[s];
    anyFrame[s] = m | (p >= 0 ? anyFrame[p] : 0);
  }
  return { inclusive: f.inclusive, domain, innermost, anyFrame, allFrames: !!f.allFrames };
}

/** Filter._match / DomainFilter._match: whether a trace passes this one filter. */
function passes(f: CompiledFilter, stack: number, domain: number): boolean {
  if (!f.innermost) return (domain === f.domain) === f.inclusive;
  const hit = (f.allFrames ? f.anyFrame! : f.innermost)[stack] === 1;
  const res = hit === f.inclusive;
  if (f.domain === null) return res;
  return f.inclusive ? res && domain === f.domain : res || domain !== f.domain;
}

/**
 * Per sample: 1 when it has a label matching `f` (pprof's -tagfocus: a string value matching one
 * of the patterns, a number in one of the ranges; only the key when neither is given).
 */
function labelMatches(profile: Profile, f: LabelFilter): Uint8Array {
  const labels = profile.samples.labels;
  const { strings } = profile;
  const keys = new Set<number>();
  if (labels) for (let j = 0; j < labels.length; j++) if (strings[labels.key[j]] === f.key) keys.add(labels.key[j]);
  if (keys.size === 0) {
    const have = labels ? [...new Set(Array.from(labels.key, (k) => strings[k]))].sort() : [];
    throw new HeaplensError(
      'unsupported-query',
      have.length
        ? `This profile has no label "${f.key}"; its samples carry ${have.map((k) => `"${k}"`).join(', ')}.`
        : `This ${profile.meta.format} profile has no sample labels, so "tag:${f.key}" matches nothing.`,
    );
  }
  const patterns = f.values?.map((v) => fnmatchToRegExp(v)) ?? null;
  const strMatch = new Map<number, boolean>();
  const out = new Uint8Array(profile.samples.length);
  const { start, key, str, num } = labels!;
  for (let i = 0; i < out.length; i++) {
    for (let j = start[i]; j < start[i + 1] && out[i] === 0; j++) {
      if (!keys.has(key[j])) continue;
      let hit: boolean;
      if (str[j] >= 0) {
        let m = strMatch.get(str[j]);
        if (m === undefined) strMatch.set(str[j], (m = !patterns || patterns.some((re) => re.test(strings[str[j]]))));
        hit = m;
      } else {
        hit = !patterns || (f.ranges ?? []).some(([lo, hi]) => (lo === null || num[j] >= lo) && (hi === null || num[j] <= hi));
      }
      if (hit) out[i] = 1;
    }
  }
  return out;
}

/** 1 for each sample that passes the filters, or null when there are none (all pass). */
export function sampleMask(profile: Profile, filters: TraceFilter[] | undefined): Uint8Array | null {
  if (!filters || filters.length === 0) return null;
  const labelFilters = filters.filter((f) => f.label);
  if (labelFilters.length) {
    // Label words stand apart from tracemalloc's include/exclude rule: each must hold.
    const rest = sampleMask(profile, filters.filter((f) => !f.label));
    const mask = rest ?? new Uint8Array(profile.samples.length).fill(1);
    for (const f of labelFilters) {
      const m = labelMatches(profile, f.label!);
      for (let i = 0; i < mask.length; i++) if (m[i] !== (f.inclusive ? 1 : 0)) mask[i] = 0;
    }
    return mask;
  }
  for (const f of filters) {
    if (f.domain !== undefined && f.domain !== null && !profile.samples.domain) {
      throw new HeaplensError('unsupported-query', `Domain filters need a tracemalloc snapshot; this ${profile.meta.format} profile has no domains.`);
    }
  }
  const compiled = filters.map((f) => compile(profile, f));
  const include = compiled.filter((f) => f.inclusive);
  const exclude = compiled.filter((f) => !f.inclusive);
  const { stack, domain, length } = profile.samples;
  const mask = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const s = stack[i];
    const d = domain ? domain[i] : 0;
    let ok = include.length === 0;
    for (let k = 0; !ok && k < include.length; k++) ok = passes(include[k], s, d);
    for (let k = 0; ok && k < exclude.length; k++) ok = passes(exclude[k], s, d);
    mask[i] = ok ? 1 : 0;
  }
  return mask;
}
