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
    const files = inputs.filter((id) => !id.startsWith('\0')).map((id) => relative(root, id));
    this.emitFile({ type: 'asset', fileName: 'inputs.json', source: JSON.stringify(files.sort(), null, 1) });
  },
};

export default defineConfig({
  // Not the app's build (no Svelte plugin, no public/ copy): only what the CLI needs.
  root,
  publicDir: false,
  logLevel: 'warn',
  plugins: [listInputs],
  build: {
    // The command, and the worker thread it starts for big heap snapshots (cli/edge-helper.ts).
    ssr: true,
    outDir: 'dist-cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rolldownOptions: { input: { heaplens: 'cli/main.ts', 'edge-worker': 'cli/edge-worker.ts' }, output: { entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' } },
  },
  // Bundle npm packages too: the command then starts without resolving node_modules and
  // needs no run-time dependency at all.
  ssr: { target: 'node', noExternal: true },
});
