import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { healthStatus } from '../services/health.js';

export const healthRoutes = ({ db }: AppDeps) =>
  new Hono().get('/', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(await healthStatus(db));
  });
