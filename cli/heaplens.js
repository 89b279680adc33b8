#!/usr/bin/env node
// The `heaplens` command. It runs dist-cli/heaplens.mjs, the bundle that `npm install` (prepare)
// and `npm test` build from cli/main.ts with vite.cli.config.ts: starting tsx's TypeScript
// loader cost about 0.6 s on every call, more than reading a whole tracemalloc dump.
//
// The sources run through tsx only for development, where rebuilding after every edit would be
// a chore: when the bundle is missing, or older than any file it was built from (a stale bundle
// would silently run yesterday's code), or with HEAPLENS_CLI=source. HEAPLENS_CLI=bundle
// refuses that fallback (npm test sets it, so the tests exercise what users run).
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const bundle = new URL('dist-cli/heaplens.mjs', root);
const mode = process.env.HEAPLENS_CLI || 'auto';
if (!['auto', 'bundle', 'source'].includes(mode)) {
  console.error(`heaplens: HEAPLENS_CLI must be bundle, source or unset, not ${JSON.stringify(mode)}`);
  process.exit(2);
}

/** Why the bundle cannot be used, or '' when it is there and newer than all of its inputs. */
function staleness() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return 'dist-cli/heaplens.mjs is missing';
  }
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(new URL('dist-cli/inputs.json', root), 'utf8'));
  } catch {
    return 'dist-cli/inputs.json is missing';
  }
  for (const file of inputs) {
    let mtime;
    try {
      mtime = statSync(new URL(file, root)).mtimeMs;
    } catch {
      return `${file} (built into dist-cli/heaplens.mjs) is gone`;
    }
    if (mtime > built) return `${file} changed after dist-cli/heaplens.mjs was built`;
  }
  return '';
}

let main;
const stale = mode === 'source' ? 'HEAPLENS_CLI=source' : staleness();
if (!stale) {
  ({ main } = await import(bundle.href));
} else if (mode === 'bundle') {
  console.error(`heaplens: ${stale} (HEAPLENS_CLI=bundle); build it with: npm run build:cli`);
  process.exit(1);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error(`heaplens: ${stale}, and tsx (a dev dependency) is not installed to run the sources; build it with: npm run build:cli`);
    process.exit(1);
  }
  register();
  ({ main } = await import(new URL('cli/main.ts', root).href));
}
process.exitCode = await main(process.argv.slice(2));
