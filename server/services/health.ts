import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { capabilitiesOf } from '../db/engine.js';
import { currentMigration } from '../db/migrate.js';
import { countAllReports } from '../db/reports.repo.js';

/** What a monitor or a newcomer asks first: which engine, which schema, how much data. */
export async function healthStatus(db: Kysely<Database>) {
  const caps = await capabilitiesOf(db);
  return { ok: true, engine: caps.engine, postgis: caps.postgisVersion, migration: await currentMigration(db), reports: await countAllReports(db) };
}
