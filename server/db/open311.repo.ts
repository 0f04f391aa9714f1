import { sql } from 'kysely';
import { inBboxSql } from './bbox-sql.js';
import type { Db, NewReportEventRow, NewReportRow, ReportStatus } from './database.js';
import { HIDDEN_STATUSES } from '../domain/statuses.js';
import { pointSql } from './reports.repo.js';

export async function insertReportAttributes(trx: Db, reportId: string, attributes: { code: string; value: string }[]) {
  if (!attributes.length) return;
  await trx.insertInto('report_attributes').values(attributes.map((a) => ({ report_id: reportId, code: a.code, value: a.value }))).execute();
}

/** Active fields as Open311 services, with whether each has extra questions. */
export async function listServices(db: Db) {
  return db
    .selectFrom('fields as f')
    .where('f.active', '=', true)
    .select([
      'f.code', 'f.name_vi', 'f.name_en', 'f.handled_at', 'f.service_group', 'f.keywords',
      sql<boolean>`exists (select 1 from field_attributes a where a.field_code = f.code)`.as('has_attributes'),
    ])
    .orderBy('f.sort_order')
    .orderBy('f.code')
    .execute();
}

export async function listFieldAttributes(db: Db, fieldCode: string) {
  return db
    .selectFrom('field_attributes')
    .selectAll()
    .where('field_code', '=', fieldCode)
    .orderBy('sort_order')
    .orderBy('code')
    .execute();
}

/** What an Open311 request view reads; never the reporter's contact. */
export interface Open311RequestRow {
  id: string;
  code: string;
  status: ReportStatus;
  field_code: string;
  field_name: string;
  description: string;
  unit_name: string | null;
  created_at: Date;
  updated_at: Date;
  due_at: Date | null;
  address: string | null;
  external_media_url: string | null;
  lon: number;
  lat: number;
  status_notes: string | null;
  media_id: string | null;
}

/** The report columns an Open311 request needs, with the last public note and the first photo. */
export function open311RequestSelect(db: Db) {
  return db
    .selectFrom('reports as r')
    .innerJoin('fields as f', 'f.code', 'r.field_code')
    .leftJoin('units as u', 'u.id', 'r.unit_id')
    .where('r.needs_review', '=', false)
    .select([
      'r.id', 'r.code', 'r.status', 'r.field_code', 'f.name_vi as field_name', 'r.description', 'u.name_vi as unit_name',
      'r.created_at', 'r.updated_at', 'r.due_at', 'r.address', 'r.external_media_url',
      sql<number>`ST_X(r.geom)`.as('lon'),
      sql<number>`ST_Y(r.geom)`.as('lat'),
      sql<string | null>`(select e.note from report_events e where e.report_id = r.id and e.public and e.note is not null order by e.created_at desc, e.id desc limit 1)`.as('status_notes'),
      sql<string | null>`(select m.id from media m where m.report_id = r.id and m.kind = 'photo' order by m.created_at, m.id limit 1)`.as('media_id'),
    ]);
}

export interface Open311ListFilters {
  serviceCodes?: string[];
  statuses?: readonly ReportStatus[];
  start?: Date;
  end?: Date;
  updatedAfter?: Date;
  bbox?: [number, number, number, number];
  limit: number;
  /** Keyset: only rows after this one in the list's order (created_at desc, id desc); createdAt as page_key gave it. */
  after?: { createdAt: string; id: string };
}

/**
 * Newest first; rows the public does not see on lists (rejected, merged,
 * withdrawn) are left out. Pages by keyset on (created_at, id), so a deep
 * page reads as few rows as the first (reports_created_desc_idx).
 */
export async function listOpen311Requests(db: Db, f: Open311ListFilters): Promise<(Open311RequestRow & { page_key: string })[]> {
  return open311ListQuery(db, f).execute();
}

export function open311ListQuery(db: Db, f: Open311ListFilters) {
  return open311RequestSelect(db)
    // created_at to the microsecond: a Date keeps milliseconds, and a key rounded down would skip rows within that millisecond.
    .select(sql<string>`to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('page_key'))
    .where('r.status', 'not in', HIDDEN_STATUSES)
    .$if(!!f.serviceCodes?.length, (qb) => qb.where('r.field_code', 'in', f.serviceCodes!))
    .$if(!!f.statuses?.length, (qb) => qb.where('r.status', 'in', [...f.statuses!]))
    .$if(!!f.start, (qb) => qb.where('r.created_at', '>=', f.start!))
    .$if(!!f.end, (qb) => qb.where('r.created_at', '<=', f.end!))
    .$if(!!f.updatedAfter, (qb) => qb.where('r.updated_at', '>', f.updatedAfter!))
    .$if(!!f.bbox, (qb) => qb.where(inBboxSql(f.bbox!)))
    .$if(!!f.after, (qb) => qb.where(sql<boolean>`(r.created_at, r.id) < (${f.after!.createdAt}::timestamptz, ${f.after!.id}::bigint)`))
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(f.limit);
}

/** Requests by tracking code, in the order asked; a code that is unknown or under review is simply absent. */
export async function findOpen311RequestsByCodes(db: Db, codes: string[]): Promise<Open311RequestRow[]> {
  if (!codes.length) return [];
  const rows = await open311RequestSelect(db).where('r.code', 'in', codes).execute();
  const byCode = new Map(rows.map((r) => [r.code, r]));
  return codes.flatMap((c) => byCode.get(c) ?? []);
}

export async function findReportIdByCode(db: Db, code: string) {
  return db.selectFrom('reports').select(['id', 'code', 'needs_review']).where('code', '=', code).executeTakeFirst();
}

/** Public timeline events in a time window, oldest first, with the status the report had after each. */
export async function listPublicUpdates(db: Db, q: { start: Date; end?: Date; limit: number }) {
  return db
    .selectFrom('report_events as e')
    .innerJoin('reports as r', 'r.id', 'e.report_id')
    .where('e.public', '=', true)
    .where('r.needs_review', '=', false)
    .where('e.created_at', '>=', q.start)
    .$if(!!q.end, (qb) => qb.where('e.created_at', '<=', q.end!))
    .select([
      'e.id', 'e.type', 'e.note', 'e.created_at', 'r.code',
      sql<string>`coalesce(e.to_status, (
        select p.to_status from report_events p
        where p.report_id = e.report_id and p.to_status is not null and (p.created_at, p.id) < (e.created_at, e.id)
        order by p.created_at desc, p.id desc limit 1), r.status)`.as('status'),
      sql<string | null>`(select m.id from media m where m.event_id = e.id order by m.created_at, m.id limit 1)`.as('media_id'),
    ])
    .orderBy('e.created_at')
    .orderBy('e.id')
    .limit(q.limit)
    .execute();
}

export async function findExternalUpdate(db: Db, source: string, updateId: string) {
  return db.selectFrom('external_updates').select(['id', 'report_id', 'event_id']).where('source', '=', source).where('update_id', '=', updateId).executeTakeFirst();
}

export async function insertExternalUpdate(trx: Db, row: { source: string; update_id: string; report_id: string; event_id: string }) {
  await trx.insertInto('external_updates').values(row).execute();
}

export async function insertEvent(trx: Db, event: NewReportEventRow) {
  return trx.insertInto('report_events').values(event).returning('id').executeTakeFirstOrThrow();
}

/**
 * The ward whose name appears in a free-text address (longest name first, so
 * "Ea Kao" is not taken for "Ea Ka"), with a point inside it.
 */
export async function findWardNamedIn(db: Db, text: string) {
  return db
    .selectFrom('admin_areas')
    .where('level', '=', 'ward')
    .where((eb) => eb.or([
      sql<boolean>`position(lower(name_vi) in lower(${text})) > 0`,
      sql<boolean>`position(lower(name_en) in lower(${text})) > 0`,
    ]))
    .select(['code', 'name_vi', sql<number>`ST_X(label_point)`.as('lon'), sql<number>`ST_Y(label_point)`.as('lat')])
    .orderBy(sql`length(name_vi)`, 'desc')
    .orderBy('code')
    .limit(1)
    .executeTakeFirst();
}

export interface PlacedPoint {
  index: number;
  ward_id: number;
  district_id: number;
  province_id: number;
  inside: boolean;
}

/**
 * For each point, the ward containing it, or else the nearest ward, with
 * `inside` telling which. One query per batch. "Nearest" takes the 8 wards
 * whose bounding boxes are closest, then the shortest planar distance to
 * their simplified outline: exact enough for a point over the border, and
 * cheap for a point on another continent.
 */
export async function placePoints(db: Db, points: { lon: number; lat: number }[]): Promise<PlacedPoint[]> {
  if (!points.length) return [];
  const lons = points.map((p) => p.lon).join(',');
  const lats = points.map((p) => p.lat).join(',');
  const { rows } = await sql<PlacedPoint>`
    select (t.i - 1)::int as index,
           coalesce(inside.id, near.id) as ward_id,
           coalesce(inside.parent_id, near.parent_id) as district_id,
           d.parent_id as province_id,
           inside.id is not null as inside
    from unnest(string_to_array(${lons}, ',')::float8[], string_to_array(${lats}, ',')::float8[]) with ordinality as t(lon, lat, i)
    cross join lateral (select ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) as pt) p
    left join lateral (
      select a.id, a.parent_id from admin_areas a
      where a.level = 'ward' and ST_Intersects(a.geom, p.pt)
      order by a.code limit 1
    ) inside on true
    left join lateral (
      select c.id, c.parent_id from (
        select a.id, a.parent_id, a.code, a.geom_low from admin_areas a
        where a.level = 'ward' and inside.id is null
        order by a.geom <#> p.pt limit 8
      ) c
      order by ST_Distance(c.geom_low, p.pt), c.code limit 1
    ) near on true
    join admin_areas d on d.id = coalesce(inside.parent_id, near.parent_id)
    order by t.i`.execute(db);
  return rows;
}

export type ImportedReportRow = Omit<NewReportRow, 'geom'> & { lon: number; lat: number };

/** Inserts a batch of imported reports; rows whose (external_source, external_id) exist already are skipped. */
export async function insertImportedReports(trx: Db, rows: ImportedReportRow[]) {
  if (!rows.length) return [];
  return trx
    .insertInto('reports')
    .values(rows.map(({ lon, lat, ...r }) => ({ ...r, geom: pointSql(lon, lat) }) as never))
    .onConflict((oc) => oc.columns(['external_source', 'external_id']).where('external_id', 'is not', null).doNothing())
    .returning(['id', 'external_id'])
    .execute();
}

export async function insertEvents(trx: Db, events: NewReportEventRow[]) {
  if (!events.length) return;
  await trx.insertInto('report_events').values(events).execute();
}

export async function findExistingExternalIds(db: Db, source: string, ids: string[]) {
  if (!ids.length) return new Set<string>();
  const rows = await db.selectFrom('reports').select('external_id').where('external_source', '=', source).where('external_id', 'in', ids).execute();
  return new Set(rows.map((r) => r.external_id!));
}

/** The key a report was filed with, if any (an own-scope key may update only those). */
export async function findReportApiKey(db: Db, reportId: string): Promise<number | null> {
  const row = await db.selectFrom('reports').select('api_key_id').where('id', '=', reportId).executeTakeFirst();
  return row?.api_key_id ?? null;
}
