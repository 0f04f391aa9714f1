import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { landUseLegend, lookupPlanning, planList } from '../services/planning.js';
import { planningTile } from '../services/planning-tiles.js';
import { PlanningLookupQuery, PlanningTileParams, PlanningTileQuery } from './planning.schema.js';
import { validate } from './validate.js';

export const planningRoutes = ({ db }: AppDeps) =>
  new Hono()
    .get('/lookup', validate('query', PlanningLookupQuery), async (c) => {
      const { lat, lon } = c.req.valid('query');
      return c.json(await lookupPlanning(db, lon, lat));
    })
    .get('/land-uses', async (c) => {
      c.header('Cache-Control', 'public, max-age=3600');
      return c.json({ land_uses: await landUseLegend(db) });
    })
    .get('/plans', async (c) => c.json({ plans: await planList(db) }));

/** Vector tiles of every in-force plan's zones, one layer named "planning". Mounted at /tiles/planning. */
export const planningTileRoutes = ({ db }: AppDeps) =>
  new Hono().get('/:z/:x/:y', validate('param', PlanningTileParams), validate('query', PlanningTileQuery), async (c) => {
    const { z, x, y } = c.req.valid('param');
    const { cache } = c.req.valid('query');
    const tile = await planningTile(db, { z, x, y }, { cache: cache === 'on' });
    c.header('ETag', tile.etag);
    c.header('Cache-Control', 'public, max-age=300, stale-while-revalidate=3600');
    c.header('Vary', 'Accept-Encoding');
    if (c.req.header('If-None-Match') === tile.etag) return c.body(null, 304);
    c.header('Content-Type', 'application/vnd.mapbox-vector-tile');
    return c.body(tile.body as Uint8Array<ArrayBuffer>, 200);
  });
