import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function listActiveFields(db: Db) {
  return db.selectFrom('fields').selectAll().where('active', '=', true).orderBy('sort_order').orderBy('code').execute();
}

export async function findFieldByCode(db: Db, code: string) {
  return db.selectFrom('fields').selectAll().where('code', '=', code).where('active', '=', true).executeTakeFirst();
}
