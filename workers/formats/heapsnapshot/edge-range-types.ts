// The shapes a host's helper for reading a heap snapshot's edges on a second thread takes and
// gives (edge-range.ts). Types only, in a file of their own: the engine's input (formats/input.ts)
// names them, and edge-range.ts needs layout.ts, which needs the input.

/** What a helper needs to read edges: the header's counts and codes. */
export interface EdgeRangeTask {
  nodeFields: number;
  nodeCount: number;
  edgeCount: number;
  edgeTypeCount: number;
  /** Edge type codes whose name_or_index is an index, not a string (element, hidden; -1 when absent). */
  edgeElement: number;
  edgeHidden: number;
}

/** Where the edges are: `start` the byte after the section's "[", `end` its "]". */
export interface EdgeBounds {
  start: number;
  end: number;
}

/** The edges between the bounds, as columns. */
export interface EdgeRange extends EdgeBounds {
  count: number;
  type: Uint8Array;
  name: Uint32Array;
  to: Uint32Array;
  /** The largest string index among the names (elements and hidden edges left out), -1 if none. */
  maxName: number;
}

/** A helper's answers: the bounds first (found in a few tens of ms), the edges when read. Null: it would not or could not. */
export interface EdgeRangeJob {
  bounds: Promise<EdgeBounds | null>;
  range: Promise<EdgeRange | null>;
  /** Stops the helper (the file turned out bad, or the user cancelled); a no-op once it is done. */
  cancel(): void;
}

/** Runs findEdges and readEdgeRange (edge-range.ts) over `blob`, on another thread. */
export type EdgeRangeHelper = (blob: Blob, task: EdgeRangeTask) => EdgeRangeJob;

/** A file to read on two threads: the Blob the stream reads, and the host's helper. */
export interface SnapshotSplit {
  blob: Blob;
  helper: EdgeRangeHelper;
  /** Smaller files are read on one thread (default SPLIT_MIN_BYTES; tests split small fixtures). */
  minBytes?: number;
}
