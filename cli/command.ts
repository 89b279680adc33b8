// One interface for every heaplens command (cli/commands/<name>.ts): what it needs, and a run
// that returns its JSON and its text instead of printing, so main decides what goes where.

import type { EngineApi, GroupBy, Mode, ProfileSummary, TraceFilter } from '../workers/api/types.ts';

/** The options every command may read, parsed and checked once by main. */
export interface Options {
  by: GroupBy;
  mode: Mode;
  filters: TraceFilter[];
  /** --value: the sample type to rank by (undefined: the file's default). */
  value: string | undefined;
  /** --group-label: a label key whose values become the root of every stack. */
  groupLabel: string | null;
  /** undefined: every row (--limit 0). */
  limit: number | undefined;
  json: boolean;
  failOver: number | null;
  /** --filter (summary): which objects count, as the command reads it; undefined when not given. */
  filter?: string;
  /** --no-retained (summary): the snapshot opened without the dominator pass (OpenOptions.heap 'summary-only'). */
  noRetained?: boolean;
}

export interface CommandContext {
  engine: EngineApi;
  /** The command's files, opened in the order given. */
  files: ProfileSummary[];
  options: Options;
}

export interface CommandResult {
  /** What --json prints (the public contract). */
  json: unknown;
  /** What a person reads otherwise. */
  text(): Promise<string> | string;
  /** A line for stderr (e.g. why --fail-over failed), printed in both modes. */
  stderr?: string;
  exitCode?: number;
}

export interface Command {
  name: string;
  /** Its lines of the usage text. */
  usage: string;
  /** How many FILE arguments it takes, and how to say so when they are wrong. */
  files: number;
  filesWanted: string;
  /** Options only this command takes (others are shared). */
  ownOptions?: string[];
  run(ctx: CommandContext): Promise<CommandResult> | CommandResult;
}
