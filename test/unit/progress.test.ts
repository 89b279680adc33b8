// Progress on stderr (issue 11, item 6): one rewritten line when stderr is a terminal, nothing
// at all otherwise. The line's logic runs with an injected clock and stream; the real command
// runs once under a pseudo-terminal (util-linux `script`) and once with pipes.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressFor, ProgressLine, progressText, showsProgress } from '../../cli/progress.ts';

const CLI = join(__dirname, '../../cli/heaplens.js');
const DUMP = join(__dirname, '../fixtures/tracemalloc/limit25_p5.pickle');

function fakeStream(isTTY: boolean | undefined, columns = 80) {
  const written: string[] = [];
  return { isTTY, columns, written, write: (s: string) => written.push(s) };
}

describe('the progress line', () => {
  it('is shown only on a terminal', () => {
    expect(showsProgress(fakeStream(true))).toBe(true);
    expect(showsProgress(fakeStream(false))).toBe(false);
    expect(showsProgress(fakeStream(undefined))).toBe(false);
    const pipe = fakeStream(false);
    expect(progressFor(pipe, 'x.pickle', { delayMs: 0 })).toBeNull();
    expect(pipe.written).toEqual([]);
  });

  it('says the phase, the bytes and the percentage', () => {
    expect(progressText('dump.pickle', { phase: 'parsing', done: 12 * 2 ** 20, total: 25.8 * 2 ** 20 })).toBe('heaplens: parsing dump.pickle: 12.0 of 25.8 MiB (46%)');
    expect(progressText('big.heapsnapshot', { phase: 'indexing', done: 2, total: 7 })).toBe('heaplens: indexing big.heapsnapshot: step 3 of 7 (28%)');
  });

  it('waits before its first draw, rewrites one line, and is erased at the end', () => {
    let now = 0;
    const tty = fakeStream(true);
    const line = new ProgressLine(tty, 'd.pickle', { delayMs: 100, intervalMs: 50, now: () => now });
    line.update({ phase: 'reading', done: 1, total: 4 });
    expect(tty.written).toEqual([]); // a quick load shows nothing
    line.clear();
    expect(tty.written).toEqual([]); // and erases nothing
    now = 120;
    line.update({ phase: 'reading', done: 2 << 20, total: 4 << 20 });
    now = 130;
    line.update({ phase: 'reading', done: 3 << 20, total: 4 << 20 }); // too soon: skipped
    line.update({ phase: 'parsing', done: 0, total: 4 << 20 }); // a new phase: drawn at once
    expect(tty.written).toEqual(['\rheaplens: reading d.pickle: 2.0 of 4.0 MiB (50%)\x1b[K', '\rheaplens: parsing d.pickle: 0.0 of 4.0 MiB (0%)\x1b[K']);
    line.clear();
    expect(tty.written.at(-1)).toBe('\r\x1b[K');
    expect(tty.written.every((s) => !s.includes('\n'))).toBe(true);
  });

  it('never wraps on a narrow terminal', () => {
    const tty = fakeStream(true, 30);
    new ProgressLine(tty, 'a-rather-long-file-name.pickle', { delayMs: 0 }).update({ phase: 'parsing', done: 1, total: 2 });
    const text = tty.written[0].replace('\r', '').replace('\x1b[K', '');
    expect(text.length).toBeLessThan(30);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('heaplens on a terminal and through a pipe', () => {
  const env = { ...process.env, HEAPLENS_PROGRESS_DELAY_MS: '0' };

  it('writes nothing to stderr when it is not a terminal, so --json stays clean', () => {
    const r = spawnSync(process.execPath, [CLI, 'top', DUMP, '--json'], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).format).toBe('tracemalloc');
  });

  it.skipIf(!existsSync('/usr/bin/script'))('shows the phase on a terminal and erases it before the output', () => {
    const command = [process.execPath, CLI, 'top', DUMP, '--limit', '1'].map((a) => `'${a}'`).join(' ');
    // script runs the command on a new pseudo-terminal: its stdout and stderr are both the pty.
    const r = spawnSync('/usr/bin/script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\rheaplens: (reading|parsing) limit25_p5\.pickle: [\d.]+ of [\d.]+ MiB \(\d+%\)\x1b\[K/);
    // The line is erased, and the command's own output follows on a clean line.
    const rest = r.stdout.slice(r.stdout.lastIndexOf('\r\x1b[K') + 4);
    expect(rest).toMatch(/^\[ Top 1 lines of \d+ in limit25_p5\.pickle \]/);
  });
});
