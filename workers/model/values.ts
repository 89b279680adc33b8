// Which value columns an analysis reads: the one rows are ranked by (`primary`), and the size and
// count columns reported beside it. Analyses never pick a column by position; they ask here.

import { HeaplensError } from '../api/errors.ts';
import type { Profile, ValueType } from './profile.ts';

export interface ValueSelection {
  /** The column rows are ranked by and widths stand for. */
  primary: number;
  /** The column ties are broken by: the primary's pair, else the primary again. */
  secondary: number;
  /** The size column of the pair (-1 when the primary has no size, e.g. a CPU profile). */
  size: number;
  /** The count column of the pair (-1 when there is none). */
  count: number;
}

/** The default value type: the one the file names, else the first size, else the first. */
export function defaultValue(p: Pick<Profile, 'valueTypes' | 'meta'>): string | null {
  if (p.valueTypes.length === 0) return null;
  const named = p.meta.defaultValue && p.valueTypes.find((t) => t.name === p.meta.defaultValue);
  return (named || p.valueTypes.find((t) => t.kind === 'size') || p.valueTypes[0]).name;
}

export function selectValues(p: Pick<Profile, 'valueTypes' | 'meta'>, name?: string | null): ValueSelection {
  const types = p.valueTypes;
  const wanted = name ?? defaultValue(p);
  const primary = types.findIndex((t) => t.name === wanted);
  if (primary < 0) {
    throw new HeaplensError(
      'unsupported-query',
      `This ${p.meta.format} profile has no value type "${name}"; it has ${types.map((t) => t.name).join(', ')}.`,
    );
  }
  const t = types[primary];
  const pair = pairOf(types, t);
  const size = t.kind === 'size' ? primary : pair >= 0 && types[pair].kind === 'size' ? pair : -1;
  const count = t.kind === 'count' ? primary : pair >= 0 && types[pair].kind === 'count' ? pair : -1;
  return { primary, secondary: pair >= 0 ? pair : primary, size, count };
}

function pairOf(types: ValueType[], t: ValueType): number {
  if (t.pair) return types.findIndex((x) => x.name === t.pair);
  return types.findIndex((x) => x.pair === t.name);
}

/** A column's value, or 0 for "no such column" (-1). */
export const valueOr0 = (values: ArrayLike<number>, column: number): number => (column >= 0 ? values[column] : 0);
