/*
 * The service worker of the citizen app. Hand-written, no build plugin:
 *  - the app shell (index.html and the hashed /assets/* it names) is cached
 *    at install, by reading the asset list out of index.html, so it always
 *    matches the build that is being served;
 *  - navigations are network-first and fall back to the cached shell offline;
 *  - /assets/* are cache-first (their names change with their content);
 *  - a few public GET lookups (fields, boundaries, config, basemap) are
 *    network-first with the last good answer kept for offline use.
 * It never caches a POST, anything with credentials-bearing paths (/api/staff,
 * /api/auth, /api/admin) or a response marked no-store or private.
 */
const VERSION = 'v1';
const SHELL = `shell-${VERSION}`;
const ASSETS = `assets-${VERSION}`;
const DATA = `data-${VERSION}`;
const KEEP = [SHELL, ASSETS, DATA];

const STATIC = ['/manifest.webmanifest', '/favicon.svg', '/icons/icon-192.png', '/icons/icon-512.png'];
/** Public GET lookups worth having offline. */
const CACHED_API = [/^\/api\/fields$/, /^\/api\/areas(\/|$|\?)/, /^\/api\/config$/, /^\/api\/basemap/];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      const res = await fetch('/', { cache: 'no-store' });
      if (res.ok) {
        const html = await res.clone().text();
        await cache.put('/', res);
        const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
        const assetCache = await caches.open(ASSETS);
        await Promise.all(assets.map((a) => assetCache.add(a).catch(() => undefined)));
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
    event.respondWith(networkFirst(request, SHELL, '/'));
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
  if (CACHED_API.some((re) => re.test(path))) {
    event.respondWith(networkFirst(request, DATA));
  }
});
