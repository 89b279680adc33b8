// The library never loses an entry: two tabs writing at once keep both changes, files left in
// storage without their record are offered back or deleted, a record whose file is gone says so.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BASE, shot, useBrowser } from './browser.js';

const TM = new URL('../fixtures/tracemalloc/', import.meta.url);
const DUMP = readFileSync(new URL('limit25_p5.pickle', TM));
const SMALL = readFileSync(new URL('limit1_p5.pickle', TM));
const EXPECTED = JSON.parse(readFileSync(new URL('limit25_p5.expected.json', TM), 'utf8'));
const SNAPSHOT_HEAD = readFileSync(new URL('../fixtures/heapsnapshot/node-before.heapsnapshot', import.meta.url)).subarray(0, 4096);

const browser = useBrowser();

/**
 * Holds a tab that has just read the library index (in a read-only transaction) until the other
 * tab has read it too, or 3 s have passed. That is the moment in which two read-then-write updates
 * overwrite each other; an update that reads and writes in one transaction never waits here.
 * `window.__gate = 'name'` arms it for the next such read of that tab.
 */
function gateIndexReads() {
  const channel = new BroadcastChannel('test-gate');
  const arrived = new Set();
  const waiting = [];
  channel.onmessage = (e) => {
    arrived.add(e.data);
    waiting.splice(0).forEach((wake) => wake());
  };
  const onsuccess = Object.getOwnPropertyDescriptor(IDBRequest.prototype, 'onsuccess');
  const get = IDBObjectStore.prototype.get;
  IDBObjectStore.prototype.get = function (key) {
    const request = get.call(this, key);
    const phase = window.__gate;
    if (key !== 'index' || this.transaction.mode !== 'readonly' || !phase) return request;
    window.__gate = null;
    channel.postMessage(phase);
    const open = new Promise((resolve) => {
      const check = () => (arrived.has(phase) ? resolve() : waiting.push(check));
      check();
      setTimeout(resolve, 3000);
    });
    Object.defineProperty(request, 'onsuccess', {
      configurable: true,
      get: () => onsuccess.get.call(request),
      set: (fn) => onsuccess.set.call(request, (ev) => open.then(() => fn.call(request, ev))),
    });
    return request;
  };
}

/** Two tabs of one browser profile: same origin, same IndexedDB. */
async function twoTabs() {
  const context = await browser().newContext({ viewport: { width: 1360, height: 900 } });
  await context.addInitScript(gateIndexReads);
  const pages = [await context.newPage(), await context.newPage()];
  for (const page of pages) {
    page.errors = [];
    page.on('console', (m) => m.type() === 'error' && page.errors.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
    await page.goto(BASE);
    await page.locator('[data-testid=library][data-loaded=true]').waitFor();
  }
  return { context, pages };
}

const labels = (page) => page.getByTestId('library-open').allInnerTexts();
const countIs = (page, n) => page.waitForFunction((n) => document.querySelectorAll('[data-testid=library-entry]').length === n, n);

/** The raw store, as a crash or an older heaplens would have left it. */
function writeRaw(page, records) {
  return page.evaluate(
    (records) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('heaplens');
        open.onupgradeneeded = () => open.result.createObjectStore('library');
        open.onsuccess = () => {
          const tx = open.result.transaction('library', 'readwrite');
          for (const [key, value] of records) tx.objectStore('library').put(value.bytes ? new Blob([new Uint8Array(value.bytes)]) : value, key);
          tx.oncomplete = () => resolve(open.result.close());
          tx.onerror = () => reject(tx.error);
        };
      }),
    records.map(([k, v]) => [k, v instanceof Uint8Array ? { bytes: Array.from(v) } : v]),
  );
}

function storedKeys(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open('heaplens');
        open.onsuccess = () => {
          const req = open.result.transaction('library').objectStore('library').getAllKeys();
          req.onsuccess = () => resolve(req.result.map(String).sort());
        };
      }),
  );
}

describe('library storage', () => {
  it('two tabs adding at once keep both entries; a rename in one and a delete in the other both stick', async () => {
    const { context, pages } = await twoTabs();
    const [a, b] = pages;
    await Promise.all(pages.map((p) => p.evaluate(() => (window.__gate = 'add'))));
    await Promise.all([
      a.getByTestId('file-input').setInputFiles({ name: 'from-tab-a.pickle', mimeType: 'application/octet-stream', buffer: DUMP }),
      b.getByTestId('file-input').setInputFiles({ name: 'from-tab-b.pickle', mimeType: 'application/octet-stream', buffer: SMALL }),
    ]);
    // Once each tab lists its own entry, both writes have committed: a fresh read has both.
    await a.getByTestId('library-open').filter({ hasText: 'from-tab-a.pickle' }).waitFor();
    await b.getByTestId('library-open').filter({ hasText: 'from-tab-b.pickle' }).waitFor();
    const c = await context.newPage();
    await c.goto(BASE);
    await c.locator('[data-testid=library][data-loaded=true]').waitFor();
    assert.deepEqual((await labels(c)).sort(), ['from-tab-a.pickle', 'from-tab-b.pickle']);
    await c.close();
    // And each tab hears of the other's entry without a reload.
    await Promise.all([countIs(a, 2), countIs(b, 2)]);

    await Promise.all(pages.map((p) => p.evaluate(() => (window.__gate = 'edit'))));
    const renameA = a.getByTestId('library-entry').filter({ hasText: 'from-tab-a.pickle' });
    const deleteB = b.getByTestId('library-entry').filter({ hasText: 'from-tab-b.pickle' });
    await renameA.getByTestId('library-rename').click();
    await a.getByTestId('library-rename-input').fill('renamed in tab a');
    await Promise.all([a.getByTestId('library-rename-input').press('Enter'), deleteB.getByTestId('library-delete').click()]);
    await a.getByTestId('library-open').filter({ hasText: 'renamed in tab a' }).waitFor();
    await b.waitForFunction(() => !document.querySelector('[data-testid=library]').textContent.includes('from-tab-b'));
    for (const p of pages) {
      await p.reload();
      await p.locator('[data-testid=library][data-loaded=true]').waitFor();
      assert.deepEqual(await labels(p), ['renamed in tab a']);
    }
    const keys = await storedKeys(a);
    assert.equal(keys.filter((k) => k.startsWith('blob:')).length, 1, keys.join());
    assert.deepEqual([...a.errors, ...b.errors], []);
    await context.close();
  });

  it('files stored without a record are listed as recovered, with their size and kind, and can be kept or deleted', async () => {
    const { context, pages } = await twoTabs();
    const [page] = pages;
    await writeRaw(page, [
      ['blob:left-by-a-crash', DUMP],
      ['blob:another', SNAPSHOT_HEAD],
    ]);
    await page.reload();
    const orphans = page.getByTestId('library-orphan');
    await orphans.first().waitFor();
    const texts = await orphans.allInnerTexts();
    assert.equal(texts.length, 2);
    assert.ok(texts.some((t) => t.includes('Python pickle') && t.includes('40.6 KiB')), texts.join(' | '));
    assert.ok(texts.some((t) => t.includes('V8 heap snapshot') && t.includes('4.00 KiB')), texts.join(' | '));
    await shot(page, '16b-library-recovered');

    await orphans.filter({ hasText: 'V8 heap snapshot' }).getByTestId('library-orphan-delete').click();
    await orphans.filter({ hasText: 'Python pickle' }).getByTestId('library-orphan-keep').click();
    await page.getByTestId('library-entry').first().waitFor();
    assert.equal(await orphans.count(), 0);
    await page.reload();
    await countIs(page, 1);
    assert.equal(await page.getByTestId('library-recovered').count(), 0);
    assert.deepEqual(await storedKeys(page), ['blob:left-by-a-crash', 'index']);

    // The kept file opens with the numbers tracemalloc reports.
    await page.getByTestId('library-open').click();
    const first = (await page.getByTestId('top-row').first().innerText()).replace(/\s+/g, ' ');
    const [file, line] = EXPECTED.statistics.lineno[0].frames[0];
    assert.ok(first.includes(`${file}:${line}`), first);

    // Dropping the same file later gives the recovered entry its name and totals, not a twin.
    await page.getByTestId('file-input').setInputFiles({ name: 'limit25_p5.pickle', mimeType: 'application/octet-stream', buffer: DUMP });
    await page.getByTestId('library-open').filter({ hasText: 'limit25_p5.pickle' }).waitFor();
    await countIs(page, 1);
    assert.match(await page.getByTestId('library-entry').innerText(), /1\.54 MiB in 2,898 traces/);
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  it('a record kept by an earlier heaplens (no fingerprint) is still recognised when its file is opened again', async () => {
    const { context, pages } = await twoTabs();
    const [page] = pages;
    const added = Date.UTC(2026, 0, 2);
    await writeRaw(page, [
      ['index', [{ id: 'old', name: 'limit25_p5.pickle', label: 'kept last year', format: 'tracemalloc', size: DUMP.length, added, captureTime: null, total: { size: 1, count: 1 } }]],
      ['blob:old', DUMP],
    ]);
    await page.reload();
    const entry = page.getByTestId('library-entry');
    await entry.waitFor();
    await page.getByTestId('file-input').setInputFiles({ name: 'renamed.pickle', mimeType: 'application/octet-stream', buffer: DUMP });
    await page.waitForFunction((added) => document.querySelector('[data-testid=library-entry]')?.dataset.opened !== String(added), added);
    await page.reload();
    await page.locator('[data-testid=library][data-loaded=true]').waitFor();
    assert.deepEqual(await labels(page), ['kept last year']);
    assert.match(await entry.innerText(), /1\.54 MiB in 2,898 traces/, "the engine's numbers replace the stored ones");
    assert.deepEqual(await storedKeys(page), ['blob:old', 'index']);
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  it('a record whose file is gone says so, shows its label and capture time, and can be deleted', async () => {
    const { context, pages } = await twoTabs();
    const [page] = pages;
    const captured = Date.UTC(2026, 0, 12, 9, 30);
    await writeRaw(page, [
      ['index', [{ id: 'gone', name: 'prod-worker.heapsnapshot', label: 'worker after 1 h', format: 'heapsnapshot', size: 4096, added: captured + 3600_000, captureTime: captured, total: { size: 1000, count: 10 } }]],
    ]);
    await page.reload();
    const entry = page.getByTestId('library-entry');
    await entry.waitFor();
    const text = await entry.innerText();
    assert.match(text, /worker after 1 h/);
    assert.match(text, /prod-worker\.heapsnapshot/);
    assert.match(await entry.getByTestId('library-captured').innerText(), /captured .*2026/);
    assert.match(await entry.getByTestId('library-missing').innerText(), /no longer in this browser's storage/);
    assert.equal(await entry.getByTestId('library-open').count(), 0, 'nothing to open');
    await entry.getByTestId('library-delete').click();
    await countIs(page, 0);
    await page.reload();
    await page.locator('[data-testid=library][data-loaded=true]').waitFor();
    assert.deepEqual(await storedKeys(page), ['index']);
    assert.equal(await page.getByTestId('library-entry').count(), 0);
    assert.deepEqual(page.errors, []);
    await context.close();
  });
});
