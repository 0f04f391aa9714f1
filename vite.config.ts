import path from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { defineConfig } from 'vitest/config';

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

/**
 * Names the report form's chunks (and their CSS) in index.html, so a citizen
 * opening "/" fetches them together with the entry instead of one round trip
 * after it: on a 150 ms link that is the difference between about 3 and 4
 * seconds of blank screen. Other pages pay some 15 KB they do not use.
 */
function preloadLandingPage(source: string): Plugin {
  return {
    name: 'civic-preload-landing-page',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((o) => o.type === 'chunk');
        const page = chunks.find((c) => c.facadeModuleId?.endsWith(source));
        if (!page) throw new Error(`preloadLandingPage: no chunk for ${source}`);
        const closure = (fileName: string, into = new Set<string>()) => {
          const chunk = chunks.find((c) => c.fileName === fileName);
          if (!chunk || into.has(fileName)) return into;
          into.add(fileName);
          chunk.imports.forEach((f) => closure(f, into));
          return into;
        };
        // What the entry loads already, Vite names itself.
        const entry = new Set(chunks.filter((c) => c.isEntry).flatMap((c) => [...closure(c.fileName)]));
        const js = [...closure(page.fileName)].filter((f) => !entry.has(f));
        const css = new Set(js.flatMap((f) => [...(chunks.find((c) => c.fileName === f)?.viteMetadata?.importedCss ?? [])]));
        return [
          ...[...css].map((f) => ({ tag: 'link', attrs: { rel: 'stylesheet', href: `/${f}` }, injectTo: 'head' as const })),
          ...js.map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `/${f}` }, injectTo: 'head' as const })),
        ];
      },
    },
  };
}

export default defineConfig({
  root: 'dashboard',
  publicDir: 'public',
  plugins: [
    svelte(),
    chunkModules(),
    preloadLandingPage('dashboard/src/routes/citizen/ReportFormPage.svelte'),
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
