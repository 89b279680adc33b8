// What a flame canvas drew, kept on the element: the browser tests measure the graph the page
// received (no blank area, search hits) against its pixels without reaching into the worker.
import type { FlameLayout } from '../../../workers/api/types.ts';

export interface DrawnFlame {
  layout: FlameLayout;
  /** The zoomed value range on screen. */
  domain: [number, number];
  /** CSS pixels. */
  width: number;
  /** The search's matches (1 per node), null without a search. */
  hit: Uint8Array | null;
  /** The keyboard cursor / clicked node, -1 none. */
  selected: number;
}

export type DrawnCanvas = HTMLCanvasElement & { heaplensFlame?: DrawnFlame };

/** Cut at the end: a heap label starts with what people scan for (the class). */
export function elideEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? (max === 1 ? '…' : '') : `${text.slice(0, max - 1)}…`;
}
