import { sql, type Transaction } from 'kysely';
import type { AbusiveMarkKind, Database, Db } from './database.js';

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

export interface DuplicateQuery {
  contentHash: string;
  since: Date;
  /** The device (or, without one, address or API key) that sent it. */
  clientKey?: string;
  /** The sender's address key. */
  address?: string;
  /** Normalised (0xxxxxxxxx). */
  phone?: string;
  email?: string;
}

/**
 * The newest report with the same content since a moment from the same
 * device, address, phone or e-mail: a duplicate submission. Undefined when
 * the query names no sender at all.
 */
export async function findRecentDuplicate(db: Db, q: DuplicateQuery) {
  // Every spelling the form's phone check lets through: 0…, +84…, 84….
  const phones = q.phone ? [q.phone, `+84${q.phone.slice(1)}`, `84${q.phone.slice(1)}`] : [];
  if (!q.clientKey && !q.address && !phones.length && !q.email) return undefined;
  return db
    .selectFrom('reports')
    .select(['code', 'created_at'])
    .where('content_hash', '=', q.contentHash)
    .where('created_at', '>=', q.since)
    .where((eb) => eb.or([
      ...(q.clientKey ? [eb('client_key', '=', q.clientKey)] : []),
      ...(q.address ? [eb('sender_address', '=', q.address)] : []),
      ...(phones.length ? [eb('reporter_phone', 'in', phones)] : []),
      ...(q.email ? [eb(sql<string>`lower(reporter_email)`, '=', q.email.toLowerCase())] : []),
    ]))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Serialises, until the transaction ends, every submission of the same text,
 * so the duplicate check and the insert after it act as one step.
 */
export async function lockContentHash(trx: Transaction<Database>, contentHash: string) {
  // The first 60 bits of the sha256: a bigint lock key; a rare collision only makes two texts wait on each other.
  const key = BigInt(`0x${contentHash.slice(0, 15)}`).toString();
  await sql`select pg_advisory_xact_lock(${key}::bigint)`.execute(trx);
}

/** What identifies a report's sender, for marking them. */
export async function findReportSender(db: Db, code: string) {
  return db.selectFrom('reports').select(['id', 'code', 'client_key', 'reporter_phone']).where('code', '=', code).executeTakeFirst();
}
