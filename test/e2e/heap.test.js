// Heap snapshots in the browser: drop one, read the class table, open a class, see what keeps
// an object alive (the retainer tree opens its first retainers, as DevTools does).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BASE, dropFile, newPage, selectStartingWith, shot, useBrowser } from './browser.js';

const PLAIN = readFileSync(new URL('../fixtures/heapsnapshot/node-plain.heapsnapshot', import.meta.url));
const TRACKED = readFileSync(new URL('../fixtures/heapsnapshot/node-tracked.heapsnapshot', import.meta.url));

const browser = useBrowser();

describe('heap snapshots', () => {
  it('drop a snapshot, see the class table, open Leaky and see what holds it', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'node-plain.heapsnapshot', mimeType: 'application/json', buffer: PLAIN });
    await page.getByTestId('class-table').waitFor();
    assert.match(await page.getByTestId('heap-totals').innerText(), /41,110 objects/);
    await page.getByTestId('class-filter').fill('Leaky');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=class-row]').length === 1);
    const leaky = page.getByTestId('class-row').filter({ hasText: 'Leaky' });
    await leaky.first().waitFor();
    assert.match(await leaky.first().innerText(), /\b300\b/);
    await leaky.first().click();
    await page.getByTestId('object-row').first().click();
    // workload.cjs keeps the Leaky objects in an array in globalThis.leaks: the first retainers,
    // opened on selection, end at the global object.
    const leaks = page.getByTestId('retainer-tree-row').filter({ hasText: /\.leaks\s+in\s+global/ });
    await leaks.first().waitFor();
    assert.equal(await leaks.first().getAttribute('aria-level'), '2');
    await shot(page, '07-heap-retainers');
    assert.deepEqual(page.errors, []);
  });

  it('a snapshot with allocation traces also shows the allocation view', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropFile(page, 'node-tracked.heapsnapshot', TRACKED);
    await page.getByTestId('class-table').waitFor();
    await page.getByTestId('tab-top').click();
    await page.getByTestId('group-function').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=top-row]')].some((r) => r.textContent.includes('Leaky')));
    await shot(page, '08-heap-allocations');
    assert.deepEqual(page.errors, []);
  });

  it('a truncated snapshot says so', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'cut.heapsnapshot', mimeType: 'application/json', buffer: PLAIN.subarray(0, PLAIN.length >> 1) });
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.match(await banner.innerText(), /truncated/);
    assert.deepEqual(page.errors, []);
  });
});

describe('comparing heap snapshots', () => {
  const file = (name) => readFileSync(new URL(`../fixtures/heapsnapshot/${name}.heapsnapshot`, import.meta.url));

  it('Comparison by object id, and leak candidates by memlab\'s rule', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    // The same bytes opened twice are one profile, so the third snapshot of memlab's rule is the
    // second itself here: born between the two, alive in the second.
    for (const [name, label] of [
      ['node-before', 'first.heapsnapshot'],
      ['node-after', 'second.heapsnapshot'],
    ]) {
      await page.getByTestId('file-input').setInputFiles({ name: label, mimeType: 'application/json', buffer: file(name) });
      await page.waitForFunction((n) => document.querySelector('[data-testid=profile-header]')?.textContent?.includes(n), label);
      await page.getByTestId('class-table').waitFor();
    }
    await page.getByTestId('tab-comparison').click();
    await selectStartingWith(page, 'heap-base', 'first.heapsnapshot');
    await page.getByTestId('heap-comparison').waitFor();
    const row = (testId, name) => page.getByTestId(testId).filter({ has: page.locator('td.name .grow', { hasText: new RegExp(`^${name}$`) }) });
    const cells = async (r) => (await r.locator('td').allInnerTexts()).slice(1).join(' ');
    assert.match(await cells(row('comparison-row', 'Leaky')), /^150 0 \+150 /);
    assert.match(await cells(row('comparison-row', 'Session')), /^0 100 −100 /); // one minus sign (U+2212) everywhere
    await selectStartingWith(page, 'leak-first', 'first.heapsnapshot');
    await selectStartingWith(page, 'leak-second', 'second.heapsnapshot');
    await page.getByTestId('leak-table').waitFor();
    const leak = page.getByTestId('leak-row').filter({ has: page.locator('td.name', { hasText: /^Leaky$/ }) });
    assert.match(await leak.innerText(), /^Leaky\s+150\s/);
    await leak.getByRole('button').first().click();
    await page.getByTestId('retainer-tree-row').first().waitFor();
    await shot(page, '15-heap-comparison');
    assert.deepEqual(page.errors, []);
  });
});
