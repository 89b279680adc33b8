// The filter box: a few words that become tracemalloc.Filter / DomainFilter objects.
//   *tornado*          keep traces whose innermost frame's file matches (fnmatch)
//   !<frozen*  -x.py   drop them instead
//   server.py:11       only that line of that file
//   all:*tornado*      match any frame of the traceback, not just the innermost
//   domain:0  !domain:0
import type { TraceFilter } from '../../workers/api/types.ts';

export interface ParsedFilters {
  filters: TraceFilter[];
  error: string | null;
}

export function parseFilters(text: string): ParsedFilters {
  const filters: TraceFilter[] = [];
  for (const raw of text.trim().split(/\s+/).filter(Boolean)) {
    let word = raw;
    let inclusive = true;
    if (word.startsWith('!') || word.startsWith('-')) {
      inclusive = false;
      word = word.slice(1);
    }
    const domain = /^domain:(\d+)$/.exec(word);
    if (domain) {
      filters.push({ inclusive, domain: Number(domain[1]) });
      continue;
    }
    let allFrames = false;
    if (word.startsWith('all:')) {
      allFrames = true;
      word = word.slice(4);
    }
    const withLine = /^(.*):(\d+)$/.exec(word);
    const pattern = withLine ? withLine[1] : word;
    if (!pattern) return { filters: [], error: `"${raw}" has no file pattern` };
    // A bare name like "server.py" means "a file called that anywhere", as people expect.
    const full = /[*?[/<]/.test(pattern) ? pattern : `*${pattern}`;
    filters.push({ inclusive, pattern: full, line: withLine ? Number(withLine[2]) : null, allFrames });
  }
  return { filters, error: null };
}
