/*
 * The service worker of the citizen app. Hand-written, no build plugin:
 *  - the app shell (index.html and the hashed /assets/* it names) and the
 *    report form's own chunks, its map included, are cached at install. The
 *    list comes from the build's .vite/manifest.json (each page is a chunk
 *    loaded on demand, which index.html does not name), so it always matches
 *    the build that is being served;
 *  - navigations get the cached shell at once and refresh it in the
 *    background (stale-while-revalidate): on a slow or flaky link the form
 *    opens from the device, and a new build shows from the next visit. The
 *    shell and its chunks are cached together, so they always agree. The
 *    shell is "/" as the server wrote it, with the form's first step and its
 *    field list (server/routes/first-view.ts), so that step shows before
 *    any script has started;
 *  - /assets/* are cache-first (their names change with their content);
 *    chunks of other pages are kept as they are first loaded;
 *  - the field list and the configuration come from the device at once and
 *    are refreshed in the background; boundaries are network-first with the
 *    last good answer kept for offline use; basemap files (versioned URLs)
 *    are cache-first.
 * It never caches a POST, anything with credentials-bearing paths (/api/staff,
 * /api/auth, /api/admin) or a response marked no-store or private.
 */
const VERSION = 'v2';
const SHELL = `shell-${VERSION}`;
const ASSETS = `assets-${VERSION}`;
const DATA = `data-${VERSION}`;
const KEEP = [SHELL, ASSETS, DATA];

/** Manifest keys (sources) whose chunks are cached at install: the app, the report form, its map and the assistant. */
const PRECACHE_SOURCES = [
  'index.html',
  'src/App.svelte',
  'src/routes/citizen/ReportFormPage.svelte',
  'src/lib/components/citizen/PinMap.svelte',
  'src/lib/components/assistant/AssistantPanel.svelte',
];
const BUILD_MANIFEST = '/.vite/manifest.json';

const STATIC = ['/manifest.webmanifest', '/favicon.svg', '/icons/icon-192.png', '/icons/icon-512.png'];
/** Public GET lookups worth having offline. */
const CACHED_API = [/^\/api\/areas(\/|$|\?)/];
/**
 * Lookups the form's first view waits for, which change perhaps once a year:
 * answered from the device at once and refreshed in the background, so a
 * repeat visit on a slow link does not wait one round trip for them.
 */
const STALE_OK_API = [/^\/api\/fields$/, /^\/api\/config$/];
/** The street basemap: its URLs carry its version, so a kept copy is never stale. */
const BASEMAP = /^\/basemap\//;

/** The files of the given sources and everything they import statically, with their CSS, as /assets/… paths. */
function chunkFiles(manifest, sources) {
  const files = new Set();
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk || files.has(`/${chunk.file}`)) return;
    files.add(`/${chunk.file}`);
    for (const css of chunk.css || []) files.add(`/${css}`);
    for (const imported of chunk.imports || []) visit(imported);
  };
  sources.forEach(visit);
  return [...files];
}

/** Every file the build produced, from its manifest; older hashed files can go. */
function allBuildFiles(manifest) {
  const files = new Set();
  for (const chunk of Object.values(manifest)) {
    files.add(`/${chunk.file}`);
    for (const css of chunk.css || []) files.add(`/${css}`);
    for (const asset of chunk.assets || []) files.add(`/${asset}`);
  }
  return files;
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      const assetCache = await caches.open(ASSETS);
      const res = await fetch('/', { cache: 'no-store' });
      if (res.ok) {
        const html = await res.clone().text();
        await cache.put('/', res);
        let assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
        const manifestRes = await fetch(BUILD_MANIFEST, { cache: 'no-store' }).catch(() => undefined);
        if (manifestRes && manifestRes.ok) {
          await cache.put(BUILD_MANIFEST, manifestRes.clone());
          assets = [...new Set([...assets, ...chunkFiles(await manifestRes.json(), PRECACHE_SOURCES)])];
        }
        // Failures are left to runtime caching: one missing chunk must not stop the worker from installing.
        await Promise.all(assets.map((a) => assetCache.match(a).then((hit) => hit || assetCache.add(a)).catch(() => undefined)));
      }
      await Promise.all(STATIC.map((s) => cache.add(s).catch(() => undefined)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (!KEEP.includes(key)) await caches.delete(key);
      // Hashed files of earlier builds would otherwise pile up on the phone.
      const manifestRes = await (await caches.open(SHELL)).match(BUILD_MANIFEST);
      if (manifestRes) {
        const current = allBuildFiles(await manifestRes.json());
        const assetCache = await caches.open(ASSETS);
        for (const request of await assetCache.keys()) {
          if (!current.has(new URL(request.url).pathname)) await assetCache.delete(request);
        }
      }
      await self.clients.claim();
    })(),
  );
});

function cacheable(res) {
  if (!res || !res.ok || res.type === 'opaque') return false;
  const cc = res.headers.get('cache-control') || '';
  return !/no-store|private/i.test(cc);
}

async function networkFirst(request, cacheName, fallbackKey) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(request);
    if (cacheable(res)) await cache.put(fallbackKey || request, res.clone());
    return res;
  } catch (error) {
    const hit = await cache.match(fallbackKey || request);
    if (hit) return hit;
    throw error;
  }
}

/** The cached shell at once, refreshed in the background; the network only when nothing is cached yet. */
async function shellFirst(event) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match('/');
  // Before the first install the page's own request goes out, so a path that names no page gets the server's 404.
  if (!cached) return fetch(event.request);
  const refresh = fetch('/', { cache: 'no-store' }).then((res) => (res.ok ? cache.put('/', res) : undefined));
  event.waitUntil(refresh.catch(() => undefined));
  return cached;
}

async function staleWhileRevalidate(event, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(event.request);
  const refresh = fetch(event.request).then(async (res) => {
    if (cacheable(res)) await cache.put(event.request, res.clone());
    return res;
  });
  if (!hit) return refresh;
  event.waitUntil(refresh.catch(() => undefined));
  return hit;
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (cacheable(res) || (res.ok && request.url.includes('/assets/'))) await cache.put(request, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return; // POSTs (reports, ratings, chat) always go to the network.
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;

  if (request.mode === 'navigate') {
    // Staff pages are not part of the offline app.
    if (path.startsWith('/api/') || path.startsWith('/media/')) return;
    event.respondWith(shellFirst(event));
    return;
  }
  if (path.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request, ASSETS));
    return;
  }
  if (STATIC.includes(path) || path.startsWith('/icons/')) {
    event.respondWith(cacheFirst(request, SHELL));
    return;
  }
  if (STALE_OK_API.some((re) => re.test(path))) {
    event.respondWith(staleWhileRevalidate(event, DATA));
    return;
  }
  if (BASEMAP.test(path)) {
    event.respondWith(cacheFirst(request, DATA));
    return;
  }
  if (CACHED_API.some((re) => re.test(path))) {
    event.respondWith(networkFirst(request, DATA));
  }
});
