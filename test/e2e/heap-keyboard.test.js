// The heap views by keyboard alone: from the class filter to an object's retainers with Tab,
// the arrow keys and Enter (ARIA tree-grids, one Tab stop each); ignoring a retainer and
// restoring it; and the Top table's roving focus (one Tab stop for all its rows).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BASE, newPage, shot, useBrowser } from './browser.js';

const PLAIN = readFileSync(new URL('../fixtures/heapsnapshot/node-plain.heapsnapshot', import.meta.url));

const browser = useBrowser();

/** What has the keyboard focus: its test id, row key, tree level, expanded state and text. */
const focused = (page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return {
      testid: a?.getAttribute('data-testid') ?? null,
      key: a?.getAttribute('data-key') ?? null,
      level: a?.getAttribute('aria-level') ?? null,
      expanded: a?.getAttribute('aria-expanded') ?? null,
      grid: a?.closest('[role=treegrid]')?.getAttribute('data-testid') ?? null,
      text: (a?.textContent ?? '').replace(/\s+/g, ' ').trim(),
    };
  });

/** Presses a key and waits until the focus satisfies `ok` (the rows it opens come from the worker). */
async function press(page, key, ok) {
  await page.keyboard.press(key);
  for (let i = 0; i < 100; i++) {
    const f = await focused(page);
    if (ok(f)) return f;
    await page.waitForTimeout(50);
  }
  throw new Error(`after ${key}: focus is ${JSON.stringify(await focused(page))}`);
}

describe('the heap views by keyboard', () => {
  it('class filter → Summary → an object → its retainer tree, without the mouse; ignore and restore a retainer', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'node-plain.heapsnapshot', mimeType: 'application/json', buffer: PLAIN });
    await page.getByTestId('class-table').waitFor();
    await page.getByTestId('class-filter').focus();
    await page.keyboard.type('Leaky');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=class-row]').length === 1);
    // Filter → object filter → the sorted column's header → the grid: one Tab stop each.
    await press(page, 'Tab', (f) => f.testid === 'summary-filter');
    await press(page, 'Tab', (f) => f.testid === 'sort-retainedSize');
    let f = await press(page, 'Tab', (f) => f.testid === 'class-row');
    assert.match(f.text, /^▸ Leaky/);
    assert.equal(f.expanded, 'false');
    assert.equal(await page.locator('[data-testid=class-table] [tabindex="0"]').count(), 2, 'one Tab stop for the headers, one for the rows');
    f = await press(page, 'ArrowRight', (f) => f.expanded === 'true');
    assert.equal(f.testid, 'class-row');
    f = await press(page, 'ArrowRight', (f) => f.testid === 'object-row');
    assert.equal(f.level, '2');
    const id = f.text.match(/@\d+/)[0];
    // Focus selects: the object's details are below.
    await page.getByTestId('object-details').getByText(id).first().waitFor();
    f = await press(page, 'ArrowDown', (f) => f.testid === 'object-row' && !f.text.includes(id));
    const second = f.text.match(/@\d+/)[0];
    await page.getByTestId('object-details').getByText(second).first().waitFor();
    f = await press(page, 'ArrowUp', (f) => f.text.includes(id));
    // Enter: to its retainers, the first retainers already opened as DevTools opens them.
    f = await press(page, 'Enter', (f) => f.testid === 'retainer-tree-row');
    assert.equal(f.level, '1');
    // workload.cjs holds the Leaky objects in an array in globalThis.leaks: the chain ends at the global object.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=retainer-tree-row][aria-level="2"]')].some((r) => /\.leaks in global/.test(r.textContent.replace(/\s+/g, ' ')) && r.getAttribute('aria-expanded') === 'true'),
    );
    assert.equal((await focused(page)).expanded, 'true');
    f = await press(page, 'ArrowDown', (f) => f.level === '2');
    assert.match(f.text, /\.leaks in global/);
    // Left closes an open row, Left again goes to its parent; Right opens, Right again goes in.
    if (f.expanded === 'true') f = await press(page, 'ArrowLeft', (f) => f.expanded === 'false');
    f = await press(page, 'ArrowRight', (f) => f.expanded === 'true');
    f = await press(page, 'ArrowRight', (f) => f.level === '3');
    f = await press(page, 'ArrowLeft', (f) => f.level === '2' && /\.leaks in global/.test(f.text));
    f = await press(page, 'ArrowLeft', (f) => f.level === '2' && f.expanded === 'false');
    f = await press(page, 'ArrowLeft', (f) => f.level === '1');
    // One Tab stop for the whole tree.
    assert.equal(await page.locator('[data-testid=retainer-tree] tbody [tabindex="0"]').count(), 1);
    await shot(page, 'heap-keyboard-retainers');

    // I ignores the focused retainer: it is marked, its distance "−", the note says so; I again restores it.
    const before = (await focused(page)).key;
    await page.keyboard.press('i');
    await page.getByTestId('ignored-note').waitFor();
    const row = page.locator(`[data-testid=retainer-tree-row][data-key="${before}"]`);
    await page.waitForFunction((k) => document.querySelector(`[data-key="${k}"]`)?.classList.contains('ignored'), before);
    assert.equal(await row.locator('td').nth(1).innerText(), '−');
    await shot(page, 'heap-keyboard-ignored');
    // Still on the keyboard after the tree was answered again.
    await press(page, 'i', () => true);
    await page.waitForFunction(() => !document.querySelector('[data-testid=ignored-note]'));
    assert.deepEqual(page.errors, []);
  });

  it('Containment: from the root down by keyboard, paged children, the focused object’s retainers below (light, dark, 800 px)', async () => {
    for (const [name, options] of [
      ['heap-containment-light', {}],
      ['heap-containment-dark', { colorScheme: 'dark' }],
      ['heap-containment-800', { viewport: { width: 800, height: 900 } }],
    ]) {
      const page = await newPage(browser(), options);
      await page.goto(BASE);
      await page.getByTestId('file-input').setInputFiles({ name: 'node-plain.heapsnapshot', mimeType: 'application/json', buffer: PLAIN });
      await page.getByTestId('class-table').waitFor();
      await page.getByTestId('tab-containment').click();
      const first = page.getByTestId('containment-tree-row').first();
      await first.waitFor();
      assert.equal(await page.locator('[data-testid=containment-tree] tbody [tabindex="0"]').count(), 1);
      await first.focus();
      let f = await focused(page);
      assert.equal(f.level, '1');
      // Open the first top-level row (a GC roots category or a global), go in, and down a level more.
      if (f.expanded === 'false') f = await press(page, 'ArrowRight', (f) => f.expanded === 'true');
      f = await press(page, 'ArrowRight', (f) => f.level === '2');
      const child = f.key;
      // The focused object is selected: its retainers show below.
      await page.getByTestId('object-details').locator('h3').waitFor();
      await page.getByTestId('retainer-tree-row').first().waitFor();
      if (f.expanded === 'false') {
        f = await press(page, 'ArrowRight', (f) => f.expanded === 'true');
        f = await press(page, 'ArrowRight', (f) => f.level === '3');
        f = await press(page, 'ArrowLeft', (f) => f.key === child);
      }
      // A level longer than a page ends in a "Show more" row that Enter opens.
      const more = page.getByTestId('containment-tree-more').first();
      if ((await more.count()) > 0) {
        const before = await page.getByTestId('containment-tree-row').count();
        await more.focus();
        await page.keyboard.press('Enter');
        await page.waitForFunction((n) => document.querySelectorAll('[data-testid=containment-tree-row]').length > n, before);
      }
      await shot(page, name);
      assert.deepEqual(page.errors, []);
    }
  });

  it('the Top table: one Tab stop, arrow keys move, Right and Left open and close a row', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('open-example').click();
    await page.getByTestId('top-row').first().waitFor();
    const rows = page.getByTestId('top-row');
    assert.ok((await rows.count()) > 3);
    assert.equal(await page.locator('[data-testid=top-table] [tabindex="0"]').count(), 1);
    assert.equal(await rows.first().getAttribute('tabindex'), '0');
    // No button inside a row takes a Tab stop of its own.
    assert.equal(await page.locator('[data-testid=top-table] tr.row button:not([tabindex="-1"])').count(), 0);
    await rows.first().focus();
    await press(page, 'ArrowDown', (f) => f.testid === 'top-row' && /^2(?!\d)/.test(f.text));
    assert.equal(await rows.nth(1).getAttribute('tabindex'), '0');
    assert.equal(await rows.first().getAttribute('tabindex'), '-1');
    await press(page, 'ArrowRight', (f) => f.expanded === 'true');
    await page.getByTestId('row-detail').first().waitFor();
    await press(page, 'ArrowLeft', (f) => f.expanded === 'false');
    await press(page, 'End', (f) => f.testid === 'top-row');
    await press(page, 'Home', (f) => f.testid === 'top-row' && /^1(?!\d)/.test(f.text));
    // Tab leaves the table at once, for whatever follows it.
    const next = await press(page, 'Tab', (f) => f.testid !== 'top-row');
    assert.notEqual(next.grid, 'top-table');
    assert.deepEqual(page.errors, []);
  });
});
