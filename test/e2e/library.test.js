// The library (IndexedDB) and sharing: profiles survive a reload, renames and deletes persist,
// a full storage is reported without losing earlier entries; #url= opens hosted files (with and
// without CORS), the view lives in the URL, and a link can carry the profile itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveStatic } from './static-server.js';
import { BASE, newPage, shot, useBrowser } from './browser.js';

const TM = new URL('../fixtures/tracemalloc/', import.meta.url);
const DUMP = readFileSync(new URL('limit25_p5.pickle', TM));
const EXPECTED = JSON.parse(readFileSync(new URL('limit25_p5.expected.json', TM), 'utf8'));
const COMPARE = JSON.parse(readFileSync(new URL('compare.expected.json', TM), 'utf8')).compare_to;

const browser = useBrowser();
let withCors;
let withoutCors;
before(async () => {
  const dir = join(process.cwd(), 'test/fixtures/tracemalloc');
  withCors = await serveStatic(dir, { headers: { 'Access-Control-Allow-Origin': '*' } });
  withoutCors = await serveStatic(dir);
});
after(async () => {
  withCors?.close();
  withoutCors?.close();
});

/** The first rows of the Top table as [file:line, count] pairs. */
async function topRows(page, n = 3) {
  const rows = page.getByTestId('top-row');
  await rows.first().waitFor();
  const out = [];
  for (let i = 0; i < n; i++) out.push((await rows.nth(i).innerText()).replace(/\s+/g, ' ').trim());
  return out;
}

function expectTop(rows) {
  EXPECTED.statistics.lineno.slice(0, rows.length).forEach((want, i) => {
    const [file, line] = want.frames[0];
    assert.ok(rows[i].includes(`${file}:${line}`), `row ${i}: ${rows[i]} vs ${file}:${line}`);
    assert.ok(rows[i].includes(want.count.toLocaleString('en-US')), `row ${i} count ${want.count}: ${rows[i]}`);
  });
}

describe('library', () => {
  it('a dropped profile is still listed after a reload and opens with the same numbers; renames and deletes persist', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'limit25_p5.pickle', mimeType: 'application/octet-stream', buffer: DUMP });
    expectTop(await topRows(page));
    await page.getByTestId('library-entry').first().waitFor();
    await page.goto(BASE); // a reload, without the hash
    await page.reload();
    const entry = page.getByTestId('library-entry').first();
    await entry.waitFor();
    assert.match(await entry.innerText(), /limit25_p5\.pickle/);
    await entry.getByTestId('library-open').click();
    expectTop(await topRows(page));
    // rename, reload, still renamed
    await entry.getByTestId('library-rename').click();
    await page.getByTestId('library-rename-input').fill('before the fix');
    await page.getByTestId('library-rename-input').press('Enter');
    await page.getByTestId('library-open').filter({ hasText: 'before the fix' }).waitFor();
    await page.reload();
    await page.getByTestId('library-open').filter({ hasText: 'before the fix' }).waitFor();
    await shot(page, '16-library');
    // delete, reload, gone
    await page.getByTestId('library-delete').first().click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=library-entry]').length === 0);
    await page.reload();
    await page.getByTestId('library').waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.getByTestId('library-entry').count(), 0);
    assert.deepEqual(page.errors, []);
  });

  it('when storage is full the user is told, nothing half-written stays, and earlier entries still open', async () => {
    const page = await newPage(browser());
    // Make IndexedDB writes fail on demand, as a full disk would.
    await page.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args) {
        if (window.__storageFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    });
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'first.pickle', mimeType: 'application/octet-stream', buffer: DUMP });
    await page.getByTestId('library-entry').first().waitFor();
    await page.evaluate(() => (window.__storageFull = true));
    await page.getByTestId('file-input').setInputFiles({ name: 'second.pickle', mimeType: 'application/octet-stream', buffer: readFileSync(new URL('limit1_p5.pickle', TM)) });
    const notice = page.getByTestId('notice');
    await notice.waitFor();
    assert.match(await notice.innerText(), /no room left/);
    assert.equal(await page.getByTestId('library-entry').count(), 1);
    await page.evaluate(() => (window.__storageFull = false));
    await page.reload();
    await page.getByTestId('library-entry').first().waitFor();
    assert.equal(await page.getByTestId('library-entry').count(), 1);
    await page.getByTestId('library-open').first().click();
    expectTop(await topRows(page));
    assert.deepEqual(page.errors.filter((e) => !/QuotaExceeded/.test(e)), []);
  });
});

describe('links', () => {
  it('#url= opens a hosted profile (CORS allowed) with the right numbers', async () => {
    const page = await newPage(browser());
    await page.goto(`${BASE}#url=${encodeURIComponent(`${withCors.url}limit25_p5.pickle`)}`);
    expectTop(await topRows(page));
    assert.deepEqual(page.errors, []);
  });

  it('a server without CORS gets an explanation of what to do', async () => {
    const page = await newPage(browser());
    await page.goto(`${BASE}#url=${encodeURIComponent(`${withoutCors.url}limit25_p5.pickle`)}`);
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    const text = await banner.innerText();
    assert.match(text, /CORS/);
    assert.match(text, /download the file and drop it/);
    await shot(page, '17-cors-error');
    // the browser logs the refused fetch itself; nothing else may go wrong
    assert.deepEqual(page.errors.filter((e) => !/CORS|Failed to load resource|Access-Control/.test(e)), []);
  });

  it('#url=…&base=… opens a diff of two hosted files', async () => {
    const page = await newPage(browser());
    const u = (f) => encodeURIComponent(`${withCors.url}${f}`);
    await page.goto(`${BASE}#url=${u('after_p5.pickle')}&base=${u('before_p5.pickle')}`);
    await page.getByTestId('diff-table').waitFor();
    const first = (await page.getByTestId('diff-row').first().innerText()).replace(/\s+/g, ' ');
    const [file, line] = COMPARE.lineno[0].frames[0];
    assert.ok(first.includes(`${file}:${line}`), first);
    assert.deepEqual(page.errors, []);
  });

  it('the view round-trips through the URL, and back/forward step through views', async () => {
    const page = await newPage(browser());
    await page.goto(`${BASE}#url=${encodeURIComponent(`${withCors.url}limit25_p5.pickle`)}`);
    await topRows(page);
    await page.getByTestId('group-traceback').click();
    await page.getByTestId('filter').fill('!<frozen*');
    await page.waitForFunction(() => location.hash.includes('filter='));
    await page.getByTestId('tab-flame').click();
    await page.getByTestId('flame-search').fill('workload');
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]')?.height > 0);
    await page.mouse.click(box.x + 20, box.y + 9);
    await page.getByTestId('flame-breadcrumb').waitFor();
    await page.waitForFunction(() => location.hash.includes('zoom='));
    const link = page.url();
    await page.getByTestId('copy-link').click();

    const other = await newPage(browser());
    await other.goto(link);
    await other.getByTestId('flame-breadcrumb').waitFor();
    assert.equal(await other.getByTestId('flame-search').inputValue(), 'workload');
    assert.equal(await other.getByTestId('flame-filter').inputValue(), '!<frozen*');
    await other.getByTestId('tab-top').click();
    assert.equal(await other.getByTestId('group-traceback').getAttribute('aria-checked'), 'true');
    // back: the flame view again
    await other.goBack();
    await other.getByTestId('flame-canvas').waitFor();
    assert.deepEqual([...page.errors, ...other.errors], []);
  });

  it('a link with data opens the same top rows without any network request for the profile', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'limit25_p5.pickle', mimeType: 'application/octet-stream', buffer: DUMP });
    const rows = await topRows(page);
    await page.getByTestId('copy-data-link').click();
    await page.waitForFunction(() => location.hash.includes('data='));
    const link = page.url();
    const other = await newPage(browser());
    const requests = [];
    other.on('request', (r) => requests.push(r.url()));
    await other.goto(link);
    assert.deepEqual(await topRows(other), rows);
    const appOrigin = new URL(BASE).origin;
    assert.deepEqual(requests.filter((u) => !u.startsWith(appOrigin) && !u.startsWith('data:') && !u.startsWith('blob:')), []);
    assert.deepEqual(requests.filter((u) => /\.pickle|heaplens\.json/.test(u)), []);
    assert.deepEqual([...page.errors, ...other.errors], []);
  });
});
