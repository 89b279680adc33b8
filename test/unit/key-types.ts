// tracemalloc's key types (and cumulative flag) as heaplens queries, for the equivalence tests.
import type { GroupBy, Mode } from '../../workers/api/types.ts';

export const KEY_TYPES: Record<string, { by: GroupBy; mode: Mode }> = {
  lineno: { by: 'line', mode: 'self' },
  filename: { by: 'file', mode: 'self' },
  traceback: { by: 'traceback', mode: 'self' },
  lineno_cumulative: { by: 'line', mode: 'cumulative' },
  filename_cumulative: { by: 'file', mode: 'cumulative' },
};
