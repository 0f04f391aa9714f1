import { Hono } from 'hono';
import type { AppDeps } from '../app.js';

/** Settings the dashboard needs at runtime, so one build serves every deployment. */
export const configRoutes = ({ config }: AppDeps) =>
  new Hono().get('/', (c) =>
    c.json({
      mapStyleUrl: config.mapStyleUrl ?? null,
      province: { code: '66', bbox: [107.45, 12.15, 109.5, 13.75] as [number, number, number, number] },
    }),
  );
