import type { Db } from './database.js';

export async function insertApiKey(db: Db, row: { client_name: string; key_hash: string; scope: 'own' | 'unit'; unit_id: number | null }) {
  return db.insertInto('api_keys').values(row).returning(['id', 'client_name', 'scope', 'unit_id', 'created_at']).executeTakeFirstOrThrow();
}

export async function findActiveApiKeyByHash(db: Db, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'client_name', 'scope', 'unit_id'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function listApiKeys(db: Db) {
  return db
    .selectFrom('api_keys as k')
    .leftJoin('units as u', 'u.id', 'k.unit_id')
    .select(['k.id', 'k.client_name', 'k.scope', 'k.unit_id', 'u.name_vi as unit_name_vi', 'u.name_en as unit_name_en', 'k.created_at', 'k.revoked_at'])
    .orderBy('k.id')
    .execute();
}

export async function updateApiKeyRevoked(db: Db, id: number, at: Date) {
  const result = await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
