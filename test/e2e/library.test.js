// The library (IndexedDB) and sharing: profiles survive a reload, renames and deletes persist,
// renaming behaves like a text box should, the same content opened twice is one entry, a full
// storage is reported without losing earlier entries (more in library-storage.test.js); #url= opens hosted files (with and
// without CORS), the view lives in the URL, and a link can carry the profile itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveStatic } from './static-server.js';
import { BASE, newPage, shot, SHOTS, useBrowser } from './browser.js';

const TM = new URL('../fixtures/tracemalloc/', import.meta.url);
const DUMP = readFileSync(new URL('limit25_p5.pickle', TM));
const EXPECTED = JSON.parse(readFileSync(new URL('limit25_p5.expected.json', TM), 'utf8'));
const read = (path) => readFileSync(new URL(path, TM));
const SNAPSHOTS = new URL('../fixtures/heapsnapshot/', import.meta.url);
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

  it('Rename puts the focus in the box with the text selected; Esc and clicking away cancel; Enter and Save save; all by keyboard too', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'limit25_p5.pickle', mimeType: 'application/octet-stream', buffer: DUMP });
    const entry = page.getByTestId('library-entry').first();
    await entry.waitFor();
    const input = page.getByTestId('library-rename-input');
    const label = () => entry.getByTestId('library-open').innerText();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return { testid: el?.dataset.testid ?? el?.tagName, selected: el?.value?.slice(el.selectionStart, el.selectionEnd) };
      });

    await entry.getByTestId('library-rename').click();
    assert.deepEqual(await focused(), { testid: 'library-rename-input', selected: 'limit25_p5.pickle' });
    await page.keyboard.type('given up with Esc'); // replaces the selection
    assert.equal(await input.inputValue(), 'given up with Esc');
    await shot(page, '16f-library-rename');
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'detached' });
    assert.equal(await label(), 'limit25_p5.pickle');
    assert.equal((await focused()).testid, 'library-rename', 'the keyboard is back on Rename');

    await entry.getByTestId('library-rename').click();
    await page.keyboard.type('given up by clicking away');
    await page.getByRole('heading', { name: 'Library' }).click();
    await input.waitFor({ state: 'detached' });
    assert.equal(await label(), 'limit25_p5.pickle');

    await entry.getByTestId('library-rename').click();
    await page.keyboard.type('saved with the button');
    await page.getByTestId('library-rename-save').click();
    await entry.getByTestId('library-open').filter({ hasText: 'saved with the button' }).waitFor();

    // Keyboard only: Enter on Rename, type, Enter; then Rename again and Tab out of the form.
    await entry.getByTestId('library-rename').focus();
    await page.keyboard.press('Enter');
    assert.deepEqual(await focused(), { testid: 'library-rename-input', selected: 'saved with the button' });
    await page.keyboard.type('saved from the keyboard');
    await page.keyboard.press('Enter');
    await entry.getByTestId('library-open').filter({ hasText: 'saved from the keyboard' }).waitFor();
    assert.equal((await focused()).testid, 'library-rename');
    await page.keyboard.press('Enter');
    await page.keyboard.type('given up by tabbing away');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab'); // box → Save → Cancel → out
    await input.waitFor({ state: 'detached' });
    assert.equal(await label(), 'saved from the keyboard');
    await page.reload();
    await page.getByTestId('library-open').filter({ hasText: 'saved from the keyboard' }).waitFor();
    assert.deepEqual(page.errors, []);
  });

  it('the same content opened twice is one entry, under any name; different content is another; label and name both shown', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    const entries = page.getByTestId('library-entry');
    const countIs = (n) => page.waitForFunction((n) => document.querySelectorAll('[data-testid=library-entry]').length === n, n);
    /** Drops a file that the library already holds and waits until that entry says it was opened again. */
    async function dropAgain(name, buffer, holder) {
      const before = await entries.filter({ hasText: holder }).getAttribute('data-opened');
      await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
      await page.waitForFunction(
        ([holder, before]) => [...document.querySelectorAll('[data-testid=library-entry]')].some((e) => e.textContent.includes(holder) && e.dataset.opened !== before),
        [holder, before],
      );
    }
    const drop = (name, buffer) => page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });

    await drop('limit25_p5.pickle', DUMP);
    await countIs(1);
    await dropAgain('limit25_p5.pickle', DUMP, 'limit25_p5.pickle');
    await dropAgain('limit25_dump.pickle', read('limit25_dump.pickle'), 'limit25_p5.pickle'); // byte-identical copy
    assert.equal(await entries.count(), 1);
    await drop('limit25_p4.pickle', read('limit25_p4.pickle')); // same length, one byte differs
    await countIs(2);

    // Heap snapshots of 4 MB: recognised from their sampled parts.
    const before = readFileSync(new URL('node-before.heapsnapshot', SNAPSHOTS));
    await drop('node-before.heapsnapshot', before);
    await countIs(3);
    await dropAgain('copy of node-before.heapsnapshot', before, 'node-before.heapsnapshot');
    await drop('node-after.heapsnapshot', readFileSync(new URL('node-after.heapsnapshot', SNAPSHOTS)));
    await countIs(4);
    await page.reload();
    await countIs(4);
    assert.deepEqual((await page.getByTestId('library-open').allInnerTexts()).sort(), ['limit25_p4.pickle', 'limit25_p5.pickle', 'node-after.heapsnapshot', 'node-before.heapsnapshot']);
    assert.equal(await page.getByTestId('series-chart').count(), 0, 'no chart of one file against itself');

    // A label the user gave is shown with the file's own name under it.
    const p4 = entries.filter({ hasText: 'limit25_p4.pickle' });
    await p4.getByTestId('library-rename').click();
    await page.keyboard.type('protocol 4 run');
    await page.keyboard.press('Enter');
    await p4.getByTestId('library-open').filter({ hasText: 'protocol 4 run' }).waitFor();
    assert.match(await p4.innerText(), /protocol 4 run\s+limit25_p4\.pickle\s+1\.54 MiB in 2,898 traces\s+tracemalloc · 40\.6 KiB · added /);

    await page.getByTestId('library-open').filter({ hasText: 'node-after' }).click();
    await page.getByTestId('profile-header').waitFor();
    await shot(page, '16c-library-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, '16d-library-dark');
    await page.setViewportSize({ width: 800, height: 900 });
    await page.getByTestId('library').scrollIntoViewIfNeeded();
    await page.getByTestId('library').screenshot({ path: join(SHOTS, '16e-library-800px.png') });
    assert.deepEqual(page.errors, []);
  });

  it('when storage is full the user is told, nothing half-written stays, and earlier entries still open', async () => {
    const page = await newPage(browser());
    // Make IndexedDB writes fail on demand, as a full quota would, and the estimate say so.
    await page.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args) {
        if (window.__storageFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
      const estimate = navigator.storage.estimate.bind(navigator.storage);
      navigator.storage.estimate = async () => (window.__storageFull ? { usage: 2 ** 30 - 1000, quota: 2 ** 30 } : estimate());
    });
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'first.pickle', mimeType: 'application/octet-stream', buffer: DUMP });
    await page.getByTestId('library-entry').first().waitFor();
    await page.evaluate(() => (window.__storageFull = true));
    await page.getByTestId('file-input').setInputFiles({ name: 'second.pickle', mimeType: 'application/octet-stream', buffer: readFileSync(new URL('limit1_p5.pickle', TM)) });
    const notice = page.getByTestId('notice');
    await notice.waitFor();
    assert.match(await notice.innerText(), /no room left for this file \([\d.]+ [KM]iB\) in its storage \(1024 MiB of 1\.00 GiB used\)/);
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
    assert.equal(await other.getByTestId('filter').inputValue(), '!<frozen*');
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
