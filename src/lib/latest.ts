// Answers from the engine arrive when they arrive: a view that asks again before the last answer
// came must only ever show the newest one. `latestOnly()` gives each view one such channel.

export interface Latest {
  /** Delivers `promise`'s outcome unless a newer request started (or `invalidate` ran) meanwhile. */
  <T>(promise: Promise<T>, onValue: (value: T) => void, onError?: (error: unknown) => void): void;
  /** Drops whatever is pending (the view was reset or closed). */
  invalidate(): void;
}

export function latestOnly(): Latest {
  let current = 0;
  const run = (<T>(promise: Promise<T>, onValue: (value: T) => void, onError?: (error: unknown) => void) => {
    const mine = ++current;
    promise.then(
      (value) => {
        if (mine === current) onValue(value);
      },
      (error) => {
        if (mine === current) onError?.(error);
      },
    );
  }) as Latest;
  run.invalidate = () => void ++current;
  return run;
}
