// A heap snapshot opened in the built app in Chromium: time from picking the file to the class
// table (read + parse + dominators + classes in the worker, then the first rows drawn), and to
// the first class's objects. Prints JSON.
// usage: node bench/heap-browser.js FILE.heapsnapshot
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../test/e2e/static-server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2];
execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
const server = await serveStatic(join(root, 'dist'));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('class-table').waitFor({ timeout: 600_000 });
  const classTableMs = Date.now() - t0;
  const t1 = Date.now();
  await page.getByTestId('class-row').nth(1).click();
  await page.getByTestId('object-row').first().waitFor({ timeout: 120_000 });
  process.stdout.write(`${JSON.stringify({ classTableMs, firstObjectsMs: Date.now() - t1 })}\n`);
} finally {
  await browser.close();
  server.close();
}
