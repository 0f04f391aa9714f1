import type { Kysely, Transaction } from 'kysely';
import type { AbusiveMarkKind, Database } from './database.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The live marks among a client key and a phone number. */
export async function findActiveMarks(db: Db, who: { client?: string; phone?: string }) {
  const wanted: { kind: AbusiveMarkKind; value: string }[] = [];
  if (who.client) wanted.push({ kind: 'client', value: who.client });
  if (who.phone) wanted.push({ kind: 'phone', value: who.phone });
  if (!wanted.length) return [];
  return db
    .selectFrom('abusive_marks')
    .select(['kind', 'value'])
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or(wanted.map((w) => eb.and([eb('kind', '=', w.kind), eb('value', '=', w.value)]))))
    .execute();
}

/** Marks (or marks again, after an unmark) a client or phone as abusive. */
export async function upsertMark(trx: Db, mark: { kind: AbusiveMarkKind; value: string; reason: string; markedBy: number; now: Date }) {
  await trx
    .insertInto('abusive_marks')
    .values({ kind: mark.kind, value: mark.value, reason: mark.reason, marked_by: mark.markedBy, created_at: mark.now })
    .onConflict((oc) => oc.columns(['kind', 'value']).doUpdateSet({ reason: mark.reason, marked_by: mark.markedBy, created_at: mark.now, revoked_at: null }))
    .execute();
}

export async function updateMarkRevoked(trx: Db, kind: AbusiveMarkKind, value: string, now: Date): Promise<boolean> {
  const result = await trx
    .updateTable('abusive_marks')
    .set({ revoked_at: now })
    .where('kind', '=', kind)
    .where('value', '=', value)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The newest report with the same content from the same client since a moment: a duplicate submission. */
export async function findRecentDuplicate(db: Db, q: { clientKey: string; contentHash: string; since: Date }) {
  return db
    .selectFrom('reports')
    .select(['code', 'created_at'])
    .where('content_hash', '=', q.contentHash)
    .where('created_at', '>=', q.since)
    .where('client_key', '=', q.clientKey)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** What identifies a report's sender, for marking them. */
export async function findReportSender(db: Db, code: string) {
  return db.selectFrom('reports').select(['id', 'code', 'client_key', 'reporter_phone']).where('code', '=', code).executeTakeFirst();
}
