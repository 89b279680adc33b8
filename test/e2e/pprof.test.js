// pprof in the browser: a Go heap profile dropped on the page, Top by function with the value
// selector on alloc_space shows go tool pprof's numbers (test/fixtures/pprof/*.expected.txt, its
// own output); the flame graph draws and its tooltip speaks the value's unit; the before/after
// pair diffs like -diff_base; a CPU profile and an empty one say what they are. Screenshots in
// light, dark and an 800 px window in test-results/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BASE, dropFile, newPage, selectStartingWith, shot, useBrowser } from './browser.js';

const DIR = new URL('../fixtures/pprof/', import.meta.url);
const bytes = (name) => readFileSync(new URL(name, DIR));

/** One `-top -functions` section of pprof's expected text: function → {flat, cum}; and "shown". */
function pprofTop(file, args) {
  const text = readFileSync(new URL(file, DIR), 'utf8');
  const section = text.split(/^### go tool pprof /m).find((s) => s.split('\n')[0].trim().endsWith(args));
  assert.ok(section, `no section ending in ${args} in ${file}`);
  const rows = new Map();
  let shown = null;
  for (const line of section.split('\n')) {
    const s = /^Showing nodes accounting for (-?\d+)B?,/.exec(line);
    if (s) shown = Number(s[1]);
    const m = /^\s*(-?\d+)B?\s+\S+%\s+\S+%\s+(-?\d+)B?\s+\S+%\s{2}(.+?)( \((?:partial-)?inline\))?$/.exec(line);
    if (m) rows.set(m[3], { flat: Number(m[1]), cum: Number(m[2]) });
  }
  assert.ok(rows.size > 5 && shown !== null, `parsed ${file}: ${args}`);
  return { rows, shown };
}

/** The Top table's rows: function name → the ranked value (exact, from data-value). */
async function tableRows(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=top-row]')].map((tr) => ({
      func: tr.querySelector('.func')?.textContent ?? '',
      value: Number(tr.dataset.value),
      text: tr.innerText,
    })),
  );
}

const browser = useBrowser();

async function dropHeap(page, name = 'go-heap-exact.pb.gz') {
  await dropFile(page, name, bytes(name));
  await page.getByTestId('top-row').first().waitFor();
}

async function pick(page, testid, value) {
  await page.getByTestId(testid).selectOption(value);
  await page.waitForFunction((v) => document.querySelector('[data-testid=top-table] th:nth-child(3)')?.textContent === v, value);
}

describe('a Go heap profile in the browser', () => {
  it('dropped: Top by function on alloc_space equals go tool pprof -top (flat, then cum)', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropHeap(page);
    assert.match(await page.getByTestId('profile-header').innerText(), /go-heap-exact\.pb\.gz/);
    // The selector lists the file's four sample types, on pprof's default (the last one).
    const options = await page.getByTestId('value').locator('option').allInnerTexts();
    assert.deepEqual(options, ['alloc_objects (count)', 'alloc_space (bytes)', 'inuse_objects (count)', 'inuse_space (bytes)']);
    assert.equal(await page.getByTestId('value').inputValue(), 'inuse_space');
    await page.getByTestId('group-function').click();
    await pick(page, 'value', 'alloc_space');
    assert.match(page.url(), /value=alloc_space/);

    const flat = pprofTop('go-heap-exact.expected.txt', '-sample_index=alloc_space -unit=byte -functions go-heap-exact.pb.gz');
    let rows = await tableRows(page);
    const withFlat = [...flat.rows].filter(([, r]) => r.flat !== 0);
    assert.equal(rows.length, withFlat.length, 'one row per function pprof gives a flat value');
    for (const r of rows) assert.equal(r.value, flat.rows.get(r.func)?.flat, `${r.func}: flat`);
    // Sizes read as sizes: pprof's 163840B is 160 KiB.
    assert.match(rows[0].text, /160 KiB/);
    const summary = await page.getByTestId('summary').innerText();
    assert.match(summary, /396 KiB\sin 1,017 objects/);
    await shot(page, 'pprof-01-top-alloc-space');

    await page.getByTestId('mode').selectOption('inclusive');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=top-row]').length > 25);
    rows = await tableRows(page);
    assert.equal(rows.length, flat.rows.size, 'one row per function pprof lists');
    for (const r of rows) assert.equal(r.value, flat.rows.get(r.func)?.cum, `${r.func}: cum`);
    console.log(`pprof in the browser: ${withFlat.length} flat and ${rows.length} cum rows equal go tool pprof`);

    // A count type: counts as counts, the size beside them.
    await page.getByTestId('mode').selectOption('self');
    await pick(page, 'value', 'alloc_objects');
    const objects = pprofTop('go-heap-exact.expected.txt', '-sample_index=alloc_objects -functions go-heap-exact.pb.gz');
    rows = await tableRows(page);
    for (const r of rows) assert.equal(r.value, objects.rows.get(r.func)?.flat, `${r.func}: alloc_objects flat`);
    assert.equal(await page.locator('[data-testid=top-table] th:nth-child(4)').textContent(), 'Size');
    assert.deepEqual(page.errors, []);
  });

  it('the value selector works from the keyboard, and a link keeps it', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropHeap(page);
    await page.getByTestId('value').focus();
    await page.keyboard.press('ArrowUp'); // inuse_space → inuse_objects
    await page.waitForFunction(() => document.querySelector('[data-testid=top-table] th:nth-child(3)')?.textContent === 'inuse_objects');
    assert.match(page.url(), /value=inuse_objects/);
    assert.deepEqual(page.errors, []);
  });

  it('the flame graph draws, widths and tooltip in the chosen value', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropHeap(page);
    await page.getByTestId('value').selectOption('alloc_space');
    await page.getByTestId('tab-flame').click();
    await page.getByTestId('flame-canvas').waitFor();
    const painted = await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid=flame-canvas]');
      if (!c || c.width === 0) return false;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n > 5000 ? n : false;
    });
    assert.ok((await painted.jsonValue()) > 5000);
    // The selector is shared: it shows here too, on the same value.
    assert.equal(await page.getByTestId('value').inputValue(), 'alloc_space');
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.move(box.x + 20, box.y + 9); // the first row: runtime.main, the widest root
    const tip = page.getByTestId('flame-tooltip');
    await tip.waitFor();
    const text = await tip.innerText();
    // pprof: runtime.main's cum is 312000B of 405520B.
    assert.match(text, /runtime\.main/);
    assert.match(text, /total 305 KiB/);
    assert.match(text, /76\.9% of all/);
    await shot(page, 'pprof-02-flame');
    assert.deepEqual(page.errors, []);
  });

  it('a diff of the before/after pair equals -diff_base per function', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropHeap(page, 'go-heap-before.pb.gz');
    await dropHeap(page, 'go-heap-after.pb.gz');
    await page.waitForFunction(() => document.querySelector('[data-testid=profile-header]')?.textContent?.includes('go-heap-after.pb.gz'));
    await page.getByTestId('group-function').click();
    await page.getByTestId('value').selectOption('alloc_space');
    await selectStartingWith(page, 'base', 'go-heap-before.pb.gz');
    await page.getByTestId('diff-table').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=diff-table] th:nth-child(3)')?.textContent === 'alloc_space');
    const want = pprofTop('go-heap-before-after.expected.txt', '-sample_index=alloc_space -unit=byte -functions -diff_base=go-heap-before.pb.gz go-heap-after.pb.gz');
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=diff-row]')].map((tr) => ({ func: tr.querySelector('.func')?.textContent ?? '', diff: Number(tr.dataset.diff) })),
    );
    const changed = rows.filter((r) => r.diff !== 0);
    assert.equal(changed.length, [...want.rows.values()].filter((r) => r.flat !== 0).length);
    for (const r of changed) assert.equal(r.diff, want.rows.get(r.func)?.flat, `${r.func}: -diff_base flat`);
    assert.match(await page.getByTestId('diff-summary').innerText(), /\+2\.17 MiB/); // pprof: 2271160B shown
    console.log(`pprof diff in the browser: ${changed.length} rows equal -diff_base`);
    await shot(page, 'pprof-03-diff');
    await page.getByTestId('tab-flame').click();
    await page.getByTestId('flame-canvas').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]')?.height > 0);
    await shot(page, 'pprof-04-diff-flame');
    assert.deepEqual(page.errors, []);
  });

  it('dark and an 800 px window', async () => {
    for (const [name, options] of [
      ['pprof-05-dark', { colorScheme: 'dark' }],
      ['pprof-06-800px', { viewport: { width: 800, height: 900 } }],
    ]) {
      const page = await newPage(browser(), options);
      await page.goto(BASE);
      await dropHeap(page);
      await page.getByTestId('group-function').click();
      await page.getByTestId('value').selectOption('alloc_space');
      await page.waitForFunction(() => document.querySelector('[data-testid=top-table] th:nth-child(3)')?.textContent === 'alloc_space');
      await shot(page, name);
      if (name.endsWith('800px')) {
        // Nothing wider than the window: the toolbar wraps instead.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `page wider than the window by ${overflow}px`);
      }
      assert.deepEqual(page.errors, []);
    }
  });
});

describe('other pprof files say what they are', () => {
  it('a CPU profile opens in its own units and says it holds no memory', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropHeap(page, 'go-cpu.pb.gz');
    assert.match(await page.getByTestId('profile-notice').innerText(), /not a memory profile/);
    // The header totals the profile in its own unit (pprof: 850 ms of cpu), never "0 B".
    assert.equal(await page.getByTestId('profile-total').innerText(), '850 ms cpu');
    await page.getByTestId('library-entry').filter({ hasText: '850 ms cpu' }).waitFor(); // the library says it the same way
    await page.getByTestId('group-function').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=top-table] th:nth-child(3)')?.textContent === 'cpu');
    const rows = await tableRows(page);
    assert.equal(rows[0].func, 'main.spin');
    assert.match(rows[0].text, /550 ms/); // pprof: 550000000ns flat
    // A label word in the filter box: pprof -tagfocus=worker=alpha shows 440000000ns.
    await page.getByTestId('filter').fill('tag:worker=alpha');
    await page.waitForFunction(() => /440 ms\scpu/.test(document.querySelector('[data-testid=summary]')?.textContent ?? ''));
    assert.match(await page.getByTestId('summary').innerText(), /of 850 ms before filters/);
    await page.getByTestId('filter').fill('tag:worker=gamma');
    await page.waitForFunction(() => /^0\s+groups/.test(document.querySelector('[data-testid=summary]')?.textContent?.trim() ?? ''));
    await page.getByTestId('filter').fill('tag:nope');
    await page.getByText(/no label "nope"; its samples carry "worker"/).first().waitFor();
    await page.getByTestId('filter').fill('tag:worker=alpha');
    await page.waitForFunction(() => /440 ms\scpu/.test(document.querySelector('[data-testid=summary]')?.textContent ?? ''));
    await shot(page, 'pprof-07-cpu');
    assert.deepEqual(page.errors, []);
  });

  it('an empty profile says it has no samples; a damaged one says where', async () => {
    const page = await newPage(browser());
    await page.goto(BASE);
    await dropFile(page, 'go-empty.pb.gz', bytes('go-empty.pb.gz'));
    await page.getByTestId('profile-notice').waitFor();
    assert.match(await page.getByTestId('profile-notice').innerText(), /holds no samples/);
    // The first sample's first (packed) field made longer than the sample: damage past the
    // fields a sniffer reads, inside a good gzip.
    const raw = new Uint8Array(gunzipSync(bytes('go-heap-exact.pb.gz')));
    raw[firstValueOf(raw, 2) + 1] = 0x7f;
    await dropFile(page, 'damaged.pb.gz', gzipSync(raw));
    await page.getByTestId('error-banner').waitFor();
    assert.match(await page.getByTestId('error-banner').innerText(), /This pprof profile is damaged: .* at byte \d+/);
    assert.deepEqual(
      page.errors.filter((e) => !/Failed to load resource/.test(e)),
      [],
    );
  });
});

/** Where the bytes of the first top-level field number `field` (length-delimited) start. */
function firstValueOf(buf, field) {
  const varint = (pos) => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return [v, pos];
      mul *= 128;
    }
  };
  for (let pos = 0; pos < buf.length; ) {
    const [tag, p] = varint(pos);
    if ((tag & 7) === 0) {
      pos = varint(p)[1];
      continue;
    }
    const [len, start] = varint(p);
    if (tag >> 3 === field) return start;
    pos = start + len;
  }
  throw new Error(`no field ${field}`);
}
