// A heap snapshot too big for the tab to open in full, but not without retained sizes (issue 11:
// "offer what still fits"). The page's `?budget=` lowers the worker's memory budget to just under
// the snapshot's full estimate; the error banner then offers "Open without retained sizes", and
// the Summary it opens has DevTools' names, counts, shallow sizes and distances
// (heap-snapshot-toolkit through test/reference/devtools.ts), no Retained column, a note why, and
// no dominator tab.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { tsImport } from 'tsx/esm/api';
import { BASE, newPage, shot, useBrowser } from './browser.js';

const devtools = await tsImport('../reference/devtools.ts', import.meta.url);
const { formatCount, formatSize } = await tsImport('../../src/lib/format.ts', import.meta.url);
const { heapMemoryEstimate } = await tsImport('../../workers/formats/heapsnapshot/layout.ts', import.meta.url);

const NAME = 'chromium-shapes.heapsnapshot';
const path = fileURLToPath(new URL(`../fixtures/heapsnapshot/${NAME}`, import.meta.url));
const bytes = readFileSync(path);
const { snapshot } = JSON.parse(bytes.toString('utf8'));
const budget = heapMemoryEstimate(snapshot.node_count, snapshot.edge_count, 'full') - 1;
const distanceText = (d) => (d >= 0 && d < devtools.BASE_SYSTEM_DISTANCE ? String(d) : '−');
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

const browser = useBrowser();
let snap;
before(async () => {
  snap = await devtools.load(path);
});

async function refused(options = {}) {
  const page = await newPage(browser(), options);
  await page.goto(`${BASE}?budget=${budget}`);
  await page.getByTestId('file-input').setInputFiles({ name: NAME, mimeType: 'application/json', buffer: bytes });
  await page.getByTestId('error-banner').waitFor();
  return page;
}

describe('a snapshot too big to open in full, opened without retained sizes', () => {
  it('the banner offers it; the Summary is DevTools’ without the Retained column; no dominator tab', async () => {
    const page = await refused();
    const banner = page.getByTestId('error-banner');
    assert.match(await banner.innerText(), /more than the .* heaplens allows itself here\. Opened without retained sizes .* which fits/);
    const button = page.getByTestId('open-reduced');
    assert.equal(await button.innerText(), 'Open without retained sizes');
    await shot(page, 'heap-reduced-offer');

    await button.focus();
    await page.keyboard.press('Enter'); // keyboard works as a click does
    await page.getByTestId('class-table').waitFor();
    assert.equal(await page.getByTestId('error-banner').count(), 0);
    assert.match(await page.getByTestId('no-retained-note').innerText(), /without retained sizes/);
    assert.equal(await page.getByTestId('sort-retainedSize').count(), 0);
    assert.equal(await page.locator('.summary thead th').count(), 4);

    // Tabs follow the capabilities: no dominator flame graph; DevTools' other perspectives stay.
    assert.equal(await page.getByTestId('tab-dominators').count(), 0);
    for (const tab of ['heap', 'containment', 'statistics', 'comparison']) assert.equal(await page.getByTestId(`tab-${tab}`).count(), 1, tab);

    // The first page of rows: DevTools' rows in shallow-size order (the order without retained sizes).
    const want = devtools
      .summary(snap)
      .sort((a, b) => b.shallowSize - a.shallowSize || cmp(a.name, b.name) || cmp(a.key, b.key))
      .map((r) => ({ key: r.key, name: r.name, distance: distanceText(r.distance), count: formatCount(r.count), shallow: formatSize(r.shallowSize) }));
    const shown = await page.getByTestId('class-row').evaluateAll((rows) =>
      rows.map((r) => {
        const td = r.querySelectorAll('td');
        return { key: r.dataset.classKey, name: td[0].querySelector('.grow').textContent.trim(), distance: td[1].textContent.trim(), count: td[2].textContent.trim(), shallow: td[3].firstChild.textContent.trim(), cells: td.length };
      }),
    );
    assert.ok(shown.length >= 20);
    assert.ok(shown.every((r) => r.cells === 4));
    assert.deepEqual(
      shown.map(({ cells: _, ...r }) => r),
      want.slice(0, shown.length),
    );
    console.info(`${shown.length} Summary rows equal to DevTools' without retained sizes`);

    // An object opened: its retained size is "—", not a number.
    await page.getByTestId('class-row').first().click();
    await page.getByTestId('object-row').first().click();
    assert.equal(await page.getByTestId('object-row').first().locator('td').count(), 4);
    await shot(page, 'heap-reduced-summary');

    await page.getByTestId('tab-statistics').click();
    await page.getByText(/Total/).first().waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  for (const [label, options] of [
    ['dark', { colorScheme: 'dark' }],
    ['800', { viewport: { width: 800, height: 700 } }],
  ]) {
    it(`looks right: ${label}`, async () => {
      const page = await refused(options);
      await shot(page, `heap-reduced-offer-${label}`);
      await page.getByTestId('open-reduced').click();
      await page.getByTestId('no-retained-note').waitFor();
      await shot(page, `heap-reduced-summary-${label}`);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }

  it('after the worker dies, the snapshot comes back from the library as it was opened: without retained sizes', async () => {
    const page = await refused();
    await page.getByTestId('open-reduced').click();
    await page.getByTestId('no-retained-note').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=library-entry]').length === 1);
    // The worker closes itself on the next open (as hostile.test.js does it, through the debugging protocol).
    await page
      .workers()
      .find((w) => /engine/.test(w.url()))
      .evaluate(() => {
        self.addEventListener('message', (e) => {
          if (e.data?.path?.[0] === 'open') self.close();
        });
      });
    const pickle = readFileSync(new URL('../fixtures/tracemalloc/before_p5.pickle', import.meta.url));
    await page.getByTestId('file-input').setInputFiles({ name: 'before_p5.pickle', mimeType: 'application/octet-stream', buffer: pickle });
    await page.waitForFunction(() => document.querySelector('[data-testid=notice]')?.textContent?.includes('Reopened from the library'), null, { timeout: 30_000 });
    assert.match(await page.getByTestId('notice').innerText(), new RegExp(`Reopened from the library: ${NAME.replace('.', '\\.')}\\.`));
    await page.getByTestId('no-retained-note').waitFor();
    assert.equal(await page.getByTestId('tab-dominators').count(), 0);
    await page.context().close();
  });

  it('without ?budget= the same file opens in full, with retained sizes and the dominator tab', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: NAME, mimeType: 'application/json', buffer: bytes });
    await page.getByTestId('class-table').waitFor();
    assert.equal(await page.getByTestId('no-retained-note').count(), 0);
    assert.equal(await page.getByTestId('sort-retainedSize').count(), 1);
    assert.equal(await page.getByTestId('tab-dominators').count(), 1);
    await page.context().close();
  });
});
