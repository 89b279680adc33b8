// The walking skeleton in a real browser: open the example, read the top rows, see a traceback,
// and get a clear message for files heaplens cannot read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BASE, dropFile, newPage, shot, useBrowser } from './browser.js';

const EXAMPLE_EXPECTED = JSON.parse(readFileSync(new URL('../../public/examples/tornado-server.expected.json', import.meta.url), 'utf8'));
const DUMP = readFileSync(new URL('../fixtures/tracemalloc/limit25_p5.pickle', import.meta.url));

const browser = useBrowser();

async function openExample(page) {
  await page.goto(BASE);
  await page.getByTestId('open-example').click();
  await page.getByTestId('top-row').first().waitFor();
}

describe('the tornado example', () => {
  it('offers the example on first start and shows the memory_list line on top, by line', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('start').waitFor();
    await shot(page, '01-start');
    await page.getByTestId('open-example').click();
    await page.getByTestId('top-row').first().waitFor();
    const want = EXAMPLE_EXPECTED.statistics.lineno[0];
    const [file, line] = want.frames[0];
    assert.match(file, /server\.py$/);
    const first = page.getByTestId('top-row').first();
    const text = await first.innerText();
    assert.ok(text.includes(`${file}`), text);
    assert.ok(text.includes(`:${line}`), text);
    assert.ok(text.includes((want.count).toLocaleString('en-US')), `count ${want.count} in ${text}`);
    // Same size tracemalloc reports: 38.6 MiB for the million ints.
    assert.ok(text.includes(`${(want.size / 2 ** 20).toFixed(1)} MiB`), text);
    // The largest of all: rows come largest first, and the first holds most of the total.
    const sizes = await page.getByTestId('top-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.size)));
    assert.equal(sizes[0], want.size);
    assert.ok(sizes.every((s, i) => i === 0 || s <= sizes[i - 1]), 'rows ordered by size');
    assert.ok(sizes[0] > EXAMPLE_EXPECTED.total.size / 2, 'the million ints hold most of the memory');
    assert.ok(sizes.length <= 200, `one page of rows at a time, not ${sizes.length}`);
    // A wide window shows whole paths: nothing is elided that fits.
    const elided = await page.getByTestId('top-row').evaluateAll((rows) =>
      rows.slice(0, 30).filter((r) => [...r.querySelectorAll('.frame > *')].some((e) => e.scrollWidth > e.clientWidth)).map((r) => r.querySelector('.frame').title),
    );
    assert.deepEqual(elided, []);
    const header = await page.getByTestId('profile-header').innerText();
    assert.match(header, /traceback limit 25/);
    // tracemalloc records no function names: that grouping is offered but disabled, and says why.
    const byFunction = page.getByTestId('group-function');
    assert.equal(await byFunction.isDisabled(), true);
    assert.match((await byFunction.getAttribute('title')) ?? '', /no function names/);
    await shot(page, '02-example-by-line');
    assert.deepEqual(page.errors, []);
  });

  it('by traceback, the top row expands to its stack, outermost first', async () => {
    const page = await newPage(browser());
    await openExample(page);
    await page.getByTestId('group-traceback').click();
    const want = EXAMPLE_EXPECTED.statistics.traceback[0];
    await page.waitForFunction((n) => document.querySelector('[data-testid=top-row]')?.textContent?.includes(`${n} frames`), want.frames.length);
    await page.getByTestId('top-row').first().click();
    const items = page.getByTestId('traceback').first().locator('li');
    assert.equal(await items.count(), want.frames.length);
    for (const [i, [file, line]] of want.frames.entries()) {
      const t = await items.nth(i).innerText();
      assert.ok(t.includes(file) && t.includes(`:${line}`), `frame ${i}: ${t} vs ${file}:${line}`);
    }
    await shot(page, '03-example-traceback');
    assert.deepEqual(page.errors, []);
  });

  it('a row by line expands to the tracebacks that lead there', async () => {
    const page = await newPage(browser());
    await openExample(page);
    await page.getByTestId('top-row').first().click();
    await page.getByTestId('traceback').first().waitFor();
    const last = await page.getByTestId('traceback').first().locator('li').last().innerText();
    assert.match(last, /server\.py:11/);
    assert.deepEqual(page.errors, []);
  });

  it('the filter box excludes a file, like tracemalloc.Filter(False, …)', async () => {
    const page = await newPage(browser());
    await openExample(page);
    await page.getByTestId('filter').fill('!*server.py');
    await page.waitForFunction(() => !document.querySelector('[data-testid=top-row]')?.textContent?.includes('server.py'));
    const summary = await page.getByTestId('summary').innerText();
    assert.match(summary, /before filters/);
    await shot(page, '04-filtered');
    assert.deepEqual(page.errors, []);
  });
});

describe('reading comfort', () => {
  it('dark theme, and long paths elided in the middle so file names and lines stay visible', async () => {
    const page = await newPage(browser(), { colorScheme: 'dark', viewport: { width: 820, height: 700 } });
    await openExample(page);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 150, `dark background, got ${bg}`);
    // Long paths give way in the middle ("/usr/lib/python3.1…__init__.py:501"): the folder first,
    // then the file name; the line number always stays in view.
    const rows = await page.getByTestId('top-row').evaluateAll((rows) =>
      rows.slice(0, 60).map((row) => {
        const label = row.querySelector('.frame');
        const folder = label.querySelector('.folder');
        const name = label.querySelector('.name');
        return {
          title: label.title,
          lineShown: label.querySelector('.line').getBoundingClientRect().right <= label.getBoundingClientRect().right + 0.5,
          folderElided: folder !== null && folder.scrollWidth > folder.clientWidth,
          nameWhole: name.scrollWidth <= name.clientWidth,
        };
      }),
    );
    assert.deepEqual(rows.filter((r) => !r.lineShown).map((r) => r.title), []);
    assert.ok(rows.some((r) => r.folderElided && r.nameWhole), 'some long folder was elided, its file name kept whole');
    const title = await page.getByTestId('top-row').locator('.frame').first().getAttribute('title');
    assert.match(title, /^\/tmp\/heaplens-example\/server\.py:11$/);
    await shot(page, '04b-dark-narrow');
    assert.deepEqual(page.errors, []);
  });
});

describe('files heaplens cannot read', () => {
  it('a dropped text file shows a clear error and the page keeps working', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropFile(page, 'notes.txt', new TextEncoder().encode('these are my notes, not a profile\n'), 'text/plain', async () => {
      await page.getByTestId('drop-overlay').waitFor();
      await shot(page, '05a-dragging');
    });
    await page.getByTestId('drop-overlay').waitFor({ state: 'detached' });
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.match(await banner.innerText(), /notes\.txt: .*not a recognised memory profile/);
    await shot(page, '05-error-text-file');
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await banner.waitFor({ state: 'detached' });
    // Still usable: the example opens after the error.
    await page.getByTestId('open-example').click();
    await page.getByTestId('top-row').first().waitFor();
    assert.deepEqual(page.errors, []);
  });

  it('a truncated dump picked with the file input says it is truncated', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'cut.pickle', mimeType: 'application/octet-stream', buffer: DUMP.subarray(0, DUMP.length >> 1) });
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.match(await banner.innerText(), /truncated/);
    assert.deepEqual(page.errors, []);
  });

  it('a real dump dropped on the page opens', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropFile(page, 'limit25_p5.pickle', DUMP);
    await page.getByTestId('top-row').first().waitFor();
    assert.match(await page.getByTestId('profile-header').innerText(), /limit25_p5\.pickle/);
    assert.deepEqual(page.errors, []);
  });
});

describe('security', () => {
  it('the built page has a strict Content Security Policy and no inline script', async () => {
    const html = await (await fetch(BASE)).text();
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval/);
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\ssrc=/, `inline script: ${tag}`);
  });

  it('file names and paths from a profile are shown as text, never as markup', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropFile(page, '<img src=x onerror="window.pwned=1">.pickle', new TextEncoder().encode('not a profile'));
    await page.getByTestId('error-banner').waitFor();
    assert.match(await page.getByTestId('error-banner').innerText(), /<img src=x onerror=/);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(page.errors, []);
  });
});
