#!/usr/bin/env node
// Makes the machine ready for the browser tests, so that the README's one test command works on
// a fresh machine: Debian's Chromium (playwright-core drives it; nothing is downloaded) and the
// fonts the screenshots need. Installs what is missing when it can (root with apt-get), and
// otherwise fails at once, before any test runs, with the exact command to run.
//
// `npm test` runs it first; test/e2e/run.js runs it too, for `npm run test:e2e` alone.
// Environment: CHROMIUM (the executable; default /usr/bin/chromium), HEAPLENS_SETUP_DRY_RUN=1
// (say what would be installed, install nothing, and exit 1 if anything is missing: how this
// script is tested on a machine that has everything, without removing packages others use).

import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// Checked by their Debian package, installed by apt-get. fonts-dejavu-core holds the app's own
// fallback faces ('DejaVu Sans', 'DejaVu Sans Mono') and every glyph the UI and the test
// fixtures show (−, …, ▸, ▾, ◧, ✕, ±, arrows): with only these fonts the screenshots match
// those of a machine with many more (checked by rendering the browser tests under a fontconfig
// that sees nothing but this package's files). Without any font Chromium draws empty boxes.
export const FONT_PACKAGES = ['fonts-dejavu-core'];

const installLine = (pkgs) => `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkgs.join(' ')}`;

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, cmd)));
}

/** Debian packages among `pkgs` that dpkg does not list as installed; null without dpkg. */
export function notInstalled(pkgs) {
  if (!onPath('dpkg-query')) return null;
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\\n', ...pkgs], { encoding: 'utf8' });
  const ok = new Set(
    r.stdout
      .split('\n')
      .filter((l) => / ii\s*$/.test(l))
      .map((l) => l.split(' ')[0]),
  );
  return pkgs.filter((p) => !ok.has(p));
}

/**
 * What the browser tests still need: { packages, notes }. `chromium` is wanted when the
 * executable is missing, not when the package is (CHROMIUM may point at another build).
 */
export function missing() {
  const packages = [];
  const notes = [];
  if (!executable(CHROMIUM)) packages.push('chromium');
  const fonts = notInstalled(FONT_PACKAGES);
  if (fonts === null) notes.push(`no dpkg here: cannot check the fonts (Debian's ${FONT_PACKAGES.join(', ')} or the same faces)`);
  else packages.push(...fonts);
  return { packages, notes };
}

function fail(lines) {
  for (const l of lines) console.error(l);
  console.error('Browser tests fail, never skip, when they cannot run.');
  return 1;
}

/** Installs what is missing; returns an exit status (0: ready to run the browser tests). */
export function ensureBrowser({ dryRun = process.env.HEAPLENS_SETUP_DRY_RUN === '1', log = console.log } = {}) {
  const { packages, notes } = missing();
  for (const n of notes) log(`setup-browser: ${n}`);
  if (packages.length === 0) return 0;

  const what = `The browser tests need ${packages.join(', ')}${packages.includes('chromium') ? ` (no executable at ${CHROMIUM})` : ''}.`;
  const isRoot = process.getuid?.() === 0;
  const hasApt = onPath('apt-get');
  if (!hasApt) {
    return fail([what, 'There is no apt-get here: install them with your package manager, or on Debian run as root:', `  ${installLine(packages)}`, 'or point CHROMIUM at a Chromium executable.']);
  }
  if (!isRoot) {
    return fail([what, 'Not root, so not installing them. Run:', `  sudo sh -c '${installLine(packages)}'`]);
  }
  if (dryRun) {
    return fail([what, `Dry run (HEAPLENS_SETUP_DRY_RUN=1): would run as root: ${installLine(packages)}`]);
  }

  log(`${what} Installing them: ${installLine(packages)}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', ...packages]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) return fail([`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal}).`, 'Run it yourself to see why:', `  ${installLine(packages)}`]);
  }
  const still = missing().packages;
  if (still.length) {
    return fail([`Still missing after apt-get: ${still.join(', ')}${still.includes('chromium') ? ` (no executable at ${CHROMIUM}; Debian's is /usr/bin/chromium)` : ''}.`]);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(ensureBrowser());
