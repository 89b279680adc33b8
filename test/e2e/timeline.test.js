// Allocation timelines and DevTools' Allocation view in the browser, checked against DevTools'
// own code (heap-snapshot-toolkit through test/reference/devtools.ts): the bars are getSamples(),
// a range brushed with the mouse or the keyboard filters the Summary exactly as DevTools' overview
// does (its updateGrid: the id range of the samples in the range), the range survives a reload
// through the URL, and the Allocation view's rows and callers are allocationTracesTops() and
// allocationNodeCallers(). Screenshots in test-results/ (light, dark, 800 px).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { tsImport } from 'tsx/esm/api';
import { BASE, newPage, shot, useBrowser } from './browser.js';

const FIXTURES = new URL('../fixtures/heapsnapshot/', import.meta.url);
const TIMELINE = fileURLToPath(new URL('chromium.heaptimeline', FIXTURES));
const TRACKED = fileURLToPath(new URL('node-tracked.heapsnapshot', FIXTURES));

const browser = useBrowser();
let devtools;
const snaps = new Map();
before(async () => {
  devtools = await tsImport('../reference/devtools.ts', import.meta.url);
  for (const f of [TIMELINE, TRACKED]) snaps.set(f, await devtools.load(f));
});

async function open(page, file, tab) {
  await page.goto(BASE);
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('heap-view').waitFor();
  await page.getByTestId(`tab-${tab}`).click();
}

/** DevTools' overview selecting the samples with from ≤ timestamp ≤ to (HeapTimelineOverview.updateGrid → the id filter). */
function devtoolsSelection(samples, from, to) {
  const lo = samples.findIndex((s) => s.timestamp >= from);
  const hi = samples.findIndex((s) => s.timestamp > to);
  const end = hi < 0 ? samples.length : hi;
  return {
    lo,
    end,
    minNodeId: lo > 0 ? samples[lo - 1].lastAssignedId : 0,
    maxNodeId: end < samples.length ? samples[end].lastAssignedId : Number.MAX_SAFE_INTEGER,
    size: samples.slice(lo, end).reduce((a, s) => a + s.size, 0),
  };
}

/** The brushed range in the page's URL (tr=from,to, ms), or null. */
const rangeInUrl = (page) => {
  const tr = new URLSearchParams(new URL(page.url()).hash.slice(1)).get('tr');
  return tr ? tr.split(',').map(Number) : null;
};

/** The filtered Summary's class rows as the page shows them (every row of its first page). */
async function shownSummary(page) {
  await page.locator('[data-testid=filtered-summary] [data-testid=class-row]').first().waitFor();
  return page.locator('[data-testid=filtered-summary] [data-testid=class-row]').evaluateAll((rows) =>
    rows.map((r) => ({
      key: r.dataset.classKey,
      name: r.dataset.name,
      count: Number(r.dataset.count),
      shallowSize: Number(r.dataset.shallow),
      retainedSize: Number(r.dataset.retained),
      distance: Number(r.dataset.distance),
    })),
  );
}

/** Waits until the Summary shows the classes DevTools counts for the id range, and compares every row shown. */
async function expectSummaryOf(page, snap, sel) {
  const want = devtools.summary(snap, { kind: 'ids', minNodeId: sel.minNodeId, maxNodeId: sel.maxNodeId });
  await page.waitForFunction(
    ({ n, first }) => {
      const t = document.querySelector('[data-testid=filtered-count]')?.textContent ?? '';
      const row = document.querySelector('[data-testid=filtered-summary] [data-testid=class-row]');
      return t.startsWith(`${n.toLocaleString('en-US')} class`) && (n === 0 || row?.dataset.classKey === first);
    },
    { n: want.length, first: want[0]?.key },
  );
  const got = await shownSummary(page);
  const pick = ({ key, name, count, shallowSize, retainedSize, distance }) => ({ key, name, count, shallowSize, retainedSize, distance });
  assert.deepEqual(got, want.slice(0, got.length).map(pick));
  return { rows: got.length, classes: want.length };
}

describe('allocation timeline (chromium.heaptimeline)', () => {
  it('the bars are DevTools\' samples; a mouse brush filters the Summary to DevTools\' id range and shows its size', async () => {
    const snap = snaps.get(TIMELINE);
    const samples = devtools.samples(snap);
    const page = await newPage(browser());
    await open(page, TIMELINE, 'timeline');
    const bars = page.getByTestId('timeline-bar');
    await bars.first().waitFor();
    assert.equal(await bars.count(), samples.length);
    // Heights follow the sizes: empty intervals have no bar, the largest is the tallest.
    const heights = await bars.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
    samples.forEach((s, i) => assert.equal(heights[i] > 0, s.size > 0, `bar ${i}: ${s.size} bytes, ${heights[i]} px`));
    const largest = samples.reduce((b, s, i) => (s.size > samples[b].size ? i : b), 0);
    assert.equal(heights.indexOf(Math.max(...heights)), largest);

    // Drag from the 3rd bar to the 10th.
    const a = await bars.nth(2).boundingBox();
    const b = await bars.nth(9).boundingBox();
    await page.mouse.move(a.x + a.width / 2, a.y + a.height - 1);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2, b.y + b.height - 1, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).has('tr'));
    const [from, to] = rangeInUrl(page);
    const sel = devtoolsSelection(samples, from, to);
    assert.deepEqual([sel.lo, sel.end], [2, 10], 'the range in the URL covers the bars brushed');
    const selection = page.getByTestId('timeline-selection');
    await page.waitForFunction((size) => document.querySelector('[data-testid=timeline-selection]')?.dataset.size === String(size), sel.size);
    assert.equal(Number(await selection.getAttribute('data-min-id')), sel.minNodeId);
    assert.equal(Number(await selection.getAttribute('data-max-id')), sel.maxNodeId);
    const compared = await expectSummaryOf(page, snap, sel);
    console.info(`timeline brush (bars 2–9): ${compared.rows} of ${compared.classes} Summary rows equal DevTools' for ids (${sel.minNodeId}, ${sel.maxNodeId}], ${sel.size} bytes selected`);
    await shot(page, '70-timeline-brush');

    // The range is in the URL: a reload (the file kept in the library) brings it back.
    await page.reload();
    await page.getByTestId('timeline-selection').waitFor();
    await page.waitForFunction((size) => document.querySelector('[data-testid=timeline-selection]')?.dataset.size === String(size), sel.size);
    assert.deepEqual(rangeInUrl(page), [from, to]);
    await expectSummaryOf(page, snap, sel);
    assert.deepEqual(page.errors, []);
  });

  it('keyboard: arrows move the range, Shift+arrows resize it, Escape selects all; a picked object shows its allocation stack (dark, 800 px)', async () => {
    const snap = snaps.get(TIMELINE);
    const samples = devtools.samples(snap);
    const page = await newPage(browser(), { colorScheme: 'dark', viewport: { width: 800, height: 1000 } });
    await open(page, TIMELINE, 'timeline');
    const chart = page.getByTestId('timeline-chart');
    await chart.waitFor();
    // Reach the chart with Tab from the tabs.
    await page.getByTestId('tab-timeline').focus();
    for (let k = 0; k < 10 && !(await chart.evaluate((el) => el === document.activeElement)); k++) await page.keyboard.press('Tab');
    assert.ok(await chart.evaluate((el) => el === document.activeElement), 'Tab reaches the timeline');
    // All 22 selected at first: shrink to bars 0..3, then move right by 5: bars 5..8.
    for (let k = 0; k < samples.length - 4; k++) await page.keyboard.press('Shift+ArrowLeft');
    for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction((t) => new URLSearchParams(location.hash.slice(1)).get('tr')?.startsWith(String(Math.round(t * 1000) / 1000)), samples[5].timestamp);
    const [from, to] = rangeInUrl(page);
    const sel = devtoolsSelection(samples, from, to);
    assert.deepEqual([sel.lo, sel.end], [5, 9]);
    await page.waitForFunction((size) => document.querySelector('[data-testid=timeline-selection]')?.dataset.size === String(size), sel.size);
    const compared = await expectSummaryOf(page, snap, sel);
    console.info(`timeline keyboard (bars 5–8): ${compared.rows} of ${compared.classes} Summary rows equal DevTools'`);
    await shot(page, '71a-timeline-keyboard-dark-800');

    // Into the Summary by keyboard: Tab to the grid, Right opens the first class, Down, Enter picks its first object.
    for (let k = 0; k < 12 && !(await page.evaluate(() => document.activeElement?.matches('[data-testid=filtered-summary] [data-testid=class-row]'))); k++) await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.activeElement?.matches('[data-testid=filtered-summary] [data-testid=class-row]')), 'Tab reaches the Summary rows');
    const first = await shownSummary(page);
    // A class with an allocation stack: DevTools' first object of the first class that has one.
    const withStack = first.findIndex((r) => {
      const o = devtools.classObjects(snap, r.key, 1, { kind: 'ids', minNodeId: sel.minNodeId, maxNodeId: sel.maxNodeId })[0];
      return o && devtools.allocationStack(snap, o.nodeIndex)?.length > 0;
    });
    assert.ok(withStack >= 0, 'some object of the range has an allocation stack');
    for (let k = 0; k < withStack; k++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-testid=filtered-summary] [data-testid=object-row]').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const frames = page.getByTestId('allocation-frame');
    await frames.first().waitFor();
    const o = devtools.classObjects(snap, first[withStack].key, 1, { kind: 'ids', minNodeId: sel.minNodeId, maxNodeId: sel.maxNodeId })[0];
    const want = devtools.allocationStack(snap, o.nodeIndex);
    const got = await frames.allInnerTexts();
    assert.deepEqual(
      got,
      want.map((f) => `${f.function || '(anonymous)'} ${f.script ? `${f.script}:${f.line}:${f.column}` : ''}`.trim()),
    );
    await page.getByTestId('allocation-stack').scrollIntoViewIfNeeded();
    await shot(page, '71b-timeline-object-dark-800');
    // Escape on the chart: everything again, and no range in the URL.
    await chart.focus();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !new URLSearchParams(location.hash.slice(1)).has('tr'));
    await expectSummaryOf(page, snap, devtoolsSelection(samples, samples[0].timestamp, samples[samples.length - 1].timestamp));
    assert.deepEqual(page.errors, []);
  });
});

describe('Allocation view (DevTools\' allocation perspective)', () => {
  const pick = (r) => ({ function: r.function, script: r.script, line: r.line, column: r.column, count: r.count, size: r.size, liveCount: r.liveCount, liveSize: r.liveSize });
  const rowsOf = (locator) =>
    locator.evaluateAll((rs) =>
      rs.map((r) => ({
        function: r.dataset.function,
        script: r.dataset.script,
        line: Number(r.dataset.line),
        column: Number(r.dataset.column),
        count: Number(r.dataset.count),
        size: Number(r.dataset.size),
        liveCount: Number(r.dataset.liveCount),
        liveSize: Number(r.dataset.liveSize),
      })),
    );

  for (const [name, file] of [
    ['chromium.heaptimeline', TIMELINE],
    ['node-tracked.heapsnapshot', TRACKED],
  ]) {
    it(`${name}: rows are allocationTracesTops(), a row opens to allocationNodeCallers(), Enter lists what it allocated`, async () => {
      const snap = snaps.get(file);
      const tops = devtools.allocationTops(snap);
      const page = await newPage(browser());
      await open(page, file, 'allocation');
      const rows = page.getByTestId('allocation-row');
      await rows.first().waitFor();
      assert.deepEqual(await rowsOf(rows), tops.map(pick));

      // Sorted by live size (a click on its header), largest first, as DevTools' grid sorts.
      await page.getByTestId('allocation-sort-liveSize').click();
      const byLive = [...tops].sort((a, b) => b.liveSize - a.liveSize || b.size - a.size).map(pick);
      assert.deepEqual(await rowsOf(rows), byLive);
      await page.getByTestId('allocation-sort-size').click();

      // Keyboard: the first row with callers, Right opens it: its chain of single callers, then its branches.
      const k = tops.findIndex((t) => t.hasCallers);
      await rows.first().focus();
      for (let i = 0; i < k; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowRight');
      const callers = devtools.allocationCallers(snap, tops[k].id);
      const want = [...callers.singleCallers, ...[...callers.branchingCallers].sort((a, b) => b.size - a.size)].map(pick);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=allocation-caller]').length >= n, want.length);
      assert.deepEqual(await rowsOf(page.getByTestId('allocation-caller')), want);
      console.info(`${name}: ${tops.length} Allocation-view rows and ${want.length} callers of "${tops[k].function}" equal DevTools'`);

      // Enter: the live objects the row allocated, DevTools' Summary under its allocation filter.
      await page.keyboard.press('Enter');
      await page.getByTestId('allocation-picked').waitFor();
      const summary = devtools.summary(snap, { kind: 'allocation', allocationNodeId: tops[k].id });
      await page.waitForFunction((n) => document.querySelector('[data-testid=filtered-count]')?.textContent?.startsWith(`${n.toLocaleString('en-US')} class`), summary.length);
      const shown = await shownSummary(page);
      assert.deepEqual(
        shown,
        summary.slice(0, shown.length).map(({ key, name, count, shallowSize, retainedSize, distance }) => ({ key, name, count, shallowSize, retainedSize, distance })),
      );
      // Left closes the row again.
      await rows.nth(k).focus();
      await page.keyboard.press('ArrowLeft');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=allocation-caller]').length === 0);
      await shot(page, `72-allocation-${name.split('.')[0]}`);
      assert.deepEqual(page.errors, []);
    });
  }
});
