import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppDeps } from '../app.js';
import { capabilitiesOf } from '../db/engine.js';
import { currentMigration } from '../db/migrate.js';

export const healthRoutes = ({ db }: AppDeps) =>
  new Hono().get('/', async (c) => {
    const caps = await capabilitiesOf(db);
    const migration = await currentMigration(db);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from reports`.execute(db);
    c.header('Cache-Control', 'no-store');
    return c.json({ ok: true, engine: caps.engine, postgis: caps.postgisVersion, migration, reports: rows[0].n });
  });
