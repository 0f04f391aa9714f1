import { outbox } from './outbox.svelte.js';

/**
 * Starts the offline side of the app: the service worker (production builds
 * only, so the dev server's modules are never cached) and the submission queue.
 */
export function startPwa() {
  outbox.start();
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    // After the page has loaded: the worker's install downloads the form's chunks and its map, which must
    // not compete with the first view for a slow link.
    const register = () => navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => console.warn('service worker not registered', error));
    if (document.readyState === 'complete') void register();
    else window.addEventListener('load', () => void register(), { once: true });
  }
}
