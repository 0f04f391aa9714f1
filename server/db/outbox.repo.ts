import crypto from 'node:crypto';
import type { Db } from './database.js';

/** Queues an event in the caller's transaction; the event id lets receivers de-duplicate. */
export async function insertOutbox(
  trx: Db,
  event: { type: string; reportId: string | null; unitId: number | null; payload: unknown },
) {
  await trx.insertInto('outbox').values({
    event_id: crypto.randomUUID(),
    type: event.type,
    report_id: event.reportId,
    unit_id: event.unitId,
    payload: JSON.stringify(event.payload),
  }).execute();
}
