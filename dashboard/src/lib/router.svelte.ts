/**
 * The URL is the source of truth for what the user is looking at, so the
 * router is just the current location as state, kept in step with the
 * history API.
 */
class Router {
  path = $state(window.location.pathname);
  search = $state(window.location.search);

  query = $derived(new URLSearchParams(this.search));

  constructor() {
    window.addEventListener('popstate', () => this.sync());
  }

  private sync() {
    this.path = window.location.pathname;
    this.search = window.location.search;
  }

  navigate(to: string, { replace = false } = {}) {
    if (replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    this.sync();
  }

  /** Changes query parameters in place (no new history entry); null removes one. */
  setQuery(params: Record<string, string | null>) {
    const next = new URLSearchParams(this.search);
    for (const [key, value] of Object.entries(params)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    const search = next.toString();
    this.navigate(`${this.path}${search ? `?${search}` : ''}${window.location.hash}`, { replace: true });
  }
}

export const router = new Router();

// One list of pages for the dashboard and the server (which answers 404 for any other path).
export { matchPath } from '../../../server/domain/spa-routes.js';

/**
 * Lets plain <a href="/..."> links navigate without a page load. Links that
 * open elsewhere (modifier keys, target, download, other origins) are left alone.
 */
export function interceptLinks(event: MouseEvent) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
  event.preventDefault();
  router.navigate(`${url.pathname}${url.search}${url.hash}`);
}
