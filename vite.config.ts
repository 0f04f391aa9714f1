import path from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { defineConfig } from 'vitest/config';
import { FIELD_ICONS } from './dashboard/src/lib/components/citizen/field-icons.js';
import { vi, type MessageKey } from './dashboard/src/lib/i18n/vi.js';
import { FIRST_VIEW_SCRIPT } from './server/domain/first-view.js';

/**
 * Writes .vite/chunks.json beside Vite's manifest: for each emitted chunk, the
 * source modules inside it (relative to the repository). The budget test
 * (tests/browser/budget.test.ts) reads it to tell which chunks hold console,
 * staff or map code, whatever name the bundler gave them.
 */
function chunkModules(): Plugin {
  return {
    name: 'civic-chunk-modules',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks: Record<string, string[]> = {};
      for (const [fileName, output] of Object.entries(bundle)) {
        if (output.type !== 'chunk') continue;
        chunks[fileName] = Object.keys(output.modules).map((id) => path.relative(process.cwd(), id.replace(/\?.*$/, '')));
      }
      this.emitFile({ type: 'asset', fileName: '.vite/chunks.json', source: JSON.stringify(chunks) });
    },
  };
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Writes the report form's static first step in index.html (see there): its {{key}} strings from the
 * Vietnamese catalogue, the field icons as <symbol>s, which the server's field links name
 * (server/routes/first-view.ts), and the script that decides whether it shows (server/domain/first-view.ts).
 * An unknown key fails the build, as a missing string does in the app.
 */
function firstView(): Plugin {
  const icon = (name: string, paths: string[]) =>
    `<symbol id="fv-icon-${name}" viewBox="0 0 24 24">${paths.map((d) => `<path d="${d}"/>`).join('')}</symbol>`;
  // An icon name missing here (none is, of the seeded fields) leaves its box empty until the app draws the form.
  const sprite = `<svg width="0" height="0" style="position:absolute" aria-hidden="true">${Object.entries(FIELD_ICONS)
    .map(([name, paths]) => icon(name, paths))
    .join('')}</svg>`;
  return {
    name: 'civic-first-view',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) =>
        html
          .replace('<!--first-view-script-->', `<script>${FIRST_VIEW_SCRIPT}</script>`)
          .replace('<!--field-icons-->', sprite)
          .replace(/\{\{([\w.]+)\}\}/g, (_whole, key: string) => {
            if (!(key in vi)) throw new Error(`firstView: no string ${key} in the catalogue`);
            return escapeHtml(vi[key as MessageKey]);
          }),
    },
  };
}

export default defineConfig({
  root: 'dashboard',
  publicDir: 'public',
  plugins: [
    svelte(),
    firstView(),
    chunkModules(),
    // .br and .gz beside each text file, served by the static handler when the browser accepts them (server/app.ts).
    compression({ algorithms: ['brotliCompress', 'gzip'], threshold: 1024 }),
  ],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    // .vite/manifest.json: the service worker reads it to cache the report form's chunks ahead of need.
    manifest: true,
  },
  server: {
    port: 5173,
    proxy: { '/api': 'http://127.0.0.1:8787', '/media': 'http://127.0.0.1:8787' },
  },
  test: {
    root: '.',
    projects: [
      {
        test: { name: 'unit', root: '.', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        test: {
          name: 'integration',
          root: '.',
          include: ['tests/integration/**/*.test.ts'],
          // One worker shares one embedded instance (PGlite is single-connection
          // and boots slowly); files run one after another in it.
          pool: 'forks',
          maxWorkers: 1,
          isolate: false,
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'fuzz',
          root: '.',
          include: ['tests/fuzz/**/*.test.ts'],
          // Its own worker and database (see tests/fuzz/context.ts); files one after another.
          pool: 'forks',
          maxWorkers: 1,
          isolate: false,
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'chaos',
          root: '.',
          include: ['tests/chaos/**/*.test.ts'],
          // Real servers killed with SIGKILL: one at a time, with room for slow boots.
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'browser',
          root: '.',
          include: ['tests/browser/**/*.test.ts'],
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // expect.poll's default second is a page's ordinary pace on a loaded CI machine, not a failure;
          // a poll still returns as soon as its condition holds.
          expect: { poll: { timeout: 30_000 } },
        },
      },
    ],
  },
});
