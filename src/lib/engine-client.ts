// The page's handle on the engine worker. Everything goes through comlink; the page never parses.
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../workers/api/comlink.ts';
import type { EngineApi, Progress, ProfileSummary } from '../../workers/api/types.ts';

export type Engine = Comlink.Remote<EngineApi>;

let engine: Engine | null = null;
let nextJob = 1;

export function getEngine(): Engine {
  if (!engine) {
    installErrorTransfer();
    const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'heaplens-engine' });
    engine = Comlink.wrap<EngineApi>(worker);
  }
  return engine;
}

export interface OpenJob {
  promise: Promise<ProfileSummary>;
  cancel: () => void;
}

/** Opens a file in the worker; the Blob is handed over without copying its bytes on this thread. */
export function openProfile(source: Blob, name: string, onProgress: (p: Progress) => void): OpenJob {
  const e = getEngine();
  const jobId = nextJob++;
  const promise = e.open(source, name, jobId, Comlink.proxy(onProgress));
  return { promise, cancel: () => void e.cancel(jobId) };
}
