import type { Db } from './database.js';

export async function listActiveFields(db: Db) {
  return db.selectFrom('fields').selectAll().where('active', '=', true).orderBy('sort_order').orderBy('code').execute();
}

export async function findFieldByCode(db: Db, code: string) {
  return db.selectFrom('fields').selectAll().where('code', '=', code).where('active', '=', true).executeTakeFirst();
}
