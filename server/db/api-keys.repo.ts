import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertApiKey(db: Db, row: { client_name: string; key_hash: string }) {
  return db.insertInto('api_keys').values(row).returning(['id', 'client_name', 'created_at']).executeTakeFirstOrThrow();
}

export async function findActiveApiKeyByHash(db: Db, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'client_name'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function listApiKeys(db: Db) {
  return db.selectFrom('api_keys').select(['id', 'client_name', 'created_at', 'revoked_at']).orderBy('id').execute();
}

export async function updateApiKeyRevoked(db: Db, id: number, at: Date) {
  const result = await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
