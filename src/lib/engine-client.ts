// The page's handle on the engine worker. Everything goes through comlink; the page never parses.
//
// The worker can die: the browser may stop it, or an error escapes it. comlink then never
// answers, and every awaited call would hang. So each call is tracked while it is pending, and
// death is noticed two ways: the worker holds a Web Lock for its whole life (engine.worker.ts),
// which the browser frees when the worker is gone — the page's request for it is granted then,
// even while the worker is busy in a long step; and the worker's 'error' event. Pending calls
// then fail with HeaplensError('crashed') naming the file and what to try, listeners hear of it
// (session/opening.svelte.ts reopens the other profiles from the library), and the next call
// starts a fresh worker.
//
// Measured in Chromium: a worker whose JavaScript heap runs out takes the whole tab with it
// (the page crashes too), so no page code runs after that; the readers keep their memory under
// a budget for that reason (workers/formats/input.ts). A worker that stops any other way, or
// an ArrayBuffer the machine cannot give (a RangeError, coded 'too-big'), leaves the page able
// to carry on.
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../workers/api/comlink.ts';
import { HeaplensError } from '../../workers/api/errors.ts';
import type { EngineApi, OpenOptions, Progress, ProfileSummary } from '../../workers/api/types.ts';
import { formatSize } from './format.ts';

export type Engine = Comlink.Remote<EngineApi>;

/** What the page learns when the engine worker died. */
export interface EngineCrash {
  /** Ids (in the dead engine) of the open profiles that calls were working on when it died. */
  busyWith: number[];
  /** The message for the user: what was going on, what to try. */
  message: string;
  /** We stopped it ourselves, for a Cancel it did not answer (nothing failed but that job). */
  forCancel: boolean;
}

interface Pending {
  method: string;
  args: unknown[];
  reject: (e: unknown) => void;
  /** The user cancelled it: when the worker is restarted for that, it ends as 'cancelled'. */
  cancelled: boolean;
}

interface Generation {
  worker: Worker;
  remote: Engine;
  engine: Engine;
  dead: boolean;
  pending: Set<Pending>;
}

/** A cancelled job whose worker has not answered within this long is stopped with its worker. */
export const CANCEL_GRACE_MS = 5000;

let current: Generation | null = null;
let nextJob = 1;
let nextWorker = 1;
const listeners = new Set<(crash: EngineCrash) => void>();
/** The open profiles of the current worker: name and size, for messages. */
const profiles = new Map<number, { name: string; size: number | null; format: string }>();

export function getEngine(): Engine {
  current ??= start();
  return current.engine;
}

/** Calls `listener` each time the engine worker dies; returns the unsubscribe. */
export function onEngineCrash(listener: (crash: EngineCrash) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function start(): Generation {
  installErrorTransfer();
  // The name carries the lock the worker holds for its life (unique per worker and page).
  // `?budget=BYTES` in the page's address lowers the worker's memory budget (tests of files too
  // big for it); the worker never takes more than its default (engine.worker.ts).
  const budget = /^\d+$/.test(new URLSearchParams(location.search).get('budget') ?? '') ? `:budget=${new URLSearchParams(location.search).get('budget')}` : '';
  const name = `heaplens-engine:${nextWorker++}:${Math.random().toString(36).slice(2)}${budget}`;
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name });
  const remote = Comlink.wrap<EngineApi>(worker);
  const gen: Generation = { worker, remote, engine: null as unknown as Engine, dead: false, pending: new Set() };
  gen.engine = tracked(gen);
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    died(gen, { kind: 'error', detail: e.message || 'no message' });
  });
  void watchLock(gen, name);
  return gen;
}

/** Waits for the worker to take its lock, then asks for it: granted means the worker is gone. */
async function watchLock(gen: Generation, name: string): Promise<void> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return; // not a secure context: only the 'error' event tells
  for (let wait = 10; !gen.dead; wait = Math.min(wait * 2, 500)) {
    const { held = [] } = await locks.query();
    if (held.some((l) => l.name === name)) break;
    await new Promise((r) => setTimeout(r, wait));
  }
  if (gen.dead) return;
  await locks.request(name, async () => died(gen, { kind: 'gone' }));
}

/** The remote, with every call tracked until it settles and failed when the worker dies. */
function tracked(gen: Generation): Engine {
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy({} as Engine, {
    get(_, method) {
      if (typeof method !== 'string' || method === 'then') return undefined; // not a thenable
      let f = methods.get(method);
      if (!f) {
        f = (...args) => call(gen, method, args);
        methods.set(method, f);
      }
      return f;
    },
  });
}

function call(gen: Generation, method: string, args: unknown[]): Promise<unknown> {
  if (gen.dead) return Promise.reject(crashedError(method, args, { kind: 'gone' }));
  return new Promise((resolve, reject) => {
    const p: Pending = { method, args, reject, cancelled: false };
    gen.pending.add(p);
    const remote = gen.remote as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    remote[method](...args).then(
      (value) => {
        gen.pending.delete(p);
        if (method === 'open') {
          const summary = value as ProfileSummary;
          const source = args[0];
          profiles.set(summary.id, { name: summary.name, size: source instanceof Blob ? source.size : null, format: summary.format });
        } else if (method === 'close') profiles.delete(args[0] as number);
        resolve(value);
      },
      (e) => {
        gen.pending.delete(p);
        reject(e);
      },
    );
  });
}

/** Why a worker is gone: the browser stopped it, an error escaped it, or we stopped it. */
type Cause = { kind: 'gone' } | { kind: 'error'; detail: string } | { kind: 'restarted' };

function died(gen: Generation, cause: Cause): void {
  if (gen.dead) return;
  gen.dead = true;
  gen.worker.terminate();
  if (current === gen) current = null;
  const pending = [...gen.pending];
  gen.pending.clear();
  const busyWith = new Set<number>();
  let message: string | null = null;
  for (const p of pending) {
    // Cancel and close have nothing to report: what they were about is gone with the worker.
    const quiet = p.cancelled || p.method === 'cancel' || p.method === 'close';
    const id = quiet ? null : profileIdOf(p);
    if (id !== null) busyWith.add(id);
    const error = quiet ? new HeaplensError('cancelled', 'Opening the file was cancelled.') : crashedError(p.method, p.args, cause);
    if (!quiet) message ??= error.message;
    p.reject(error);
  }
  profiles.clear();
  const crash: EngineCrash = {
    busyWith: [...busyWith],
    forCancel: cause.kind === 'restarted' && message === null,
    message:
      message ??
      (cause.kind === 'restarted'
        ? `The engine was restarted: the cancelled job did not stop within ${CANCEL_GRACE_MS / 1000} s.`
        : `The engine stopped${cause.kind === 'error' ? ` (an error escaped it: ${cause.detail})` : ''} and was restarted.`),
  };
  for (const listener of listeners) listener(crash);
}


/** The profile a pending call was about, when it names one. */
function profileIdOf(p: Pending): number | null {
  if (p.method === 'open' || p.method === 'cancel') return null;
  const id = p.args[0];
  return typeof id === 'number' ? id : null;
}

const DOING: Record<string, string> = {
  top: 'grouping its allocations',
  tracebacksOf: 'collecting tracebacks',
  diff: 'comparing it with another profile',
  flame: 'laying out a flame graph',
  exportCompact: 'packing it for a link or download',
  heapClasses: 'listing its classes',
  heapObjects: 'listing the objects of a class',
  heapRetainers: 'finding what retains an object',
  heapDominated: 'listing what an object dominates',
  heapDetached: 'listing detached DOM elements',
  heapCompare: 'comparing two heap snapshots',
  heapLeaks: 'looking for leak candidates',
};

const sizeText = (n: number | null) => (n === null ? '' : ` (${formatSize(n)})`);

/** The 'crashed' error of a call: which file, what it was doing, what to try. */
function crashedError(method: string, args: unknown[], cause: Cause): HeaplensError {
  let file: string;
  let size: number | null = null;
  let doing: string;
  // Which command helps: the class summary for a heap snapshot (the name is only a hint while
  // it opens), top for the rest.
  let snapshot: boolean;
  if (method === 'open') {
    file = String(args[1]);
    size = args[0] instanceof Blob ? args[0].size : null;
    doing = `opening ${file}${sizeText(size)}`;
    snapshot = /\.heap(snapshot|timeline)\b/i.test(file);
  } else {
    const p = profiles.get(args[0] as number);
    file = p?.name ?? 'a profile';
    size = p?.size ?? null;
    doing = `${DOING[method] ?? method} in ${file}${sizeText(size)}`;
    snapshot = p?.format === 'heapsnapshot';
  }
  const command = snapshot ? `npx heaplens summary "${file}" (the class summary, without the views)` : `npx heaplens top "${file}"`;
  const what =
    cause.kind === 'gone'
      ? `The engine stopped while ${doing} — most often because it ran out of memory.`
      : cause.kind === 'error'
        ? `The engine failed while ${doing}: an error escaped it (${cause.detail}).`
        : `The engine was restarted while ${doing}: a cancelled job did not stop within ${CANCEL_GRACE_MS / 1000} s.`;
  return new HeaplensError(
    'crashed',
    `${what} ` +
      `heaplens in a terminal has more memory than a browser tab: ${command}. ` +
      'Or open a smaller file.',
  );
}

export interface OpenJob {
  promise: Promise<ProfileSummary>;
  cancel: () => void;
}

/**
 * Opens a file in the worker; the Blob is handed over without copying its bytes on this
 * thread. Cancel asks the worker to stop; a worker that has not stopped within CANCEL_GRACE_MS
 * (a long step that does not look up) is stopped and replaced.
 */
export function openProfile(source: Blob, name: string, onProgress: (p: Progress) => void, options: OpenOptions = {}): OpenJob {
  const e = getEngine();
  const gen = current!;
  const jobId = nextJob++;
  const promise = e.open(source, name, jobId, Comlink.proxy(onProgress), options);
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return {
    promise,
    cancel: () => {
      if (settled) return;
      for (const p of gen.pending) if (p.method === 'open' && p.args[2] === jobId) p.cancelled = true;
      void e.cancel(jobId).catch(() => {});
      setTimeout(() => {
        if (!settled && !gen.dead) died(gen, { kind: 'restarted' });
      }, CANCEL_GRACE_MS);
    },
  };
}
