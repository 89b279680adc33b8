// Numbers as people read them: sizes in binary units like tracemalloc prints them.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** null: a size that was not computed (a heap snapshot opened without retained sizes): "—". */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return NOT_COMPUTED;
  let s = Math.abs(bytes);
  let u = 0;
  while (s >= 1024 && u < UNITS.length - 1) {
    s /= 1024;
    u++;
  }
  const digits = u === 0 ? 0 : s < 10 ? 2 : s < 100 ? 1 : 0;
  return `${bytes < 0 ? MINUS : ''}${s.toFixed(digits)} ${UNITS[u]}`;
}

/** What a size that was not computed shows (never 0, which would say "nothing"). */
export const NOT_COMPUTED = '—';

/** One minus sign for every negative number on the page (U+2212, as wide as +). */
export const MINUS = '−';

export function formatSigned(bytes: number): string {
  return `${bytes > 0 ? '+' : bytes < 0 ? MINUS : '±'}${formatSize(Math.abs(bytes))}`;
}

const intFormat = new Intl.NumberFormat('en-US');
export function formatCount(n: number): string {
  return `${n < 0 ? MINUS : ''}${intFormat.format(Math.abs(n))}`;
}

/** A change in a count: +12, −3, ±0. */
export function formatSignedCount(n: number): string {
  return `${n > 0 ? '+' : n < 0 ? MINUS : '±'}${intFormat.format(Math.abs(n))}`;
}

/** A moment as people read it, in their own locale: "1 Dec 2026, 21:50". */
export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Nanoseconds as a duration: 850 ms, 1.91 s, 12 µs. */
export function formatDuration(ns: number): string {
  const a = Math.abs(ns);
  const [div, unit] = a >= 1e9 ? [1e9, 's'] : a >= 1e6 ? [1e6, 'ms'] : a >= 1e3 ? [1e3, 'µs'] : [1, 'ns'];
  const v = a / div;
  const digits = div === 1 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0;
  return `${ns < 0 ? '-' : ''}${v.toFixed(digits)} ${unit}`;
}

/**
 * A value of a sample type in its unit (ValueTypeInfo.unit): bytes as sizes, nanoseconds as
 * durations, counts (pprof's "count", "objects", "samples", tracemalloc's "blocks") as numbers,
 * any other unit as a number with the unit after it.
 */
export function formatValue(n: number, unit: string): string {
  if (unit === 'bytes') return formatSize(n);
  if (unit === 'nanoseconds') return formatDuration(n);
  if (COUNT_UNITS.has(unit)) return formatCount(n);
  return `${formatCount(n)} ${unit}`;
}
const COUNT_UNITS = new Set(['', 'count', 'objects', 'samples', 'blocks']);

/** Which of an answer's value columns is ranked (TopResult, DiffResult), its unit and its name. */
export function rankedColumn(r: { value: string; valueTypes: { name: string; unit: string; kind: string }[] }): { index: number; unit: string; name: string; kind: string } {
  const index = Math.max(0, r.valueTypes.findIndex((t) => t.name === r.value));
  const t = r.valueTypes[index] ?? { name: r.value, unit: 'bytes', kind: 'size' };
  return { index, unit: t.unit, name: t.name, kind: t.kind };
}

/** formatValue with a sign, for changes. */
export function formatSignedValue(n: number, unit: string): string {
  return `${n > 0 ? '+' : n < 0 ? '−' : '±'}${formatValue(Math.abs(n), unit)}`;
}

export function formatPercent(part: number | null, total: number): string {
  if (part === null) return '';
  if (total <= 0) return '–';
  const p = (100 * part) / total;
  return `${p < 0.1 && p > 0 ? '<0.1' : p.toFixed(1)}%`;
}

/**
 * A path cut in two for eliding in the middle: the folder may shrink to "…", the file name never
 * does (it is what people scan for). `<frozen importlib._bootstrap>` has no folder.
 */
export function splitPath(file: string): { folder: string; name: string } {
  const cut = file.lastIndexOf('/') + 1;
  return { folder: file.slice(0, cut), name: file.slice(cut) };
}
