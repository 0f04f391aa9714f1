import { sql, type Transaction } from 'kysely';
import type { Database, Db } from './database.js';

/** Takes undispatched outbox rows; SKIP LOCKED lets several API replicas share the work. */
export async function lockUndispatched(trx: Transaction<Database>, limit: number) {
  return trx.selectFrom('outbox').selectAll().where('dispatched_at', 'is', null).orderBy('id').limit(limit).forUpdate().skipLocked().execute();
}

export async function listActiveWebhooks(db: Db) {
  return db.selectFrom('webhooks').selectAll().where('active', '=', true).execute();
}

export async function insertDeliveries(trx: Db, rows: { outbox_id: string; webhook_id: number }[]) {
  if (!rows.length) return;
  await trx.insertInto('webhook_deliveries').values(rows).onConflict((oc) => oc.columns(['outbox_id', 'webhook_id']).doNothing()).execute();
}

export async function markDispatched(trx: Db, ids: string[], at: Date, deliveredIds: string[]) {
  if (ids.length) await trx.updateTable('outbox').set({ dispatched_at: at }).where('id', 'in', ids).execute();
  // Events no webhook wants are done once dispatched.
  if (deliveredIds.length) await trx.updateTable('outbox').set({ delivered_at: at }).where('id', 'in', deliveredIds).execute();
}

/**
 * Leases due deliveries: pushes their next attempt past the lease so no other
 * worker takes them, and returns them to send outside any transaction. A
 * worker that dies mid-send leaves them to be sent again when the lease ends.
 */
export async function leaseDueDeliveries(trx: Transaction<Database>, now: Date, leaseMs: number, limit: number) {
  const due = await trx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .innerJoin('outbox as o', 'o.id', 'd.outbox_id')
    .where('d.delivered_at', 'is', null)
    .where('d.next_attempt_at', '<=', now)
    .where('w.active', '=', true)
    .select(['d.id', 'd.attempts', 'd.outbox_id', 'd.webhook_id', 'w.url', 'w.secret', 'o.event_id', 'o.type', 'o.payload', 'o.created_at'])
    .orderBy('d.next_attempt_at')
    .limit(limit)
    .forUpdate('d')
    .skipLocked()
    .execute();
  if (due.length) {
    await trx.updateTable('webhook_deliveries').set({ next_attempt_at: new Date(now.getTime() + leaseMs) }).where('id', 'in', due.map((d) => d.id)).execute();
  }
  return due;
}

export async function recordDeliveryResult(db: Db, id: string, result: { delivered: boolean; status: number | null; error: string | null; attempts: number; nextAttemptAt: Date; at: Date }) {
  await db.updateTable('webhook_deliveries').set({
    attempts: result.attempts, last_status: result.status, last_error: result.error,
    next_attempt_at: result.nextAttemptAt, delivered_at: result.delivered ? result.at : null,
  }).where('id', '=', id).execute();
}

/** An outbox event is delivered once every one of its webhook deliveries is. */
export async function markOutboxDeliveredWhenComplete(db: Db, outboxId: string, at: Date) {
  await db.updateTable('outbox').set({ delivered_at: at })
    .where('id', '=', outboxId)
    .where('delivered_at', 'is', null)
    .where(sql<boolean>`not exists (select 1 from webhook_deliveries d where d.outbox_id = outbox.id and d.delivered_at is null)`)
    .execute();
}

export async function listDeliveries(db: Db, webhookId: number | undefined, limit: number) {
  return db.selectFrom('webhook_deliveries as d').innerJoin('outbox as o', 'o.id', 'd.outbox_id')
    .$if(webhookId !== undefined, (qb) => qb.where('d.webhook_id', '=', webhookId!))
    .select(['d.id', 'd.webhook_id', 'd.attempts', 'd.next_attempt_at', 'd.delivered_at', 'd.last_status', 'd.last_error', 'o.event_id', 'o.type', 'd.created_at'])
    .orderBy('d.id', 'desc').limit(limit).execute();
}

export async function listWebhookRows(db: Db) {
  return db.selectFrom('webhooks').select(['id', 'unit_id', 'url', 'events', 'active', 'created_at']).orderBy('id').execute();
}

export async function insertWebhook(db: Db, values: { unit_id: number | null; url: string; secret: string; events: string[]; active: boolean }): Promise<number> {
  return (await db.insertInto('webhooks').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

/** Whether a webhook with this id existed to update. */
export async function updateWebhook(db: Db, id: number, values: { unit_id: number | null; url: string; secret?: string; events: string[]; active: boolean }): Promise<boolean> {
  const r = await db.updateTable('webhooks').set(values).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Whether a webhook with this id existed to delete. */
export async function deleteWebhook(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
