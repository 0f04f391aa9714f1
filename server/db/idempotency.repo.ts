import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertKeyIfAbsent(db: Db, row: { key: string; scope: string; request_hash: string }): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ ...row, state: 'in_flight' })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findKey(db: Db, key: string) {
  return db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Takes over an in-flight key whose request died (no update for staleSeconds). */
export async function takeOverStaleKey(db: Db, key: string, requestHash: string, staleSeconds: number): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ updated_at: new Date() })
    .where('key', '=', key)
    .where('state', '=', 'in_flight')
    .where('request_hash', '=', requestHash)
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${staleSeconds})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function completeKey(trx: Db, key: string, status: number, body: unknown) {
  await trx
    .updateTable('idempotency_keys')
    .set({ state: 'done', response_status: status, response_body: JSON.stringify(body), updated_at: new Date() })
    .where('key', '=', key)
    .execute();
}

export async function deleteInFlightKey(db: Db, key: string) {
  await db.deleteFrom('idempotency_keys').where('key', '=', key).where('state', '=', 'in_flight').execute();
}
