// Errors the engine reports to people: a code the UI and the CLI branch on, and a message meant
// for the user as it is ("This heap snapshot is truncated: it ends inside the edges section…").
// Codes, never message texts, decide what a caller does (exit status, which banner, retry).

export type ErrorCode =
  /** The bytes are no format heaplens reads (a text file, an image, an unknown JSON). */
  | 'not-a-profile'
  /** A format heaplens reads, in a version or variant it does not (pickle protocol 0, …). */
  | 'unsupported-version'
  /** The file ends early: cut off while written or copied. */
  | 'truncated'
  /** The file is damaged or contradicts itself (counts that disagree, indices out of range). */
  | 'corrupt'
  /** Past a format's limit or what this machine or tab can hold. */
  | 'too-big'
  /** Content a reader refuses because it would run code (a pickle that calls a function). */
  | 'unsafe'
  /** A file of 0 bytes, or a profile with nothing in it where something is needed. */
  | 'empty'
  /** A heap snapshot asked for allocation sites it did not record. */
  | 'no-allocation-stacks'
  /** A grouping, mode, value or filter this profile cannot do. */
  | 'unsupported-query'
  /** Profiles of different kinds where one kind is needed (a diff of a snapshot and a dump). */
  | 'wrong-kind'
  /** No open profile has the id asked for (closed, or never opened). */
  | 'not-open'
  /** The user cancelled the job. */
  | 'cancelled'
  /** A hosted file could not be fetched (CORS, unreachable, HTTP error, timeout). */
  | 'network'
  /** A local file could not be read (missing, a directory, no permission). */
  | 'io'
  /** The engine worker died (out of memory, a crash) while working on this. */
  | 'crashed';

export const ERROR_CODES: readonly ErrorCode[] = [
  'not-a-profile',
  'unsupported-version',
  'truncated',
  'corrupt',
  'too-big',
  'unsafe',
  'empty',
  'no-allocation-stacks',
  'unsupported-query',
  'wrong-kind',
  'not-open',
  'cancelled',
  'network',
  'io',
  'crashed',
];

/**
 * What the caller can do instead, for code to act on (the message says it in words).
 * `heap: 'summary-only'`: a heap snapshot too big to open in full fits when opened without
 * retained sizes (OpenOptions.heap); the estimates are bytes.
 */
export interface ErrorHint {
  heap: 'summary-only';
  fullEstimate: number;
  reducedEstimate: number;
  budget: number;
}

/** A file, link or question the engine cannot serve: `message` is for the user as it is. */
export class HeaplensError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: ErrorHint,
  ) {
    super(message);
    this.name = 'HeaplensError';
  }
}

export function isHeaplensError(e: unknown): e is HeaplensError {
  return e instanceof HeaplensError;
}

/** The plain form an error takes across the worker boundary (structured clone keeps no class). */
export interface SerializedError {
  heaplens: true;
  code: ErrorCode;
  message: string;
  hint?: ErrorHint;
}

export function serializeError(e: HeaplensError): SerializedError {
  return e.hint ? { heaplens: true, code: e.code, message: e.message, hint: { ...e.hint } } : { heaplens: true, code: e.code, message: e.message };
}

export function deserializeError(s: SerializedError): HeaplensError {
  return new HeaplensError(ERROR_CODES.includes(s.code) ? s.code : 'corrupt', String(s.message), hintOf(s.hint));
}

/** Only a hint of the known shape crosses (it came from another realm). */
function hintOf(h: unknown): ErrorHint | undefined {
  if (!h || typeof h !== 'object') return undefined;
  const x = h as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return x.heap === 'summary-only' ? { heap: 'summary-only', fullEstimate: n(x.fullEstimate), reducedEstimate: n(x.reducedEstimate), budget: n(x.budget) } : undefined;
}
