// Which frame of a traceback names it for a person: the first, from the innermost outward, that
// is the program's own code — not Python's standard library, frozen importlib, Node's internals
// or a builtin without a script — so rows stop all reading "<frozen importlib._bootstrap>".
import type { FrameOut } from '../../workers/api/types.ts';

const LIBRARY = [
  /^<frozen /, // <frozen importlib._bootstrap_external>
  /\/lib\/python\d(\.\d+)?\/(?!.*\b(site|dist)-packages\/)/, // /usr/lib/python3.11/json/… (not site-packages)
  /^node:/, // node:internal/…
  /^\(no script\)$/,
];

export function isLibraryFrame(file: string): boolean {
  return LIBRARY.some((re) => re.test(file));
}

/**
 * The index (in `frames`, outermost first) of the frame that names the traceback: the innermost
 * frame of the program's own code; in a traceback that is all library code (an import inside
 * the standard library, cut by the traceback limit), the innermost that is not frozen importlib.
 */
export function namingFrame(frames: FrameOut[]): number {
  for (let i = frames.length - 1; i >= 0; i--) if (!isLibraryFrame(frames[i].file)) return i;
  for (let i = frames.length - 1; i >= 0; i--) if (!frames[i].file.startsWith('<frozen ')) return i;
  return frames.length - 1;
}

/** Middle elision for a label that must fit `max` characters: the end (file name, line) stays. */
export function elideMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return max === 1 ? '…' : '';
  const slash = text.lastIndexOf('/');
  const tail = slash >= 0 ? text.slice(slash + 1) : '';
  // Keep the whole file name when it fits with a few leading characters; else cut evenly.
  if (tail && tail.length + 4 <= max) return `${text.slice(0, max - tail.length - 1)}…${tail}`;
  const keepEnd = Math.ceil((max - 1) * 0.6);
  return `${text.slice(0, max - 1 - keepEnd)}…${text.slice(text.length - keepEnd)}`;
}
