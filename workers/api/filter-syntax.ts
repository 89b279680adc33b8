// The filter language of the UI's filter box and the CLI's --include/--exclude: words that
// become tracemalloc.Filter / DomainFilter objects. One parser for both, so a filter copied
// from the page to a terminal means the same thing.
//   *tornado*          keep traces whose innermost frame's file matches (fnmatch)
//   !<frozen*  -x.py   drop them instead
//   server.py:11       only that line of that file
//   all:*tornado*      match any frame of the traceback, not just the innermost
//   domain:0  !domain:0
import type { TraceFilter } from './types.ts';

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
