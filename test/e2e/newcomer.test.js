// A newcomer's first hour (issue 12): each place where a person lost time or trust, checked the
// way they met it. Expected numbers come from the files themselves (the .heapprofile's JSON,
// tracemalloc's own compare_to output), never from heaplens.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BASE, newPage, selectStartingWith, shot, useBrowser } from './browser.js';

const browser = useBrowser();
const TM = new URL('../fixtures/tracemalloc/', import.meta.url);
const HP = new URL('../fixtures/heapprofile/workload.heapprofile', import.meta.url);
const SNAP = new URL('../fixtures/heapsnapshot/', import.meta.url);
const read = (url) => readFileSync(url);
const put = (page, name, buffer) => page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
const rowTexts = async (page, testId = 'top-row') => (await page.getByTestId(testId).allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));

/** The .heapprofile straight from its JSON: script-less self sizes by function, and pruned samples. */
function heapProfileFacts() {
  const raw = JSON.parse(read(HP).toString('utf8'));
  const scriptless = new Map();
  const ids = new Set();
  const walk = (n, root) => {
    ids.add(n.id);
    if (!root && !n.callFrame.url) scriptless.set(n.callFrame.functionName, (scriptless.get(n.callFrame.functionName) ?? 0) + n.selfSize);
    n.children.forEach((c) => walk(c, false));
  };
  walk(raw.head, true);
  const dropped = raw.samples.filter((s) => !ids.has(s.nodeId));
  return { scriptless, dropped };
}

describe('V8 sampling profiles (12.3, 12.4, 12.8)', () => {
  it('open by function, builtins each their own row under one name, pruned samples said, a filter hint for JavaScript', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await put(page, 'workload.heapprofile', read(HP));
    await page.getByTestId('top-row').first().waitFor();
    assert.equal(await page.getByTestId('group-function').getAttribute('aria-checked'), 'true', 'a sampling profile opens by function');
    const { scriptless, dropped } = heapProfileFacts();
    // By line too, builtins without a script are rows of their own, named by function.
    await page.getByTestId('group-line').click();
    await page.waitForFunction(() => document.querySelector('th:nth-child(2)')?.textContent?.includes('function starts'));
    const rows = await rowTexts(page);
    assert.equal(rows.filter((r) => /\(program\)|:-1\b/.test(r)).length, 0, rows.slice(0, 5).join(' | '));
    const [fn] = [...scriptless].sort((a, b) => b[1] - a[1])[0];
    assert.ok(rows.some((r) => r.includes(fn) && r.includes('(no script)')), `${fn} has its own row: ${rows.slice(0, 8).join(' | ')}`);
    // The samples V8 pruned from the tree: how many and how many bytes.
    const note = await page.getByTestId('dropped-samples').innerText();
    assert.match(note, new RegExp(`^${dropped.length} samples`));
    // The filter box speaks JavaScript here, Python for a tracemalloc dump.
    assert.doesNotMatch(await page.getByTestId('filter').getAttribute('placeholder'), /frozen|tornado|domain/);
    await shot(page, '20-heapprofile-by-line');
    assert.deepEqual(page.errors, []);
  });
});

describe('tracebacks and diffs (12.5, 12.6, 12.7, 12.14, 12.18)', () => {
  it("traceback rows are named by their first frame of the program's own code", async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('open-example').click();
    await page.getByTestId('top-row').first().waitFor();
    await page.getByTestId('group-traceback').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=top-row]')?.textContent?.includes('frames'));
    const labels = await page.getByTestId('top-row').evaluateAll((rows) => rows.slice(0, 40).map((r) => r.querySelector('.frame')?.getAttribute('title') ?? ''));
    // tracemalloc's own tracebacks, in its order: the innermost frame outside the standard
    // library and frozen importlib; for tracebacks of library code only, the innermost that is
    // not frozen importlib.
    const expected = JSON.parse(readFileSync(new URL('../../public/examples/tornado-server.expected.json', import.meta.url), 'utf8'));
    const library = (file) => file.startsWith('<frozen ') || /\/lib\/python3\.\d+\//.test(file);
    const want = expected.statistics.traceback.slice(0, 40).map(({ frames }) => {
      const pick = [...frames].reverse().find(([f]) => !library(f)) ?? [...frames].reverse().find(([f]) => !f.startsWith('<frozen ')) ?? frames.at(-1);
      return `${pick[0]}:${pick[1]}`;
    });
    assert.deepEqual(labels, want);
    assert.ok(labels.filter((l) => l.includes('<frozen')).length < labels.length / 4, labels.join(' | '));
    await shot(page, '21-traceback-labels');
    assert.deepEqual(page.errors, []);
  });

  it('a diff row opens to its tracebacks with their own changes; a diff of two equal dumps says so; one minus sign', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await put(page, 'before_p5.pickle', read(new URL('before_p5.pickle', TM)));
    await page.getByTestId('top-row').first().waitFor();
    await put(page, 'after_p5.pickle', read(new URL('after_p5.pickle', TM)));
    await page.waitForFunction(() => document.querySelector('[data-testid=profile-header]')?.textContent?.includes('after_p5.pickle'));
    await selectStartingWith(page, 'base', 'before_p5.pickle');
    await page.getByTestId('diff-table').waitFor();
    const compare = JSON.parse(read(new URL('compare.expected.json', TM)).toString('utf8')).compare_to;
    const [file, line] = compare.lineno[0].frames[0];
    await page.getByTestId('diff-row').first().click();
    await page.getByTestId('diff-traceback').first().waitFor();
    const want = compare.traceback.filter((t) => t.frames.at(-1)[0] === file && t.frames.at(-1)[1] === line);
    assert.equal(await page.getByTestId('diff-traceback').count(), Math.min(5, want.length));
    assert.match(await page.getByTestId('diff-traceback').first().innerText(), /\(\+[\d.]+ (B|KiB|MiB)\) in [\d,]+ \(\+[\d,]+\)/);
    // Every sign on the page: the typographic minus, never a hyphen before a digit.
    const summary = await page.getByTestId('diff-summary').innerText();
    assert.doesNotMatch(summary, /-\d/);
    await shot(page, '22-diff-expanded');

    // Two dumps of the same snapshot (pickle protocol 4 and 5): no differences, said in words.
    const other = await newPage(browser());
    await other.goto(BASE);
    await put(other, 'limit25_p4.pickle', read(new URL('limit25_p4.pickle', TM)));
    await other.getByTestId('top-row').first().waitFor();
    await put(other, 'limit25_p5.pickle', read(new URL('limit25_p5.pickle', TM)));
    await other.waitForFunction(() => document.querySelector('[data-testid=profile-header]')?.textContent?.includes('limit25_p5.pickle'));
    await selectStartingWith(other, 'base', 'limit25_p4.pickle');
    await other.getByTestId('no-differences').waitFor();
    assert.deepEqual([...page.errors, ...other.errors], []);
  });

  it('cumulative and inclusive explain themselves; a filter that keeps nothing says so', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await page.getByTestId('open-example').click();
    await page.getByTestId('top-row').first().waitFor();
    assert.equal(await page.getByTestId('mode-note').count(), 0);
    await page.getByTestId('mode').selectOption('cumulative');
    assert.match(await page.getByTestId('mode-note').innerText(), /recursive call counts again .* more than 100 %/);
    await page.getByTestId('mode').selectOption('self');
    await page.getByTestId('filter').fill('*no-such-file*');
    await page.getByTestId('empty').waitFor();
    assert.match(await page.getByTestId('empty').innerText(), /filter keeps no allocation/);
    await page.getByTestId('filter').fill('');
    await page.getByTestId('search').fill('/tornado\\/(web|routing)\\.py$/');
    await page.waitForFunction(() => document.querySelector('[data-testid=summary]')?.textContent?.includes('matching'));
    const rows = await rowTexts(page);
    assert.ok(rows.length > 0 && rows.every((r) => /tornado\/(web|routing)\.py:\d/.test(r)), rows.slice(0, 3).join(' | '));
    assert.deepEqual(page.errors, []);
  });
});

describe('flame graphs (12.9, 12.10, 12.11)', () => {
  it('Back after a zoom unzooms; the callers/callees follow the selected frame; labels keep their file name', async () => {
    const page = await newPage(browser());
    // Record what the canvas writes, to read its labels.
    await page.addInitScript(() => {
      window.__labels = [];
      const fill = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        window.__labels.push(String(text));
        return fill.call(this, text, ...rest);
      };
    });
    await page.setViewportSize({ width: 800, height: 900 });
    await page.goto(BASE);
    await page.getByTestId('open-example').click();
    await page.getByTestId('top-row').first().waitFor();
    await page.getByTestId('tab-flame').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]')?.height > 0 && window.__labels.length > 0);
    // Zoomed into the imports (the second row's right side), long frozen importlib names get cut.
    const importBox = await page.getByTestId('flame-canvas').boundingBox();
    await page.evaluate(() => (window.__labels = []));
    await page.mouse.click(importBox.x + importBox.width - 40, importBox.y + 18 + 9);
    await page.waitForTimeout(400); // the zoom animation
    await page.getByTestId('flame-reset').click();
    await page.waitForTimeout(400);
    const cut = await page.evaluate(() => window.__labels.filter((l) => l.includes('…')));
    assert.ok(cut.length > 0, 'some labels are too long for their frame at 800 px');
    for (const label of cut) assert.ok(!label.endsWith('…'), `cut at the end: ${label}`);
    assert.ok(cut.some((l) => /…[^/]*(\.py|>):\d+$/.test(l)), `the file name and line stay: ${cut.slice(0, 3).join(' | ')}`);
    await shot(page, '23-flame-800px');

    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.click(box.x + 30, box.y + 9); // the widest root: server.py:10
    await page.getByTestId('flame-breadcrumb').waitFor();
    await page.waitForFunction(() => location.hash.includes('zoom='));
    await page.goBack();
    await page.waitForFunction(() => !location.hash.includes('zoom='));
    await page.getByTestId('flame-breadcrumb').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('flame-reset').isDisabled(), true);

    // Select a frame, open its sandwich, then select another: the sandwich follows.
    await page.mouse.click(box.x + 30, box.y + 9);
    await page.getByTestId('flame-sandwich').click();
    const sandwich = page.getByTestId('sandwich');
    await sandwich.waitFor();
    const first = await sandwich.getAttribute('data-frame');
    await page.mouse.click(box.x + 30, box.y + 18 + 9); // the row below: another frame
    await page.waitForFunction((f) => document.querySelector('[data-testid=sandwich]')?.dataset.frame !== f, first);
    assert.notEqual(await sandwich.getAttribute('data-frame'), first);
    assert.deepEqual(page.errors, []);
  });
});

describe('naming, links and reloads (12.13, 12.15, 12.16, 12.18)', () => {
  it('a label given in the library names the profile in the header; jargon only in tooltips; the download says .gz', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await put(page, 'limit25_p5.pickle', read(new URL('limit25_p5.pickle', TM)));
    await page.getByTestId('top-row').first().waitFor();
    const entry = page.getByTestId('library-entry').first();
    await entry.getByTestId('library-rename').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('before the fix');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=profile-label]')?.textContent === 'before the fix');
    const header = await page.getByTestId('profile-header').innerText();
    assert.match(header, /limit25_p5\.pickle/, 'the file name stays beside the label');
    assert.match(header, /saved /);
    assert.doesNotMatch(header, /field|protocol/, 'format internals are for the tooltip');
    assert.match(await page.getByTestId('producer').getAttribute('title'), /pickle protocol 5/);
    assert.match(await page.getByTestId('download-compact').innerText(), /\.heaplens\.json\.gz$/);
    await shot(page, '24-header-label');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, '24b-header-label-dark');
    assert.deepEqual(page.errors, []);
  });

  it('a reload reopens the profile; its link elsewhere explains; a data link keeps the profile\'s own name', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await put(page, 'limit25_p5.pickle', read(new URL('limit25_p5.pickle', TM)));
    await page.getByTestId('top-row').first().waitFor();
    await page.waitForFunction(() => location.hash.includes('lib='));
    await page.reload();
    await page.getByTestId('top-row').first().waitFor();
    assert.match(await page.getByTestId('profile-header').innerText(), /limit25_p5\.pickle/);
    const viewLink = page.url();

    // The same link in another browser (a fresh context: an empty library).
    const elsewhere = await newPage(browser());
    await elsewhere.goto(viewLink);
    await elsewhere.getByTestId('notice').waitFor();
    assert.match(await elsewhere.getByTestId('notice').innerText(), /library of another browser/);
    // A link with only a view says where the profile is.
    const bare = await newPage(browser());
    await bare.goto(`${BASE}#v=1&view=flame&by=line`);
    await bare.getByTestId('notice').waitFor();
    assert.match(await bare.getByTestId('notice').innerText(), /lives only in the browser of whoever made it/);

    await page.getByTestId('copy-data-link').click();
    await page.waitForFunction(() => location.hash.includes('data='));
    const withData = await newPage(browser());
    await withData.goto(page.url());
    await withData.getByTestId('top-row').first().waitFor();
    assert.match(await withData.getByTestId('profile-header').innerText(), /limit25_p5\.pickle/);
    assert.doesNotMatch(await withData.getByTestId('profile-header').innerText(), /shared-profile/);
    assert.deepEqual([...page.errors, ...elsewhere.errors, ...bare.errors, ...withData.errors], []);
  });
});

describe('heap snapshots (12.14, 12.18)', () => {
  it('detached DOM: elements and text nodes counted apart, and the count opens the list', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await put(page, 'chromium-detached.heapsnapshot', read(new URL('chromium-detached.heapsnapshot', SNAP)));
    await page.getByTestId('class-table').waitFor();
    const link = page.getByTestId('detached-link');
    // page.js detaches one <ul> with 25 <li>, each holding one text node.
    assert.equal(await link.innerText(), '26 detached DOM elements and 25 text nodes');
    await link.click();
    const list = page.getByTestId('detached-list');
    await list.waitFor();
    assert.equal(await list.locator('li').count(), 51);
    await list.locator('li button').first().click();
    await page.getByTestId('retainer-tree-row').first().waitFor();
    await shot(page, '25-detached-list');
    assert.deepEqual(page.errors, []);
  });

  it('regular expressions work in the class filter too (12.17)', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await put(page, 'node-plain.heapsnapshot', read(new URL('node-plain.heapsnapshot', SNAP)));
    await page.getByTestId('class-table').waitFor();
    await page.getByTestId('class-filter').fill('/^(Leaky|Session)$/');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=class-row]').length === 2);
    const names = await page.getByTestId('class-row').evaluateAll((rows) => rows.map((r) => r.querySelector('td')?.textContent?.replace(/^[▸▾]\s*/, '').trim().split(/\s/)[0]));
    assert.deepEqual(names.sort(), ['Leaky', 'Session']);
    assert.deepEqual(page.errors, []);
  });

  it('leak candidates with the snapshots in the wrong order say what order is expected', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await put(page, 'first.heapsnapshot', read(new URL('node-before.heapsnapshot', SNAP)));
    await page.getByTestId('class-table').waitFor();
    await put(page, 'second.heapsnapshot', read(new URL('node-after.heapsnapshot', SNAP)));
    await page.waitForFunction(() => document.querySelector('[data-testid=profile-header]')?.textContent?.includes('second.heapsnapshot'));
    await page.getByTestId('class-table').waitFor();
    // The same snapshot twice where two in order are meant: nothing is born in between.
    await page.getByTestId('tab-comparison').click();
    await selectStartingWith(page, 'leak-first', 'first.heapsnapshot');
    await selectStartingWith(page, 'leak-second', 'first.heapsnapshot');
    await page.getByTestId('no-leaks').waitFor();
    assert.match(await page.getByTestId('no-leaks').innerText(), /in the order they were taken/);
    assert.deepEqual(page.errors, []);
  });
});
