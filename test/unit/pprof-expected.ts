// Reads the texts make_expected.sh keeps beside the pprof fixtures: `go tool pprof -top` and
// `-traces` outputs, one section per command, each opened by `### go tool pprof <args>`.
// The parser is strict on purpose: a scaled value ("1.2MB"), a "Dropped N nodes" line or a
// row it cannot read throws, because each means the expected numbers are not exact any more.

import { readFileSync } from 'node:fs';

export interface TopRow {
  flat: number;
  flatPct: number;
  sumPct: number;
  cum: number;
  cumPct: number;
  /** pprof's printable name: `func`, `func file:line`, `file`, `[binary]`, `00000000004a3f10 [binary]`… */
  name: string;
  /** pprof's marker after the name: every incoming edge inlined, or only some. */
  inline: '' | 'inline' | 'partial-inline';
}

export interface SectionBase {
  /** The command as run, e.g. `-top -nodecount=100000 … -sample_index=alloc_space -lines go-heap-exact.pb.gz`. */
  args: string[];
  sampleIndex: string;
  /** `-diff_base=FILE` when the section is a diff. */
  diffBase: string | null;
  /** The profile files named last on the command line. */
  files: string[];
  /** -tagroot, -tagfocus, -tagignore as given (null when absent). */
  tagroot: string | null;
  tagfocus: string | null;
  tagignore: string | null;
  /** Lines pprof prints before the table (File:, Type:, Time:, comments, stderr notes). */
  header: string[];
}

export interface TopSection extends SectionBase {
  kind: 'top';
  granularity: 'functions' | 'lines' | 'files' | 'addresses';
  /** "Showing nodes accounting for SHOWN, P% of TOTAL total". */
  shown: number;
  total: number;
  rows: TopRow[];
}

export interface TraceFrame {
  name: string;
  inline: boolean;
}

export interface TraceSample {
  value: number;
  /** `key: values` lines above the stack, as printed (numeric labels keep pprof's formatting). */
  labels: Record<string, string>;
  /** Leaf first, as pprof prints them. */
  frames: TraceFrame[];
}

export interface TracesSection extends SectionBase {
  kind: 'traces';
  samples: TraceSample[];
}

export type Section = TopSection | TracesSection;

/** An exact integer as pprof prints it with -unit=byte / -unit=ns, or a bare count. */
export function parseValue(text: string): number {
  const m = /^(-?\d+)(B|ns)?$/.exec(text);
  if (!m) throw new Error(`not an exact pprof value: ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n)) throw new Error(`pprof value past 2^53: ${text}`);
  return n;
}

function parsePercent(text: string): number {
  const m = /^(-?\d+(?:\.\d+)?)%$/.exec(text);
  if (!m) throw new Error(`not a percentage: ${JSON.stringify(text)}`);
  return Number(m[1]);
}

function splitName(rest: string): { name: string; inline: TopRow['inline'] } {
  for (const inline of ['partial-inline', 'inline'] as const) {
    const suffix = ` (${inline})`;
    if (rest.endsWith(suffix)) return { name: rest.slice(0, -suffix.length), inline };
  }
  return { name: rest, inline: '' };
}

function commandParts(args: string[]): Pick<SectionBase, 'sampleIndex' | 'diffBase' | 'files' | 'tagroot' | 'tagfocus' | 'tagignore'> {
  const flag = (name: string) => args.find((a) => a.startsWith(`-${name}=`))?.slice(name.length + 2) ?? null;
  const sampleIndex = flag('sample_index');
  if (!sampleIndex) throw new Error(`section without -sample_index: ${args.join(' ')}`);
  return { sampleIndex, diffBase: flag('diff_base'), files: args.filter((a) => !a.startsWith('-')), tagroot: flag('tagroot'), tagfocus: flag('tagfocus'), tagignore: flag('tagignore') };
}

const ROW = /^\s*(\S+)\s+(\S+%)\s+(\S+%)\s+(\S+)\s+(\S+%)  (.+)$/;
const SHOWING = /^Showing nodes accounting for (\S+), (\S+%) of (\S+) total$/;
const SEPARATOR = /^-{11}\+-+$/;

function parseTop(args: string[], lines: string[]): TopSection {
  const granularity = (['lines', 'files', 'addresses'] as const).find((g) => args.includes(`-${g}`)) ?? 'functions';
  const header: string[] = [];
  let i = 0;
  let shown = NaN;
  let total = NaN;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (/^Dropped \d+ nodes/.test(line)) throw new Error(`pprof dropped nodes in ${args.join(' ')}: ${line}`);
    const m = SHOWING.exec(line);
    if (m) {
      shown = parseValue(m[1]);
      total = parseValue(m[3]);
      i++;
      break;
    }
    header.push(line);
  }
  if (Number.isNaN(total)) throw new Error(`no "Showing nodes" line in ${args.join(' ')}`);
  if (!/^\s+flat\s+flat%\s+sum%\s+cum\s+cum%$/.test(lines[i] ?? '')) throw new Error(`no column header in ${args.join(' ')}`);
  const rows: TopRow[] = [];
  for (i++; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const m = ROW.exec(lines[i]);
    if (!m) throw new Error(`unreadable row in ${args.join(' ')}: ${JSON.stringify(lines[i])}`);
    rows.push({
      flat: parseValue(m[1]),
      flatPct: parsePercent(m[2]),
      sumPct: parsePercent(m[3]),
      cum: parseValue(m[4]),
      cumPct: parsePercent(m[5]),
      ...splitName(m[6]),
    });
  }
  return { kind: 'top', args, ...commandParts(args), header, granularity, shown, total, rows };
}

function parseTraces(args: string[], lines: string[]): TracesSection {
  const header: string[] = [];
  let i = 0;
  while (i < lines.length && !SEPARATOR.test(lines[i])) header.push(lines[i++]);
  const samples: TraceSample[] = [];
  let current: TraceSample | null = null;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    if (SEPARATOR.test(line)) {
      current = { value: NaN, labels: {}, frames: [] };
      samples.push(current);
      continue;
    }
    if (!current) throw new Error(`trace line outside a sample: ${line}`);
    if (current.frames.length === 0) {
      const first = /^\s*(-?\d+(?:B|ns)?)   (\S.*)$/.exec(line);
      if (first) {
        current.value = parseValue(first[1]);
        const { name, inline } = splitName(first[2]);
        current.frames.push({ name, inline: inline === 'inline' });
        continue;
      }
      const label = /^\s*(\S+):  (.*)$/.exec(line);
      if (!label) throw new Error(`unreadable trace line: ${JSON.stringify(line)}`);
      current.labels[label[1]] = label[2];
      continue;
    }
    const frame = /^ {13}(\S.*)$/.exec(line);
    if (!frame) throw new Error(`unreadable trace frame: ${JSON.stringify(line)}`);
    const { name, inline } = splitName(frame[1]);
    current.frames.push({ name, inline: inline === 'inline' });
  }
  // The last separator closes the list rather than opening a sample.
  if (samples.length && samples[samples.length - 1].frames.length === 0) samples.pop();
  for (const s of samples) if (Number.isNaN(s.value)) throw new Error('a trace without a value');
  return { kind: 'traces', args, ...commandParts(args), header, samples };
}

export function parseExpected(text: string): Section[] {
  const sections: Section[] = [];
  const chunks = text.split(/^### go tool pprof /m).slice(1);
  for (const chunk of chunks) {
    const lines = chunk.split('\n');
    const args = lines[0].trim().split(/\s+/);
    const body = lines.slice(1);
    while (body.length && body[body.length - 1] === '') body.pop();
    sections.push(args.includes('-traces') ? parseTraces(args, body) : parseTop(args, body));
  }
  if (sections.length === 0) throw new Error('no "### go tool pprof" sections');
  return sections;
}

export function readExpected(path: string): Section[] {
  return parseExpected(readFileSync(path, 'utf8'));
}
