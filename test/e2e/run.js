#!/usr/bin/env node
// Browser tests: builds the app, serves dist/ on a loopback port, and runs test/e2e/*.test.js
// (or the files named on the command line) with Node's test runner against it in Debian's
// Chromium. Installs Chromium and fonts first when it can (test/setup-browser.mjs); fails, never
// skips, when it cannot.

import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, ensureBrowser } from '../setup-browser.mjs';
import { serveStatic } from './static-server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

const ready = ensureBrowser();
if (ready !== 0) process.exit(ready);

const build = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// Served from a sub-path, as on any static host: the built app must not assume it owns '/'.
const server = await serveStatic(join(root, 'dist'), { prefix: '/some/sub/path/' });
const named = process.argv.slice(2).map((f) => resolve(f));
const tests = named.length
  ? named
  : readdirSync(join(root, 'test/e2e'))
      .filter((f) => f.endsWith('.test.js'))
      .map((f) => join(root, 'test/e2e', f));
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...tests], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, HEAPLENS_URL: server.url, CHROMIUM },
});
child.on('exit', (code) => {
  server.close();
  process.exit(code ?? 1);
});
