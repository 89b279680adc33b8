// The one interface every format's importer implements (see registry.ts).

import type { HeapGraph } from '../model/heap-graph.ts';
import type { JobControl } from '../model/job.ts';
import type { Profile } from '../model/profile.ts';
import type { ImportInput } from './input.ts';

/** What an importer makes: an allocation profile, or a heap graph. */
export type Imported = { kind: 'allocations'; profile: Profile } | { kind: 'heap'; graph: HeapGraph };

export interface Importer {
  /** The registry's name for the format. */
  readonly format: string;
  /** For "heaplens reads …": what the files are and how people make them. */
  readonly describe: string;
  /**
   * Whether `head` (the first bytes; `text` the same decoded leniently as UTF-8) starts a file of
   * this format. Throws a HeaplensError when the bytes are this format in a variant heaplens
   * does not read (a text pickle), so the user learns exactly that.
   */
  sniff(head: Uint8Array, text: string): boolean;
  /**
   * The largest input it reads; past it the file is refused before reading, or for gzip while
   * it expands (`tooBig`'s words).
   */
  readonly maxBytes: number;
  /** Why a file of `size` bytes is refused; with `expands`, a gzip that expands past `size`. */
  tooBig?(size: number, expands?: boolean): string;
  open(input: ImportInput, job: JobControl): Promise<Imported>;
}
