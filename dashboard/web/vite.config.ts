import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The dashboard's browser bundle: `npm run build` writes index.html and hashed assets to
 * dist/dashboard/web/, which the dashboard serves. Everything is bundled (no CDN), and nothing is
 * inlined into index.html, so the app satisfies a CSP without 'unsafe-inline' scripts.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: here('../../dist/dashboard/web'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    modulePreload: { polyfill: false },
    // Rolldown's timing report is noise in `npm run build` on a loaded machine.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
