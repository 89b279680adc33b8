// Jobs the callers may cancel (opening a file: reading, parsing, indexing): each gets one
// JobControl; `cancel(jobId)` makes its next checkpoint throw a 'cancelled' HeaplensError.

import type { Progress } from '../api/types.ts';
import { cancelledError, type JobControl } from '../model/job.ts';

/** A turn of the event loop, so a cancel message sent meanwhile is delivered. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class JobTable {
  private readonly cancelled = new Set<number>();

  control(jobId: number | undefined, onProgress?: (p: Progress) => void): JobControl {
    const checkCancelled = (): void => {
      if (jobId !== undefined && this.cancelled.has(jobId)) {
        this.cancelled.delete(jobId);
        throw cancelledError();
      }
    };
    return {
      progress: (phase, done, total, expanded) => onProgress?.(expanded === undefined ? { phase, done, total } : { phase, done, total, expanded }),
      checkCancelled,
      async yield() {
        await nextTurn();
        checkCancelled();
      },
    };
  }

  cancel(jobId: number): void {
    this.cancelled.add(jobId);
  }

  /** A job ended: a cancel that came too late is forgotten. */
  end(jobId: number | undefined): void {
    if (jobId !== undefined) this.cancelled.delete(jobId);
  }
}
