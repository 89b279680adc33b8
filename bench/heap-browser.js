// A heap snapshot opened in the built app in Chromium: time from picking the file to the class
// table (read + parse + dominators + classes in the worker, then the first rows drawn), and to
// the first class's objects, both timed in the page (from the input's change or the row's click
// event to the first frame after the table or rows are in the document: Playwright's own wait
// polls at up to 500 ms intervals, which its wall time, also printed, includes); the tab's
// memory (the renderer process, which runs the engine's worker too: its resident size now and
// its peak, from /proc) after one open, after the same
// file is picked twice more (the app shows the open profile again), and after it is closed and
// opened again twice (each close must free it). Prints JSON.
// A file the tab cannot hold ends with the app's message instead ({message}).
// usage: node bench/heap-browser.js FILE.heapsnapshot [SCREENSHOT.png]
//   BENCH_BROWSER_REPEAT=0 skips the repeated opens (big files); BENCH_BROWSER_QUERY=?budget=… adds to the address
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../test/e2e/static-server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [file, screenshot] = process.argv.slice(2);
const repeat = process.env.BENCH_BROWSER_REPEAT !== '0';
const timeout = 3_600_000;
execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
const server = await serveStatic(join(root, 'dist'));

/** Our Chromium's renderer processes (descendants of this process), with VmRSS and VmHWM in bytes. */
function renderers() {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      procs.push({ pid: Number(pid), ppid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), status: readFileSync(`/proc/${pid}/status`, 'utf8') });
    } catch {
      // gone meanwhile
    }
  }
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!ours.has(p.pid) && ours.has(p.ppid)) grew = ours.add(p.pid) !== null;
  }
  const kb = (status, key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return procs
    .filter((p) => ours.has(p.pid) && p.cmd.includes('--type=renderer') && !p.cmd.includes('--extension-process'))
    .map((p) => ({ pid: p.pid, rss: kb(p.status, 'VmRSS'), peak: kb(p.status, 'VmHWM') }));
}

/** The renderer that grew the most: the page's (a spare or UI renderer stays small). */
const tab = () => renderers().sort((a, b) => b.rss - a.rss)[0] ?? { rss: 0, peak: 0 };
const settle = async (page) => {
  // A few idle seconds, as a user's pause would give, then the tab as it is and after a full GC
  // of the page and its workers (--expose-gc): what is still held, not what waits for the GC.
  await page.waitForTimeout(3000);
  const idle = tab();
  for (const w of page.workers()) await w.evaluate(() => globalThis.gc?.()).catch(() => {});
  await page.evaluate(() => globalThis.gc?.());
  await page.waitForTimeout(500);
  const collected = tab();
  return { rss: idle.rss, peak: collected.peak, collectedRss: collected.rss };
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--js-flags=--expose-gc'],
});
const result = {};
/**
 * In the page: arm(ids, event) starts a clock at the next `event` (capturing, before the app's own
 * handlers) and stops it at the first frame after an element with one of those test ids that was
 * not there when armed is in the document; elapsed() then gives the milliseconds, else null.
 */
const timer = () => {
  let clock = null;
  window.__bench = {
    arm(ids, event) {
      const selector = ids.map((id) => `[data-testid="${id}"]`).join(',');
      const before = new Set(document.querySelectorAll(selector));
      const c = (clock = { start: null, end: null });
      document.addEventListener(event, () => (c.start ??= performance.now()), { capture: true, once: true });
      const seen = () => [...document.querySelectorAll(selector)].some((el) => !before.has(el));
      const observer = new MutationObserver(() => {
        if (c.start === null || !seen()) return;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => (c.end = performance.now()), 0));
      });
      observer.observe(document, { childList: true, subtree: true });
    },
    elapsed: () => (clock && clock.start !== null && clock.end !== null ? clock.end - clock.start : null),
  };
};
/** The page's time of the last armed step, once its frame is drawn. */
const elapsed = async (page) => {
  for (let k = 0; k < 100; k++) {
    const ms = await page.evaluate(() => window.__bench.elapsed());
    if (ms !== null) return Math.round(ms);
    await page.waitForTimeout(20);
  }
  return null;
};
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.addInitScript(timer);
  await page.goto(`${server.url}${process.env.BENCH_BROWSER_QUERY ?? ''}`);
  const before = await settle(page);
  Object.assign(result, { beforeRss: before.rss, beforeCollectedRss: before.collectedRss });
  const pick = async () => {
    await page.evaluate(() => window.__bench.arm(['class-table', 'error-banner'], 'change'));
    const t0 = Date.now();
    await page.getByTestId('file-input').setInputFiles(file);
    const table = page.getByTestId('class-table');
    const error = page.getByTestId('error-banner');
    await table.or(error).first().waitFor({ timeout });
    const wallMs = Date.now() - t0;
    const ms = await elapsed(page);
    if (await error.isVisible()) return { ms, wallMs, message: await error.innerText() };
    return { ms, wallMs };
  };
  const first = await pick();
  result.classTableMs = first.ms;
  result.classTableWallMs = first.wallMs;
  if (screenshot) await page.screenshot({ path: screenshot });
  if (first.message) {
    result.message = first.message;
  } else {
    await page.evaluate(() => window.__bench.arm(['object-row'], 'click'));
    const t1 = Date.now();
    await page.getByTestId('class-row').nth(1).click();
    await page.getByTestId('object-row').first().waitFor({ timeout });
    result.firstObjectsWallMs = Date.now() - t1;
    result.firstObjectsMs = await elapsed(page);
  }
  const once = await settle(page);
  Object.assign(result, { onceRss: once.rss, onceCollectedRss: once.collectedRss, oncePeak: once.peak });
  if (repeat && !first.message) {
    for (let k = 0; k < 2; k++) await pick();
    const three = await settle(page);
    Object.assign(result, { threeRss: three.rss, threeCollectedRss: three.collectedRss });
    for (let k = 0; k < 2; k++) {
      await page.getByTestId('close-profile').click();
      await page.getByTestId('class-table').waitFor({ state: 'detached', timeout });
      await pick();
    }
    const closed = await settle(page);
    Object.assign(result, { reopenedRss: closed.rss, reopenedCollectedRss: closed.collectedRss, reopenedPeak: closed.peak });
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  server.close();
}
