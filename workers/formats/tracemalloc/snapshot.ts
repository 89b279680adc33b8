// tracemalloc snapshot dumps (`Snapshot.dump()`, Python 3.6–3.13) → the neutral profile.
//
// The pickle holds Snapshot{traces: _Traces{_traces: [trace, …]}, traceback_limit}. A trace is
// (domain, size, frames) up to Python 3.8 and (domain, size, frames, total_nframe) from 3.9;
// frames is a tuple of (filename, lineno), most recent first. _tracemalloc hands out one tuple
// per distinct traceback, so the pickle memoizes it and every later trace refers to it by a memo
// get: we map each traceback tuple once to a stack and reuse it, which is the fast grouping.

import { HeaplensError } from '../../api/errors.ts';
import { NO_JOB, type JobControl } from '../../model/job.ts';
import { ProfileBuilder, type Profile } from '../../model/profile.ts';
import { Kind, kindName, PickleReader } from './pickle-reader.ts';
import { FIELDS3, TRUNCATED, type TraceColumns } from './pickle-values.ts';

const SNAPSHOT = 0;
const TRACES = 1;
const ALLOWED_GLOBALS = ['tracemalloc.Snapshot', 'tracemalloc._Traces'];

/** Progress and a chance to cancel every 8 MiB. */
const CHUNK = 8 << 20;
/**
 * The interpreter runs in short calls: V8 then optimizes run() as an ordinary hot function,
 * with type feedback for its whole body. In 8 MiB calls it was compiled on the fly inside its
 * loop (OSR), and thrown away at the end of every call, whose last lines it had never run.
 */
const STEP = 64 << 10;

/** `fastPaths: false` reads every opcode with the general loop (tests compare the two). */
export async function parseTracemalloc(bytes: Uint8Array, job: JobControl = NO_JOB, fastPaths = true): Promise<Profile> {
  const reader = new PickleReader(bytes, ALLOWED_GLOBALS, 'This tracemalloc snapshot', fastPaths);
  let next = CHUNK;
  while (!reader.done) {
    reader.run(STEP);
    if (reader.pos >= next || reader.done) {
      next += CHUNK;
      job.progress('parsing', reader.pos, bytes.length);
      if (!reader.done) await job.yield();
    }
  }
  if (reader.pos < bytes.length) {
    // Python's pickle.load ignores what follows STOP; a dump never has any, so say so.
    throw new HeaplensError(
      'corrupt',
      `This tracemalloc snapshot has ${(bytes.length - reader.pos).toLocaleString('en-US')} unexpected bytes after its end: ` +
        'the file may hold something else appended to a dump.',
    );
  }
  return toProfile(reader);
}

function toProfile(r: PickleReader): Profile {
  const { protocol, root } = r.result();
  const snapshot = objectState(r, root, SNAPSHOT, 'the pickle');
  const limitValue = snapshot.get('traceback_limit');
  const tracesValue = snapshot.get('traces');
  if (!tracesValue) fail('the Snapshot has no traces');
  let list: { kind: Kind; payload: number } | undefined = tracesValue;
  if (tracesValue.kind === Kind.Object) list = objectState(r, tracesValue, TRACES, 'Snapshot.traces').get('_traces');
  // A trace-shaped tuple as the list itself: its first item, an int, is not a trace.
  if (list && list.kind === Kind.Trace) fail('trace 0 is a int, not a tuple');
  if (!list || (list.kind !== Kind.List && list.kind !== Kind.Tuple)) {
    fail(`Snapshot.traces._traces is a ${list ? kindName(list.kind) : 'missing value'}, not a list`);
  }

  const items = list.kind === Kind.List ? r.lists[list.payload] : null;
  const tuple = list.kind === Kind.Tuple ? r.tupleOf(list.payload) : null;
  const itemKinds = items ? items.kinds : r.tuples.items.kinds;
  const itemPayloads = items ? items.payloads : r.tuples.items.payloads;
  const first = items ? 0 : tuple!.start;
  const count = items ? items.length : tuple!.length;

  const builder = new ProfileBuilder();
  const tk = r.tuples.items.kinds;
  const tp = r.tuples.items.payloads;
  const tStart = r.tuples.start;
  const tLength = r.tuples.length;
  // Traceback tuple id → stack; reader string → profile string; per file, line → frame.
  const stackOfTuple = new Int32Array(r.tuples.count).fill(-1);
  const stringOf = new Int32Array(r.strings.length).fill(-1);
  const framesOfFile: Map<number, number>[] = [];

  // Every traceback holds tuples of its own for its frames (212 k of them for 6.5 k distinct
  // frames in the example), so the cache is by (file, line): a map lookup where the builder's
  // interning would hash four fields, mostly in code V8 has not compiled yet.
  const frameOf = (frameTuple: number): number => {
    const start = tStart[frameTuple];
    if (tLength[frameTuple] !== 2 || tk[start] !== Kind.Str || tk[start + 1] !== Kind.Int) {
      fail('a frame is not a (filename, lineno) pair');
    }
    const rs = tp[start];
    let file = stringOf[rs];
    if (file < 0) {
      file = stringOf[rs] = builder.intern(r.strings[rs]);
      framesOfFile[file] ??= new Map();
    }
    const lines = framesOfFile[file];
    const line = tp[start + 1];
    let f = lines.get(line);
    if (f === undefined) {
      f = builder.frame(-1, file, line);
      lines.set(line, f);
    }
    return f;
  };

  /** The stack of traceback tuple `tb`, built once per distinct traceback. */
  const stackOf = (tb: number, i: number): number => {
    let stack = stackOfTuple[tb];
    if (stack >= 0) return stack; // -1: not seen yet; -2: marked by firstUses
    const fs = tStart[tb];
    const fl = tLength[tb];
    if (fl === 0) fail(`trace ${i} has an empty traceback`);
    // Frames are stored most recent first; the model's stacks are outermost first.
    stack = -1;
    for (let j = fl - 1; j >= 0; j--) {
      if (tk[fs + j] !== Kind.Tuple) fail(`a frame of trace ${i} is not a tuple`);
      stack = builder.stack(stack, frameOf(tp[fs + j]));
    }
    return (stackOfTuple[tb] = stack);
  };

  const traces = r.traces;
  let sampleStack: Int32Array;
  let sampleSize: Float64Array;
  let sampleDomain: Int32Array;
  let fieldCount = 0;
  let truncatedSamples = 0;
  const fieldsOf = (flags: number) => (flags & FIELDS3 ? 3 : 4);

  // A dump's list is a run of trace rows (PickleList.traceFrom): then the size and domain
  // columns are the rows' own, and the stacks come from the rows' frames column.
  if (items && items.traceFrom >= 0) {
    const from = items.traceFrom;
    // The rows' own columns when they are most of them (the usual case: one list of all traces),
    // else a copy, so that a small list does not keep a file-sized column alive.
    const own = from === 0 && 2 * (traces.size.length - count) <= count;
    sampleSize = own ? traces.size.subarray(0, count) : traces.size.slice(from, from + count);
    sampleDomain = own ? traces.domain.subarray(0, count) : traces.domain.slice(from, from + count);
    // The frames column becomes the stack column in place (its rows are read once, in order).
    sampleStack = own ? traces.frames.subarray(0, count) : new Int32Array(count);
    if (from === 0 && count === traces.length) {
      // The list is every row: what the parse counted is the list's (TraceColumns.firstUses).
      const firsts = traces.firstUses;
      for (let k = 0; k < traces.firstUseCount; k++) stackOf(traces.frames[firsts[k]], firsts[k]);
      mapStacks(traces.frames, count, stackOfTuple, sampleStack);
      if (traces.fields3 !== 0 && traces.fields3 !== count) fail('traces of 3 and 4 fields are mixed');
      fieldCount = traces.fields3 === 0 ? 4 : 3;
      truncatedSamples = traces.truncated;
    } else {
      // Which tracebacks the rows use (in the order they first appear, which numbers the stacks
      // as one pass would), their stacks, and each row's stack.
      fieldCount = fieldsOf(traces.flags[from]);
      const firstRows = firstUses(traces.frames, from, count, stackOfTuple);
      for (let k = 0; k < firstRows.length; k++) stackOf(traces.frames[from + firstRows[k]], firstRows[k]);
      truncatedSamples = stacksOfRows(traces, from, count, fieldCount === 4, stackOfTuple, sampleStack);
    }
  } else {
    sampleStack = new Int32Array(count);
    sampleSize = new Float64Array(count);
    sampleDomain = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const kind = itemKinds[first + i];
      const t = itemPayloads[first + i];
      let len: number;
      let tb: number;
      let truncated = false;
      if (kind === Kind.Trace) {
        len = fieldsOf(traces.flags[t]);
        sampleDomain[i] = traces.domain[t];
        sampleSize[i] = traces.size[t];
        tb = traces.frames[t];
        truncated = (traces.flags[t] & TRUNCATED) !== 0;
      } else {
        // A tuple that is not trace-shaped: say what is wrong with it.
        if (kind !== Kind.Tuple) fail(`trace ${i} is a ${kindName(kind)}, not a tuple`);
        const start = tStart[t];
        len = tLength[t];
        if (len !== 3 && len !== 4) fail(`trace ${i} has ${len} fields; tracemalloc writes 3 (Python ≤ 3.8) or 4`);
        if (tk[start] !== Kind.Int || tk[start + 1] !== Kind.Int || tk[start + 2] !== Kind.Tuple) {
          fail(`trace ${i} is not (domain, size, frames…)`);
        }
        if (len === 4 && tk[start + 3] !== Kind.Int) fail(`trace ${i} has a total_nframe that is not an int`);
        // Trace-shaped but for an int beyond 32 bits in domain or total_nframe.
        sampleDomain[i] = tp[start];
        sampleSize[i] = tp[start + 1];
        tb = tp[start + 2];
        truncated = len === 4 && tp[start + 3] > tLength[tb];
      }
      if (fieldCount === 0) fieldCount = len;
      else if (fieldCount !== len) fail('traces of 3 and 4 fields are mixed');
      sampleStack[i] = stackOf(tb, i);
      if (truncated) truncatedSamples++;
    }
  }

  let tracebackLimit: number | null = null;
  if (limitValue && limitValue.kind === Kind.Int) tracebackLimit = limitValue.payload;
  else if (limitValue && limitValue.kind !== Kind.None) fail('traceback_limit is not an int');

  // tracemalloc counts memory blocks: one per trace.
  const counts = new Float64Array(count).fill(1);
  return {
    meta: {
      format: 'tracemalloc',
      producer: 'Python tracemalloc',
      producerDetails:
        `pickle protocol ${protocol}, ` +
        `${fieldCount === 3 ? '3-field traces (Python 3.8 or older)' : fieldCount === 4 ? '4-field traces (Python 3.9 or newer)' : 'no traces'}`,
      tracebackLimit,
      truncatedSamples,
      captureTime: null,
      hasFunctionNames: false,
      sampled: false,
    },
    strings: builder.strings,
    frames: builder.frameTable(),
    stacks: builder.stackTable(),
    samples: { stack: sampleStack, values: [sampleSize, counts], domain: sampleDomain, length: count },
    valueTypes: [
      { name: 'size', unit: 'bytes', kind: 'size', pair: 'count' },
      { name: 'count', unit: 'blocks', kind: 'count' },
    ],
  };
}

/** out[i] = stackOfTuple[frames[i]] (`out` may be `frames` itself). A loop of its own: small, so V8 compiles it at once. */
function mapStacks(frames: Int32Array, count: number, stackOfTuple: Int32Array, out: Int32Array): void {
  for (let i = 0; i < count; i++) out[i] = stackOfTuple[frames[i]];
}

/**
 * The rows (from `from`) where each traceback tuple is first used, in row order. Marks those
 * tuples in `stackOfTuple` with -2 (still -1: not used by any row).
 */
function firstUses(frames: Int32Array, from: number, count: number, stackOfTuple: Int32Array): Int32Array {
  const rows = new Int32Array(Math.min(count, stackOfTuple.length));
  let n = 0;
  for (let i = 0; i < count; i++) {
    const tb = frames[from + i];
    if (stackOfTuple[tb] === -1) {
      stackOfTuple[tb] = -2;
      rows[n++] = i;
    }
  }
  return rows.subarray(0, n);
}

/**
 * The stack of each trace row from..from+count into `out` (every traceback's stack is known;
 * `out` may be the rows' frames column itself); returns how many rows have a truncated
 * traceback.
 */
function stacksOfRows(traces: TraceColumns, from: number, count: number, want4: boolean, stackOfTuple: Int32Array, out: Int32Array): number {
  const { frames, flags } = traces;
  let truncated = 0;
  for (let i = 0; i < count; i++) {
    out[i] = stackOfTuple[frames[from + i]];
    const f = flags[from + i];
    if (((f & FIELDS3) !== 0) === want4) fail('traces of 3 and 4 fields are mixed');
    if (f & TRUNCATED) truncated++;
  }
  return truncated;
}

function objectState(r: PickleReader, value: { kind: Kind; payload: number }, global: number, what: string) {
  const expected = ALLOWED_GLOBALS[global];
  if (value.kind !== Kind.Object || r.objects[value.payload].global !== global) {
    const got = value.kind === Kind.Object ? ALLOWED_GLOBALS[r.objects[value.payload].global] : `a ${kindName(value.kind)}`;
    fail(`${what} is ${got}, not a ${expected}`);
  }
  let state = r.objects[value.payload].state;
  // Classes with __slots__ pickle (dict_or_None, slots_dict).
  if (state && state.kind === Kind.Tuple) {
    const t = r.tupleOf(state.payload);
    if (t.length === 2) state = { kind: r.tuples.items.kinds[t.start + 1], payload: r.tuples.items.payloads[t.start + 1] };
  }
  if (!state || state.kind !== Kind.Dict) fail(`the ${expected} has no state dict`);
  return r.dicts[state.payload];
}

function fail(what: string): never {
  throw new HeaplensError('not-a-profile', `This pickle is not a tracemalloc snapshot heaplens understands: ${what}.`);
}
