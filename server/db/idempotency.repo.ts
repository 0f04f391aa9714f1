import { sql } from 'kysely';
import { DomainError } from '../errors.js';
import { msg } from '../messages.js';
import type { Db } from './database.js';

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

/** A live holder's heartbeat; false once the key is no longer in flight (done, released or gone). */
export async function touchInFlightKey(db: Db, key: string): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ updated_at: sql<Date>`now()` })
    .where('key', '=', key)
    .where('state', '=', 'in_flight')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Stores the answer in the request's own transaction. Only an in-flight key
 * can complete: if a takeover let two requests run under one key, the second
 * to commit waits on the first's row lock, finds the key done and rolls back,
 * so the key never yields two reports.
 */
export async function completeKey(trx: Db, key: string, status: number, body: unknown) {
  const result = await trx
    .updateTable('idempotency_keys')
    .set({ state: 'done', response_status: status, response_body: JSON.stringify(body), updated_at: new Date() })
    .where('key', '=', key)
    .where('state', '=', 'in_flight')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new DomainError('request_in_progress', msg('error.request_completed_elsewhere'));
  }
}

export async function deleteInFlightKey(db: Db, key: string) {
  await db.deleteFrom('idempotency_keys').where('key', '=', key).where('state', '=', 'in_flight').execute();
}

/** Removes one key if it is still older than the cutoff (a concurrent claim may have replaced it). */
export async function deleteExpiredKey(db: Db, key: string, createdBefore: Date) {
  await db.deleteFrom('idempotency_keys').where('key', '=', key).where('created_at', '<', createdBefore).execute();
}

export async function deleteKeysCreatedBefore(db: Db, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
