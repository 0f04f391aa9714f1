import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { AppDeps } from './deps.js';
import { errorBody, ERROR_STATUS, handleError, notFound } from './errors.js';
import { accessLog } from './routes/access-log.js';
import { areasRoutes } from './routes/areas.js';
import { compression } from './routes/compression.js';
import { findSpaRoute, MACHINE_PREFIXES } from './domain/spa-routes.js';
import { basemapRoutes } from './routes/basemap.js';
import { BASEMAP_PATH } from './domain/basemap.js';
import { assistantRoutes } from './routes/assistant.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { configRoutes } from './routes/config.js';
import { exportRoutes } from './routes/export.js';
import { fieldsRoutes } from './routes/fields.js';
import { withFirstViewFields } from './routes/first-view.js';
import { healthRoutes } from './routes/health.js';
import { negotiateLanguage } from './routes/language.js';
import { leagueRoutes } from './routes/league.js';
import { anonymousReadLimit, requestLimits } from './routes/limits.js';
import { mediaRoutes } from './routes/media.js';
import { open311Error, open311Routes } from './routes/open311.js';
import { openapiRoutes, type RouteInfo } from './routes/openapi.js';
import { placesRoutes } from './routes/places.js';
import { planningRoutes, planningTileRoutes } from './routes/planning.js';
import { reportsRoutes } from './routes/reports.js';
import { apiCors, open311Cors, securityHeaders } from './routes/security.js';
import { staffRoutes } from './routes/staff.js';
import { statsRoutes } from './routes/stats.js';


/** The API; mounted under /api by createApp and typed for the dashboard's client. */
export function createApi(deps: AppDeps) {
  return new Hono()
    .route('/health', healthRoutes(deps))
    .route('/config', configRoutes(deps))
    .route('/areas', areasRoutes(deps))
    .route('/', exportRoutes(deps))
    .route('/', statsRoutes(deps))
    .route('/league', leagueRoutes(deps))
    .route('/openapi.json', openapiRoutes(deps, () => apiRouteTable(deps)))
    .route('/fields', fieldsRoutes(deps))
    .route('/reports', reportsRoutes(deps))
    .route('/assistant', assistantRoutes(deps))
    .route('/auth', authRoutes(deps))
    .route('/staff', staffRoutes(deps))
    .route('/admin', adminRoutes(deps))
    .route('/planning', planningRoutes(deps))
    .route('/places', placesRoutes(deps));
}

export type AppType = ReturnType<typeof createApi>;

/** The API's routes as served, for its OpenAPI document (typed apart, so createApi's own type does not refer to itself). */
function apiRouteTable(deps: AppDeps): RouteInfo[] {
  return new Hono().route('/api', createApi(deps)).routes as RouteInfo[];
}

/** The whole HTTP surface: API, then the built dashboard with SPA fallback. */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  const apiError = handleError(deps.logger);
  const open311ErrorList = open311Error(deps.logger);
  // Each API answers in its own error shape, also for what fails before its routes run.
  app.onError((err, c) => (c.req.path.startsWith('/open311/v2/') ? open311ErrorList(err, c) : apiError(err, c)));
  // Outermost, so the access log and every other middleware see the plain body.
  app.use('*', compression());
  app.use('*', accessLog(deps));
  app.use('*', negotiateLanguage());
  app.use('*', securityHeaders(deps.config));
  app.use('*', requestLimits());
  app.use('/api/*', apiCors(deps.config));
  app.use('/open311/*', open311Cors());
  app.use('/api/stats/*', anonymousReadLimit(deps));
  app.use('/api/events', anonymousReadLimit(deps));
  app.route('/api', createApi(deps));
  app.route('/media', mediaRoutes(deps));
  app.route('/open311/v2', open311Routes(deps));
  app.route('/tiles/planning', planningTileRoutes(deps));
  app.route(BASEMAP_PATH, basemapRoutes(deps));
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}`), ERROR_STATUS.not_found));
  for (const prefix of MACHINE_PREFIXES.filter((p) => p !== '/api')) {
    // Thrown, so Open311 paths get Open311's error list (app.onError above).
    app.all(`${prefix}/*`, (c) => {
      throw notFound(`${c.req.method} ${c.req.path}`);
    });
  }

  const root = path.relative(process.cwd(), deps.config.dashboardDir) || '.';
  const indexFile = path.join(deps.config.dashboardDir, 'index.html');
  app.use('/assets/*', async (c, next) => {
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    await next();
  });
  // Tests and API-only deployments run without a built dashboard.
  // The build writes .br and .gz beside each text file (vite.config.ts); they go out as they are.
  // index.html is left to the fallback below, which marks it no-cache.
  // The service worker reads the build manifest to know what to keep offline (dashboard/public/sw.js); the
  // build's other records (which source modules went into which chunk) are for our tests, not for strangers.
  app.all('/.vite/*', (c, next) =>
    c.req.path === '/.vite/manifest.json' ? next() : c.json(errorBody('not_found', `Nothing at ${c.req.path}`), ERROR_STATUS.not_found),
  );
  if (fs.existsSync(deps.config.dashboardDir)) {
    const statics = serveStatic({ root, precompressed: true });
    app.use('/*', (c, next) => (c.req.path === '/' || c.req.path === '/index.html' ? next() : statics(c, next)));
  }
  app.get('*', async (c) => {
    if (!fs.existsSync(indexFile)) {
      return c.json(errorBody('not_built', 'The dashboard has not been built. Run npm run build.'), ERROR_STATUS.not_built);
    }
    c.header('Cache-Control', 'no-cache');
    const page = fs.readFileSync(indexFile, 'utf8');
    // A path that names no page still gets the app, which draws its "not found" page, but with a real 404.
    if (c.req.path !== '/') return c.html(page, findSpaRoute(c.req.path) ? 200 : 404);
    return c.html(await withFirstViewFields(page, deps));
  });
  app.notFound((c) => c.json(errorBody('not_found', `Nothing at ${c.req.path}`), ERROR_STATUS.not_found));
  return app;
}
