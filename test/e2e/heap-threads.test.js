// A heap snapshot big enough to be read on two threads in the tab (issue 11): the engine worker
// starts a worker of its own for the edges (workers/edge.worker.ts), and the Summary is the one
// the engine shows when it reads alone (`?threads=1`, no second worker) — row for row, and the
// same as `heaplens summary` in the terminal on one thread. The file is a Chromium fixture
// (written without line breaks) tiled past the size where the split starts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { tsImport } from 'tsx/esm/api';
import { BASE, newPage, shot, SHOTS, useBrowser } from './browser.js';

const { SPLIT_MIN_BYTES } = await tsImport('../../workers/formats/heapsnapshot/edge-range.ts', import.meta.url);
const { formatCount, formatSize } = await tsImport('../../src/lib/format.ts', import.meta.url);

const root = fileURLToPath(new URL('../../', import.meta.url));
const source = join(root, 'test/fixtures/heapsnapshot/chromium-detached.heapsnapshot');
const file = join(SHOTS, 'tiled-threads.heapsnapshot');

const browser = useBrowser();
let cli;
before(() => {
  mkdirSync(SHOTS, { recursive: true });
  execFileSync(process.execPath, [join(root, 'bench/tile_heapsnapshot.mjs'), source, file, String(Math.ceil((SPLIT_MIN_BYTES * 1.25) / 2 ** 20))]);
  const out = execFileSync(process.execPath, [join(root, 'cli/heaplens.js'), 'summary', file, '--json', '--limit', '20'], { env: { ...process.env, HEAPLENS_THREADS: '1' }, maxBuffer: 1 << 26 });
  cli = JSON.parse(out.toString('utf8'));
});

/** Opens the file; returns the Summary's rows as shown, and the URLs of every worker the page and its workers started. */
async function summary(query) {
  const page = await newPage(browser());
  const workers = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.goto(`${BASE}${query}`);
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('class-table').waitFor({ timeout: 120_000 });
  const details = await page.getByTestId('producer').getAttribute('title');
  const rows = await page.getByTestId('class-row').evaluateAll((trs) => trs.slice(0, 20).map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent.trim())));
  return { page, rows, workers, details };
}

describe('a snapshot read on two threads in the tab', () => {
  it('a second worker reads the edges; the Summary is the one-thread Summary, and the terminal’s', async () => {
    const two = await summary('');
    assert.ok(two.workers.some((u) => /edge\.worker/.test(u)), `workers started: ${two.workers.join(', ')}`);
    assert.match(two.details, /edges read on a second thread/);
    await shot(two.page, 'heap-threads-summary');
    const one = await summary('?threads=1');
    assert.ok(!one.workers.some((u) => /edge\.worker/.test(u)), `workers started: ${one.workers.join(', ')}`);
    assert.doesNotMatch(one.details, /second thread/);
    assert.ok(two.rows.length >= 10);
    assert.deepEqual(two.rows, one.rows);
    // The terminal's first rows (retained size order, as the tab's default), in the tab's units.
    cli.classes.slice(0, 10).forEach((r, k) => {
      const cells = two.rows[k].join(' | ');
      assert.ok(cells.includes(formatCount(r.count)) && cells.includes(formatSize(r.retainedSize)), `row ${k}: ${cells} vs ${JSON.stringify(r)}`);
    });
  });
});
