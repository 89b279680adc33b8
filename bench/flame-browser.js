// Flame graph in Chromium: a generated .heapprofile of ~100 k call-tree nodes is dropped on the
// built app; we read the first-paint measure (request → layout in the worker → transfer → first
// canvas draw) and the frame times during a scripted zoom, against the idle frame interval of the
// same page as the baseline. Prints JSON.
// usage: node bench/flame-browser.js [NODES]
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../test/e2e/static-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const nodes = Number(process.argv[2] ?? 100_000);
const file = join(here, 'out', `flame-${nodes}.heapprofile`);

if (!existsSync(file)) {
  // A random call tree: each new node hangs under a random earlier one (2% new roots).
  let x = 11;
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const all = [];
  const head = { callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: 1, children: [] };
  for (let i = 0; i < nodes; i++) {
    const f = Math.floor(rand() * 5000);
    const node = {
      callFrame: { functionName: `fn${f}`, scriptId: '1', url: `file:///app/module${f % 200}.js`, lineNumber: f % 400, columnNumber: 0 },
      selfSize: Math.floor(rand() * 10000),
      id: i + 2,
      children: [],
    };
    (all.length === 0 || rand() < 0.02 ? head : all[Math.floor(rand() * all.length)]).children.push(node);
    all.push(node);
  }
  writeFileSync(file, JSON.stringify({ head, samples: [] }));
}

execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
const server = await serveStatic(join(root, 'dist'));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(server.url);
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('top-row').first().waitFor({ timeout: 120_000 });
  await page.getByTestId('tab-flame').click();
  await page.waitForFunction(() => performance.getEntriesByName('heaplens:flame-first-paint').length > 0, null, { timeout: 120_000 });
  const firstPaint = await page.evaluate(() => performance.getEntriesByName('heaplens:flame-first-paint')[0].duration);

  // Frame intervals while idle (the baseline), then while zooming into a frame and back.
  const frames = (ms) =>
    page.evaluate(
      (ms) =>
        new Promise((resolve) => {
          const out = [];
          let last = performance.now();
          const end = last + ms;
          const tick = (t) => {
            out.push(t - last);
            last = t;
            if (t < end) requestAnimationFrame(tick);
            else resolve(out);
          };
          requestAnimationFrame(tick);
        }),
      ms,
    );
  const idle = await frames(600);
  const box = await page.getByTestId('flame-canvas').boundingBox();
  const zooming = frames(900);
  await page.mouse.click(box.x + box.width * 0.3, box.y + 18 * 3 + 9);
  await page.waitForTimeout(400);
  await page.getByTestId('flame-reset').click();
  const zoom = await zooming;
  const stats = (xs) => {
    const s = [...xs].slice(1).sort((a, b) => a - b);
    return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)], max: s[s.length - 1], frames: s.length };
  };
  const zoomMeasures = await page.evaluate(() => performance.getEntriesByName('heaplens:flame-zoom').map((e) => e.duration));
  process.stdout.write(`${JSON.stringify({ nodes, firstPaintMs: firstPaint, idleFrameMs: stats(idle), zoomFrameMs: stats(zoom), zoomAnimationsMs: zoomMeasures })}\n`);
} finally {
  await browser.close();
  server.close();
}
