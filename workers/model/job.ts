// The control every long job gets (reading, parsing, indexing): progress, cancellation and a
// chance for other messages to run. One shape for every importer and analysis, so the worker's
// Cancel reaches them all, and the CLI and tests pass NO_JOB.

import { HeaplensError } from '../api/errors.ts';
import type { Progress } from '../api/types.ts';

export interface JobControl {
  /**
   * Reports how far the current phase is. Cheap; call as often as convenient. For a gzip file,
   * `done` and `total` are its compressed bytes and `expanded` the bytes unpacked so far.
   */
  progress(phase: Progress['phase'], done: number, total: number, expanded?: number): void;
  /** Throws a HeaplensError with code 'cancelled' once the user has cancelled. */
  checkCancelled(): void;
  /** Lets other work run (the message that cancels us), then checks for cancellation. */
  yield(): Promise<void>;
}

export const NO_JOB: JobControl = {
  progress() {},
  checkCancelled() {},
  yield: () => Promise.resolve(),
};

export function cancelledError(): HeaplensError {
  return new HeaplensError('cancelled', 'Opening the file was cancelled.');
}
