// Types of bombs.mjs (plain JavaScript, shared with the browser tests and bench/hostile.js).
export interface Parts {
  head: Buffer;
  unit: Buffer;
  count: number;
  tail: Buffer;
}
export function heapSnapshotParts(nodes: number): Parts;
export function tracemallocParts(traces: number): Parts;
export function nodesFor(bytes: number): number;
export function tracesFor(bytes: number): number;
export function whole(parts: Parts): Buffer;
export function writeGzip(path: string, parts: Parts): Promise<{ compressed: number; expanded: number }>;
export const BOMB_BYTES: number;
export function bombs(dir?: string): Promise<{ heap: string; pickle: string }>;
export function smallHeapSnapshotGz(nodes: number): Buffer;
export function smallTracemallocGz(traces: number): Buffer;
