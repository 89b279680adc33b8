// Work arrays handed from one pass of a heap snapshot's load to the next. The load's passes each
// need a few node-sized Uint32Arrays for a while (a search queue, the DFS numbering, a stack); a
// fresh array per pass kept the dead ones alive until the next GC, so peak memory was the sum of
// every pass's arrays rather than the largest pass's, and each new one cost its page faults again
// (measured: 56 MB of the 200 MB bench snapshot's peak was such garbage).
//
// take() gives an array whose contents are whatever its last user left: callers initialise what
// they read. An array a pass keeps (the dominator tree's lists) is simply not given back.

export class Scratch {
  /** Free buffers (each once, by its ArrayBuffer). */
  private readonly free = new Set<ArrayBuffer>();

  private pick(bytes: number): ArrayBuffer | null {
    let best: ArrayBuffer | null = null;
    for (const b of this.free) if (b.byteLength >= bytes && (best === null || b.byteLength < best.byteLength)) best = b;
    if (best) this.free.delete(best);
    return best;
  }

  /** A Uint32Array of exactly `length` elements, not zeroed. */
  take(length: number): Uint32Array {
    const b = this.pick(length * 4);
    return b ? new Uint32Array(b, 0, length) : new Uint32Array(length);
  }

  /** A zeroed Uint32Array of `length` elements. */
  takeZeroed(length: number): Uint32Array {
    const a = this.take(length);
    a.fill(0);
    return a;
  }

  /** A Float64Array of `length` elements, not zeroed, in a free buffer when one is big enough (kept by the caller). */
  takeFloat64(length: number): Float64Array {
    const b = this.pick(length * 8);
    return b ? new Float64Array(b, 0, length) : new Float64Array(length);
  }

  /** Arrays no longer read or written by whoever gives them: their whole buffers are reused. */
  give(...arrays: Uint32Array[]): void {
    for (const a of arrays) this.free.add(a.buffer as ArrayBuffer);
  }
}

/** For callers that do not reuse: every take is a fresh array. */
export const NO_SCRATCH = {
  take: (length: number) => new Uint32Array(length),
  takeZeroed: (length: number) => new Uint32Array(length),
  takeFloat64: (length: number) => new Float64Array(length),
  give: () => {},
} as unknown as Scratch;
