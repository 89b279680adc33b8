// Heap snapshots in the browser: drop one, read the class table, open a class, see what keeps
// an object alive.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BASE, dropFile, newPage, selectStartingWith, shot, useBrowser } from './browser.js';

const PLAIN = readFileSync(new URL('../fixtures/heapsnapshot/node-plain.heapsnapshot', import.meta.url));
const TRACKED = readFileSync(new URL('../fixtures/heapsnapshot/node-tracked.heapsnapshot', import.meta.url));

const browser = useBrowser();

describe('heap snapshots', () => {
  it('drop a snapshot, see the class table, open Leaky and see a retainer path to the root', async () => {
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
    const path = page.getByTestId('retainer-path').first();
    await path.waitFor();
    const text = await path.innerText();
    assert.match(text, /\.leaks in/);
    assert.match(text, /\(root\)/);
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
    await selectStartingWith(page, 'heap-base', 'first.heapsnapshot');
    await page.getByTestId('heap-comparison').waitFor();
    const row = (testId, name) => page.getByTestId(testId).filter({ has: page.locator('td.name', { hasText: new RegExp(`^${name}$`) }) });
    const leakyRow = row('comparison-row', 'Leaky');
    assert.match(await leakyRow.innerText(), /^Leaky\s+150\s+0\s+\+150/);
    const sessionRow = row('comparison-row', 'Session');
    assert.match(await sessionRow.innerText(), /^Session\s+0\s+100\s+−100/); // one minus sign (U+2212) everywhere
    await selectStartingWith(page, 'leak-first', 'first.heapsnapshot');
    await selectStartingWith(page, 'leak-second', 'second.heapsnapshot');
    await page.getByTestId('leak-table').waitFor();
    const leak = row('leak-row', 'Leaky');
    assert.match(await leak.innerText(), /^Leaky\s+150\s/);
    await leak.getByRole('button').first().click();
    await page.getByTestId('retainer-path').first().waitFor();
    await shot(page, '15-heap-comparison');
    assert.deepEqual(page.errors, []);
  });
});
