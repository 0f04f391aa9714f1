/**
 * The dashboard's pages, by URL pattern. The dashboard routes with this list
 * and the server answers 404 (still with the app, which draws the "not found"
 * page) for any other path, so a mistyped link is a real 404 to browsers,
 * crawlers and link checkers.
 */
export const SPA_ROUTES = [
  '/',
  '/map',
  '/r/:code',
  '/planning',
  '/my',
  '/areas',
  '/staff',
  '/staff/login',
  '/staff/r/:code',
  '/staff/admin',
  '/staff/account',
  '/console',
  '/wall',
  '/xep-hang',
] as const;

export type SpaRoute = (typeof SPA_ROUTES)[number];

/**
 * Paths for programs, not people: an unknown one is a 404 in that API's own
 * error shape, never the app's page.
 */
export const MACHINE_PREFIXES = ['/api', '/open311', '/media', '/tiles', '/basemap'] as const;

/**
 * Matches a path against a pattern such as "/r/:code"; returns the named
 * segments, or undefined when it does not match.
 * @example matchPath('/r/:code', '/r/PA-1') // { code: 'PA-1' }
 */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    if (segment.startsWith(':')) {
      try {
        params[segment.slice(1)] = decodeURIComponent(have[i]);
      } catch {
        return undefined; // a malformed escape (%E0%A4%A) names no page
      }
    } else if (segment !== have[i]) return undefined;
  }
  return params;
}

/** The first page whose pattern matches the path, with its named segments; undefined for a path that names no page. */
export function findSpaRoute(path: string): { route: SpaRoute; params: Record<string, string> } | undefined {
  for (const route of SPA_ROUTES) {
    const params = matchPath(route, path);
    if (params) return { route, params };
  }
  return undefined;
}
