// Shared set-up for the browser tests: Debian's Chromium through playwright-core, with the flags
// this machine's closed network needs, and a record of console errors.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const BASE = process.env.HEAPLENS_URL;
export const SHOTS = join(process.cwd(), 'test-results');
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** A fresh page that remembers every console error and uncaught exception. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/**
 * Drops files on the page the way a user's drag and drop does (DataTransfer + drop event).
 * `whileDragging` runs between the drag entering the window and the drop.
 */
export async function dropFile(page, name, bytes, type = 'application/octet-stream', whileDragging = async () => {}) {
  // The bytes cross to the page as base64: as an array of numbers, a 4 MB fixture took ~30 s of
  // JSON over the DevTools protocol.
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const dt = await page.evaluateHandle(
    ({ name, base64, type }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], name, { type }));
      return dt;
    },
    { name, base64, type },
  );
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: dt });
  await whileDragging();
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
}

/** One Chromium per test file, launched before its tests and closed after them. */
export function useBrowser() {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/**
 * Picks the option of a <select> whose text starts with `text` (options name a profile and then
 * when it was saved, which a test cannot know in advance).
 */
export async function selectStartingWith(page, testId, text) {
  const select = page.getByTestId(testId);
  const value = await select.evaluate((el, text) => [...el.options].find((o) => o.textContent.trim().startsWith(text))?.value ?? null, text);
  if (value === null) throw new Error(`no option of ${testId} starts with ${text}: ${await select.innerText()}`);
  await select.selectOption(value);
}
