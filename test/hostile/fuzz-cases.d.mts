// Types of fuzz-cases.mjs (plain JavaScript, shared with the browser tests).
export interface FuzzCase {
  name: string;
  bytes: Uint8Array;
}
export function rng(seed: number): (() => number) & { int(n: number): number };
export function fuzzCases(cls: string, seeds: FuzzCase[], options?: { seed?: number; scale?: number }): FuzzCase[];
export function eachFuzzCase(cls: string, seeds: FuzzCase[], options?: { seed?: number; scale?: number }): Generator<FuzzCase>;
