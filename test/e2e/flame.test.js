// Flame graphs in the browser: drawn on a canvas, click zooms, search highlights, hover explains;
// with a base, the differential graph. Screenshots in test-results/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BASE, newPage, selectStartingWith, shot, useBrowser } from './browser.js';

const TM = new URL('../fixtures/tracemalloc/', import.meta.url);

const browser = useBrowser();

/** Waits until the flame canvas has at least `min` non-transparent pixels; returns the count. */
const painted = async (page, min = 1000) => {
  const handle = await page.waitForFunction((min) => {
    const c = document.querySelector('[data-testid=flame-canvas]');
    if (!c || c.width === 0) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n >= min ? n : false;
  }, min);
  return handle.jsonValue();
};

async function openFlame(page) {
  await page.goto(BASE);
  await page.getByTestId('open-example').click();
  await page.getByTestId('top-row').first().waitFor();
  await page.getByTestId('tab-flame').click();
  await page.getByTestId('flame-canvas').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]')?.height > 0);
}

describe('flame graph of the tornado example', () => {
  it('draws, and hovering the widest frame names server.py:10 with its size and share', async () => {
    const page = await newPage(browser());
    await openFlame(page);
    assert.ok((await painted(page, 10_000)) >= 10_000, 'the canvas has pixels drawn');
    // The widest frame is labelled: dark text pixels on its (light) bar in the first row.
    const textPixels = await page.evaluate(() => {
      const c = document.querySelector('[data-testid=flame-canvas]');
      const dpr = window.devicePixelRatio || 1;
      const d = c.getContext('2d').getImageData(0, 0, Math.floor(300 * dpr), Math.floor(18 * dpr)).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] + d[i + 1] + d[i + 2] < 180) n++;
      return n;
    });
    assert.ok(textPixels > 100, `label pixels on the widest frame: ${textPixels}`);
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.move(box.x + 30, box.y + 9); // the first row, left: the widest root
    const tip = page.getByTestId('flame-tooltip');
    await tip.waitFor();
    const text = await tip.innerText();
    assert.match(text, /server\.py:10/);
    assert.match(text, /38\.6 MiB/);
    assert.match(text, /80\.\d% of all/);
    await shot(page, '10-flame');
    assert.deepEqual(page.errors, []);
  });

  it('click zooms (breadcrumb, reset), search highlights and reports the share', async () => {
    const page = await newPage(browser());
    await openFlame(page);
    const box = await page.getByTestId('flame-canvas').boundingBox();
    // A frame in the second row, right half: one of the import stacks.
    await page.mouse.click(box.x + box.width - 40, box.y + 18 + 9);
    await page.getByTestId('flame-breadcrumb').waitFor();
    assert.equal(await page.getByTestId('flame-reset').isEnabled(), true);
    await page.waitForTimeout(400); // the zoom animation
    await shot(page, '11-flame-zoomed');
    // The selected frame's callers and callees (speedscope's sandwich).
    await page.getByTestId('flame-sandwich').click();
    await page.getByTestId('sandwich').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=sandwich] [data-testid=flame-canvas]').length === 2 && [...document.querySelectorAll('[data-testid=sandwich] [data-testid=flame-canvas]')].every((c) => c.height > 0));
    await shot(page, '11b-flame-sandwich');
    await page.getByTestId('flame-reset').first().click();
    // The Top view's filter applies here too: dropping server.py empties the widest root.
    await page.getByTestId('filter').fill('!*/server.py');
    await page.waitForTimeout(500);
    const box2 = await page.getByTestId('flame-canvas').first().boundingBox();
    await page.mouse.move(box2.x + 30, box2.y + 9);
    assert.doesNotMatch(await page.getByTestId('flame-tooltip').first().innerText(), /server\.py:10/);
    await page.getByTestId('filter').fill('');
    await page.getByTestId('flame-search').first().fill('tornado/web.py');
    const share = page.getByTestId('flame-match').first();
    await share.waitFor();
    assert.match(await share.innerText(), /matches: .+ \(\d+(\.\d)?%\)/);
    await shot(page, '12-flame-search');
    assert.deepEqual(page.errors, []);
  });

  it('inverted: allocation sites on top, server.py:11 the widest', async () => {
    const page = await newPage(browser());
    await openFlame(page);
    await page.getByTestId('flame-inverted').click();
    await page.waitForTimeout(300);
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.move(box.x + 30, box.y + 9);
    assert.match(await page.getByTestId('flame-tooltip').innerText(), /server\.py:11/);
    assert.deepEqual(page.errors, []);
  });
});

describe('differential flame graph', () => {
  it('with a base, colours by change and shows the legend', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    for (const name of ['before_p5.pickle', 'after_p5.pickle']) {
      await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: readFileSync(new URL(name, TM)) });
      await page.waitForFunction((n) => document.querySelector('[data-testid=profile-header]')?.textContent?.includes(n), name);
    }
    await page.getByTestId('tab-flame').click();
    await selectStartingWith(page, 'base', 'before_p5.pickle');
    await page.getByText('Width: the larger of the two profiles').waitFor();
    assert.ok((await painted(page)) >= 1000);
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.move(box.x + 20, box.y + 9);
    assert.match(await page.getByTestId('flame-tooltip').innerText(), /base .+ change [+−±]/);
    await shot(page, '13-flame-diff');
    assert.deepEqual(page.errors, []);
  });
});

describe('dominator flame graph', () => {
  it('a heap snapshot\'s dominator tree is drawn with the root as wide as the heap', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({
      name: 'node-plain.heapsnapshot',
      mimeType: 'application/json',
      buffer: readFileSync(new URL('../fixtures/heapsnapshot/node-plain.heapsnapshot', import.meta.url)),
    });
    await page.getByTestId('class-table').waitFor();
    await page.getByTestId('tab-dominators').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]')?.height > 0);
    assert.ok((await painted(page)) >= 1000);
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + 9);
    assert.match(await page.getByTestId('flame-tooltip').innerText(), /100(\.0)?% of all/);
    await shot(page, '14-dominator-flame');
    assert.deepEqual(page.errors, []);
  });
});
