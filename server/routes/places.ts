import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { reversePlace, searchPlaces } from '../services/places.js';
import { PlaceReverseQuery, PlaceSearchQuery } from './places.schema.js';
import { rateLimit } from './rate-limit.js';
import { validate } from './validate.js';

export const placesRoutes = (deps: AppDeps) =>
  new Hono()
    .get('/search', rateLimit(deps, 'public_read'), validate('query', PlaceSearchQuery), async (c) => {
      const { q, limit, near } = c.req.valid('query');
      // The index changes only with a new release; a short cache spares the server the same letters typed twice.
      c.header('Cache-Control', 'public, max-age=300');
      return c.json(await searchPlaces(deps.db, q, { limit, near }));
    })
    .get('/reverse', rateLimit(deps, 'public_read'), validate('query', PlaceReverseQuery), async (c) => {
      const { lat, lon } = c.req.valid('query');
      c.header('Cache-Control', 'public, max-age=300');
      return c.json(await reversePlace(deps.db, [lon, lat]));
    });
