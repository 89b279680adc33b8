// How the heap views print what the engine answers: constructor locations, object names, the
// sort a column header asks for.
import type { HeapSort, SourceLocationOut } from '../../../workers/api/types.ts';

/**
 * A constructor's location as DevTools prints it beside a class split by location: the script's
 * file name (its URL in the title) or its id, then line:column counted from 1 (V8 writes them
 * from 0).
 */
export function locationText(loc: SourceLocationOut): { text: string; title: string } {
  const at = `${loc.line + 1}:${loc.column + 1}`;
  if (loc.scriptName) {
    const name = loc.scriptName.replace(/[?#].*$/, '').split('/').filter(Boolean).pop() || loc.scriptName;
    return { text: `${name}:${at}`, title: `${loc.scriptName}:${at}` };
  }
  return { text: `script ${loc.scriptId}:${at}`, title: `script id ${loc.scriptId}, line ${loc.line + 1}, column ${loc.column + 1}` };
}

/** An object's name cut for one line (strings can be megabytes). */
export function clip(name: string, max = 80): string {
  return name.length > max ? `${name.slice(0, max)}…` : name;
}

/** What a row names an object by: its name, else its class (a context or an internal object has no name of its own). */
export function objectName(o: { name: string; className: string; type: string }): string {
  return o.name || o.className || `(${o.type})`;
}

/**
 * The sort after clicking a column: the same column flips; a new one starts the way DevTools'
 * grids do (names A→Z, numbers largest first, distances nearest first).
 */
export function nextSort<K extends string>(current: HeapSort<K>, by: K, ascendingFirst: readonly K[]): HeapSort<K> {
  if (current.by === by) return { by, ascending: !current.ascending };
  return { by, ascending: ascendingFirst.includes(by) };
}

export function ariaSort<K extends string>(current: HeapSort<K>, by: K): 'ascending' | 'descending' | undefined {
  return current.by === by ? (current.ascending ? 'ascending' : 'descending') : undefined;
}

/** The Comparison's sortable columns (EngineApi.heapCompare). */
export type ComparisonSortKey = 'name' | 'newCount' | 'deletedCount' | 'countDelta' | 'allocSize' | 'freedSize' | 'sizeDelta';
/** A Comparison object: new in the head snapshot, or deleted (an object of the base). */
export type Which = 'new' | 'deleted';
