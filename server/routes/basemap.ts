import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.js';
import { basemapGlyphs, basemapSea, basemapSprite, basemapTile } from '../services/basemap.js';
import { BasemapGlyphParams, BasemapSpriteParams, BasemapTileParams } from './basemap.schema.js';
import { validate } from './validate.js';

/** The URL carries the basemap's version, so every answer may be cached for good. */
function forever(c: Context) {
  c.header('Cache-Control', 'public, max-age=31536000, immutable');
  c.header('Vary', 'Accept-Encoding');
}

/** Mounted at /basemap/<BASEMAP_VERSION>; the dashboard's street styles point here. */
export const basemapRoutes = (_deps: AppDeps) =>
  new Hono()
    .get('/tiles/:z/:x/:y', validate('param', BasemapTileParams), async (c) => {
      const { z, x, y } = c.req.valid('param');
      const tile = await basemapTile(z, x, y);
      forever(c);
      // Outside the crop: an empty tile (MapLibre draws nothing) rather than an error in the console.
      if (!tile) return c.body(null, 204);
      c.header('Content-Type', 'application/x-protobuf');
      return c.body(new Uint8Array(tile), 200);
    })
    .get('/fonts/:stack/:range', validate('param', BasemapGlyphParams), async (c) => {
      const { stack, range } = c.req.valid('param');
      forever(c);
      c.header('Content-Type', 'application/x-protobuf');
      return c.body(new Uint8Array(await basemapGlyphs(stack, range)), 200);
    })
    .get('/sprites/:file', validate('param', BasemapSpriteParams), async (c) => {
      const { file } = c.req.valid('param');
      forever(c);
      c.header('Content-Type', file.endsWith('.png') ? 'image/png' : 'application/json');
      return c.body(new Uint8Array(await basemapSprite(file)), 200);
    })
    .get('/sea.geojson', async (c) => {
      forever(c);
      c.header('Content-Type', 'application/geo+json');
      return c.body(new Uint8Array(await basemapSea()), 200);
    });
