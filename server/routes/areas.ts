import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { areaBoundaries, areasAt } from '../services/areas.js';
import { AreasAtQuery, AreasQuery } from './areas.schema.js';
import { validate } from './validate.js';

export const areasRoutes = ({ db }: AppDeps) =>
  new Hono()
    .get('/at', validate('query', AreasAtQuery), async (c) => {
      const { lat, lon } = c.req.valid('query');
      return c.json(await areasAt(db, lon, lat));
    })
    .get('/', validate('query', AreasQuery), async (c) => {
      const collection = await areaBoundaries(db, c.req.valid('query'));
      // Boundaries change only with a new geography release.
      c.header('Cache-Control', 'public, max-age=3600');
      return c.json(collection);
    });
