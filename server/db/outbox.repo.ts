import crypto from 'node:crypto';
import { sql } from 'kysely';
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

/** The newest outbox position, '0' when empty: where a new reader of the stream starts. */
export async function latestOutboxId(db: Db): Promise<string> {
  const { rows } = await sql<{ id: string | null }>`select max(id)::text as id from outbox`.execute(db);
  return rows[0]?.id ?? '0';
}

/** Outbox events after a position, with the report's place and state now, oldest first. */
export async function listOutboxEventsAfter(db: Db, afterId: string, limit: number) {
  const { rows } = await sql<{
    oid: string; id: string; type: string; code: string; status: string; field: string; lat: number; lon: number;
    ward_code: string; district_code: string; at: Date; needs_review: boolean;
  }>`
    select o.id::text as oid, o.event_id as id, o.type, r.code, r.status, r.field_code as field,
           ST_Y(r.geom) as lat, ST_X(r.geom) as lon, w.code as ward_code, d.code as district_code, o.created_at as at,
           r.needs_review
    from outbox o join reports r on r.id = o.report_id
    join admin_areas w on w.id = r.ward_id join admin_areas d on d.id = r.district_id
    where o.id > ${afterId}::bigint order by o.id limit ${limit}`.execute(db);
  return rows;
}
