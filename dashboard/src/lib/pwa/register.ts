import { outbox } from './outbox.svelte.js';

/**
 * Starts the offline side of the app: the service worker (production builds
 * only, so the dev server's modules are never cached) and the submission queue.
 */
export function startPwa() {
  outbox.start();
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => console.warn('service worker not registered', error));
  }
}
