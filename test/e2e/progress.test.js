// Opening a big file shows progress and can be cancelled. (The engine's own cancel of a parse in
// progress is tested in test/unit/engine.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASE, newPage, shot, useBrowser } from './browser.js';

const browser = useBrowser();

describe('progress and cancel', () => {
  it('a slow download shows a progress bar whose Cancel returns to the start page without an error', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    // A slow network: the 16 MB example takes many seconds to arrive.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 50, downloadThroughput: 256 * 1024, uploadThroughput: 256 * 1024 });
    await page.getByTestId('open-example').click();
    const progress = page.getByTestId('progress');
    await progress.waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=progress] progress')?.getAttribute('value')) > 0);
    await shot(page, '06-progress');
    // The main thread answers while the worker parses.
    assert.equal(await page.evaluate(() => 6 * 7), 42);
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await progress.waitFor({ state: 'detached', timeout: 60_000 });
    assert.equal(await page.getByTestId('error-banner').count(), 0);
    assert.equal(await page.getByTestId('top-table').count(), 0);
    await page.getByTestId('start').waitFor();
    assert.deepEqual(page.errors, []);
  });
});
