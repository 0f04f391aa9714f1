import { sql } from 'kysely';
import type { Db } from './database.js';

export async function listCalendarDays(db: Db) {
  return db.selectFrom('calendar_days').select([sql<string>`day::text`.as('day'), 'kind', 'name']).orderBy('day').execute();
}

export async function countCalendarDays(db: Db) {
  const row = await db.selectFrom('calendar_days').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

export async function upsertCalendarDay(db: Db, day: { day: string; kind: 'holiday' | 'workday'; name: string }) {
  await db.insertInto('calendar_days').values(day).onConflict((oc) => oc.column('day').doUpdateSet({ kind: day.kind, name: day.name })).execute();
}

export async function deleteCalendarDay(db: Db, day: string) {
  const r = await db.deleteFrom('calendar_days').where('day', '=', day).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
