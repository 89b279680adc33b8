// The Comparison view in the browser against DevTools' own Comparison of the same two files
// (heap-snapshot-toolkit through test/reference/devtools.ts, as DevTools' panel calls it): its
// rows, a class opened to its new objects, one of them opened to its retainer tree (whose first
// level is DevTools' Retainers grid), and the warning for snapshots of two processes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { tsImport } from 'tsx/esm/api';
import { BASE, newPage, selectStartingWith, shot, useBrowser } from './browser.js';

const devtools = await tsImport('../reference/devtools.ts', import.meta.url);
const { formatCount, formatSigned, formatSignedCount, formatSize } = await tsImport('../../src/lib/format.ts', import.meta.url);

const path = (name) => fileURLToPath(new URL(`../fixtures/heapsnapshot/${name}`, import.meta.url));
const BEFORE = 'chromium-shapes.heapsnapshot';
const AFTER = 'chromium-shapes-after.heapsnapshot';
const OTHER = 'chromium-detached.heapsnapshot';
const distanceText = (d) => (d >= 0 && d < devtools.BASE_SYSTEM_DISTANCE ? String(d) : '−');

const browser = useBrowser();
const snaps = {};
before(async () => {
  for (const f of [BEFORE, AFTER]) snaps[f] = await devtools.load(path(f));
});

async function open(page, name) {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/json', buffer: readFileSync(path(name)) });
  await page.waitForFunction((n) => document.querySelector('[data-testid=profile-header]')?.textContent?.includes(n), name);
  await page.getByTestId('class-table').waitFor();
}

async function comparePair(page) {
  await page.goto(BASE);
  await open(page, BEFORE);
  await open(page, AFTER);
  await page.getByTestId('tab-comparison').click();
  await page.getByTestId('heap-comparison').waitFor();
}

describe('Comparison equals DevTools’ and leads to the objects and their retainers', () => {
  it('rows in DevTools’ order (Alloc. size); a class opens to its new objects; a new object opens its retainer tree', async () => {
    const page = await newPage(browser());
    await comparePair(page);
    // The base is the earlier snapshot of the page, chosen without asking.
    assert.match(await page.getByTestId('heap-base').evaluate((s) => s.selectedOptions[0].textContent), new RegExp(`^${BEFORE}`));
    const want = devtools.comparison(snaps[BEFORE], snaps[AFTER]);
    await page.getByTestId('sort-allocSize').click(); // DevTools' default column, largest first
    await page.waitForFunction((k) => document.querySelector('[data-testid=comparison-row]')?.dataset.classKey === k, want[0].key);
    const shown = await page.getByTestId('comparison-row').evaluateAll((rows) =>
      rows.map((r) => {
        const td = [...r.querySelectorAll('td')].map((c) => c.textContent.trim());
        return { key: r.dataset.classKey, name: r.querySelector('.grow').textContent.trim(), cells: td.slice(1), allocSize: Number(r.dataset.alloc), freedSize: Number(r.dataset.freed) };
      }),
    );
    assert.deepEqual(
      shown,
      want.map((r) => ({
        key: r.key,
        name: r.name,
        cells: [formatCount(r.newCount), formatCount(r.deletedCount), formatSignedCount(r.countDelta), formatSize(r.allocSize), formatSize(r.freedSize), formatSigned(r.sizeDelta)],
        allocSize: r.allocSize,
        freedSize: r.freedSize,
      })),
    );
    console.info(`Comparison: ${want.length} rows compared with DevTools`);

    // The class with the most new objects opens to them: DevTools' count, largest first.
    const cls = want.reduce((a, b) => (b.newCount > a.newCount ? b : a));
    const row = page.locator(`[data-testid=comparison-row][data-class-key="${cls.key}"]`);
    await row.click();
    const group = page.getByTestId('comparison-new');
    await group.waitFor();
    assert.match(await group.innerText(), new RegExp(`${formatCount(cls.newCount)} allocated since the base`));
    const objects = page.locator('[data-testid=comparison-object][data-which=new]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=comparison-object][data-which=new]').length === n, Math.min(20, cls.newCount));
    const ids = await objects.evaluateAll((rows) => rows.map((r) => Number(r.querySelector('.id').textContent.slice(1))));
    // New: ids the base does not have, each an object of this class in the later snapshot.
    for (const id of ids) {
      assert.equal(devtools.nodeIndexOfId(snaps[BEFORE], id), null, `@${id} is in the base`);
      assert.notEqual(devtools.nodeIndexOfId(snaps[AFTER], id), null);
    }

    // The first new object: its retainer tree, whose first level is DevTools' Retainers grid.
    await objects.first().click();
    const nodeIndex = devtools.nodeIndexOfId(snaps[AFTER], ids[0]);
    const retainers = devtools.retainers(snaps[AFTER], nodeIndex, 50);
    await page.getByTestId('object-details').getByText(`@${ids[0]}`).first().waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=retainer-tree-row][aria-level="1"]').length === n, retainers.length);
    const level1 = await page.locator('[data-testid=retainer-tree-row][aria-level="1"]').evaluateAll((rows) =>
      rows.map((r) => ({ id: Number(r.querySelector('.id').textContent.slice(1)), distance: r.querySelectorAll('td')[1].textContent.trim() })),
    );
    assert.deepEqual(
      level1,
      retainers.map((r) => ({ id: r.object.id, distance: distanceText(r.object.distance) })),
    );
    // DevTools opens the first retainers down to a root; so does heaplens.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=retainer-tree-row][aria-level="3"]').length > 0);
    await shot(page, 'heap-comparison-light');
    assert.deepEqual(page.errors, []);
  });

  it('dark and 800 px', async () => {
    for (const [name, options] of [
      ['heap-comparison-dark', { colorScheme: 'dark' }],
      ['heap-comparison-800', { viewport: { width: 800, height: 900 } }],
    ]) {
      const page = await newPage(browser(), options);
      await comparePair(page);
      await page.getByTestId('comparison-row').nth(1).click();
      await page.locator('[data-testid=comparison-object]').first().click();
      await page.getByTestId('retainer-tree-row').first().waitFor();
      const overflow = await page.getByTestId('heap-comparison').evaluate((t) => t.scrollWidth - t.clientWidth);
      assert.ok(overflow <= 1, `the table is ${overflow}px wider than its box`);
      await shot(page, name);
      assert.deepEqual(page.errors, []);
    }
  });

  it('snapshots of two processes are told apart; a deleted object’s retainers are the base’s', async () => {
    const page = await newPage(browser());
    await comparePair(page);
    assert.equal(await page.getByTestId('other-process').count(), 0);
    // A deleted object lives in the base: its retainers come from there.
    const cls = devtools.comparison(snaps[BEFORE], snaps[AFTER]).find((r) => r.deletedCount > 0 && r.newCount === 0);
    await page.locator(`[data-testid=comparison-row][data-class-key="${cls.key}"]`).click();
    const deleted = page.locator('[data-testid=comparison-object][data-which=deleted]').first();
    await deleted.click();
    const id = Number((await deleted.locator('.id').innerText()).slice(1));
    assert.equal(devtools.nodeIndexOfId(snaps[AFTER], id), null, 'a deleted object is not in the later snapshot');
    await page.getByTestId('object-details').getByText(/its retainers in the base/).waitFor();
    await page.getByTestId('retainer-tree-row').first().waitFor();

    await open(page, OTHER);
    await page.getByTestId('tab-comparison').click();
    await selectStartingWith(page, 'heap-base', BEFORE);
    await page.getByTestId('other-process').waitFor();
    assert.match(await page.getByTestId('other-process').innerText(), /two processes/);
    await shot(page, 'heap-comparison-two-processes');
    assert.deepEqual(page.errors, []);
  });
});
