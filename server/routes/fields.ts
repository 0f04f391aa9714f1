import { Hono } from 'hono';
import type { AppDeps } from '../app.js';
import { listActiveFields } from '../db/fields.repo.js';

/** The report categories, public: the citizen form starts here. */
export const fieldsRoutes = ({ db }: AppDeps) =>
  new Hono().get('/', async (c) => {
    const fields = await listActiveFields(db);
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(fields.map((f) => ({
      code: f.code, name_vi: f.name_vi, name_en: f.name_en, color: f.color, icon: f.icon,
      deadline_days: f.deadline_days, duplicate_radius_m: f.duplicate_radius_m,
    })));
  });
