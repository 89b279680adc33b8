// Numbers and sources as the terminal shows them.
import { readFile } from 'node:fs/promises';

/** Sizes as tracemalloc prints them (`_format_size`): 10 units and up without decimals. */
export function formatSize(size: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let s = size;
  for (const unit of units) {
    if (Math.abs(s) < 100 && unit !== 'B') return `${s.toFixed(1)} ${unit}`;
    if (Math.abs(s) < 10 * 1024 || unit === 'TiB') return `${Math.round(s)} ${unit}`;
    s /= 1024;
  }
  return `${size} B`;
}

/** Nanoseconds as people read a duration: 850ms, 1.91s, 12µs. */
export function formatDuration(ns: number): string {
  const a = Math.abs(ns);
  const [div, unit] = a >= 1e9 ? [1e9, 's'] : a >= 1e6 ? [1e6, 'ms'] : a >= 1e3 ? [1e3, 'µs'] : [1, 'ns'];
  const v = ns / div;
  return `${Number.isInteger(v) ? v : v.toFixed(Math.abs(v) < 10 ? 2 : 1)}${unit}`;
}

/** A value of a sample type in its unit: bytes as sizes, nanoseconds as durations, others as counts. */
export function formatValue(n: number, unit: string): string {
  if (unit === 'bytes') return formatSize(n);
  if (unit === 'nanoseconds') return formatDuration(n);
  return `${count(n)}${unit && unit !== 'count' ? ` ${unit}` : ''}`;
}

/** What a count counts, in words: pprof's unit "count" of alloc_objects means objects. */
export const countWord = (unit: string) => (unit === 'count' ? 'objects' : unit);

/** A sample type's values by name: `{inuse_space: 1024, inuse_objects: 3}` (the CLI's JSON). */
export function valuesByName(types: { name: string }[], values: number[]): Record<string, number> {
  return Object.fromEntries(types.map((t, i) => [t.name, values[i]]));
}

export function signed(n: number, format: (x: number) => string): string {
  return `${n >= 0 ? '+' : '-'}${format(Math.abs(n))}`;
}

/**
 * 1234567 → "1,234,567", as toLocaleString('en-US') writes it. Whole numbers are grouped by
 * hand: the first toLocaleString call of a process loads ICU's locale data, 20 ms here, which
 * was a tenth of a whole `heaplens top`.
 */
export const count = (n: number): string =>
  Number.isSafeInteger(n) && !Object.is(n, -0) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : n.toLocaleString('en-US');

/** "1048576", "1M", "1.5GiB" → bytes; null when it is not a size. */
export function parseBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) return null;
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return Math.round(Number(m[1]) * scale);
}

export const GROUP_WORDS: Record<string, string> = { file: 'files', line: 'lines', function: 'functions', traceback: 'tracebacks' };

const sourceCache = new Map<string, string[] | null>();

/** A line of a source file, when the file exists here (tracemalloc's own output shows it). */
export async function sourceLine(file: string, line: number | null): Promise<string | null> {
  if (line === null || line < 1) return null;
  if (!sourceCache.has(file)) {
    sourceCache.set(file, await readFile(file, 'utf8').then((t) => t.split('\n'), () => null));
  }
  return sourceCache.get(file)?.[line - 1]?.trim() || null;
}

/** A class name cut to a column's width. */
export const clipName = (name: string, width = 40) => (name.length > width ? `${name.slice(0, width - 1)}…` : name);
