// The Summary, the filters and Statistics of a Chromium page's snapshot in the browser, against
// DevTools' own numbers: heap-snapshot-toolkit (devtools-frontend's heap snapshot worker) called
// through test/reference/devtools.ts on the same file in this Node process. Nothing expected
// here comes from heaplens' engine; src/lib/format.ts only prints DevTools' numbers the way the
// page prints every number.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { tsImport } from 'tsx/esm/api';
import { BASE, newPage, selectStartingWith, shot, useBrowser } from './browser.js';

const devtools = await tsImport('../reference/devtools.ts', import.meta.url);
const { formatCount, formatSize } = await tsImport('../../src/lib/format.ts', import.meta.url);

const path = (name) => fileURLToPath(new URL(`../fixtures/heapsnapshot/${name}`, import.meta.url));
const SHAPES = 'chromium-shapes.heapsnapshot';
const AFTER = 'chromium-shapes-after.heapsnapshot';
/** DevTools prints distances of system-only and unreached objects as "−". */
const distanceText = (d) => (d >= 0 && d < devtools.BASE_SYSTEM_DISTANCE ? String(d) : '−');

const browser = useBrowser();
const snaps = {};
before(async () => {
  for (const f of [SHAPES, AFTER]) snaps[f] = await devtools.load(path(f));
});

async function open(page, name) {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/json', buffer: readFileSync(path(name)) });
  await page.waitForFunction((n) => document.querySelector('[data-testid=profile-header]')?.textContent?.includes(n), name);
  await page.getByTestId('class-table').waitFor();
}

/** The Summary rows on screen, as the user reads them (and the exact bytes the cells are printed from). */
function shownRows(page) {
  return page.getByTestId('class-row').evaluateAll((rows) =>
    rows.map((r) => {
      const td = r.querySelectorAll('td');
      return {
        key: r.dataset.classKey,
        name: td[0].querySelector('.grow').textContent.trim(),
        distance: td[1].textContent.trim(),
        count: td[2].textContent.trim(),
        shallow: td[3].firstChild.textContent.trim(),
        retained: td[4].firstChild.textContent.trim(),
        shallowSize: Number(r.dataset.shallow),
        retainedSize: Number(r.dataset.retained),
      };
    }),
  );
}

const expectedRow = (r) => ({
  key: r.key,
  name: r.name,
  distance: distanceText(r.distance),
  count: formatCount(r.count),
  shallow: formatSize(r.shallowSize),
  retained: formatSize(r.retainedSize),
  shallowSize: r.shallowSize,
  retainedSize: r.retainedSize,
});

/** The class count the toolbar states after a filter settles ("" when nothing matches). */
async function classCount(page, want) {
  await page.waitForFunction(
    (want) => (document.querySelector('[data-testid=class-count]')?.textContent ?? '').trim() === want || (want === '' && document.querySelector('[data-testid=nothing-matches]')),
    want,
  );
}

describe('the Summary of a Chromium page equals DevTools’', () => {
  it('every row of the first page: name, location, distance, count, shallow and retained size, in DevTools’ order', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await open(page, SHAPES);
    const want = devtools.summary(snaps[SHAPES]);
    assert.equal(await page.getByTestId('class-count').innerText(), `${formatCount(want.length)} classes`);
    const shown = await shownRows(page);
    assert.equal(shown.length, Math.min(100, want.length));
    assert.deepEqual(shown, want.slice(0, shown.length).map(expectedRow));
    await shot(page, 'heap-summary-light');

    // Classes DevTools splits by constructor location: two Record rows, each with its script and line.
    await page.getByTestId('class-filter').fill('Record');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=class-row]')].every((r) => r.textContent.includes('Record')));
    const records = want.filter((r) => r.name === 'Record');
    assert.equal(records.length, 2);
    for (const r of records) {
      const [, line, column] = r.key.split(',').map(Number);
      const row = page.locator(`[data-testid=class-row][data-class-key="${r.key}"]`);
      assert.match(await row.getByTestId('class-location').innerText(), new RegExp(`^shapes-[ab]\\.js:${line + 1}:${column + 1}$`));
      assert.equal(await row.locator('td').nth(2).innerText(), formatCount(r.count));
    }
    const opened = page.locator(`[data-testid=class-row][data-class-key="${records[0].key}"]`);
    await opened.click();
    // Its objects are DevTools' objects of that class, in DevTools' order.
    const objects = devtools.classObjects(snaps[SHAPES], records[0].key, 20);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=object-row]').length === n, objects.length);
    const ids = await page.getByTestId('object-row').evaluateAll((rows) => rows.map((r) => r.querySelector('.id').textContent));
    assert.deepEqual(ids, objects.map((o) => `@${o.id}`));
    await page.getByTestId('object-row').first().click();
    await page.getByTestId('retainer-tree-row').first().waitFor();
    await shot(page, 'heap-summary-record-retainers');

    // Sorting by a column: the engine's order is DevTools' for that column.
    await page.getByTestId('class-filter').fill('');
    await page.getByTestId('sort-count').click();
    await page.waitForFunction((max) => document.querySelector('[data-testid=class-row]')?.dataset.count === String(max), Math.max(...want.map((r) => r.count)));
    assert.equal(await page.locator('th[aria-sort=descending]').innerText(), 'Count ▼');
    await page.getByTestId('sort-distance').click();
    await page.waitForFunction(() => document.querySelector('th[aria-sort=ascending]')?.textContent?.includes('Distance'));
    // DevTools sorts the raw distance (unreached objects, −5, first), printed as "−".
    const nearest = distanceText(Math.min(...want.map((r) => r.distance)));
    await page.waitForFunction((d) => document.querySelector('[data-testid=class-row] td:nth-child(2)')?.textContent?.trim() === d, nearest);
    assert.deepEqual(page.errors, []);
  });

  it('the same Summary in the dark and in an 800 px window', async () => {
    for (const [name, options] of [
      ['heap-summary-dark', { colorScheme: 'dark' }],
      ['heap-summary-800', { viewport: { width: 800, height: 900 } }],
    ]) {
      const page = await newPage(browser(), options);
      await page.goto(BASE);
      await open(page, SHAPES);
      await page.getByTestId('class-row').nth(1).click();
      await page.getByTestId('object-row').first().click();
      await page.getByTestId('retainer-tree-row').first().waitFor();
      // Every column header is inside the window: nothing is cut off at the right.
      const overflow = await page.getByTestId('class-table').evaluate((t) => t.scrollWidth - t.clientWidth);
      assert.ok(overflow <= 1, `the table is ${overflow}px wider than its box`);
      await shot(page, name);
      assert.deepEqual(page.errors, []);
    }
  });
});

describe('Summary filters equal DevTools’', () => {
  it('the named filters count DevTools’ classes; duplicated strings state the bytes wasted; @id opens its object; a filter matching nothing says so', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await open(page, SHAPES);
    const compared = [];
    for (const [value, name] of [
      ['retained-by-detached-dom', 'objectsRetainedByDetachedDomNodes'],
      ['retained-by-console', 'objectsRetainedByConsole'],
      ['duplicated-strings', 'duplicatedStrings'],
    ]) {
      const want = devtools.summary(snaps[SHAPES], { kind: 'named', name });
      await page.getByTestId('summary-filter').selectOption(value);
      await classCount(page, want.length === 0 ? '' : `${formatCount(want.length)} ${want.length === 1 ? 'class' : 'classes'}`);
      await page.waitForFunction((k) => document.querySelector('[data-testid=class-row]')?.dataset.classKey === k, want[0].key);
      assert.deepEqual(await shownRows(page), want.slice(0, 100).map(expectedRow), value);
      compared.push(`${value}: ${want.length}`);
      if (value === 'duplicated-strings') {
        assert.match(await page.getByTestId('duplicate-waste').innerText(), /strings repeat the text of another .* waste \d/);
        await shot(page, 'heap-summary-duplicated-strings');
      }
    }
    console.info(`filters compared with DevTools (classes): ${compared.join(', ')}`);

    // @id: the class of that object only, opened, the object selected with its retainers.
    await page.getByTestId('summary-filter').selectOption('all');
    const record = devtools.summary(snaps[SHAPES]).find((r) => r.name === 'Record');
    const target = devtools.classObjects(snaps[SHAPES], record.key, 3)[2];
    await page.getByTestId('class-filter').fill(`@${target.id}`);
    await page.waitForFunction((k) => {
      const rows = document.querySelectorAll('[data-testid=class-row]');
      return rows.length === 1 && rows[0].dataset.classKey === k && rows[0].getAttribute('aria-expanded') === 'true';
    }, record.key);
    await page.getByTestId('object-details').getByText(`@${target.id}`).waitFor();
    await page.getByTestId('retainer-tree-row').first().waitFor();

    await page.getByTestId('class-filter').fill('no-such-class-anywhere');
    await page.getByTestId('nothing-matches').waitFor();
    assert.match(await page.getByTestId('nothing-matches').innerText(), /No class name contains “no-such-class-anywhere”/);
    await page.getByTestId('class-filter').fill('/[unclosed/');
    await page.waitForFunction(() => /regular expression/.test(document.querySelector('[data-testid=nothing-matches]')?.textContent ?? ''));
    assert.deepEqual(page.errors, []);
  });

  it('objects allocated between two snapshots of the page: DevTools’ id range and classes', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await open(page, SHAPES);
    await open(page, AFTER);
    const { rows } = devtools.allocatedBetween(snaps[SHAPES], snaps[AFTER]);
    await selectStartingWith(page, 'summary-filter', `Objects allocated between ${SHAPES} and this snapshot`);
    await classCount(page, `${formatCount(rows.length)} ${rows.length === 1 ? 'class' : 'classes'}`);
    await page.waitForFunction((k) => document.querySelector('[data-testid=class-row]')?.dataset.classKey === k, rows[0].key);
    assert.deepEqual(await shownRows(page), rows.slice(0, 100).map(expectedRow));
    assert.equal(await page.getByTestId('range-other-process').count(), 0);
    console.info(`allocated between: ${rows.length} classes compared with DevTools`);
    assert.deepEqual(page.errors, []);
  });
});

describe('Statistics equal DevTools’ getStatistics()', () => {
  it('the chart and its table: DevTools’ categories and bytes, light, dark and 800 px', async () => {
    const s = devtools.statistics(snaps[SHAPES]);
    // DevTools' Statistics view: its seven records (HeapSnapshotView.retrieveStatistics).
    const want = {
      code: s.v8heap.code,
      strings: s.v8heap.strings,
      'js-arrays': s.v8heap.jsArrays,
      'typed-arrays': s.native.typedArrays,
      system: s.v8heap.system,
      'other-js': s.v8heap.total - s.v8heap.code - s.v8heap.strings - s.v8heap.jsArrays - s.v8heap.system,
      'other-native': s.native.total - s.native.typedArrays,
    };
    for (const [name, options] of [
      ['heap-statistics-light', {}],
      ['heap-statistics-dark', { colorScheme: 'dark' }],
      ['heap-statistics-800', { viewport: { width: 800, height: 900 } }],
    ]) {
      const page = await newPage(browser(), options);
      await page.goto(BASE);
      await open(page, SHAPES);
      await page.getByTestId('tab-statistics').click();
      await page.getByTestId('statistics-chart').waitFor();
      const table = await page.getByTestId('statistics-row').evaluateAll((rows) => rows.map((r) => [r.dataset.category, Number(r.dataset.bytes), r.querySelector('[data-testid=statistics-size]').textContent.trim()]));
      assert.deepEqual(
        table,
        Object.entries(want).map(([k, v]) => [k, v, formatSize(v)]),
      );
      // The ring draws every category that has bytes, with those bytes.
      const arcs = await page.getByTestId('statistics-arc').evaluateAll((paths) => paths.map((p) => [p.dataset.category, Number(p.dataset.bytes)]));
      assert.deepEqual(
        arcs,
        Object.entries(want).filter(([, v]) => v > 0),
      );
      assert.equal(await page.getByTestId('statistics-total').textContent(), formatSize(s.total));
      assert.equal(await page.getByTestId('statistics-v8heap').innerText(), formatSize(s.v8heap.total));
      assert.equal(await page.getByTestId('statistics-native').innerText(), formatSize(s.native.total));
      await shot(page, name);
      assert.deepEqual(page.errors, []);
    }
  });
});
