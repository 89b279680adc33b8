/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// `npm start` opens the app in the user's browser when there is a desktop to show it on. On a
// headless machine (no DISPLAY/WAYLAND_DISPLAY on Linux, or CI) it only prints the address:
// xdg-open there fails, or worse starts a text-mode browser in the same terminal.
const desktop = !process.env.CI && (process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY));

// One plain line with the address after Vite's banner, saying whether a browser was opened: the
// port may not be 5173 when that one is taken (strictPort: false).
const announceUrl: Plugin = {
  name: 'heaplens-announce-url',
  apply: 'serve',
  configureServer(server) {
    const printUrls = server.printUrls.bind(server);
    server.printUrls = () => {
      printUrls();
      const url = server.resolvedUrls?.local[0];
      if (!url) return;
      const opened = server.config.server.open;
      server.config.logger.info(`\n  heaplens: ${opened ? 'opening' : 'open'} ${url} in your browser (Ctrl+C stops the server)\n`);
    };
  },
};

// Relative base: the built dist/ works from any static host and any sub-path.
export default defineConfig({
  base: './',
  plugins: [svelte(), announceUrl],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { port: 5173, strictPort: false, open: desktop },
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
