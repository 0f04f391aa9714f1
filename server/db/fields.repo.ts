import type { Db } from './database.js';

export async function listActiveFields(db: Db) {
  return db.selectFrom('fields').selectAll().where('active', '=', true).orderBy('sort_order').orderBy('code').execute();
}

export async function findFieldByCode(db: Db, code: string) {
  return db.selectFrom('fields').selectAll().where('code', '=', code).where('active', '=', true).executeTakeFirst();
}

/** Whether a field with this code exists, active or not. */
export async function fieldExists(db: Db, code: string): Promise<boolean> {
  return (await db.selectFrom('fields').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}

/** Whether a field with this code existed to update. */
export async function updateFieldRow(db: Db, code: string, changes: Record<string, unknown>): Promise<boolean> {
  const r = await db.updateTable('fields').set(changes).where('code', '=', code).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
