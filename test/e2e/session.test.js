// Open profiles in one tab: the same content opened again is the profile already open (not a
// second copy in the worker), another file joins the list, Close frees one and shows the next;
// and the shared query: a filter that does not parse says so in the Top table and the flame graph.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BASE, newPage, selectStartingWith, shot, useBrowser } from './browser.js';

const TM = new URL('../fixtures/tracemalloc/', import.meta.url);
const read = (name) => readFileSync(new URL(name, TM));
const browser = useBrowser();

const openFile = (page, name, buffer = read(name)) => page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
const headerHas = (page, text) => page.waitForFunction((t) => document.querySelector('[data-testid=profile-header]')?.textContent?.includes(t), text);

describe('open profiles', () => {
  it('the same content twice is one open profile; Close frees it and shows the one opened before', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await openFile(page, 'before_p5.pickle');
    await headerHas(page, 'before_p5.pickle');
    // A byte-identical copy under another name: the profile already open comes back.
    await openFile(page, 'copy.pickle', read('before_p5.pickle'));
    await page.getByTestId('top-row').first().waitFor();
    assert.equal(await page.getByTestId('open-profiles').count(), 0, 'still one open profile');
    await openFile(page, 'after_p5.pickle');
    await page.getByTestId('open-profiles').waitFor();
    const names = await page.getByTestId('open-profiles').locator('option').allInnerTexts();
    assert.deepEqual(
      names.map((n) => n.split(' · ')[0]),
      ['before_p5.pickle', 'after_p5.pickle'],
    );
    // Each is named with when its file was saved, so two of one name can be told apart.
    for (const n of names) assert.match(n, / · saved \S/);
    assert.equal(await page.getByTestId('open-profiles').inputValue(), await page.getByTestId('open-profiles').locator('option').nth(1).getAttribute('value'));
    // Switching shows the other one; closing the current shows the remaining one.
    await selectStartingWith(page, 'open-profiles', 'before_p5.pickle');
    await page.waitForFunction(() => document.querySelector('[data-testid=summary]')?.textContent?.includes('traces'));
    await page.getByTestId('close-profile').click();
    await headerHas(page, 'after_p5.pickle');
    assert.equal(await page.getByTestId('open-profiles').count(), 0);
    await shot(page, '17-one-profile-left');
    await page.getByTestId('close-profile').click();
    await page.getByTestId('start').waitFor();
    assert.deepEqual(page.errors, []);
  });
});

describe('the shared query', () => {
  it('a filter that does not parse is reported in the Top table and in the flame graph, and changes neither', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await openFile(page, 'limit25_p5.pickle');
    await page.getByTestId('top-row').first().waitFor();
    const firstRow = await page.getByTestId('top-row').first().innerText();
    await page.getByTestId('filter').fill('!');
    await page.getByTestId('filter-error').waitFor();
    assert.match(await page.getByTestId('filter-error').innerText(), /has no file pattern/);
    assert.equal(await page.getByTestId('top-row').first().innerText(), firstRow);
    await page.getByTestId('tab-flame').click();
    await page.getByTestId('filter-error').waitFor();
    assert.equal(await page.getByTestId('filter').inputValue(), '!');
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]')?.height > 0);
    await shot(page, '18-flame-filter-error');
    assert.deepEqual(page.errors, []);
  });
});
