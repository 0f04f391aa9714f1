import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { listActiveFields } from '../db/fields.repo.js';

/** The report categories the citizen form offers, with what the public may know of each. */
export async function publicFields(db: Kysely<Database>) {
  const fields = await listActiveFields(db);
  return fields.map((f) => ({
    code: f.code, name_vi: f.name_vi, name_en: f.name_en, color: f.color, icon: f.icon,
    deadline_days: f.deadline_days, duplicate_radius_m: f.duplicate_radius_m,
  }));
}
