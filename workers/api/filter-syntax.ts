// The filter language of the UI's filter box and the CLI's --include/--exclude: words that
// become tracemalloc.Filter / DomainFilter objects. One parser for both, so a filter copied
// from the page to a terminal means the same thing.
//   *tornado*          keep traces whose innermost frame's file matches (fnmatch)
//   !<frozen*  -x.py   drop them instead
//   server.py:11       only that line of that file
//   all:*tornado*      match any frame of the traceback, not just the innermost
//   domain:0  !domain:0
//   tag:worker=alpha   a sample label (pprof): that value (fnmatch; v1,v2 for either), tag:key
//                      for any value, tag:bytes=1kb:64kb a numeric range (kb = 1024 as pprof);
//                      !tag:… drops them. Label words must each hold (pprof's -tagfocus).
import type { LabelFilter, TraceFilter } from './types.ts';

const SIZE_UNITS: Record<string, number> = { b: 1, byte: 1, bytes: 1, kb: 2 ** 10, kib: 2 ** 10, mb: 2 ** 20, mib: 2 ** 20, gb: 2 ** 30, gib: 2 ** 30, tb: 2 ** 40, tib: 2 ** 40 };
const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** "4096", "4kb", "1.5ms" → a number (sizes in bytes, times in nanoseconds); null otherwise. */
export function parseLabelNumber(text: string): number | null {
  const m = /^(-?\d+(?:\.\d+)?)([a-zµ]*)$/i.exec(text.trim());
  if (!m) return null;
  const unit = m[2].toLowerCase();
  const scale = unit === '' ? 1 : (SIZE_UNITS[unit] ?? TIME_UNITS[unit]);
  return scale === undefined ? null : Number(m[1]) * scale;
}

/** `4kb`, `1kb:4kb`, `:64kb`, `4mb:` → [low, high]; null when it is not a number or range. */
function parseRange(spec: string): [number | null, number | null] | null {
  const parts = spec.split(':');
  if (parts.length > 2) return null;
  if (parts.length === 1) {
    const n = parseLabelNumber(spec);
    return n === null ? null : [n, n];
  }
  const [a, b] = parts.map((x) => (x === '' ? null : parseLabelNumber(x)));
  if ((parts[0] !== '' && a === null) || (parts[1] !== '' && b === null) || (a === null && b === null)) return null;
  return [a, b];
}

/** `key`, `key=v1,v2`, `key=1kb:4kb` (after `tag:`) → a label filter, or why not. */
export function parseLabelSpec(text: string): LabelFilter | string {
  const eq = text.indexOf('=');
  const key = eq < 0 ? text : text.slice(0, eq);
  if (!key) return `"tag:${text}" names no label (tag:key or tag:key=value)`;
  if (eq < 0) return { key };
  const specs = text.slice(eq + 1).split(',');
  if (specs.some((v) => v === '')) return `"tag:${text}" has an empty value`;
  const ranges = specs.map(parseRange).filter((r) => r !== null);
  return { key, values: specs, ...(ranges.length ? { ranges } : {}) };
}

export interface ParsedFilters {
  filters: TraceFilter[];
  error: string | null;
}

/**
 * One word of the language. `inclusive` is the word's default sense: the filter box keeps
 * (a leading `!` or `-` drops), the CLI's --exclude drops.
 */
export function parseFilterWord(raw: string, inclusive = true): TraceFilter | string {
  let word = raw;
  if (word.startsWith('!') || word.startsWith('-')) {
    inclusive = !inclusive;
    word = word.slice(1);
  }
  const domain = /^domain:(\d+)$/.exec(word);
  if (domain) return { inclusive, domain: Number(domain[1]) };
  if (word.startsWith('tag:')) {
    const label = parseLabelSpec(word.slice(4));
    return typeof label === 'string' ? label : { inclusive, label };
  }
  let allFrames = false;
  if (word.startsWith('all:')) {
    allFrames = true;
    word = word.slice(4);
  }
  const withLine = /^(.*):(\d+)$/.exec(word);
  const pattern = withLine ? withLine[1] : word;
  if (!pattern) return `"${raw}" has no file pattern`;
  // A bare name like "server.py" means "a file called that anywhere", as people expect: the
  // paths tracemalloc and V8 record are absolute.
  const full = /[*?[/<]/.test(pattern) ? pattern : `*${pattern}`;
  return { inclusive, pattern: full, line: withLine ? Number(withLine[2]) : null, allFrames };
}

/** The filter box: words separated by spaces. */
export function parseFilters(text: string): ParsedFilters {
  const filters: TraceFilter[] = [];
  for (const raw of text.trim().split(/\s+/).filter(Boolean)) {
    const f = parseFilterWord(raw);
    if (typeof f === 'string') return { filters: [], error: f };
    filters.push(f);
  }
  return { filters, error: null };
}
