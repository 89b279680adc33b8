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

const SNAPSHOT = 0;
const TRACES = 1;
const ALLOWED_GLOBALS = ['tracemalloc.Snapshot', 'tracemalloc._Traces'];

const CHUNK = 8 << 20;

export async function parseTracemalloc(bytes: Uint8Array, job: JobControl = NO_JOB): Promise<Profile> {
  const reader = new PickleReader(bytes, ALLOWED_GLOBALS, 'This tracemalloc snapshot');
  while (!reader.done) {
    reader.run(CHUNK);
    job.progress('parsing', reader.pos, bytes.length);
    if (!reader.done) await job.yield();
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
  if (!list || (list.kind !== Kind.List && list.kind !== Kind.Tuple)) {
    fail(`Snapshot.traces._traces is a ${list ? kindName(list.kind) : 'missing value'}, not a list`);
  }

  const items = list.kind === Kind.List ? r.lists[list.payload] : null;
  const tuple = list.kind === Kind.Tuple ? r.tupleOf(list.payload) : null;
  const itemKinds = items ? items.kinds : r.tupleItems.kinds;
  const itemPayloads = items ? items.payloads : r.tupleItems.payloads;
  const first = items ? 0 : tuple!.start;
  const count = items ? items.length : tuple!.length;

  const builder = new ProfileBuilder();
  const tk = r.tupleItems.kinds;
  const tp = r.tupleItems.payloads;
  const tStart = r.tupleStart;
  const tLength = r.tupleLength;
  // Traceback tuple id → stack; frame tuple id → frame; reader string → profile string.
  const stackOfTuple = new Int32Array(r.tupleCount).fill(-1);
  const frameOfTuple = new Int32Array(r.tupleCount).fill(-1);
  const stringOf = new Int32Array(r.strings.length).fill(-1);
  const frameByKey = new Map<number, number>();

  const sampleStack = new Int32Array(count);
  const sampleSize = new Float64Array(count);
  const sampleDomain = new Int32Array(count);
  let fieldCount = 0;
  let truncatedSamples = 0;

  const frameOf = (frameTuple: number): number => {
    let f = frameOfTuple[frameTuple];
    if (f >= 0) return f;
    const start = tStart[frameTuple];
    if (tLength[frameTuple] !== 2 || tk[start] !== Kind.Str || tk[start + 1] !== Kind.Int) {
      fail('a frame is not a (filename, lineno) pair');
    }
    const rs = tp[start];
    let file = stringOf[rs];
    if (file < 0) file = stringOf[rs] = builder.intern(r.strings[rs]);
    const line = tp[start + 1];
    const key = file * 0x1_0000_0000 + (line >>> 0);
    f = frameByKey.get(key) ?? -1;
    if (f < 0) {
      f = builder.frame(-1, file, line);
      frameByKey.set(key, f);
    }
    frameOfTuple[frameTuple] = f;
    return f;
  };

  for (let i = 0; i < count; i++) {
    if (itemKinds[first + i] !== Kind.Tuple) fail(`trace ${i} is a ${kindName(itemKinds[first + i])}, not a tuple`);
    const t = itemPayloads[first + i];
    const start = tStart[t];
    const len = tLength[t];
    if (len !== 3 && len !== 4) fail(`trace ${i} has ${len} fields; tracemalloc writes 3 (Python ≤ 3.8) or 4`);
    if (fieldCount === 0) fieldCount = len;
    else if (fieldCount !== len) fail('traces of 3 and 4 fields are mixed');
    if (tk[start] !== Kind.Int || tk[start + 1] !== Kind.Int || tk[start + 2] !== Kind.Tuple) {
      fail(`trace ${i} is not (domain, size, frames…)`);
    }
    sampleDomain[i] = tp[start];
    sampleSize[i] = tp[start + 1];
    const tb = tp[start + 2];
    let stack = stackOfTuple[tb];
    if (stack < 0) {
      const fs = tStart[tb];
      const fl = tLength[tb];
      if (fl === 0) fail(`trace ${i} has an empty traceback`);
      // Frames are stored most recent first; the model's stacks are outermost first.
      stack = -1;
      for (let j = fl - 1; j >= 0; j--) {
        if (tk[fs + j] !== Kind.Tuple) fail(`a frame of trace ${i} is not a tuple`);
        stack = builder.stack(stack, frameOf(tp[fs + j]));
      }
      stackOfTuple[tb] = stack;
    }
    sampleStack[i] = stack;
    if (len === 4) {
      if (tk[start + 3] !== Kind.Int) fail(`trace ${i} has a total_nframe that is not an int`);
      if (tp[start + 3] > tLength[tb]) truncatedSamples++;
    }
  }

  let tracebackLimit: number | null = null;
  if (limitValue && limitValue.kind === Kind.Int) tracebackLimit = limitValue.payload;
  else if (limitValue && limitValue.kind !== Kind.None) fail('traceback_limit is not an int');

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
      // tracemalloc counts memory blocks: one per trace.
      { name: 'count', unit: 'blocks', kind: 'count' },
    ],
  };
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
    if (t.length === 2) state = { kind: r.tupleItems.kinds[t.start + 1], payload: r.tupleItems.payloads[t.start + 1] };
  }
  if (!state || state.kind !== Kind.Dict) fail(`the ${expected} has no state dict`);
  return r.dicts[state.payload];
}

function fail(what: string): never {
  throw new HeaplensError('not-a-profile', `This pickle is not a tracemalloc snapshot heaplens understands: ${what}.`);
}
