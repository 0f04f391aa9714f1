import { sql, type Transaction } from 'kysely';
import type { Insertable } from 'kysely';
import { HIDDEN_STATUSES } from '../domain/statuses.js';
import { inBboxSql } from './bbox-sql.js';
import type { Database, Db, NewReportEventRow, NewReportRow, ReportFollowerTable, ReportStatus, ReportUpdate } from './database.js';

export const pointSql = (lon: number, lat: number) => sql`ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)`;

export async function insertReport(trx: Db, row: Omit<NewReportRow, 'geom'>, lon: number, lat: number) {
  return trx
    .insertInto('reports')
    .values({ ...row, geom: pointSql(lon, lat) } as never)
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
}

export async function insertReportEvent(trx: Db, event: NewReportEventRow) {
  return trx.insertInto('report_events').values(event).returning('id').executeTakeFirstOrThrow();
}

export async function updateReport(trx: Db, id: string, changes: ReportUpdate) {
  await trx.updateTable('reports').set({ ...changes, updated_at: new Date() }).where('id', '=', id).execute();
}

/** The columns every report view needs, with field, areas and unit joined in. */
function reportWithRefs(db: Db) {
  return db
    .selectFrom('reports as r')
    .innerJoin('fields as f', 'f.code', 'r.field_code')
    .innerJoin('admin_areas as w', 'w.id', 'r.ward_id')
    .innerJoin('admin_areas as d', 'd.id', 'r.district_id')
    .leftJoin('units as u', 'u.id', 'r.unit_id')
    .select([
      'r.id', 'r.code', 'r.title', 'r.description', 'r.status', 'r.created_at', 'r.updated_at', 'r.assigned_at',
      'r.due_at', 'r.resolved_at', 'r.closed_at', 'r.follower_count', 'r.reopen_count', 'r.hide_name',
      'r.reporter_name', 'r.reporter_phone', 'r.reporter_email', 'r.manage_token_hash', 'r.needs_review', 'r.unit_id',
      'r.field_code', 'f.name_vi as field_name_vi', 'f.name_en as field_name_en', 'f.color as field_color', 'f.icon as field_icon',
      'w.code as ward_code', 'w.name_vi as ward_name_vi', 'w.name_en as ward_name_en',
      'd.code as district_code', 'd.name_vi as district_name_vi', 'd.name_en as district_name_en',
      'u.name_vi as unit_name_vi', 'u.name_en as unit_name_en',
      sql<number>`ST_X(r.geom)`.as('lon'),
      sql<number>`ST_Y(r.geom)`.as('lat'),
    ]);
}

export type ReportWithRefs = NonNullable<Awaited<ReturnType<typeof findReportByCode>>>;

export async function findReportByCode(db: Db, code: string) {
  return reportWithRefs(db).where('r.code', '=', code).executeTakeFirst();
}

/** Locks the report row for the rest of the transaction, so concurrent actions serialise. */
export async function lockReportByCode(trx: Transaction<Database>, code: string) {
  return trx
    .selectFrom('reports')
    .select(['id', 'code', 'status', 'unit_id', 'created_at', 'due_at', 'resolved_at', 'reopen_count', 'manage_token_hash', 'follower_count', 'needs_review'])
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateManageTokenHash(db: Db, code: string, hash: string) {
  await db.updateTable('reports').set({ manage_token_hash: hash }).where('code', '=', code).execute();
}

/**
 * Adds a follower unless the same device, phone or e-mail already follows
 * the report (the unique indexes of 0012 decide, so concurrent follows
 * cannot both count); undefined when they already do.
 */
export async function insertFollowerIfNew(trx: Db, row: Insertable<ReportFollowerTable>) {
  return trx
    .insertInto('report_followers')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
}

/**
 * A new confirmation token for an e-mail follower who never confirmed and
 * whose link has expired (or who followed while no e-mail was sent); undefined otherwise.
 */
export async function updateFollowerConfirmToken(trx: Db, q: { reportId: string; email: string; tokenHash: string; expiresAt: Date; now: Date }) {
  return trx
    .updateTable('report_followers')
    .set({ confirm_token_hash: q.tokenHash, confirm_expires_at: q.expiresAt })
    .where('report_id', '=', q.reportId)
    .where(sql<string>`lower(email)`, '=', q.email.toLowerCase())
    .where('email_confirmed_at', 'is', null)
    .where((eb) => eb.or([eb('confirm_expires_at', 'is', null), eb('confirm_expires_at', '<', q.now)]))
    .returning('id')
    .executeTakeFirst();
}

/** Confirms the e-mail of the follower holding this unexpired token, once; undefined when none does. */
export async function updateFollowerConfirmed(db: Db, q: { code: string; tokenHash: string; now: Date }) {
  return db
    .updateTable('report_followers')
    .set({ email_confirmed_at: q.now, confirm_token_hash: null, confirm_expires_at: null })
    .where('confirm_token_hash', '=', q.tokenHash)
    .where('confirm_expires_at', '>', q.now)
    .where('report_id', '=', (eb) => eb.selectFrom('reports').select('id').where('code', '=', q.code))
    .returning('id')
    .executeTakeFirst();
}

export async function listPublicEvents(db: Db, reportId: string) {
  return db
    .selectFrom('report_events as e')
    .leftJoin('units as u', 'u.id', 'e.unit_id')
    .where('e.report_id', '=', reportId)
    .where('e.public', '=', true)
    .select(['e.id', 'e.type', 'e.from_status', 'e.to_status', 'e.note', 'e.created_at', 'u.name_vi as unit_name_vi', 'u.name_en as unit_name_en'])
    .orderBy('e.created_at')
    .orderBy('e.id')
    .execute();
}

export async function listReportMedia(db: Db, reportId: string) {
  return db
    .selectFrom('media')
    .select(['id', 'kind', 'mime', 'width', 'height', 'thumb_key', 'event_id', 'created_at'])
    .where('report_id', '=', reportId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findMedia(db: Db, id: string) {
  return db
    .selectFrom('media as m')
    .innerJoin('reports as r', 'r.id', 'm.report_id')
    .select(['m.id', 'm.mime', 'm.storage_key', 'm.thumb_key', 'r.status as report_status', 'r.needs_review'])
    .where('m.id', '=', id)
    .executeTakeFirst();
}

/** Every report stored, whatever its state (the health check's figure). */
export async function countAllReports(db: Db): Promise<number> {
  const row = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}


export interface PublicListFilters {
  bbox?: [number, number, number, number];
  fields?: string[];
  statuses?: ReportStatus[];
  after?: { createdAt: Date; id: string };
  limit: number;
}

/** Newest first, keyset-paginated on (created_at, id) so deep pages stay as fast as the first. */
export async function listPublicReports(db: Db, f: PublicListFilters) {
  return db
    .selectFrom('reports as r')
    .where('r.status', 'not in', HIDDEN_STATUSES)
    .where('r.needs_review', '=', false)
    .$if(!!f.bbox, (qb) => qb.where(inBboxSql(f.bbox!)))
    .$if(!!f.fields?.length, (qb) => qb.where('r.field_code', 'in', f.fields!))
    .$if(!!f.statuses?.length, (qb) => qb.where('r.status', 'in', f.statuses!))
    .$if(!!f.after, (qb) => qb.where(sql<boolean>`(r.created_at, r.id) < (${f.after!.createdAt}, ${f.after!.id}::bigint)`))
    .select([
      'r.id', 'r.code', 'r.field_code', 'r.title', 'r.status', 'r.created_at', 'r.due_at', 'r.resolved_at', 'r.follower_count',
      sql<number>`ST_X(r.geom)`.as('lon'),
      sql<number>`ST_Y(r.geom)`.as('lat'),
    ])
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(f.limit)
    .execute();
}

/** How many public reports a viewport holds, with the same filters as the list. */
export async function countPublicReports(db: Db, f: Omit<PublicListFilters, 'after' | 'limit'>) {
  const row = await db
    .selectFrom('reports as r')
    .where('r.status', 'not in', HIDDEN_STATUSES)
    .where('r.needs_review', '=', false)
    .$if(!!f.bbox, (qb) => qb.where(inBboxSql(f.bbox!)))
    .$if(!!f.fields?.length, (qb) => qb.where('r.field_code', 'in', f.fields!))
    .$if(!!f.statuses?.length, (qb) => qb.where('r.status', 'in', f.statuses!))
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Open reports of one field within radius metres of a point since a date: duplicate candidates. */
export async function findNearbyOpenReports(
  db: Db,
  q: { lon: number; lat: number; fieldCode: string; radiusM: number; since: Date; openStatuses: readonly ReportStatus[]; limit: number },
) {
  const point = pointSql(q.lon, q.lat);
  // A degree box first so the GiST index does the work; the geography distance then decides.
  const degrees = q.radiusM / 111_320 / Math.max(Math.cos((q.lat * Math.PI) / 180), 0.01);
  return db
    .selectFrom('reports as r')
    .where('r.field_code', '=', q.fieldCode)
    .where('r.status', 'in', [...q.openStatuses])
    .where('r.needs_review', '=', false)
    .where('r.created_at', '>=', q.since)
    .where(sql<boolean>`r.geom && ST_Expand(${point}, ${degrees})`)
    .where(sql<boolean>`ST_DWithin(r.geom::geography, ${point}::geography, ${q.radiusM})`)
    .select([
      'r.code', 'r.title', 'r.status', 'r.created_at', 'r.follower_count',
      sql<number>`ST_X(r.geom)`.as('lon'),
      sql<number>`ST_Y(r.geom)`.as('lat'),
      sql<number>`ST_Distance(r.geom::geography, ${point}::geography)`.as('distance_m'),
    ])
    .orderBy('distance_m')
    .limit(q.limit)
    .execute();
}

/** A merge: the child's followers follow the parent from now on. */
export async function moveFollowers(db: Db, fromReportId: string, toReportId: string) {
  await db.updateTable('report_followers').set({ report_id: toReportId }).where('report_id', '=', fromReportId).execute();
}

export async function insertRating(db: Db, row: { report_id: string; satisfied: boolean; comment: string | null; created_at: Date }) {
  await db.insertInto('ratings').values(row).execute();
}

/** Ids of reports resolved before `cutoff` and still resolved, at most `limit`. */
export async function listResolvedBefore(db: Db, cutoff: Date, limit: number) {
  return db.selectFrom('reports').select('id').where('status', '=', 'resolved').where('resolved_at', '<', cutoff).limit(limit).execute();
}

/** The report's status and unit, locked until the transaction ends. */
export async function lockReportById(trx: Db, id: string) {
  return trx.selectFrom('reports').select(['id', 'code', 'status', 'unit_id']).where('id', '=', id).forUpdate().executeTakeFirst();
}
