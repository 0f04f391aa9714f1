import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { publicFields } from '../services/fields.js';

/** The report categories, public: the citizen form starts here. */
export const fieldsRoutes = ({ db }: AppDeps) =>
  new Hono().get('/', async (c) => {
    const fields = await publicFields(db);
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(fields);
  });
