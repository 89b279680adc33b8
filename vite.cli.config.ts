// Builds the `heaplens` command: cli/main.ts and the engine it imports, bundled into one ES
// module that Node runs directly, so no TypeScript loader starts on every call (issue 11: the
// loader was most of the CLI's start-up time). Bundled from the entry, so new cli/ or workers/
// files need no change here. Run by `npm install` (prepare) and before `npm test`.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// cli/heaplens.js compares these files' mtimes with the bundle's, so an edited source is never
// run from a stale bundle by mistake (it then runs the sources through tsx instead).
const root = fileURLToPath(new URL('.', import.meta.url));
const listInputs: Plugin = {
  name: 'heaplens-cli-inputs',
  generateBundle(_options, bundle) {
    const inputs = Object.values(bundle).flatMap((chunk) => (chunk.type === 'chunk' ? chunk.moduleIds : []));
    // The worker's own file too (its build is the second one; everything else it imports is the command's).
    const files = [...inputs.filter((id) => !id.startsWith('\0')).map((id) => relative(root, id)), 'cli/edge-worker.ts'];
    this.emitFile({ type: 'asset', fileName: 'inputs.json', source: JSON.stringify(files.sort(), null, 1) });
  },
};

// Two builds (package.json build:cli): the command, one file (a shared chunk would be one more
// module to load on every call), then with `--mode edge-worker` the worker thread it starts for
// big heap snapshots (cli/edge-helper.ts), beside it.
export default defineConfig(({ mode }) => {
  const worker = mode === 'edge-worker';
  return {
    // Not the app's build (no Svelte plugin, no public/ copy): only what the CLI needs.
    root,
    publicDir: false,
    logLevel: 'warn',
    plugins: worker ? [] : [listInputs],
    build: {
      ssr: worker ? 'cli/edge-worker.ts' : 'cli/main.ts',
      outDir: 'dist-cli',
      emptyOutDir: !worker,
      target: 'node20',
      minify: false,
      sourcemap: true,
      rolldownOptions: { output: { entryFileNames: worker ? 'edge-worker.mjs' : 'heaplens.mjs' } },
    },
    // Bundle npm packages too: the command then starts without resolving node_modules and
    // needs no run-time dependency at all.
    ssr: { target: 'node', noExternal: true },
  };
});
