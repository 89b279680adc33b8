// The dominator flame graph of a big heap in the browser: no blank area where memory is (measured
// on the layout the page received and on the canvas's pixels), a search highlights exactly what it
// reports (hits narrower than a pixel included), a click or the keyboard opens the object's
// retainers, and the object shown is the one DevTools has under that id. Screenshots in
// test-results/ (light, dark, 800 px).
//
// The big heap is the ~200 MB bench snapshot (bench/gen_heapsnapshot.mjs, a real V8 snapshot);
// it is generated here once when bench/out/ does not have it yet (about a minute).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { tsImport } from 'tsx/esm/api';
import { BASE, newPage, shot, useBrowser } from './browser.js';

const BIG = fileURLToPath(new URL('../../bench/out/heap-200mb.heapsnapshot', import.meta.url));
const FIXTURES = new URL('../fixtures/heapsnapshot/', import.meta.url);
const ROW = 18; // src/lib/flame-rows.ts ROW_HEIGHT

const browser = useBrowser();

async function openSnapshot(page, path, { timeout = 30_000 } = {}) {
  await page.goto(BASE);
  await page.getByTestId('file-input').setInputFiles(path);
  await page.getByTestId('heap-view').waitFor({ timeout });
  await page.getByTestId('tab-dominators').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]')?.heaplensFlame?.layout?.length > 0);
  // The draw happens in an effect after the layout lands: wait for pixels.
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid=flame-canvas]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, Math.min(c.height, 40)).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
    return false;
  });
}

/**
 * In the page: for every rectangle drawn with something under it (not a "rest", wider than a
 * pixel, with children), how much of the part of it that is not its own size (width − self) its
 * children cover — in the layout (Σ children / (width − self)) and on the canvas (painted pixels
 * of the row below, across that part).
 */
const measureCoverage = () => {
  const c = document.querySelector('[data-testid=flame-canvas]');
  const { layout: l, domain, width } = c.heaplensFlame;
  const dpr = window.devicePixelRatio || 1;
  const ctx = c.getContext('2d');
  const px = (v) => ((v - domain[0]) / (domain[1] - domain[0])) * width;
  const childSum = new Float64Array(l.length);
  const hasChild = new Uint8Array(l.length);
  for (let i = 0; i < l.length; i++) {
    if (l.parent[i] >= 0) {
      childSum[l.parent[i]] += l.width[i];
      hasChild[l.parent[i]] = 1;
    }
  }
  const parents = [];
  for (let i = 0; i < l.length; i++) {
    const space = l.width[i] - l.self[i];
    if (!hasChild[i] || l.heap.kind[i] === 2 || space <= 0) continue;
    const x0 = px(l.start[i]);
    const x1 = px(l.start[i] + space);
    if (x1 - x0 < 1) continue;
    const y = Math.floor(((l.depth[i] + 1) * 18 + 9) * dpr); // rows of 18 px
    // The device pixels whose centre is inside the children's part.
    const a = Math.max(0, Math.ceil(x0 * dpr - 0.5));
    const b = Math.min(c.width, Math.floor(x1 * dpr - 0.5) + 1);
    if (b <= a) continue;
    const data = ctx.getImageData(a, y, b - a, 1).data;
    let painted = 0;
    for (let k = 3; k < data.length; k += 4) if (data[k] > 0) painted++;
    parents.push({ node: i, label: l.frames.func[l.frame[i]], px: x1 - x0, layout: childSum[i] / space, pixels: painted / (data.length / 4) });
  }
  return parents;
};

describe('dominator flame graph of the 200 MB bench snapshot', () => {
  let page;
  before(async () => {
    if (!existsSync(BIG)) {
      mkdirSync(new URL('../../bench/out/', import.meta.url), { recursive: true });
      execFileSync(process.execPath, [fileURLToPath(new URL('../../bench/gen_heapsnapshot.mjs', import.meta.url)), BIG, '200'], { stdio: 'inherit' });
    }
    page = await newPage(browser());
    await openSnapshot(page, BIG, { timeout: 300_000 });
  });

  it('no blank area: every drawn parent is covered by its children, in the layout and on the canvas', async () => {
    // The whole heap, then zoomed (by clicks) into the drawn rectangle with the most children that
    // is not the zoomed one, twice: where a real heap keeps thousands of small objects side by side.
    const parents = [];
    const busiest = () =>
      page.evaluate(() => {
        const { layout: l, domain, width } = document.querySelector('[data-testid=flame-canvas]').heaplensFlame;
        const px = (v) => ((v - domain[0]) / (domain[1] - domain[0])) * width;
        const children = new Uint32Array(l.length);
        for (let i = 0; i < l.length; i++) if (l.parent[i] >= 0) children[l.parent[i]]++;
        let best = -1;
        for (let i = 0; i < l.length; i++) {
          const x0 = px(l.start[i]);
          const w = px(l.start[i] + l.width[i]) - x0;
          if (x0 < 0 || w < 3 || w > 0.8 * width || l.heap.kind[i] === 2) continue;
          if (best < 0 || children[i] > children[best]) best = i;
        }
        return { x: (px(l.start[best]) + px(l.start[best] + l.width[best])) / 2, depth: l.depth[best], children: children[best], label: l.frames.func[l.frame[best]] };
      });
    const box = await page.getByTestId('flame-canvas').boundingBox();
    for (const name of ['whole heap', 'busiest group', 'busiest group inside it']) {
      if (name !== 'whole heap') {
        const t = await busiest();
        await page.mouse.click(box.x + t.x, box.y + t.depth * ROW + ROW / 2);
        await page.waitForTimeout(600); // the zoom animation
        console.info(`${name}: zoomed into ${t.label} (${t.children} children)`);
      }
      const measured = await page.evaluate(measureCoverage);
      assert.ok(measured.length >= 10, `${name}: parents measured: ${measured.length}`);
      parents.push(...measured.map((p) => ({ ...p, view: name })));
      await shot(page, `60-dominator-flame-200mb-${name.replaceAll(' ', '-')}`);
    }
    await page.getByTestId('flame-graph').focus();
    await page.keyboard.press('Escape');
    // Escape animates the zoom back to the whole heap.
    await page.waitForFunction(() => {
      const { layout: l, domain } = document.querySelector('[data-testid=flame-canvas]').heaplensFlame;
      return domain[0] === 0 && domain[1] === l.totalValue;
    });
    const worstLayout = Math.min(...parents.map((p) => p.layout));
    const weighted = parents.reduce((s, p) => s + p.pixels * p.px, 0) / parents.reduce((s, p) => s + p.px, 0);
    const measurable = parents.filter((p) => p.px >= 4);
    const worstPixels = measurable.reduce((w, p) => (p.pixels < w.pixels ? p : w));
    console.info(
      `dominator flame, 200 MB snapshot, 3 views: ${parents.length} drawn parents; in the layout their children cover ≥ ${(100 * worstLayout).toFixed(3)}% of each one's width beyond its own size; ` +
        `on the canvas ${(100 * weighted).toFixed(2)}% of those pixels are painted (width-weighted), the worst of ${measurable.length} parents ≥ 4 px ${(100 * worstPixels.pixels).toFixed(1)}% (${worstPixels.label}, ${worstPixels.px.toFixed(1)} px, ${worstPixels.view})`,
    );
    assert.ok(worstLayout > 0.9999, `a parent whose children leave part of it blank in the layout: ${worstLayout}`);
    assert.ok(weighted > 0.99, `painted share under drawn parents: ${weighted}`);
    for (const p of measurable) assert.ok(p.pixels >= 0.9, `${p.label} (node ${p.node}, ${p.px.toFixed(1)} px, ${p.view}): only ${(100 * p.pixels).toFixed(1)}% of its children's row painted`);
    assert.deepEqual(page.errors, []);
  });

  it('groups are labelled by class and count, with count, sizes and edge in the tooltip', async () => {
    const group = await page.evaluate(() => {
      const { layout: l, domain, width } = document.querySelector('[data-testid=flame-canvas]').heaplensFlame;
      // The widest group of one class.
      let best = -1;
      for (let i = 0; i < l.length; i++) if (l.heap.kind[i] === 1 && (best < 0 || l.width[i] > l.width[best])) best = i;
      const px = (v) => ((v - domain[0]) / (domain[1] - domain[0])) * width;
      return { name: l.frames.func[l.frame[best]], objects: l.heap.objects[best], edge: l.heap.edge[best], x: px(l.start[best]) + 20, depth: l.depth[best] };
    });
    assert.ok(group.objects > 1000, `the widest group stands for ${group.objects} objects`);
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.move(box.x + group.x, box.y + group.depth * ROW + ROW / 2);
    const tip = await page.getByTestId('flame-tooltip').innerText();
    const count = group.objects.toLocaleString('en-US');
    assert.ok(tip.includes(`${group.name} ×${count}`), tip);
    assert.match(tip, new RegExp(`${count} objects of one class`));
    assert.match(tip, /retained [\d.]+ (MiB|KiB) · shallow [\d.]+ (MiB|KiB)/);
    if (group.edge) assert.ok(tip.includes(`held by its dominator as ${group.edge}`), tip);
    await page.mouse.move(0, 0);
  });

  it('a search highlights exactly what it reports, hits narrower than a pixel included', async () => {
    await page.getByTestId('flame-search').fill('Function');
    await page.getByTestId('flame-match').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]').heaplensFlame.hit !== null);
    await page.waitForTimeout(200); // the redraw
    const r = await page.evaluate(() => {
      const c = document.querySelector('[data-testid=flame-canvas]');
      const { layout: l, domain, width, hit } = c.heaplensFlame;
      const dpr = window.devicePixelRatio || 1;
      const ctx = c.getContext('2d');
      const px = (v) => ((v - domain[0]) / (domain[1] - domain[0])) * width;
      const label = (i) => {
        const n = l.heap.objects[i];
        return `${l.frames.func[l.frame[i]]}${n > 1 ? ` ×${n.toLocaleString('en-US')}` : ''}${l.heap.edge[i] ? ` · ${l.heap.edge[i]}` : ''}`;
      };
      const expected = [];
      let share = 0;
      const mine = new Uint8Array(l.length);
      for (let i = 0; i < l.length; i++) {
        if (!label(i).toLowerCase().includes('function')) continue;
        mine[i] = 1;
        expected.push(i);
        let nested = false;
        for (let p = l.parent[i]; p >= 0; p = l.parent[p]) if (mine[p]) nested = true;
        if (!nested) share += l.total[i];
      }
      const highlighted = [];
      for (let i = 0; i < l.length; i++) if (hit[i]) highlighted.push(i);
      // Every hit is visible: an opaque pixel at its middle (a hit is drawn at full strength, or
      // as a solid mark when narrower than a pixel; everything else is dimmed).
      const alphaAt = (i) => ctx.getImageData(Math.floor((px(l.start[i]) + px(l.start[i] + l.width[i])) / 2 * dpr), Math.floor((l.depth[i] * 18 + 9) * dpr), 1, 1).data[3];
      const invisible = highlighted.filter((i) => alphaAt(i) < 250).map(label);
      let narrow = 0;
      for (const i of highlighted) if (px(l.start[i] + l.width[i]) - px(l.start[i]) < 1) narrow++;
      // Wide rectangles that are not hits are dimmed.
      let dimmed = 0;
      let wideOthers = 0;
      for (let i = 0; i < l.length; i++) {
        if (hit[i] || px(l.start[i] + l.width[i]) - px(l.start[i]) < 8) continue;
        wideOthers++;
        if (alphaAt(i) < 128) dimmed++;
      }
      return { expected, highlighted, share, total: l.totalValue, invisible, narrow, dimmed, wideOthers };
    });
    assert.deepEqual(r.highlighted, r.expected, 'the rectangles highlighted are those whose label matches');
    assert.ok(r.narrow > 0, 'some hits are narrower than a pixel (the case that used to vanish)');
    assert.deepEqual(r.invisible, [], 'hits drawn so faint they cannot be seen');
    assert.equal(r.dimmed, r.wideOthers, 'wide rectangles that are not hits are dimmed');
    const text = await page.getByTestId('flame-match').innerText();
    const percent = Number(/\(([\d.]+)%\)/.exec(text)?.[1]);
    assert.equal(percent, Number(((100 * r.share) / r.total).toFixed(1)), `reported "${text}", highlighted ${r.share} of ${r.total} bytes`);
    console.info(`search "Function": ${r.highlighted.length} rectangles highlighted (${r.narrow} narrower than a pixel), reported ${text}`);
    await shot(page, '61-dominator-flame-search');
    await page.getByTestId('flame-search').fill('');
    assert.deepEqual(page.errors, []);
  });

  it('a click opens the largest object of a group and what keeps it alive; the keyboard does too', async () => {
    const target = await page.evaluate(() => {
      const { layout: l, domain, width } = document.querySelector('[data-testid=flame-canvas]').heaplensFlame;
      let best = -1;
      for (let i = 0; i < l.length; i++) if (l.heap.kind[i] === 1 && (best < 0 || l.width[i] > l.width[best])) best = i;
      const px = (v) => ((v - domain[0]) / (domain[1] - domain[0])) * width;
      return { x: px(l.start[best]) + 10, depth: l.depth[best], name: l.frames.func[l.frame[best]] };
    });
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.click(box.x + target.x, box.y + target.depth * ROW + ROW / 2);
    const details = page.getByTestId('dominator-details');
    await details.getByTestId('dominator-largest').waitFor();
    assert.match(await details.getByTestId('dominator-largest').innerText(), new RegExp(`The largest of them: ${target.name} @\\d+`));
    // The retainer tree, its first retainers opened (an edge in an object, then what holds that).
    await details.getByTestId('retainer-tree-row').nth(1).waitFor();
    assert.match(await details.getByTestId('retainer-tree-row').first().innerText(), /\S+ in \S+/);
    assert.equal(await details.getByTestId('retainer-tree-row').nth(1).getAttribute('aria-level'), '2');
    await page.waitForTimeout(400); // the zoom
    await shot(page, '62-dominator-flame-retainers');
    // Keyboard: Escape resets the zoom, arrows walk the tree, the panel follows the cursor.
    await page.getByTestId('flame-graph').focus();
    await page.keyboard.press('Escape');
    const cursor = () => page.evaluate(() => document.querySelector('[data-testid=flame-canvas]').heaplensFlame.selected);
    const before = await cursor();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    const { node, label, expected } = await page.evaluate((before) => {
      const { layout: l, selected } = document.querySelector('[data-testid=flame-canvas]').heaplensFlame;
      const h = l.heap;
      const n = h.objects[selected];
      return { node: selected, expected: l.parent[l.parent[before]], label: `${l.frames.func[l.frame[selected]]}${n > 1 ? ` ×${n.toLocaleString('en-US')}` : ''}` };
    }, before);
    assert.equal(node, expected, 'ArrowUp twice: the grandparent');
    await page.waitForFunction((label) => document.querySelector('[data-testid=dominator-details] h3')?.textContent?.startsWith(label), label);
    await details.getByTestId('retainer-tree-row').first().waitFor();
    assert.deepEqual(page.errors, []);
  });
});

describe('dominator flame graph: the object behind a rectangle is the one DevTools has', () => {
  it('node-plain.heapsnapshot: the clicked group\'s largest object has DevTools\' class and retained size; dark, 800 px', async () => {
    const devtools = await tsImport('../reference/devtools.ts', import.meta.url);
    const file = fileURLToPath(new URL('node-plain.heapsnapshot', FIXTURES));
    const snap = await devtools.load(file);
    const page = await newPage(browser(), { colorScheme: 'dark', viewport: { width: 800, height: 900 } });
    await openSnapshot(page, file);
    const target = await page.evaluate(() => {
      const { layout: l, domain, width } = document.querySelector('[data-testid=flame-canvas]').heaplensFlame;
      const px = (v) => ((v - domain[0]) / (domain[1] - domain[0])) * width;
      // The widest group deeper than the roots' first rows.
      let best = -1;
      for (let i = 0; i < l.length; i++) if (l.heap.kind[i] === 1 && l.depth[i] >= 2 && (best < 0 || l.width[i] > l.width[best])) best = i;
      return { x: px(l.start[best]) + Math.min(10, (px(l.start[best] + l.width[best]) - px(l.start[best])) / 2), depth: l.depth[best], name: l.frames.func[l.frame[best]] };
    });
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.click(box.x + target.x, box.y + target.depth * ROW + ROW / 2);
    const details = page.getByTestId('dominator-details');
    await details.getByTestId('dominator-largest').waitFor();
    const text = await details.getByTestId('dominator-largest').innerText();
    const id = Number(/@(\d+)/.exec(text)[1]);
    const nodeIndex = devtools.nodeIndexOfId(snap, id);
    assert.notEqual(nodeIndex, null, `DevTools has an object @${id}`);
    // DevTools' own row for that object: its class's objects include it, with this retained size.
    const row = devtools.summary(snap).find((r) => r.name === target.name);
    assert.ok(row, `DevTools has a class ${target.name}`);
    const theirs = devtools.classObjects(snap, row.key, 100_000).find((o) => o.id === id);
    assert.ok(theirs, `@${id} is one of DevTools' ${target.name} objects`);
    const retained = /retained ([\d.]+ [KMG]?i?B)/.exec(text)?.[1];
    const fmt = (b) => {
      const u = ['B', 'KiB', 'MiB', 'GiB'];
      let s = b;
      let k = 0;
      while (s >= 1024 && k < u.length - 1) (s /= 1024), k++;
      return `${s.toFixed(k === 0 ? 0 : s < 10 ? 2 : s < 100 ? 1 : 0)} ${u[k]}`;
    };
    assert.equal(retained, fmt(theirs.retainedSize), `retained size of @${id}`);
    await page.getByText(/What keeps .* alive: below/).click();
    await page.waitForTimeout(300);
    await shot(page, '63-dominator-flame-dark-800');
    assert.deepEqual(page.errors, []);
  });
});
