// Progress of a long load on stderr: one line, rewritten in place, and only on a terminal.
// When stderr is a pipe or a file (CI logs, `2> err.txt`, scripts reading --json) nothing is
// written at all, so what they capture is exactly the command's own output.

import type { Progress } from '../workers/api/types.ts';

/** What the line needs of a stream; process.stderr is one. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Nothing is drawn before this many ms, so quick loads do not flicker (default 150). */
  delayMs?: number;
  /** Least time between two redraws (default 50 ms); a new phase is drawn at once. */
  intervalMs?: number;
  now?: () => number;
}

/** Whether progress goes to `stream`: only when it is a terminal. */
export const showsProgress = (stream: ProgressStream): boolean => stream.isTTY === true;

const PHASES: Record<Progress['phase'], string> = { reading: 'reading', parsing: 'parsing', indexing: 'indexing' };

const mib = (n: number): string => (n / 2 ** 20).toFixed(1);

/** The text of one progress line, e.g. "heaplens: parsing dump.pickle: 12.0 of 25.8 MiB (46%)". */
export function progressText(name: string, p: Progress): string {
  const pct = p.total > 0 ? ` (${Math.min(100, Math.floor((100 * p.done) / p.total))}%)` : '';
  // Reading and parsing count bytes; indexing counts the steps of the heap snapshot analysis.
  const amount = p.phase === 'indexing' ? `step ${Math.min(p.done + 1, p.total)} of ${p.total}` : `${mib(p.done)} of ${mib(p.total)} MiB`;
  return `heaplens: ${PHASES[p.phase]} ${name}: ${amount}${pct}`;
}

export class ProgressLine {
  private readonly started: number;
  private readonly delayMs: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private drawnAt = -Infinity;
  private lastPhase = '';
  private shown = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly name: string,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.delayMs = options.delayMs ?? 150;
    this.intervalMs = options.intervalMs ?? 50;
    this.started = this.now();
  }

  update(p: Progress): void {
    const t = this.now();
    if (t - this.started < this.delayMs) return;
    if (p.phase === this.lastPhase && t - this.drawnAt < this.intervalMs) return;
    this.lastPhase = p.phase;
    this.drawnAt = t;
    let text = progressText(this.name, p);
    // A line longer than the terminal wraps, and \r would then rewrite only its last row.
    // A pseudo-terminal with no size set says 0 columns: assume the usual 80 then.
    const width = this.stream.columns || 80;
    if (text.length > width - 1) text = `${text.slice(0, Math.max(0, width - 2))}…`;
    // \r: back to the line's start; ESC[K: erase what a longer previous text left.
    this.stream.write(`\r${text}\x1b[K`);
    this.shown = true;
  }

  /** Erases the line (when one was drawn), so the command's output starts on a clean line. */
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/**
 * A progress line on `stream` when it is a terminal, else null (and nothing is ever written).
 * HEAPLENS_PROGRESS_DELAY_MS overrides the delay (the CLI's terminal test sets 0, so that it
 * does not depend on how fast the machine reads its file).
 */
export function progressFor(stream: ProgressStream, name: string, options: ProgressOptions = {}, env = process.env): ProgressLine | null {
  if (!showsProgress(stream)) return null;
  const delay = Number(env.HEAPLENS_PROGRESS_DELAY_MS);
  return new ProgressLine(stream, name, { ...(env.HEAPLENS_PROGRESS_DELAY_MS && delay >= 0 ? { delayMs: delay } : {}), ...options });
}
