// Pick a base and read the diff table: the rows of tracemalloc's compare_to(), in its order.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BASE, newPage, selectStartingWith, shot, useBrowser } from './browser.js';

const DIR = new URL('../fixtures/tracemalloc/', import.meta.url);
const BEFORE = readFileSync(new URL('before_p5.pickle', DIR));
const AFTER = readFileSync(new URL('after_p5.pickle', DIR));
const COMPARE = JSON.parse(readFileSync(new URL('compare.expected.json', DIR), 'utf8')).compare_to;

const browser = useBrowser();

describe('diff against a base', () => {
  it('open two dumps, compare the second with the first: compare_to order and numbers', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('file-input').setInputFiles({ name: 'before_p5.pickle', mimeType: 'application/octet-stream', buffer: BEFORE });
    await page.getByTestId('top-row').first().waitFor();
    await page.getByTestId('file-input').setInputFiles({ name: 'after_p5.pickle', mimeType: 'application/octet-stream', buffer: AFTER });
    await page.waitForFunction(() => document.querySelector('[data-testid=profile-header]')?.textContent?.includes('after_p5.pickle'));
    await selectStartingWith(page, 'base', 'before_p5.pickle');
    await page.getByTestId('diff-table').waitFor();
    const rows = page.getByTestId('diff-row');
    for (let i = 0; i < 3; i++) {
      const want = COMPARE.lineno[i];
      const text = await rows.nth(i).innerText();
      const [file, line] = want.frames[0];
      assert.ok(text.includes(`${file}`) && text.includes(`:${line}`), `row ${i}: ${text} vs ${file}:${line}`);
      assert.ok(text.includes(want.count.toLocaleString('en-US')), `row ${i} count ${want.count}: ${text}`);
      if (want.sizeDiff === want.size) assert.match(text, /new/i, `row ${i} is new`);
    }
    assert.equal(await rows.count(), COMPARE.lineno.length);
    await shot(page, '09-diff');
    assert.deepEqual(page.errors, []);
  });
});
